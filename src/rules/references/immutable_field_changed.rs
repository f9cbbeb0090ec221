use serde_json::Value;

use super::super::{GraphFinding, Rule, declare_rule};
use crate::index::{Identities, Index};
use crate::model::immutable::{Guard, way_out};
use crate::model::quantity::Quantity;

declare_rule! {
    /// ## What it does
    /// Runs only with `--new-from-rev REV`. For every object that exists both at REV and now
    /// (same API group, kind, namespace and name, in whatever file), reports each change to a
    /// field the API server refuses to update, at the field as it is now, with its value at
    /// REV:
    /// - Deployment, ReplicaSet, DaemonSet (`apps/v1`): `spec.selector`;
    /// - StatefulSet: `spec.selector`, `spec.serviceName`, `spec.podManagementPolicy`,
    ///   `spec.volumeClaimTemplates` (an alpha feature gate of recent releases, off by default,
    ///   lifts the last);
    /// - Job: `spec.selector`, `spec.completionMode`, and `spec.template` — except its labels,
    ///   annotations, node selector, affinity, tolerations and scheduling gates, which may
    ///   change while a Job is suspended (a manifest cannot tell whether it is);
    /// - Service: `spec.clusterIP` between two set values (left out, the server keeps the
    ///   address it allocated), and the first item of `spec.clusterIPs` and `spec.ipFamilies`
    ///   (the primary address and family; a second one may be added or removed);
    /// - PersistentVolumeClaim: `accessModes`, `selector`, `storageClassName`, `volumeMode`,
    ///   `volumeName`, `dataSource`, `dataSourceRef`, and a storage request that shrinks
    ///   (it may grow, where the StorageClass allows expansion);
    /// - PersistentVolume: its volume source (`csi`, `nfs`, `hostPath`, …);
    /// - RoleBinding, ClusterRoleBinding: `roleRef`;
    /// - StorageClass: `provisioner`, `parameters`, `reclaimPolicy`, `volumeBindingMode`;
    /// - ConfigMap, Secret marked `immutable: true`: `data`, `binaryData` (`stringData`), and
    ///   `immutable` itself turned off; a Secret's `type`.
    ///
    /// A field set at one revision and left out at the other is not judged, nor is a value
    /// that holds a template placeholder (`${VAR}`, `{{ … }}`). Where several objects share
    /// an identity (a repository of examples, per-environment copies side by side), only the
    /// one in the same file is compared.
    ///
    /// ## Why is this bad
    /// The change passes every linter, every schema and review, merges, and then the deploy
    /// fails: `kubectl apply` answers `field is immutable` (for a StatefulSet, "updates to
    /// statefulset spec for fields other than … are forbidden"). The way out is to delete and
    /// recreate the object, which for a Deployment stops all its pods at once and for a claim
    /// loses its data, so it should be planned in the pull request, not found in the deploy
    /// job.
    ///
    /// ## Example
    /// ```yaml
    /// # at REV: selector: {matchLabels: {app: web}}
    /// kind: Deployment
    /// metadata: {name: web}
    /// spec:
    ///   selector:
    ///     matchLabels: {app: web, tier: frontend}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// # keep the selector; add the new label to the template only
    /// kind: Deployment
    /// metadata: {name: web}
    /// spec:
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web, tier: frontend}
    /// ```
    /// or rename the object (`web-v2`) and delete the old one once the new one is ready.
    pub struct ImmutableFieldChanged => "immutable-field-changed";
}

impl Rule for ImmutableFieldChanged {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        let Some(previous) = &index.previous else {
            return;
        };
        let identities = Identities::of(index.facts.iter().map(|f| &**f));
        for (i, facts) in index.facts.iter().enumerate() {
            let (Some(guarded), true) = (&facts.guarded, facts.reported) else {
                continue;
            };
            let Some(before) = previous.fields_of(facts, &identities) else {
                continue;
            };
            let was = |field: &str| before.iter().find(|(f, _)| *f == field).map(|(_, v)| v);
            let was_immutable = was("immutable") == Some(&Value::Bool(true));
            for now in guarded {
                let Some(old) = was(now.field) else {
                    continue;
                };
                if templated(old) || templated(&now.value) {
                    continue;
                }
                let refused = match now.guard {
                    Guard::Always => *old != now.value,
                    Guard::BetweenSetValues => {
                        *old != now.value && is_set(old) && is_set(&now.value)
                    }
                    Guard::FirstItem => match (first(old), first(&now.value)) {
                        (Some(old), Some(now)) => old != now && is_set(old) && is_set(now),
                        _ => false,
                    },
                    Guard::GrowOnly => shrinks(old, &now.value),
                    Guard::WhileImmutable => was_immutable && *old != now.value,
                    Guard::StaysTrue => was_immutable && now.value != Value::Bool(true),
                };
                if !refused {
                    continue;
                }
                let since = &previous.revision;
                let what = match now.guard {
                    Guard::GrowOnly => format!("shrinks since {since}"),
                    Guard::WhileImmutable => format!(
                        "changed since {since} although the {} is `immutable: true`",
                        facts.id.kind
                    ),
                    Guard::StaysTrue => {
                        format!("turned off since {since}, which can never be undone")
                    }
                    _ => format!("changed since {since}"),
                };
                out.push(
                    GraphFinding::new(
                        i,
                        &now.site,
                        format!(
                            "`{}` of {} {} (was {}): the API server refuses to update it, so \
                             `kubectl apply` fails with \"field is immutable\"",
                            now.field,
                            facts.id,
                            what,
                            shown(old)
                        ),
                    )
                    .help(format!(
                        "keep the old value, or plan the replacement: {}",
                        way_out(&facts.id.kind)
                    )),
                );
            }
        }
    }
}

/// A value with a template placeholder is not what will be applied.
fn templated(value: &Value) -> bool {
    let placeholder = |s: &str| s.contains("${") || s.contains("{{");
    match value {
        Value::String(s) => placeholder(s),
        Value::Array(items) => items.iter().any(templated),
        Value::Object(map) => map.iter().any(|(k, v)| placeholder(k) || templated(v)),
        _ => false,
    }
}

fn first(value: &Value) -> Option<&Value> {
    value.as_array()?.first()
}

fn is_set(value: &Value) -> bool {
    !matches!(value, Value::Null) && value.as_str() != Some("")
}

fn quantity(value: &Value) -> Option<Quantity> {
    match value {
        Value::String(s) => Quantity::parse(s),
        Value::Number(n) => Quantity::parse(&n.to_string()),
        _ => None,
    }
}

fn shrinks(old: &Value, now: &Value) -> bool {
    matches!((quantity(old), quantity(now)), (Some(old), Some(now)) if now < old)
}

/// A value for a message: compact JSON, cut when long.
fn shown(value: &Value) -> String {
    let text = value.to_string();
    const MAX: usize = 80;
    if text.chars().count() <= MAX {
        format!("`{text}`")
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("`{cut}…`")
    }
}
