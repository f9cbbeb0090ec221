use super::super::{GraphFinding, Rule, declare_rule};
use super::named::{Defined, is_placeholder, namespace_name, near_miss_help};
use super::{SYSTEM_NAMESPACES, describe_namespace};
use crate::index::{Index, KindFacts, NamedRefs};
use crate::model::pod::WorkloadKind;

declare_rule! {
    /// ## What it does
    /// Reports a pod template's volume whose `persistentVolumeClaim.claimName` names a
    /// PersistentVolumeClaim its namespace does not define, at the `claimName` value. The
    /// help names the namespace's closest claim when one is a near miss.
    ///
    /// Claims that controllers create count as defined: a StatefulSet's
    /// `volumeClaimTemplates` create `<template>-<statefulset>-<ordinal>` (its own pods mount
    /// them through `volumeMounts`, not `claimName`), and a generic ephemeral volume creates
    /// `<pod>-<volume>`.
    ///
    /// Trust rule (silent when the run cannot know): the claim must be missing from the
    /// whole namespace across inputs and `--context` (a claim of the same name in another
    /// namespace does not count; one whose manifest names no namespace counts everywhere, as
    /// does any claim for a workload whose manifest names none, since kustomize's
    /// `namespace:` or `kubectl apply -n` places both), and the workload's own directory must
    /// hold at least one PersistentVolumeClaim of that namespace — evidence that this part of
    /// the repository declares its claims rather than leaving them to an administrator, a
    /// chart or a provisioning script. Never reported: placeholders (template expressions,
    /// names no object can have such as `$CLAIM` or `<PVC_NAME>`), `kube-system`, kustomize
    /// patches and workloads a patch of the run changes, templates none of whose containers
    /// has an image, and a namespace (for the unnamed namespace and `default`: a directory)
    /// holding a custom resource that runs pods, since operators create the claims of what
    /// they run.
    ///
    /// ## Why is this bad
    /// The scheduler cannot place the pod: it stays `Pending` with `persistentvolumeclaim
    /// "…" not found`, and a Deployment's rollout stalls on it.
    ///
    /// ## Example
    /// ```yaml
    /// kind: PersistentVolumeClaim
    /// metadata:
    ///   name: uploads
    /// ---
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     spec:
    ///       volumes:
    ///         - name: data
    ///           persistentVolumeClaim:
    ///             claimName: upload
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: PersistentVolumeClaim
    /// metadata:
    ///   name: uploads
    /// ---
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     spec:
    ///       volumes:
    ///         - name: data
    ///           persistentVolumeClaim:
    ///             claimName: uploads
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 1 finding in 1 file, read, true: the
    /// archived vSphere example's `vsphere-volume-pvcscvsanpod.yaml` mounts `pvcsc-vsan`,
    /// which no manifest of the example defines (its siblings define `pvc0001` and
    /// `pvcsc001`). On by default. Without the directory requirement it also reported an
    /// EKS workshop pod that is broken on purpose (a troubleshooting exercise). No peer
    /// checks this.
    pub struct DanglingPvcRef => "dangling-pvc-ref";
}

/// Whether `claim` is `<template>-<statefulset>-<ordinal>`.
fn is_stateful_claim(claim: &str, template: &str, statefulset: &str) -> bool {
    claim
        .strip_prefix(template)
        .and_then(|rest| rest.strip_prefix('-'))
        .and_then(|rest| rest.strip_prefix(statefulset))
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

impl Rule for DanglingPvcRef {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        let claims = Defined::of(index, |f| {
            matches!(f.kind, KindFacts::PersistentVolumeClaim { .. })
        });
        if claims.is_empty() {
            return;
        }
        // Claims controllers create, by namespace: (StatefulSet, template names) and
        // (workload, ephemeral volume names).
        let mut created: std::collections::HashMap<String, Vec<(&str, &NamedRefs)>> =
            std::collections::HashMap::new();
        for f in &index.facts {
            if let KindFacts::Workload(w) = &f.kind {
                let refs = &w.named_refs;
                if !refs.claim_templates.is_empty() || !refs.ephemeral_volumes.is_empty() {
                    created
                        .entry(namespace_name(&index.namespace_of(f)))
                        .or_default()
                        .push((f.id.name.as_str(), refs));
                }
            }
        }
        for (i, f) in index.facts.iter().enumerate() {
            let KindFacts::Workload(w) = &f.kind else {
                continue;
            };
            if w.claims.is_empty() {
                continue;
            }
            let ns = index.namespace_of(f);
            if !f.reported
                || w.service_account.fragment
                || ns
                    .as_deref()
                    .is_some_and(|n| SYSTEM_NAMESPACES.contains(&n))
                || !claims.declared_beside(&ns, &f.file)
                || index.has_patch(f)
                || index.operator_in_scope(&ns, &f.file)
            {
                continue;
            }
            let controlled = created.get(&namespace_name(&ns));
            for mount in &w.claims {
                let claim = mount.claim.as_str();
                let from_controller = controlled.is_some_and(|owners| {
                    owners.iter().any(|(owner, refs)| {
                        refs.claim_templates
                            .iter()
                            .any(|t| t.name == claim || is_stateful_claim(claim, &t.name, owner))
                            || refs.ephemeral_volumes.iter().any(|v| {
                                claim
                                    .strip_suffix(v.as_str())
                                    .is_some_and(|rest| rest.ends_with('-'))
                            })
                    })
                });
                if is_placeholder(claim) || claims.reaches(index, f, claim) || from_controller {
                    continue;
                }
                let namespace = describe_namespace(&ns);
                let what = if w.workload == WorkloadKind::Pod {
                    format!("Pod `{}` mounts", f.id.name)
                } else {
                    format!("the pods of {} `{}` mount", f.id.kind, f.id.name)
                };
                out.push(
                    GraphFinding::new(
                        i,
                        &mount.site,
                        format!(
                            "{what} PersistentVolumeClaim `{claim}`, which is not in \
                             {namespace}: they stay Pending until it exists"
                        ),
                    )
                    .help(match claims.namespace_elsewhere(&ns, claim) {
                        Some(other) => format!(
                            "PersistentVolumeClaim `{claim}` is in namespace `{other}`, and pods \
                             can only mount claims of their own namespace: add one to {namespace}"
                        ),
                        None => near_miss_help(
                            claim,
                            claims.names_in(Some(&ns)),
                            &format!("among the PersistentVolumeClaims of {namespace}"),
                            format!(
                                "add a PersistentVolumeClaim `{claim}` to {namespace}, or name \
                                 an existing one (or pass its manifest with `--context`)"
                            ),
                        ),
                    }),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_stateful_claim;

    #[test]
    fn statefulset_claims_are_template_set_and_ordinal() {
        assert!(is_stateful_claim("data-db-0", "data", "db"));
        assert!(is_stateful_claim("data-my-db-12", "data", "my-db"));
        assert!(!is_stateful_claim("data-db", "data", "db"));
        assert!(!is_stateful_claim("data-db-x", "data", "db"));
        assert!(!is_stateful_claim("logs-db-0", "data", "db"));
    }
}
