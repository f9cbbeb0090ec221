use super::super::{GraphFinding, Rule, declare_rule};
use super::{describe_namespace, describe_selector, selects_nothing, with_near_miss};
use crate::index::{Index, KindFacts, SelectorField};

declare_rule! {
    /// ## What it does
    /// Reports a NetworkPolicy whose non-empty `podSelector` matches no pod template in its
    /// namespace. An empty `podSelector: {}` (every pod of the namespace) is never reported, nor
    /// is a namespace whose workloads are not among the inputs or `--context`.
    ///
    /// ## Why is this bad
    /// The policy isolates nothing: the pods it was written for keep accepting (or sending)
    /// traffic the author meant to block, and the policy reads as if it were in force.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NetworkPolicy
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: databse}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: NetworkPolicy
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: database}
    /// ```
    pub struct DanglingNetworkpolicySelector => "dangling-networkpolicy-selector";
}

impl Rule for DanglingNetworkpolicySelector {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        for (i, f) in index.subjects() {
            let KindFacts::NetworkPolicy(policy) = &f.kind else {
                continue;
            };
            let (SelectorField::Selector(selector), Some(site)) =
                (&policy.pod_selector, &policy.pod_selector_site)
            else {
                continue;
            };
            let ns = index.namespace_of(f);
            if selector.is_empty() || !selects_nothing(index, f, selector) {
                continue;
            }
            let message = format!(
                "NetworkPolicy `{}` applies to pods with {}, and no pod template in {} has them; it isolates nothing",
                f.id.name,
                describe_selector(selector),
                describe_namespace(&ns)
            );
            let help = with_near_miss(
                index,
                &ns,
                selector,
                "make `podSelector` match the labels of the pods to isolate (or use `{}` for every pod of the namespace)",
            );
            out.push(GraphFinding::new(i, site, message).help(help));
        }
    }
}
