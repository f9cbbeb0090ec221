use super::super::{GraphFinding, Rule, declare_rule};
use super::rbac::Rbac;
use crate::index::Index;

declare_rule! {
    /// ## What it does
    /// Reports a Role or ClusterRole rule with `*` among its `verbs`, `resources` or
    /// `apiGroups`, at the first `*` (in that order: verbs, resources, API groups); the
    /// other `*` of the same rule are named in the message.
    ///
    /// Who holds the role is read across the run's files as for `rbac-secrets-access`
    /// (bindings that name it, ClusterRoles that aggregate it, the built-in roles its
    /// `aggregate-to-*` labels extend); a role no binding in the run names is still
    /// reported. The rules of a ClusterRole with an `aggregationRule` are not: the
    /// controller overwrites them with those of the roles it aggregates, which are judged
    /// where they are written.
    ///
    /// ## Why is this bad
    /// `*` grants everything that exists and everything added later: `verbs: ["*"]` includes
    /// `escalate`, `bind` and `impersonate` where they apply, `resources: ["*"]` includes
    /// Secrets and `pods/exec`, `apiGroups: ["*"]` every CRD installed after the role was
    /// written. What the role really needs can no longer be read from it, and a role that
    /// can create RoleBindings or Pods with `*` is one step from cluster-admin.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Role
    /// metadata: {name: deployer, namespace: shop}
    /// rules:
    ///   - apiGroups: [apps]
    ///     resources: [deployments]
    ///     verbs: ["*"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Role
    /// metadata: {name: deployer, namespace: shop}
    /// rules:
    ///   - apiGroups: [apps]
    ///     resources: [deployments]
    ///     verbs: [get, list, watch, create, update, patch]
    /// ```
    ///
    /// ## Measured
    /// Off by default. On `../shared/corpus/real`: 105 findings in 47 files (Kubeflow 49, Argo
    /// CD 32 — its bundles repeat the same roles —, prometheus-operator 11, GKE samples 7,
    /// others 6); all read by role. All true of the manifests, and the roles are what the
    /// message says; but about two thirds are `verbs: ["*"]` or `resources: ["*"]` confined
    /// to one API group — an operator's full control of its own CRDs (Kubeflow's
    /// controllers, Knative's `*-namespaced-admin` roles aggregated into `admin`), the
    /// metrics adapters' `external.metrics.k8s.io` — which reviewers accept. The rest, `*`
    /// over every group (Argo CD's application controller, gitops-engine's agent, a chaos
    /// test role, a `cluster-writer` in a kind script), are deliberate cluster-admin
    /// equivalents of deployment tools. Worth reading in a review, rarely worth changing in
    /// an operator's manifests: hence off. 9 findings are roles no binding in the run names.
    ///
    /// Peers: agrees with kube-linter's `wildcard-in-rules` on its fixture (the `role1` with
    /// `verbs: ["*"]` fires, the one without passes).
    pub struct RbacWildcard => "rbac-wildcard";
}

impl Rule for RbacWildcard {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        let rbac = Rbac::new(index);
        for judged in rbac.roles() {
            for rule in &judged.role.rules {
                let stars: Vec<_> = [
                    ("verbs", &rule.verbs),
                    ("resources", &rule.resources),
                    ("apiGroups", &rule.api_groups),
                ]
                .into_iter()
                .filter_map(|(field, values)| {
                    values
                        .iter()
                        .find(|(v, _)| v == "*")
                        .map(|(_, site)| (field, site))
                })
                .collect();
                let Some((_, site)) = stars.first() else {
                    continue;
                };
                let fields: Vec<String> = stars.iter().map(|(f, _)| format!("`{f}`")).collect();
                let every: Vec<&str> = stars
                    .iter()
                    .map(|(f, _)| match *f {
                        "verbs" => "every verb",
                        "resources" => "every resource",
                        _ => "every API group",
                    })
                    .collect();
                out.push(
                    GraphFinding::new(
                        judged.subject,
                        site,
                        format!(
                            "{} has `*` in {} of a rule: it grants {}, including what is added \
                             to the cluster later",
                            rbac.grantees(&judged),
                            fields.join(" and "),
                            every.join(" and "),
                        ),
                    )
                    .help(
                        "list the verbs, resources and API groups the subjects need instead of \
                         `*`",
                    ),
                );
            }
        }
    }
}
