use super::super::{Finding, Options, Rule, declare_rule};
use crate::k8s::group_of;
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports a ClusterRoleBinding or RoleBinding whose `roleRef` is the ClusterRole
    /// `cluster-admin`, at the `roleRef.name` value; the message names the subjects. Not
    /// reported: the platform's own binding (the group `system:masters`, the only subject of
    /// the `cluster-admin` ClusterRoleBinding the API server creates), and a binding without
    /// subjects (it grants nothing; a kustomize base an overlay completes). Other `system:`
    /// subjects are reported: `system:serviceaccounts` or `system:authenticated` is everyone.
    ///
    /// A RoleBinding to `cluster-admin` is reported too: it is narrower (everything in one
    /// namespace, the namespace itself, its RoleBindings and Secrets included) but still
    /// more than any application needs.
    ///
    /// ## Why is this bad
    /// `cluster-admin` is every verb on every resource, and every non-resource URL: its
    /// subjects read every Secret, run any pod on any node (privileged, with host mounts),
    /// and grant themselves or others anything. A service account bound to it makes every pod
    /// that runs as it — and anyone who can exec into one, or read its token — an
    /// administrator of the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRoleBinding
    /// metadata: {name: deployer}
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
    /// subjects:
    ///   - {kind: ServiceAccount, name: deployer, namespace: ci}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: RoleBinding
    /// metadata: {name: deployer, namespace: shop}
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
    /// subjects:
    ///   - {kind: ServiceAccount, name: deployer, namespace: ci}
    /// ```
    ///
    /// ## Measured
    /// On by default. On `../shared/corpus/real`: 4 findings in 4 files, all read, all right:
    /// Argo CD's e2e test data binds the `default` service account of `default` to
    /// `cluster-admin` (twice), Kubeflow's profiles controller runs as `cluster-admin`, and
    /// Kubeflow's model-registry UI overlay binds it to a user. The `system:masters`
    /// exemption removed nothing on the corpus; it keeps the platform's own binding quiet.
    ///
    /// Peers: agrees with kube-linter's `cluster-admin-role-binding` on both objects of its
    /// fixture (`role-binding1` fires, `dont-fire`, bound to `admin`, passes).
    pub struct ClusterAdminBinding => "cluster-admin-binding";
}

impl Rule for ClusterAdminBinding {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        if group_of(object.api_version) != "rbac.authorization.k8s.io"
            || !matches!(object.kind, "ClusterRoleBinding" | "RoleBinding")
        {
            return;
        }
        let Some(role_ref) = object.root.get("roleRef") else {
            return;
        };
        let Some(name) = role_ref.get("name") else {
            return;
        };
        if name.as_str() != Some("cluster-admin")
            || role_ref.get_str("kind").is_some_and(|k| k != "ClusterRole")
        {
            return;
        }
        let subjects: Vec<String> = object
            .root
            .get("subjects")
            .iter()
            .flat_map(|s| s.items())
            .filter_map(|s| {
                let kind = s.get_str("kind").unwrap_or("User");
                let subject = s.get("name")?.raw()?;
                Some(match (kind, s.get_str("namespace").or(object.namespace)) {
                    ("ServiceAccount", Some(ns)) => format!("service account `{ns}/{subject}`"),
                    ("ServiceAccount", None) => format!("service account `{subject}`"),
                    ("Group", _) => format!("group `{subject}`"),
                    _ => format!("user `{subject}`"),
                })
            })
            .collect();
        // The platform's own binding grants `cluster-admin` to the group `system:masters`;
        // every other `system:` group (`system:serviceaccounts`, `system:authenticated`) is
        // a crowd, and the escalation this rule exists for.
        let platform_only = object
            .root
            .get("subjects")
            .iter()
            .flat_map(|s| s.items())
            .all(|s| {
                s.get_str("kind") == Some("Group") && s.get_str("name") == Some("system:masters")
            });
        // A binding without subjects grants nothing (a kustomize base an overlay completes).
        if subjects.is_empty() || platform_only {
            return;
        }
        let who = subjects.join(", ");
        let scope = if object.kind == "ClusterRoleBinding" {
            "the whole cluster: every Secret, any pod on any node, any permission granted to \
             anyone"
        } else {
            "everything in the namespace: its Secrets, its pods, its RoleBindings"
        };
        out.push(
            Finding::new(
                name,
                format!(
                    "{} `{}` binds `cluster-admin` to {who}: they control {scope}",
                    object.kind,
                    object.name.unwrap_or("?")
                ),
            )
            .help(
                "bind a ClusterRole (or Role) that lists only the verbs and resources the \
                 subjects need — or the built-in `edit`/`view` through a RoleBinding in their \
                 namespace",
            ),
        );
    }
}
