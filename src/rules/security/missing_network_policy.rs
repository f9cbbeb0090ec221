use std::collections::HashMap;

use super::super::{GraphFinding, Rule, declare_rule};
use crate::index::{Index, KindFacts, NamespaceKey, NetworkPolicyFacts, SelectorField, parent_dir};

declare_rule! {
    /// ## What it does
    /// Reports a pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet,
    /// ReplicationController, Job, CronJob, or a bare Pod) that no NetworkPolicy of its
    /// namespace selects, at the workload's name.
    ///
    /// Only where the run holds the namespace's NetworkPolicies. "Holds" is read narrowly: at
    /// least one NetworkPolicy of the workload's namespace is in the workload's own directory
    /// (inputs or `--context`). A namespace with no policy in the run says nothing (its
    /// policies may be applied by a platform team, a Helm chart, a policy engine), and
    /// repositories of examples spread one namespace over scenarios never deployed together
    /// (a workshop module that adds policies to the base application's namespace): a policy
    /// in another directory is not evidence about this workload. Never reported: a
    /// namespace where a policy's `podSelector` cannot be evaluated (templated, an unknown
    /// operator), a template without labels (a kustomize patch), `hostNetwork` pods (policies
    /// do not apply to them), `kube-system`.
    ///
    /// Any policy that selects the pod counts, whatever its `policyTypes`: the rule finds
    /// pods left out of a namespace's policies, the usual accident when policies are written
    /// pod by pod. A pod isolated only for egress (or only for ingress) is a choice this rule
    /// does not second-guess.
    ///
    /// ## Why is this bad
    /// A pod that no policy selects accepts connections from every pod of the cluster and
    /// sends anywhere. In a namespace whose other pods are isolated, that is almost always a
    /// pod the policies were meant to cover: a renamed label, a new component added after
    /// the policies were written.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NetworkPolicy
    /// metadata: {name: api, namespace: shop}
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: api}
    ///   ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
    /// ---
    /// kind: Deployment
    /// metadata: {name: worker, namespace: shop}
    /// spec:
    ///   template:
    ///     metadata:
    ///       labels: {app: worker}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: NetworkPolicy
    /// metadata: {name: worker, namespace: shop}
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: worker}
    ///   policyTypes: [Ingress]
    ///   ingress: []   # accepts nothing; list the peers it must accept
    /// ```
    ///
    /// ## Measured
    /// Off by default: network isolation is a policy choice (many clusters have no CNI that
    /// enforces policies, or isolate namespaces at another layer).
    ///
    /// On `../shared/corpus/real` (`--select missing-network-policy`): 9 findings in 9 files,
    /// all read, all true of the manifests, none clearly a bug: 7 in rook's
    /// `deploy/examples`, whose optional `networkpolicy.yaml` isolates the Ceph daemons and
    /// not the operator, toolbox and jobs beside it; 2 in a GKE agent sandbox that isolates
    /// only its untrusted worker pods by design. A namespace-wide scope would add workshop
    /// modules' policies as evidence about other modules' workloads (the pass fixture
    /// `pass-policies-elsewhere`).
    ///
    /// Peers: agrees with kube-score's "Pod NetworkPolicy" on 8 of 11 fixtures and with
    /// kube-linter's `non-isolated-pod` on its 2 named objects (`dont-fire`; its unnamed
    /// `app1` fires here too). The differences: `networkpolicy-matching-only-egress` and
    /// `…-only-ingress` are kube-score warnings about the direction the policy leaves open;
    /// here any selecting policy counts, as in kube-linter (the pods were not forgotten by
    /// the namespace's policies, their author chose a direction). `networkpolicy-not-matching`
    /// has its policy in `testspace` and the Pod in the unnamed namespace: this rule knows
    /// nothing about the Pod's namespace's policies, so it stays silent where kube-score,
    /// which warns even when no policy is given at all, fires.
    pub struct MissingNetworkPolicy => "missing-network-policy";
}

impl Rule for MissingNetworkPolicy {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        // The policies of each (namespace, directory); None when one cannot be evaluated.
        let norm = |ns: &NamespaceKey| ns.clone().unwrap_or_else(|| "default".to_owned());
        let mut policies: HashMap<(String, &str), Option<Vec<&NetworkPolicyFacts>>> =
            HashMap::new();
        for f in &index.facts {
            if let KindFacts::NetworkPolicy(p) = &f.kind {
                let evaluable = match &p.pod_selector {
                    SelectorField::Selector(s) => !s.is_templated(),
                    // Required, and a struct in the API: missing is `{}`, every pod.
                    SelectorField::Missing => true,
                    SelectorField::Unknown => false,
                };
                let entry = policies
                    .entry((norm(&index.namespace_of(f)), parent_dir(&f.file)))
                    .or_insert_with(|| Some(Vec::new()));
                match (entry.as_mut(), evaluable) {
                    (Some(list), true) => list.push(p),
                    _ => *entry = None,
                }
            }
        }
        if policies.is_empty() {
            return;
        }
        for (i, f) in index.subjects() {
            let KindFacts::Workload(w) = &f.kind else {
                continue;
            };
            if !f.reported || !w.labels_known || w.host_network {
                continue;
            }
            let ns = index.namespace_of(f);
            if ns.as_deref() == Some("kube-system") {
                continue;
            }
            let Some(Some(in_scope)) = policies.get(&(norm(&ns), parent_dir(&f.file))) else {
                continue;
            };
            let selected = in_scope.iter().any(|p| match &p.pod_selector {
                SelectorField::Selector(s) => s.matches(&w.labels),
                _ => true,
            });
            if selected {
                continue;
            }
            let labels: Vec<String> = w.labels.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            let namespace = match &ns {
                Some(n) => format!("namespace `{n}`"),
                None => "its namespace".to_owned(),
            };
            out.push(
                GraphFinding::new(
                    i,
                    &w.name_site,
                    format!(
                        "no NetworkPolicy selects the pods of {} `{}`, while {} NetworkPolic{} of \
                         {namespace} beside it select{} other pods: these accept connections \
                         from any pod of the cluster and send anywhere",
                        f.id.kind,
                        f.id.name,
                        in_scope.len(),
                        if in_scope.len() == 1 { "y" } else { "ies" },
                        if in_scope.len() == 1 { "s" } else { "" },
                    ),
                )
                .help(format!(
                    "add a NetworkPolicy with `podSelector: {{matchLabels: {{{}}}}}` and the \
                     ingress (and egress) these pods need, or widen an existing policy's \
                     `podSelector` to them",
                    labels.join(", ")
                )),
            );
        }
    }
}
