use super::super::{Finding, Options, Rule, declare_rule};
use super::{all_containers, container_context, describe, literal, pod_context};
use crate::k8s::pod_security::{Level, PolicyGate};
use crate::model::Object;
use crate::parse::tree::Node;

declare_rule! {
    /// ## What it does
    /// Reports `securityContext.seLinuxOptions` of the pod or of a container (init, sidecar,
    /// regular or ephemeral) that the Pod Security Standards' baseline control "SELinux"
    /// forbids (the admission controller of a namespace that enforces `baseline` or
    /// `restricted` refuses the pod), at the offending value:
    /// - a `type` other than `container_t`, `container_init_t` or `container_kvm_t`, and,
    ///   from v1.31 of the standards on, `container_engine_t` (so `container_engine_t` is a
    ///   violation only under a policy pinned to an older version);
    /// - any non-empty `user` or `role`.
    ///
    /// `level` is allowed: it assigns the MCS categories that keep pods apart.
    ///
    /// ## Why is this bad
    /// The container types confine a process to its own files and the labels the runtime
    /// gives it. A custom type such as `spc_t` (super-privileged container) or `unconfined_t`
    /// lifts that confinement, and a custom user or role can grant the process rights over
    /// the host's files.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     seLinuxOptions:
    ///       type: spc_t
    ///   containers:
    ///     - name: app
    ///       image: example/app:1.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     seLinuxOptions:
    ///       level: "s0:c123,c456"   # MCS categories only; the runtime's type applies
    ///   containers:
    ///     - name: app
    ///       image: example/app:1.0
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): no finding, at the default version and at
    /// `--kubernetes-version 1.18` (the corpus sets `seLinuxOptions` only in CRD schemas). The fixtures
    /// follow the admission library's own cases. On by default: a baseline control, and a custom type,
    /// user or role is never set by accident.
    pub struct SelinuxOptions => "selinux-options";
}

const GATE: PolicyGate = PolicyGate::of(Level::Baseline);

/// The types every version of the standards allows.
const ALLOWED_TYPES: [&str; 3] = ["container_t", "container_init_t", "container_kvm_t"];
/// Allowed from v1.31 of the standards on.
const ENGINE_TYPE: &str = "container_engine_t";

/// The findings for one `seLinuxOptions` mapping; `who` names its setter in messages.
fn check<'d>(options: Node<'d>, who: &str, out: &mut Vec<Finding<'d>>) {
    if let Some(node) = options.get_some("type")
        && let Some(value) = literal(node)
        && !value.is_empty()
        && !ALLOWED_TYPES.contains(&value)
    {
        let finding = if value == ENGINE_TYPE {
            Finding::new(
                node,
                format!(
                    "{who} sets the SELinux type `{value}`, which the standards allow only \
                     from v1.31: an older policy (a cluster before 1.31, or a namespace pinned \
                     to an older version) refuses the pod"
                ),
            )
            .help("pin the namespace's policy to v1.31 or later, or use `container_t`")
            .policy(GATE.until(31))
        } else {
            Finding::new(
                node,
                format!(
                    "{who} sets the SELinux type `{value}`: outside the container types, \
                     the process is not confined to its own files"
                ),
            )
            .help(
                "remove `seLinuxOptions.type` (the runtime's `container_t` applies), or use \
                 `container_t`, `container_init_t` or `container_kvm_t`",
            )
            .policy(GATE)
        };
        out.push(finding);
    }
    for field in ["user", "role"] {
        if let Some(node) = options.get_some(field)
            && let Some(value) = literal(node)
            && !value.is_empty()
        {
            out.push(
                Finding::new(
                    node,
                    format!(
                        "{who} sets the SELinux {field} `{value}`: a custom {field} can grant \
                         the process rights over the host's files"
                    ),
                )
                .help(format!("remove `seLinuxOptions.{field}`"))
                .policy(GATE),
            );
        }
    }
}

impl Rule for SelinuxOptions {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        if let Some(options) = pod_context(pod).and_then(|c| c.get_some("seLinuxOptions")) {
            check(options, "the pod", out);
        }
        for container in all_containers(pod) {
            if let Some(options) =
                container_context(&container).and_then(|c| c.get_some("seLinuxOptions"))
            {
                check(options, &describe(&container), out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::pod_security::gated_findings;

    #[test]
    fn container_engine_t_is_allowed_from_v1_31() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    seLinuxOptions: {type: container_engine_t}\n  containers:\n  - name: a\n    image: a\n    securityContext:\n      seLinuxOptions: {type: spc_t, role: r}\n";
        let found = gated_findings(&SelinuxOptions, yaml);
        let c = "/spec/containers/0/securityContext/seLinuxOptions";
        assert_eq!(
            found,
            vec![
                (
                    "/spec/securityContext/seLinuxOptions/type".to_owned(),
                    GATE.until(31)
                ),
                (format!("{c}/type"), GATE),
                (format!("{c}/role"), GATE),
            ]
        );
    }
}
