use super::super::{Finding, Options, Rule, declare_rule};
use super::{all_containers, container_setting, describe, literal};
use crate::k8s::pod_security::{Level, PolicyGate};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports a container (init, sidecar, regular or ephemeral) whose
    /// `securityContext.procMount` is set to anything but `Default` (that is, `Unmasked`), at
    /// that value. This is the Pod Security Standards' "/proc Mount Type" control:
    /// - a baseline control in every version of the standards for a pod that shares the
    ///   host's user namespace (`hostUsers` unset or `true`);
    /// - for a pod in its own user namespace (`hostUsers: false`), a baseline control up to
    ///   v1.34 and a restricted one from v1.35 on (the standards relax baseline there, as
    ///   `/proc` is then owned by the pod's own unprivileged root).
    ///
    /// ## Why is this bad
    /// The runtime masks and makes read-only the parts of `/proc` that expose or control the
    /// host kernel (`/proc/kcore`, `/proc/sys`, `/proc/sysrq-trigger`, ...). An unmasked
    /// `/proc` lets a process read kernel memory layout and change kernel settings for the
    /// whole node.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: builder
    ///     image: example/builder:1.0
    ///     securityContext:
    ///       procMount: Unmasked
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   hostUsers: false            # nested containers: run the pod in a user namespace
    ///   containers:
    ///     - name: builder
    ///       image: example/builder:1.0
    ///       securityContext:
    ///         procMount: Unmasked   # allowed by baseline from v1.35 (not by restricted)
    /// ```
    /// or remove `procMount` (the default masks apply).
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): no finding (the corpus sets `procMount` only in
    /// CRD schemas). kube-linter's `unsafe-proc-mount` fixture agrees: its Deployment is
    /// reported (`tests/peer_checks.rs`). On by default: a baseline control, and `Unmasked` is
    /// never set by accident.
    pub struct UnsafeProcMount => "unsafe-proc-mount";
}

impl Rule for UnsafeProcMount {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        let user_namespace =
            pod.spec.get_some("hostUsers").and_then(|n| n.as_bool()) == Some(false);
        for container in all_containers(pod) {
            let Some(node) = container_setting(&container, &["procMount"]) else {
                continue;
            };
            let Some(value) = literal(node).filter(|v| *v != "Default") else {
                continue;
            };
            let message = format!(
                "{} sets `procMount: {value}`: the host kernel's files under /proc are \
                 no longer masked",
                describe(&container)
            );
            let help = "remove `procMount` (or set it to `Default`)";
            if user_namespace {
                // The pod's own user namespace makes this a restricted violation from v1.35
                // on, and a baseline one before: two findings, of which each version of the
                // standards holds at most one.
                out.push(
                    Finding::new(node, message.clone())
                        .help(help)
                        .policy(PolicyGate::of(Level::Baseline).until(35)),
                );
                out.push(
                    Finding::new(
                        node,
                        format!(
                            "{message} (the pod runs in its own user namespace, which the \
                             restricted level does not accept as a reason)"
                        ),
                    )
                    .help(help)
                    .policy(PolicyGate::since(Level::Restricted, 35)),
                );
            } else {
                out.push(
                    Finding::new(node, message)
                        .help(help)
                        .policy(PolicyGate::of(Level::Baseline)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::pod_security::gated_findings;

    fn pod(host_users: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  {host_users}\n  containers:\n  - name: a\n    image: a\n    securityContext: {{procMount: Unmasked}}\n"
        )
    }

    #[test]
    fn a_user_namespace_moves_the_control_to_restricted_from_v1_35() {
        let at = "/spec/containers/0/securityContext/procMount".to_owned();
        let baseline = PolicyGate::of(Level::Baseline);
        for shared in ["hostUsers: true", "hostUsers: null", "dnsPolicy: Default"] {
            assert_eq!(
                gated_findings(&UnsafeProcMount, &pod(shared)),
                vec![(at.clone(), baseline)]
            );
        }
        let found = gated_findings(&UnsafeProcMount, &pod("hostUsers: false"));
        assert_eq!(
            found,
            vec![
                (at.clone(), baseline.until(35)),
                (at, PolicyGate::since(Level::Restricted, 35)),
            ]
        );
        let v = |minor| crate::k8s::KubeVersion { major: 1, minor };
        for (level, minor, count) in [
            (Level::Baseline, 34, 1),
            (Level::Baseline, 35, 0),
            (Level::Restricted, 34, 1),
            (Level::Restricted, 37, 1),
        ] {
            let holding = found
                .iter()
                .filter(|(_, g)| g.applies(level, v(minor)))
                .count();
            assert_eq!(holding, count, "{level:?} v1.{minor}");
        }
    }
}
