use super::super::{GraphFinding, Options, OptionsSpec, Rule, declare_rule};
use super::rbac::{GrantOptions, Rbac, core_group, covering};
use crate::index::Index;

declare_rule! {
    /// ## What it does
    /// Reports a Role or ClusterRole rule that lets its subjects read Secrets — `get`, `list`
    /// or `watch` (or `*`) on `secrets` (or `*`) in the core API group (`""` or `*`) — at the
    /// `secrets` item of `resources` (or the `*` that stands for it). A rule narrowed by
    /// `resourceNames` to named Secrets is not reported.
    ///
    /// The message names who holds the role, read across the run's files: the subjects of the
    /// RoleBindings and ClusterRoleBindings that name it, and of those that name a ClusterRole
    /// whose `aggregationRule` selects it by its labels, directly or through
    /// another aggregating ClusterRole (an aggregating ClusterRole's own
    /// `rules` are overwritten by the controller, so the rules it aggregates are judged where
    /// they are written, with its bindings). A ClusterRole labelled
    /// `rbac.authorization.k8s.io/aggregate-to-view|edit|admin: "true"` is said to extend
    /// those built-in roles. A role no binding in the run names is still reported: it is
    /// written to be bound, often by another chart or by hand, and its rule is what grants
    /// the access.
    ///
    /// ## Why is this bad
    /// Reading Secrets is reading every credential they hold: service account tokens, TLS
    /// keys, database passwords, cloud keys — in the whole cluster for a ClusterRole bound by
    /// a ClusterRoleBinding. `list` and `watch` return the Secrets' contents, not only their
    /// names. Whoever holds the role (or steals the token of a service account that does)
    /// holds every identity those Secrets grant.
    ///
    /// Controllers that manage certificates, credentials or deployments (cert-manager, Argo
    /// CD, external-secrets, operators) need this access; list their service accounts under
    /// `allowed-subjects`, or suppress the finding on the role with a reason.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRole
    /// metadata: {name: reporter}
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: [pods, secrets]
    ///     verbs: [get, list]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Role
    /// metadata: {name: reporter, namespace: shop}
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: [pods]
    ///     verbs: [get, list]
    ///   - apiGroups: [""]
    ///     resources: [secrets]
    ///     resourceNames: [reporter-credentials]
    ///     verbs: [get]
    /// ```
    ///
    /// ## Options
    /// - `allowed-subjects` (default none): subjects that may read Secrets, as RBAC names
    ///   them — a user or group name, or `system:serviceaccount:NAMESPACE:NAME` for a service
    ///   account; an entry ending in `*` is a prefix (`system:serviceaccount:cert-manager:*`).
    ///   A role is not reported when bindings in the run grant it, and only to allowed
    ///   subjects.
    ///
    /// ## Measured
    /// Off by default. On `../shared/corpus/real`: 164 findings in 68 files (Argo CD 74 — its
    /// install bundles repeat the same roles —, Kubeflow 39, ingress-nginx 27, Rook 13,
    /// kube-prometheus 5, others 6); a read of 55 (every third): all true
    /// of the manifests, and all controllers that need the Secrets they read — ingress
    /// controllers and gateways reading TLS certificates, cert-manager, Argo CD reading
    /// cluster and repository credentials, Knative and KServe webhooks, CSI node plugins,
    /// kube-state-metrics listing Secrets' metadata. None is a mistake a reviewer of those
    /// repositories would fix, which is why the rule is off by default and takes
    /// `allowed-subjects`: on an application's own manifests, a role reading Secrets is
    /// worth the question. 2 findings are roles no binding in the run names.
    ///
    /// Peers: agrees with kube-linter's `access-to-secrets` on its fixture — kube-linter
    /// reports the RoleBinding of `role1`, kubelint `role1`'s `secrets` item with the
    /// binding's subject (the same grant); the Role `dont-fire` passes in both.
    pub struct RbacSecretsAccess => "rbac-secrets-access";
}

const READ: [&str; 3] = ["get", "list", "watch"];

impl Rule for RbacSecretsAccess {
    fn options(&self) -> Option<OptionsSpec> {
        Some(OptionsSpec::of::<GrantOptions>())
    }

    fn check_graph_with(&self, index: &Index, options: &Options, out: &mut Vec<GraphFinding>) {
        let options = options.get::<GrantOptions>();
        let rbac = Rbac::new(index);
        for judged in rbac.roles() {
            let mut reported = false;
            for rule in &judged.role.rules {
                if reported || rule.resource_names || !core_group(&rule.api_groups) {
                    continue;
                }
                let (Some((resource, site)), Some((verb, _))) = (
                    covering(&rule.resources, &["secrets"]),
                    covering(&rule.verbs, &READ),
                ) else {
                    continue;
                };
                if options.all_allowed(&rbac.subjects(&judged)) {
                    break;
                }
                reported = true;
                let scope = rbac.scope(&judged);
                let what = if resource == "*" {
                    "every resource (`*`), Secrets included,"
                } else {
                    "`secrets`"
                };
                out.push(
                    GraphFinding::new(
                        judged.subject,
                        site,
                        format!(
                            "{} grants `{verb}` on {what} in {scope}: its subjects can read every \
                             credential those Secrets hold (tokens, keys, passwords)",
                            rbac.grantees(&judged)
                        ),
                    )
                    .help(
                        "drop the Secrets read, or narrow it to the Secrets needed with \
                         `resourceNames` and `get` (in a Role of their namespace); if a \
                         controller needs it, list its service account under `allowed-subjects`",
                    ),
                );
            }
        }
    }
}
