use super::super::{GraphFinding, Rule, declare_rule};
use super::describe_namespace;
use crate::index::{Index, KindFacts};
use crate::text::closest_name;

declare_rule! {
    /// ## What it does
    /// Reports a HorizontalPodAutoscaler whose `scaleTargetRef` names a Deployment,
    /// StatefulSet, ReplicaSet or ReplicationController that is not among the inputs or
    /// `--context` in the HPA's namespace. Targets of other kinds (custom resources with a scale
    /// subresource) are not checked, nor is a namespace whose workloads are not among the inputs.
    ///
    /// ## Why is this bad
    /// The autoscaler scales nothing. Its status says `FailedGetScale`, which nobody reads, and
    /// the workload it was meant for runs at its fixed replica count through the next peak.
    ///
    /// ## Example
    /// ```yaml
    /// kind: HorizontalPodAutoscaler
    /// spec:
    ///   scaleTargetRef:
    ///     apiVersion: apps/v1
    ///     kind: Deployment
    ///     name: web-server
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: HorizontalPodAutoscaler
    /// spec:
    ///   scaleTargetRef:
    ///     apiVersion: apps/v1
    ///     kind: Deployment
    ///     name: web
    /// ```
    pub struct DanglingHpaTarget => "dangling-hpa-target";
}

const SCALABLE: [&str; 4] = [
    "Deployment",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
];

impl Rule for DanglingHpaTarget {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        for (i, f) in index.subjects() {
            let KindFacts::HorizontalPodAutoscaler(hpa) = &f.kind else {
                continue;
            };
            if !SCALABLE.contains(&hpa.target_kind.as_str()) {
                continue;
            }
            let ns = index.namespace_of(f);
            if !index.knows_workloads_for(f)
                || index
                    .find(&hpa.target_kind, &ns, &hpa.target_name)
                    .is_some()
            {
                continue;
            }
            let others: std::collections::BTreeSet<&str> = index
                .workloads_in(&ns)
                .filter(|(w, _)| w.id.kind == hpa.target_kind)
                .map(|(w, _)| w.id.name.as_str())
                .collect();
            let help = if let Some(near) = closest_name(&hpa.target_name, others.iter().copied()) {
                format!(
                    "did you mean `{near}`? it is the {} in {} whose name is closest",
                    hpa.target_kind,
                    describe_namespace(&ns)
                )
            } else if others.is_empty() {
                format!(
                    "no {} is in {}; fix `scaleTargetRef`, or pass the target's manifest with `--context`",
                    hpa.target_kind,
                    describe_namespace(&ns)
                )
            } else {
                const SHOWN: usize = 5;
                let mut names: Vec<String> = others
                    .iter()
                    .take(SHOWN)
                    .map(|n| format!("`{n}`"))
                    .collect();
                if others.len() > SHOWN {
                    names.push(format!("and {} more", others.len() - SHOWN));
                }
                format!(
                    "the {}s in {} are: {}",
                    hpa.target_kind,
                    describe_namespace(&ns),
                    names.join(", ")
                )
            };
            out.push(
                GraphFinding::new(
                    i,
                    &hpa.name_site,
                    format!(
                        "HorizontalPodAutoscaler `{}` scales {} `{}`, which is not in {}",
                        f.id.name,
                        hpa.target_kind,
                        hpa.target_name,
                        describe_namespace(&ns)
                    ),
                )
                .help(help),
            );
        }
    }
}
