use super::super::{Finding, Options, Rule, declare_rule};
use super::added_capabilities::BASELINE_CAPABILITIES;
use super::restricted::{
    container_context_unknown, fragment, templated, windows_exempt, windows_help,
};
use super::{all_containers, container_setting, describe};
use crate::k8s::pod_security::{Level, PolicyGate};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// The Pod Security Standards' restricted control "Capabilities" (v1.22 on): every
    /// container (init, sidecar, regular, ephemeral) must drop `ALL` capabilities and may add
    /// back only `NET_BIND_SERVICE`. Reported:
    ///
    /// - a container without `securityContext.capabilities.drop`, at its `name` value;
    /// - a `drop` list without `ALL`, at its `drop` key; where the list holds `all` or
    ///   `CAP_ALL`, at that item instead (the admission controller compares names exactly, so
    ///   neither is `ALL` to it, though the container runtime may read them so);
    /// - an added capability other than `NET_BIND_SERVICE` that the baseline level allows
    ///   (`CHOWN`, `SETUID`, `KILL`, ...), at the list item. A capability beyond the baseline
    ///   set (`SYS_ADMIN`, `NET_RAW`, ...) violates this control too, but `added-capabilities`
    ///   reports it for the baseline control, and its finding counts at the `restricted` level
    ///   as well, so this rule does not report the same item twice.
    ///
    /// Windows pods (`spec.os.name: windows`) are exempt from v1.25 of the standards on, so
    /// their findings hold only for earlier versions. Templated values are never reported,
    /// nor a missing `drop` where the `securityContext` or `capabilities` is one template
    /// expression.
    ///
    /// Off by default: ordinary applications seldom drop capabilities. It reports wherever a
    /// Namespace of the run enforces, warns or audits `restricted` (the category's admission
    /// grading), and when selected by id.
    ///
    /// ## Why is this bad
    /// A container keeps the runtime's default capabilities unless it drops them: `CHOWN`,
    /// `DAC_OVERRIDE`, `FOWNER`, `SETUID`, `SETGID`, `NET_RAW` (packet spoofing on the pod
    /// network), `MKNOD` and more. An application needs almost none of them, and each is a
    /// step for an attacker inside it. A namespace that enforces `restricted` refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: example/web:1.0
    ///     securityContext:
    ///       capabilities:
    ///         add: [CHOWN]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: example/web:1.0
    ///     securityContext:
    ///       capabilities:
    ///         drop: [ALL]
    ///         add: [NET_BIND_SERVICE]   # only to listen on a port below 1024
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 1,001 findings in 841 files. Read: 30 at
    /// random and every finding other than a missing `drop` (32), all true of the manifest.
    /// 30 of those are `drop: [all]`, in files written to pass `restricted` (Istio's
    /// `bookinfo-psa.yaml`, Google's Online Boutique, Hubble UI): the runtime accepts the
    /// lower case, the admission controller does not, so a namespace enforcing `restricted`
    /// refuses these pods (kubernetes/pod-security-admission#11). The other 2 add `SYS_CHROOT`
    /// and `DAC_OVERRIDE`. Off by default, as nearly every ordinary workload keeps the
    /// default capabilities; the lower-case `all` is the finding most worth reading where
    /// `restricted` is the goal.
    pub struct CapabilitiesNotDropped => "capabilities-not-dropped";
}

const DROP_HELP: &str = "add `drop: [ALL]` under the container's `securityContext.capabilities` \
                         (and add back only `NET_BIND_SERVICE`, if it binds a port below 1024)";

impl Rule for CapabilitiesNotDropped {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        let gate = windows_exempt(pod, PolicyGate::since(Level::Restricted, 22));
        let start = out.len();
        for container in all_containers(pod) {
            if container_context_unknown(&container) {
                continue;
            }
            let capabilities = container_setting(&container, &["capabilities"]);
            if capabilities.is_some_and(templated) {
                continue;
            }
            match capabilities.and_then(|c| c.get_some("drop")) {
                None if fragment(&container) => {}
                None => out.push(
                    Finding::new(
                        container.anchor_node(),
                        format!(
                            "{} does not drop `ALL` capabilities: it keeps the runtime's \
                             defaults (`NET_RAW`, `CHOWN`, `SETUID`, ...)",
                            describe(&container)
                        ),
                    )
                    .help(DROP_HELP)
                    .policy(gate),
                ),
                Some(drop) => {
                    let names: Vec<_> = drop.items().collect();
                    let unknown = !drop.is_seq() || names.iter().any(|n| templated(*n));
                    if !unknown && !names.iter().any(|n| n.as_str() == Some("ALL")) {
                        // `all`, `CAP_ALL`: meant as ALL, and the runtime may read it so; the
                        // admission controller does not.
                        let near = names.iter().find_map(|n| {
                            let name = n.as_str()?;
                            let upper = name.to_ascii_uppercase();
                            (upper == "ALL" || upper == "CAP_ALL").then_some((*n, name))
                        });
                        let finding = match near {
                            Some((item, name)) => Finding::new(
                                item,
                                format!(
                                    "{} drops `{name}`, which admission does not read as \
                                     `ALL`: the restricted policy compares capability names \
                                     exactly",
                                    describe(&container)
                                ),
                            )
                            .help(format!("write `ALL` instead of `{name}`")),
                            None => {
                                let key = capabilities
                                    .and_then(|c| c.entry("drop"))
                                    .map_or(drop, |(key, _)| key);
                                Finding::new(
                                    key,
                                    format!(
                                        "{} drops some capabilities but not `ALL`: it keeps the \
                                         runtime's other defaults",
                                        describe(&container)
                                    ),
                                )
                                .help(
                                    "drop `ALL` instead of a list of names, and add back only \
                                     `NET_BIND_SERVICE` if the container needs it",
                                )
                            }
                        };
                        out.push(finding.policy(gate));
                    }
                }
            }
            let Some(added) = capabilities.and_then(|c| c.get_some("add")) else {
                continue;
            };
            for item in added.items() {
                let Some(name) = item.as_str() else { continue };
                // Beyond the baseline set, an added capability is `added-capabilities`' finding.
                if name == "NET_BIND_SERVICE" || !BASELINE_CAPABILITIES.contains(&name) {
                    continue;
                }
                out.push(
                    Finding::new(
                        item,
                        format!(
                            "{} adds the capability `{name}`: the restricted policy allows \
                             adding only `NET_BIND_SERVICE`",
                            describe(&container)
                        ),
                    )
                    .help(format!(
                        "remove `{name}` from `securityContext.capabilities.add`"
                    ))
                    .policy(gate),
                );
            }
        }
        windows_help(pod, &mut out[start..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::pod_security::restricted::tests::{gates, pod};

    #[test]
    fn from_v1_22_and_windows_pods_exempt_from_v1_25() {
        let found = gates(&CapabilitiesNotDropped, &pod("", ""));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, PolicyGate::since(Level::Restricted, 22));
        let found = gates(&CapabilitiesNotDropped, &pod("  os: {name: windows}\n", ""));
        assert_eq!(
            found[0].1,
            PolicyGate::since(Level::Restricted, 22).until(25)
        );
    }

    #[test]
    fn capabilities_beyond_baseline_are_left_to_the_baseline_rule() {
        let container = "      securityContext:\n        capabilities: {drop: [ALL], add: [SYS_ADMIN, NET_BIND_SERVICE, CHOWN]}\n";
        let found = gates(&CapabilitiesNotDropped, &pod("", container));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].0.contains("`CHOWN`"), "{found:?}");
    }
}
