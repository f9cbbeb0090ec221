use super::super::{GraphFinding, Rule, declare_rule};
use crate::index::spread::Miss;
use std::collections::HashMap;

use crate::index::{HostSpread, Index, KindFacts, Labels, NamespaceKey, parent_dir};

declare_rule! {
    /// ## What it does
    /// Reports a Deployment, StatefulSet or ReplicaSet that runs more than one pod
    /// (`spec.replicas` above 1, or the `minReplicas` of a HorizontalPodAutoscaler of the run
    /// that scales it) and whose pod template has neither a pod anti-affinity term (required
    /// or preferred) nor a `topologySpreadConstraints` entry on `kubernetes.io/hostname` that
    /// counts its own pods.
    ///
    /// A term counts the workload's pods when its `labelSelector` matches the template's own
    /// labels (`matchLabels` and every `matchExpressions` operator, as the API server
    /// evaluates them) and, for an anti-affinity term, its `namespaces` /
    /// `namespaceSelector` include the workload's namespace. A term without `labelSelector`
    /// selects no pod; `matchLabelKeys` never excludes the workload's own pods;
    /// `mismatchLabelKeys` on one of its own labels does. When such terms exist and none
    /// counts the workload's pods, each is reported at its `labelSelector` (the common
    /// mistake: a selector copied from another workload); when there is none, the finding
    /// is at `replicas` (at the name when an autoscaler sets the count).
    ///
    /// Never reported: a template whose labels, selectors or namespaces are templated or not
    /// evaluable, a `namespaceSelector` on namespace labels (the run does not show them), a
    /// pod with a `hostPort` or `hostNetwork` (two such pods never share a node anyway), a
    /// template without labels (a kustomize patch), `--context` objects, and a workload whose
    /// kustomize patch in the run (an overlay's) has a hostname term of its own or one that
    /// cannot be read: the overlay settles the spread.
    ///
    /// ## Why is this bad
    /// Without it the scheduler may place every replica on one node, and that node's drain,
    /// crash or upgrade takes the whole service down at once: the replicas bought no
    /// availability. A term whose selector matches other pods is worse, because it reads as
    /// if the replicas were spread.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: 3
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       affinity:
    ///         podAntiAffinity:
    ///           preferredDuringSchedulingIgnoredDuringExecution:
    ///           - weight: 100
    ///             podAffinityTerm:
    ///               labelSelector:
    ///                 matchLabels: {app: api}   # not this workload's pods
    ///               topologyKey: kubernetes.io/hostname
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: 3
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       topologySpreadConstraints:
    ///       - maxSkew: 1
    ///         topologyKey: kubernetes.io/hostname
    ///         whenUnsatisfiable: ScheduleAnyway
    ///         labelSelector:
    ///           matchLabels: {app: web}
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real`: 165 findings in 147 files (istio 61, kubernetes-engine-samples
    /// 36, argo-cd 25, kubernetes/examples 13, gateway-api 9, autoscaler 8, others 13). Read:
    /// 40 spread over every repository, then all 46 of argo-cd and the smaller ones. Every one is
    /// right about the manifest (several replicas, nothing on the hostname); 4 are pods meant
    /// to pack nodes (eks-workshop's pause pods for overprovisioning and prefix delegation, a
    /// stress test), and the istio and argo-cd ones are test inputs of those tools. A review
    /// found two more that were wrong, since fixed: GKE's `prepare-for-ha` Deployments keep
    /// their replicas apart with a required anti-affinity term on the zone, which separates
    /// nodes as well. None of the
    /// corpus's hostname terms misses its own pods. Taking an autoscaler's `minReplicas` from
    /// the whole namespace gave 48 more, all wrong (another sample's autoscaler of a workload
    /// with the same name in the unnamed namespace, e.g. microservices-demo's 11 services):
    /// only an autoscaler in the workload's directory counts.
    ///
    /// Peers: agrees with kube-score's "Deployment/StatefulSet has host PodAntiAffinity" on 8
    /// of its 9 fixtures and with kube-linter's `no-anti-affinity` on its 5 named ones
    /// (`fire-namespaced-with-namespaces-selector-not-matching` fires, the four `dont-fire` ones, one a DeploymentConfig kubelint does not model, do
    /// not). The difference: kube-score warns on `statefulset-host-antiaffinity-undefined-
    /// replicas.yaml`, a StatefulSet without `replicas`; the API server defaults it to 1, and
    /// one pod has nothing to be spread from, so kubelint stays silent. kube-linter's unnamed
    /// `app1`/`app2` (no labels) are silent here too: a template without labels is a
    /// kustomize patch whose selector lives elsewhere.
    pub struct MissingPodAntiAffinity => "missing-pod-anti-affinity";
}

impl Rule for MissingPodAntiAffinity {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        // Autoscalers by target and directory: repositories of examples reuse the unnamed
        // namespace (and workload names) for scenarios never deployed together, so only an
        // autoscaler beside the workload is known to scale it (as in hpa-target-has-replicas).
        let mut floors: HashMap<(&str, NamespaceKey, &str, &str), i64> = HashMap::new();
        for f in &index.facts {
            if let KindFacts::HorizontalPodAutoscaler(h) = &f.kind {
                let min = h.min_replicas.unwrap_or(1);
                floors
                    .entry((
                        h.target_kind.as_str(),
                        index.namespace_of(f),
                        h.target_name.as_str(),
                        parent_dir(&f.file),
                    ))
                    .and_modify(|m| *m = (*m).min(min))
                    .or_insert(min);
            }
        }
        for (i, f) in index.subjects() {
            let KindFacts::Workload(w) = &f.kind else {
                continue;
            };
            if !f.reported || !w.labels_known || matches!(w.host_spread, HostSpread::Covered) {
                continue;
            }
            // An autoscaler owns the count when one scales the workload: its floor is what
            // the workload runs at least.
            let floor = floors.get(&(
                f.id.kind.as_str(),
                index.namespace_of(f),
                f.id.name.as_str(),
                parent_dir(&f.file),
            ));
            let (pods, site, source) = match floor.copied() {
                Some(min) => (
                    min,
                    &w.name_site,
                    format!("its HorizontalPodAutoscaler keeps at least {min} pods"),
                ),
                None => match (w.replicas, &w.replicas_site) {
                    (Some(r), Some(site)) => (r, site, format!("it runs {r} replicas")),
                    _ => continue,
                },
            };
            if pods < 2 {
                continue;
            }
            // A kustomize patch of the same workload (an overlay's; patches carry no labels)
            // may add the spread: one with any hostname term, or one we cannot read, settles
            // it elsewhere. A complete workload of the same name is another example, not a
            // patch.
            if index.same_identity(f).any(|o| {
                matches!(&o.kind, KindFacts::Workload(p)
                    if !p.labels_known && !matches!(p.host_spread, HostSpread::Absent))
            }) {
                continue;
            }
            let kind = &f.id.kind;
            let name = &f.id.name;
            let spread = format!(
                "topologySpreadConstraints: [{{maxSkew: 1, topologyKey: kubernetes.io/hostname, \
                 whenUnsatisfiable: ScheduleAnyway, labelSelector: {{matchLabels: {{{}}}}}}}]",
                suggested_labels(&w.labels)
            );
            match &w.host_spread {
                HostSpread::Misses(misses) => {
                    for (at, what, why) in misses {
                        out.push(
                            GraphFinding::new(
                                i,
                                at,
                                format!(
                                    "this {what} on `kubernetes.io/hostname` counts none of \
                                     {kind} `{name}`'s own pods ({}), so nothing keeps them \
                                     apart: {source}, and they may all land on one node",
                                    why.describe()
                                ),
                            )
                            .help(format!(
                                "{}: `labelSelector: {{matchLabels: {{{}}}}}`",
                                match why {
                                    Miss::Namespaces =>
                                        "drop `namespaces` (the workload's own \
                                                         namespace is the default) and select \
                                                         the pod template's labels",
                                    Miss::MismatchKey =>
                                        "drop the template's own label from \
                                                          `mismatchLabelKeys` and select the \
                                                          pod template's labels",
                                    _ => "select the pod template's labels",
                                },
                                suggested_labels(&w.labels)
                            )),
                        );
                    }
                }
                _ => out.push(
                    GraphFinding::new(
                        i,
                        site,
                        format!(
                            "{kind} `{name}` has no pod anti-affinity or topology spread on \
                             `kubernetes.io/hostname`: {source}, and the scheduler may put them \
                             all on one node, which one drain or crash then takes down"
                        ),
                    )
                    .help(format!("add to the pod template's spec: {spread}")),
                ),
            }
        }
    }
}

/// The labels a spread should select: the recommended name and instance labels, or `app`,
/// when the template has them (they identify the workload and stay fixed across revisions);
/// otherwise all of them.
fn suggested_labels(labels: &Labels) -> String {
    let pick: Vec<(&String, &String)> = {
        let named: Vec<_> = labels
            .iter()
            .filter(|(k, _)| {
                matches!(
                    k.as_str(),
                    "app.kubernetes.io/name" | "app.kubernetes.io/instance"
                )
            })
            .collect();
        if !named.is_empty() {
            named
        } else if let Some(app) = labels.get_key_value("app") {
            vec![app]
        } else {
            labels.iter().collect()
        }
    };
    pick.iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}
