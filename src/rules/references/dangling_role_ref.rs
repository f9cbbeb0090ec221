use super::super::{GraphFinding, Rule, declare_rule};
use super::named::{Defined, is_placeholder, near_miss_help};
use super::{SYSTEM_NAMESPACES, describe_namespace};
use crate::index::{Index, KindFacts};

declare_rule! {
    /// ## What it does
    /// Reports a RoleBinding or ClusterRoleBinding whose `roleRef` names a role that does
    /// not exist, at the `roleRef.name` value: for `kind: Role` (RoleBindings only), a Role
    /// of the binding's namespace; for `kind: ClusterRole`, a ClusterRole of the run. The
    /// help names the closest role when one is a near miss.
    ///
    /// The roles the API server bootstraps always exist and are never reported: the
    /// ClusterRoles `cluster-admin`, `admin`, `edit`, `view` and every `system:` one
    /// (`system:auth-delegator`, `system:aggregate-to-view`, the `system:controller:` roles…),
    /// and the Roles of `kube-system` and `kube-public` (`extension-apiserver-authentication-reader`,
    /// `system::leader-locking-…`, `system:controller:…`).
    ///
    /// Trust rule (silent when the run cannot know): a Role must be missing from the
    /// binding's namespace across inputs and `--context` (one of the same name in another
    /// namespace does not count; one whose manifest names no namespace counts everywhere,
    /// as does any Role for a binding whose manifest names none, since kustomize's
    /// `namespace:` or `kubectl apply -n` places both), and the binding's directory must
    /// hold a Role of that namespace; a ClusterRole must be missing from the whole run, and
    /// the binding's directory must hold a ClusterRole — evidence that this part of the
    /// repository declares the roles it binds, rather than binding ones a chart, an operator
    /// or the cluster's installer creates. Never reported: placeholders (template expressions,
    /// names no object can have such as `$ROLE`), bindings in `kube-system`, kustomize
    /// patches and bindings a patch of the run changes, and bindings whose namespace (for
    /// the unnamed namespace and `default`: whose directory) holds a custom resource that
    /// runs pods, since operators create the roles of what they run.
    ///
    /// ## Why is this bad
    /// The API server accepts the binding, but it grants nothing: the subjects get
    /// `forbidden` errors for every call the role was meant to allow, and the binding looks
    /// correct to anyone reading it.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Role
    /// metadata:
    ///   name: pod-reader
    /// ---
    /// kind: RoleBinding
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: Role
    ///   name: pods-reader
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Role
    /// metadata:
    ///   name: pod-reader
    /// ---
    /// kind: RoleBinding
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: Role
    ///   name: pod-reader
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 0 findings, on by default; every `roleRef`
    /// of the corpus names a bootstrapped role (`cluster-admin`, `view`, `system:…`,
    /// `extension-apiserver-authentication-reader`) or one the run defines, or sits in a
    /// directory without roles. Without the directory requirement it made 1, read: an Argo
    /// CD end-to-end test binding a Role `does-not-matter` on purpose. The fixtures carry
    /// the true findings (a typo, a Role of another namespace, a ClusterRole named as a
    /// Role). No peer checks this.
    pub struct DanglingRoleRef => "dangling-role-ref";
}

/// ClusterRoles the API server creates at start-up besides the `system:` ones.
const BUILTIN_CLUSTER_ROLES: [&str; 4] = ["cluster-admin", "admin", "edit", "view"];

/// Whether the API server bootstraps this role: a `system:` name, one of the user-facing
/// ClusterRoles, or a Role of the namespaces it seeds.
fn is_bootstrapped(cluster: bool, namespace: Option<&str>, name: &str) -> bool {
    name.starts_with("system:")
        || (cluster && BUILTIN_CLUSTER_ROLES.contains(&name))
        || (!cluster
            && matches!(namespace, Some("kube-system" | "kube-public"))
            && name == "extension-apiserver-authentication-reader")
}

impl Rule for DanglingRoleRef {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        let roles = Defined::of(
            index,
            |f| matches!(&f.kind, KindFacts::Role(r) if !r.cluster),
        );
        let cluster_roles = Defined::of(
            index,
            |f| matches!(&f.kind, KindFacts::Role(r) if r.cluster),
        );
        for (i, f) in index.subjects() {
            let KindFacts::Binding(b) = &f.kind else {
                continue;
            };
            let ns = index.namespace_of(f);
            let name = b.role_name.as_str();
            // A ClusterRoleBinding can only name a ClusterRole; the API server refuses
            // anything else (`invalid-object`'s concern, not this rule's).
            let cluster = match b.role_kind.as_str() {
                "ClusterRole" => true,
                "Role" if !b.cluster => false,
                _ => continue,
            };
            if !f.reported
                || f.fragment
                || is_placeholder(name)
                || is_bootstrapped(cluster, ns.as_deref(), name)
                || (!b.cluster
                    && ns
                        .as_deref()
                        .is_some_and(|n| SYSTEM_NAMESPACES.contains(&n)))
            {
                continue;
            }
            let (defined, missing) = if cluster {
                (
                    &cluster_roles,
                    !cluster_roles.has_anywhere(name) && cluster_roles.declared_in_dir(&f.file),
                )
            } else {
                (
                    &roles,
                    !roles.reaches(index, f, name) && roles.declared_beside(&ns, &f.file),
                )
            };
            if !missing || index.has_patch(f) || index.operator_in_scope(&ns, &f.file) {
                continue;
            }
            let (message, help) = if cluster {
                (
                    format!(
                        "{} `{}` grants ClusterRole `{name}`, which the run does not define: \
                         the binding grants nothing",
                        f.id.kind, f.id.name
                    ),
                    near_miss_help(
                        name,
                        defined
                            .names_in(None)
                            .into_iter()
                            .chain(BUILTIN_CLUSTER_ROLES),
                        "among the ClusterRoles of the run",
                        format!(
                            "add a ClusterRole `{name}`, or name an existing one (or pass its \
                             manifest with `--context`)"
                        ),
                    ),
                )
            } else {
                let namespace = describe_namespace(&ns);
                (
                    format!(
                        "RoleBinding `{}` grants Role `{name}`, which is not in {namespace}: \
                         the binding grants nothing",
                        f.id.name
                    ),
                    if cluster_roles.has_anywhere(name) {
                        format!(
                            "`{name}` is a ClusterRole of the run: set `roleRef.kind: ClusterRole`"
                        )
                    } else if let Some(other) = roles.namespace_elsewhere(&ns, name) {
                        format!(
                            "Role `{name}` is in namespace `{other}`, and a RoleBinding can only \
                             grant a Role of its own namespace: add one to {namespace}, or make \
                             it a ClusterRole"
                        )
                    } else {
                        near_miss_help(
                            name,
                            defined.names_in(Some(&ns)),
                            &format!("among the Roles of {namespace}"),
                            format!(
                                "add a Role `{name}` to {namespace}, or name an existing one (or \
                             `kind: ClusterRole` if it is one)"
                            ),
                        )
                    },
                )
            };
            out.push(GraphFinding::new(i, &b.role_site, message).help(help));
        }
    }
}
