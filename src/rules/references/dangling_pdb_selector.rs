use super::super::{GraphFinding, Rule, declare_rule};
use super::{describe_namespace, describe_selector, selects_nothing};
use crate::index::{Index, KindFacts, SelectorField};

declare_rule! {
    /// ## What it does
    /// Reports a PodDisruptionBudget that protects nothing: its `selector` matches no pod
    /// template in its namespace, or it has no selector at all (in `policy/v1` a null selector
    /// selects no pods). An empty selector `{}` (every pod of the namespace) is not reported, nor
    /// is a namespace whose workloads are not among the inputs or `--context`.
    ///
    /// ## Why is this bad
    /// A node drain or a cluster upgrade evicts every replica at once, exactly what the budget
    /// was written to prevent, and nothing warns: the PDB exists and reads as if it worked.
    ///
    /// ## Example
    /// ```yaml
    /// kind: PodDisruptionBudget
    /// spec:
    ///   minAvailable: 1
    ///   selector:
    ///     matchLabels: {app: api-server}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: PodDisruptionBudget
    /// spec:
    ///   minAvailable: 1
    ///   selector:
    ///     matchLabels: {app: api}
    /// ```
    pub struct DanglingPdbSelector => "dangling-pdb-selector";
}

impl Rule for DanglingPdbSelector {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        for (i, f) in index.subjects() {
            let KindFacts::PodDisruptionBudget { selector, site, .. } = &f.kind else {
                continue;
            };
            let ns = index.namespace_of(f);
            let message = match selector {
                // A selector-less PDB beside another of the same name is a kustomize patch.
                SelectorField::Missing if index.same_identity(f).next().is_none() => format!(
                    "PodDisruptionBudget `{}` has no selector, so it protects no pod",
                    f.id.name
                ),
                SelectorField::Selector(s) if !s.is_empty() && selects_nothing(index, f, s) => {
                    format!(
                        "PodDisruptionBudget `{}` selects {}, which no pod template in {} carries; it protects nothing",
                        f.id.name,
                        describe_selector(s),
                        describe_namespace(&ns)
                    )
                }
                _ => continue,
            };
            out.push(GraphFinding::new(i, site, message).help(
                "make `selector.matchLabels` match the pod template labels of the workload to protect",
            ));
        }
    }
}
