use super::super::{Finding, FixSpec, Options, Rule, declare_rule};
use super::restricted::{container_context_unknown, fragment, windows_exempt, windows_help};
use super::{all_containers, container_setting, describe, is_true, set_container_setting};
use crate::k8s::pod_security::{Level, PolicyGate};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// The Pod Security Standards' restricted control "Privilege Escalation" (v1.8 on): every
    /// container (init, sidecar, regular, ephemeral) must set
    /// `securityContext.allowPrivilegeEscalation: false`. A container that leaves it unset is
    /// reported at its `name` value, one that sets `true` at that value. Windows pods
    /// (`spec.os.name: windows`) are exempt from v1.25 of the standards on, so their findings
    /// hold only for earlier versions. Templated values are never reported, nor an unset field
    /// where the `securityContext` is one template expression.
    ///
    /// Off by default: Kubernetes' default is to allow escalation, and most ordinary
    /// applications do not set the field. It reports wherever a Namespace of the run enforces,
    /// warns or audits `restricted` (the category's admission grading), and when selected by
    /// id.
    ///
    /// ## Why is this bad
    /// Unless `allowPrivilegeEscalation` is `false`, the container's processes run without
    /// Linux's `no_new_privs` flag: a setuid or setgid binary in the image (`su`, `sudo`,
    /// `ping` on older images), or a file capability, gives a process privileges the
    /// container's user was not given. A namespace that enforces `restricted` refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: example/app:1.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: example/app:1.0
    ///     securityContext:
    ///       allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 976 findings in 840 files; 32 read at
    /// random, all true of the manifest (974 containers that leave the field unset, 2 that
    /// set `true`). As good as every ordinary application in the corpus leaves it unset, so
    /// the rule is off by default: a policy, reported where `restricted` is enforced, warned
    /// or audited, or when selected. One finding read is a privileged container, whose help
    /// says to remove `privileged` first, since the API server refuses
    /// `allowPrivilegeEscalation: false` beside it.
    ///
    /// Against kube-linter's `privilege-escalation-container` fixtures: both Deployments
    /// judged alike.
    ///
    /// ## Fix
    /// `--fix --unsafe-fixes` sets `allowPrivilegeEscalation: false`, adding it (and the
    /// `securityContext`) where missing: unsafe, since a setuid binary the container runs stops
    /// working. Not beside `privileged: true`, which the API server refuses.
    pub struct PrivilegeEscalationAllowed => "privilege-escalation-allowed";
}

const HELP: &str = "set `securityContext.allowPrivilegeEscalation: false` on the container";

impl Rule for PrivilegeEscalationAllowed {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        let gate = windows_exempt(pod, PolicyGate::since(Level::Restricted, 8));
        let start = out.len();
        for container in all_containers(pod) {
            let finding = match container_setting(&container, &["allowPrivilegeEscalation"]) {
                Some(value) if is_true(value) => Finding::new(
                    value,
                    format!(
                        "{} allows privilege escalation: a setuid binary or file capability \
                         can give its processes privileges it was not given",
                        describe(&container)
                    ),
                ),
                // `false`, a template, or a value the API server rejects anyway.
                Some(_) => continue,
                None if container_context_unknown(&container) || fragment(&container) => continue,
                None => Finding::new(
                    container.anchor_node(),
                    format!(
                        "{} does not set `allowPrivilegeEscalation: false`: a setuid binary \
                         or file capability can give its processes privileges it was not given",
                        describe(&container)
                    ),
                ),
            };
            // The API server refuses `allowPrivilegeEscalation: false` beside `privileged: true`
            // (a privileged container escalates by definition), so the fix starts there.
            let privileged = container_setting(&container, &["privileged"]).is_some_and(is_true);
            let help = if privileged {
                "remove `privileged: true` (the API server refuses `allowPrivilegeEscalation: \
                 false` beside it), then set `securityContext.allowPrivilegeEscalation: false`"
            } else {
                HELP
            };
            let finding = finding.help(help).policy(gate);
            let finding = if privileged {
                finding
            } else {
                // A setuid binary the container relies on (sudo, ping) stops working.
                finding.fix(FixSpec::unsafe_(
                    "set `securityContext.allowPrivilegeEscalation: false`",
                    vec![set_container_setting(
                        &container,
                        "allowPrivilegeEscalation",
                        "false",
                    )],
                ))
            };
            out.push(finding);
        }
        windows_help(pod, &mut out[start..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::pod_security::restricted::tests::{gates, pod};

    #[test]
    fn windows_pods_are_exempt_from_v1_25() {
        let found = gates(&PrivilegeEscalationAllowed, &pod("", ""));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, PolicyGate::since(Level::Restricted, 8));
        let found = gates(
            &PrivilegeEscalationAllowed,
            &pod("  os: {name: windows}\n", ""),
        );
        assert_eq!(
            found[0].1,
            PolicyGate::since(Level::Restricted, 8).until(25)
        );
    }
}
