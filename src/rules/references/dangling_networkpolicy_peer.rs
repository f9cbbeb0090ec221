use super::super::{GraphFinding, Rule, declare_rule};
use super::{describe_namespace, describe_selector, selects_nothing, with_near_miss};
use crate::index::{Index, KindFacts};

declare_rule! {
    /// ## What it does
    /// Reports an ingress `from` or egress `to` peer of a NetworkPolicy that has a non-empty
    /// `podSelector` and no `namespaceSelector` — so it selects pods of the policy's own
    /// namespace — when no pod template of that namespace matches it. Peers with a
    /// `namespaceSelector` select in other namespaces and are not checked.
    ///
    /// ## Why is this bad
    /// The rule allows traffic from (or to) pods that do not exist, while the pods that really
    /// need the path stay blocked: the client the author had in mind gets timeouts.
    ///
    /// ## Example
    /// ```yaml
    /// ingress:
    ///   - from:
    ///       - podSelector:
    ///           matchLabels: {app: frontend-v2}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// ingress:
    ///   - from:
    ///       - podSelector:
    ///           matchLabels: {app: frontend}
    /// ```
    pub struct DanglingNetworkpolicyPeer => "dangling-networkpolicy-peer";
}

impl Rule for DanglingNetworkpolicyPeer {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        for (i, f) in index.subjects() {
            let KindFacts::NetworkPolicy(policy) = &f.kind else {
                continue;
            };
            let ns = index.namespace_of(f);
            for (selector, site) in &policy.local_peers {
                if !selects_nothing(index, f, selector) {
                    continue;
                }
                let message = format!(
                    "this peer of NetworkPolicy `{}` selects pods with {}, and no pod template in {} has them",
                    f.id.name,
                    describe_selector(selector),
                    describe_namespace(&ns)
                );
                let help = with_near_miss(
                    index,
                    &ns,
                    selector,
                    "fix the peer's labels; for pods of another namespace, add a `namespaceSelector` to the peer",
                );
                out.push(GraphFinding::new(i, site, message).help(help));
            }
        }
    }
}
