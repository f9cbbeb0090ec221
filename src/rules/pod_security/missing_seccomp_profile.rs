use super::super::{Finding, Options, Rule, declare_rule};
use super::restricted::{context_unknown, fragment, windows_exempt, windows_help};
use super::{all_containers, describe, effective};
use crate::k8s::pod_security::{Level, PolicyGate};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// The Pod Security Standards' restricted control "Seccomp" (v1.19 on): every container
    /// (init, sidecar, regular, ephemeral) must run under a seccomp profile of type
    /// `RuntimeDefault` or `Localhost`, set in its own `securityContext.seccompProfile` or in
    /// the pod's. A container for which neither sets a profile is reported at its `name` value
    /// (one finding per container; setting it once on the pod covers them all).
    ///
    /// A profile that is set but not allowed (`Unconfined`) is a violation of this control
    /// too, but the baseline control "Seccomp" forbids it as well and `seccomp-unconfined`
    /// reports it, at the value; its finding counts at the `restricted` level too, so this
    /// rule leaves it alone rather than report the same value twice. Only what `restricted`
    /// adds, the profile being required, is reported here. The deprecated
    /// `seccomp.security.alpha.kubernetes.io/*` annotations do not count, as they do not for
    /// the admission controller.
    ///
    /// Windows pods (`spec.os.name: windows`) are exempt from v1.25 of the standards on, so
    /// their findings hold only for earlier versions. Nothing is reported where a
    /// `securityContext` is one template expression.
    ///
    /// Off by default: ordinary applications seldom set a profile. It reports wherever a
    /// Namespace of the run enforces, warns or audits `restricted` (the category's admission
    /// grading), and when selected by id.
    ///
    /// ## Why is this bad
    /// Without a profile, the container runtime runs the container `Unconfined` (unless the
    /// kubelet's `seccompDefault` is on): every system call is open to it, including the
    /// rarely needed ones behind most container escapes (`unshare`, `keyctl`, `bpf`, ...). A
    /// namespace that enforces `restricted` refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: example/app:1.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     seccompProfile:
    ///       type: RuntimeDefault
    ///   containers:
    ///     - name: app
    ///       image: example/app:1.0
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 1,056 findings in 877 files; 30 read at
    /// random, all true of the manifest, several of them on workloads otherwise hardened for
    /// `restricted` (`runAsNonRoot`, `drop: [ALL]`, no escalation) that a namespace enforcing
    /// it would still refuse for the missing profile alone. None of the files relies on the
    /// deprecated annotations. Off by default: a profile is seldom set by ordinary
    /// applications, and a node whose kubelet runs with `seccompDefault` applies
    /// `RuntimeDefault` anyway.
    pub struct MissingSeccompProfile => "missing-seccomp-profile";
}

impl Rule for MissingSeccompProfile {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        let gate = windows_exempt(pod, PolicyGate::since(Level::Restricted, 19));
        let start = out.len();
        for container in all_containers(pod) {
            // A profile set on the container or the pod, allowed or not: a disallowed type is
            // the baseline control's (`seccomp-unconfined`).
            if effective(pod, &container, &["seccompProfile"]).is_some()
                || context_unknown(pod, &container)
                || fragment(&container)
            {
                continue;
            }
            out.push(
                Finding::new(
                    container.anchor_node(),
                    format!(
                        "{} runs without a seccomp profile: neither it nor its pod sets \
                         `seccompProfile`, so unless the kubelet defaults to `RuntimeDefault` \
                         every system call is open to it",
                        describe(&container)
                    ),
                )
                .help(
                    "set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (or \
                     `Localhost` with a `localhostProfile`)",
                )
                .policy(gate),
            );
        }
        windows_help(pod, &mut out[start..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::pod_security::restricted::tests::{gates, pod};

    #[test]
    fn from_v1_19_and_windows_pods_exempt_from_v1_25() {
        let found = gates(&MissingSeccompProfile, &pod("", ""));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, PolicyGate::since(Level::Restricted, 19));
        let found = gates(&MissingSeccompProfile, &pod("  os: {name: windows}\n", ""));
        assert_eq!(
            found[0].1,
            PolicyGate::since(Level::Restricted, 19).until(25)
        );
    }

    #[test]
    fn a_set_profile_is_left_to_the_baseline_rule() {
        let unconfined = "  securityContext:\n    seccompProfile: {type: Unconfined}\n";
        assert!(gates(&MissingSeccompProfile, &pod(unconfined, "")).is_empty());
    }
}
