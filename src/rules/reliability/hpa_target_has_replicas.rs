use super::super::{GraphFinding, Rule, declare_rule};
use crate::index::{Index, KindFacts, parent_dir};

declare_rule! {
    /// ## What it does
    /// Reports `spec.replicas` on a Deployment, StatefulSet, ReplicaSet or
    /// ReplicationController that a HorizontalPodAutoscaler of the run (inputs or
    /// `--context`) scales, at the `replicas` value. The autoscaler must be in the workload's
    /// namespace and directory: repositories of examples reuse a namespace for scenarios
    /// that are never deployed together.
    ///
    /// ## Why is this bad
    /// The autoscaler owns the replica count. Every `kubectl apply` of the workload (every
    /// deploy) sets it back to the manifest's value, so a service the autoscaler had grown to
    /// 12 pods for its peak drops to 2 in the middle of a rollout, and then the autoscaler
    /// scales it up again a few minutes later. The Kubernetes documentation says to remove
    /// `spec.replicas` from the manifest once an autoscaler manages the workload.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// metadata: {name: web}
    /// spec:
    ///   replicas: 2
    /// ---
    /// kind: HorizontalPodAutoscaler
    /// spec:
    ///   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
    ///   minReplicas: 2
    ///   maxReplicas: 12
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Deployment
    /// metadata: {name: web}
    /// spec:
    ///   # no replicas: the autoscaler keeps at least its minReplicas
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real`: 7 findings, all read and all right (samples that ship
    /// `replicas: 1` beside their own autoscaler). Scoping to the namespace alone gave 4 more,
    /// all wrong: autoscalers of other samples, or of a workshop's other exercise, that share
    /// the unnamed or a reused namespace; the directory scope removed them. Agrees with
    /// kube-score's "Deployment targeted by HPA does not have replicas configured" on its
    /// fixtures (`deployment-with-hpa-has-replicas.yaml` fires, `…-not-has-replicas.yaml`
    /// does not).
    pub struct HpaTargetHasReplicas => "hpa-target-has-replicas";
}

const SCALABLE: [&str; 4] = [
    "Deployment",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
];

impl Rule for HpaTargetHasReplicas {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        let mut reported = std::collections::HashSet::new();
        for hpa_facts in &index.facts {
            let KindFacts::HorizontalPodAutoscaler(hpa) = &hpa_facts.kind else {
                continue;
            };
            if !SCALABLE.contains(&hpa.target_kind.as_str()) {
                continue;
            }
            let ns = index.namespace_of(hpa_facts);
            let Some(target) = index.find_index(&hpa.target_kind, &ns, &hpa.target_name) else {
                continue;
            };
            let workload = &*index.facts[target];
            let KindFacts::Workload(w) = &workload.kind else {
                continue;
            };
            let Some(site) = &w.replicas_site else {
                continue;
            };
            // Repositories of examples and workshops reuse one namespace for scenarios that are
            // never deployed together: only an autoscaler beside the workload (its file or
            // directory) is known to manage it.
            if parent_dir(&hpa_facts.file) != parent_dir(&workload.file) {
                continue;
            }
            // Two autoscalers on one workload are another problem; one finding is enough here.
            if !workload.reported || !reported.insert(target) {
                continue;
            }
            let floor = hpa
                .min_replicas
                .map_or("1 (its default minReplicas)".to_owned(), |m| m.to_string());
            out.push(
                GraphFinding::new(
                    target,
                    site,
                    format!(
                        "{} `{}` sets `replicas`, but HorizontalPodAutoscaler `{}` scales it: \
                         every apply resets the replica count the autoscaler chose",
                        hpa.target_kind, workload.id.name, hpa_facts.id.name
                    ),
                )
                .help(format!(
                    "remove `spec.replicas` and let the autoscaler own it (it keeps at least \
                     minReplicas: {floor}); for a live object, first drop the field from its \
                     last-applied configuration (`kubectl apply edit-last-applied`), or the next \
                     apply resets it to 1 once"
                )),
            );
        }
    }
}
