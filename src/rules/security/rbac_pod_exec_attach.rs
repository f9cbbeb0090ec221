use super::super::{GraphFinding, Options, OptionsSpec, Rule, declare_rule};
use super::rbac::{GrantOptions, Rbac, core_group, covering};
use crate::index::Index;

declare_rule! {
    /// ## What it does
    /// Reports a Role or ClusterRole rule that lets its subjects run commands in pods or
    /// attach to them — `create` or `get` (or `*`) on `pods/exec` or `pods/attach` (or
    /// `pods/*`, or `*`) in the core API group (`""` or `*`) — at that item of `resources`.
    ///
    /// `get` counts: `kubectl exec` POSTs (`create`), but an exec over WebSocket is a `GET`
    /// upgrade, which clusters authorise as `get` unless the
    /// `AuthorizePodWebsocketUpgradeCreatePermission` feature gate (new in 1.35) also asks for
    /// `create`. A rule narrowed by `resourceNames` is reported too (it still grants a shell
    /// in the named pods).
    ///
    /// Who holds the role is read across the run's files as for `rbac-secrets-access`
    /// (bindings that name it, ClusterRoles that aggregate it, the built-in roles its
    /// `aggregate-to-*` labels extend); a role no binding in the run names is still reported.
    ///
    /// ## Why is this bad
    /// A shell in a container is everything the container has: its service account token,
    /// its mounted Secrets and environment, its network position. Granted over a namespace
    /// (or the cluster) it is every workload there, and from a privileged pod the node.
    /// Audit logs record the exec request, not the commands run.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Role
    /// metadata: {name: debugger, namespace: shop}
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: [pods, pods/exec]
    ///     verbs: [get, list, create]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Role
    /// metadata: {name: debugger, namespace: shop}
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: [pods, pods/log]
    ///     verbs: [get, list]
    /// ```
    ///
    /// ## Options
    /// - `allowed-subjects` (default none): subjects that may exec into pods, as RBAC names
    ///   them — a user or group name, or `system:serviceaccount:NAMESPACE:NAME` for a service
    ///   account; an entry ending in `*` is a prefix. A role is not reported when bindings in
    ///   the run grant it, and only to allowed subjects.
    ///
    /// ## Measured
    /// Off by default. On `../shared/corpus/real`: 35 findings in 29 files, all read. All true
    /// of the manifests: 22 grant it through `*` resources (Argo CD's controller and server,
    /// gitops-engine's agent, a chaos role, a kind script's `cluster-writer`; Argo CD's bundles repeat them), 13 name
    /// `pods/exec` or `pods/attach` — Litmus chaos experiments, Argo Workflows' executor and
    /// server, Kubeflow's pipeline runner, dashboard and training operator, Rook's operator
    /// (which execs into Ceph daemons), Kubeflow's `kubeflow-kubernetes-edit` (aggregated into
    /// its edit role). Each is a controller or tool that needs the shell by design; none is a
    /// mistake a reviewer of those repositories would fix. On for an application's own
    /// manifests it would catch debug roles left in; as shipped by operators it is noise,
    /// hence off, with `allowed-subjects` for the controllers a team accepts.
    ///
    /// Peers: kube-linter has no exec check (`access-to-create-pods` judges creating pods,
    /// not this).
    pub struct RbacPodExecAttach => "rbac-pod-exec-attach";
}

const VERBS: [&str; 2] = ["create", "get"];
/// What RBAC's `ResourceMatches` lets reach `pods/exec` and `pods/attach` (`*` aside).
const RESOURCES: [&str; 4] = ["pods/exec", "pods/attach", "*/exec", "*/attach"];

impl Rule for RbacPodExecAttach {
    fn options(&self) -> Option<OptionsSpec> {
        Some(OptionsSpec::of::<GrantOptions>())
    }

    fn check_graph_with(&self, index: &Index, options: &Options, out: &mut Vec<GraphFinding>) {
        let options = options.get::<GrantOptions>();
        let rbac = Rbac::new(index);
        for judged in rbac.roles() {
            for rule in &judged.role.rules {
                if !core_group(&rule.api_groups) {
                    continue;
                }
                let (Some((resource, site)), Some((verb, _))) = (
                    covering(&rule.resources, &RESOURCES),
                    covering(&rule.verbs, &["create"]).or_else(|| covering(&rule.verbs, &VERBS)),
                ) else {
                    continue;
                };
                if options.all_allowed(&rbac.subjects(&judged)) {
                    break;
                }
                let what = match resource.as_str() {
                    "pods/attach" | "*/attach" => "attach to the containers of pods",
                    "pods/exec" | "*/exec" => "run commands in the containers of pods",
                    _ => "run commands in and attach to the containers of pods",
                };
                let granted = if resource == "*" {
                    format!(
                        "`{verb}` on every resource (`*`), `pods/exec` and `pods/attach` included"
                    )
                } else {
                    format!("`{verb}` on `{resource}`")
                };
                let websocket = if verb == "get" {
                    " (over WebSocket, which asks for `get`)"
                } else {
                    ""
                };
                out.push(
                    GraphFinding::new(
                        judged.subject,
                        site,
                        format!(
                            "{} grants {granted}: its subjects can {what} in {}{websocket}, with \
                             the service account token, Secrets and network access of each",
                            rbac.grantees(&judged),
                            rbac.scope(&judged),
                        ),
                    )
                    .help(format!(
                        "remove `{resource}` (grant `pods/log` to read output instead), or keep \
                         it in a separate Role bound only to the people who debug; if a \
                         controller needs it, list its service account under `allowed-subjects`"
                    )),
                );
                break;
            }
        }
    }
}
