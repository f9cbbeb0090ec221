use super::super::{Finding, Options, Rule, declare_rule};
use super::{literal, pod_setting};
use crate::k8s::pod_security::{Level, PolicyGate};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports each `spec.securityContext.sysctls[*].name` outside the safe set of the Pod
    /// Security Standards' baseline control "Sysctls", at the name. The safe set grew with the
    /// versions of the standards:
    /// - every version: `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
    ///   `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range`,
    ///   `net.ipv4.ip_unprivileged_port_start`;
    /// - from v1.27: `net.ipv4.ip_local_reserved_ports`;
    /// - from v1.29: `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`,
    ///   `net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes`;
    /// - from v1.32: `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem`;
    /// - from v1.37: `net.ipv4.tcp_slow_start_after_idle`, `net.ipv4.tcp_notsent_lowat`.
    ///
    /// A sysctl the standards accept from v1.N is a violation only under a policy older than
    /// v1.N (a namespace pinned to it, or `--kubernetes-version`). Names are compared exactly,
    /// as admission compares them: `net/ipv4/tcp_syncookies` is not in the set.
    ///
    /// ## Why is this bad
    /// Sysctls outside the safe set either are not namespaced (they change the node's kernel
    /// for every pod on it) or are namespaced without isolation between pods (memory and
    /// queue limits of the kernel's IPC, for instance). The kubelet also refuses to start a
    /// pod with an unsafe sysctl it was not told to allow (`--allowed-unsafe-sysctls`): the
    /// pod fails with `SysctlForbidden`.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     sysctls:
    ///       - name: net.core.somaxconn
    ///         value: "4096"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     sysctls:
    ///       - name: net.ipv4.ip_local_port_range
    ///         value: "1024 65000"
    /// ```
    /// or tune the node (a node-tuning DaemonSet in a `privileged` namespace, or the node's
    /// image) rather than each pod.
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): no finding, at the default version and at
    /// `--kubernetes-version 1.18`: the corpus' only pod sysctl
    /// (`net.ipv4.ip_unprivileged_port_start` on Istio's gateways, in a Helm template) is in
    /// every version's safe set. kube-linter's `unsafe-sysctls` fixture agrees: its Deployment
    /// is reported (`tests/peer_checks.rs`). On by default: a baseline control, and the kubelet
    /// refuses most unsafe sysctls anyway.
    pub struct UnsafeSysctls => "unsafe-sysctls";
}

/// The safe sysctls, each with the version of the standards that first allows it.
const SAFE: [(&str, u32); 14] = [
    ("kernel.shm_rmid_forced", 0),
    ("net.ipv4.ip_local_port_range", 0),
    ("net.ipv4.tcp_syncookies", 0),
    ("net.ipv4.ping_group_range", 0),
    ("net.ipv4.ip_unprivileged_port_start", 0),
    ("net.ipv4.ip_local_reserved_ports", 27),
    ("net.ipv4.tcp_keepalive_time", 29),
    ("net.ipv4.tcp_fin_timeout", 29),
    ("net.ipv4.tcp_keepalive_intvl", 29),
    ("net.ipv4.tcp_keepalive_probes", 29),
    ("net.ipv4.tcp_rmem", 32),
    ("net.ipv4.tcp_wmem", 32),
    ("net.ipv4.tcp_slow_start_after_idle", 37),
    ("net.ipv4.tcp_notsent_lowat", 37),
];

/// What follows for a sysctl outside the safe set: the kernel namespaces some sysctls per pod
/// (the kubelet's list: IPC and network ones), which the kubelet sets only where it is told
/// to allow them; the rest are the node's own.
fn why_unsafe(name: &str) -> &'static str {
    let namespaced = name == "kernel.sem"
        || ["kernel.shm", "kernel.msg", "fs.mqueue.", "net."]
            .iter()
            .any(|prefix| name.starts_with(prefix));
    if namespaced {
        "is not in the baseline safe set (it may affect the node or other pods): the kubelet \
         starts the pod only on nodes that allow it (`--allowed-unsafe-sysctls`)"
    } else {
        "is not in the baseline safe set and not namespaced: it would change the node's kernel \
         for every pod, and the kubelet refuses the pod"
    }
}

const GATE: PolicyGate = PolicyGate::of(Level::Baseline);

impl Rule for UnsafeSysctls {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        let Some(sysctls) = pod_setting(pod, &["sysctls"]) else {
            return;
        };
        for item in sysctls.items() {
            let Some(node) = item.get_some("name") else {
                continue;
            };
            let Some(name) = literal(node) else { continue };
            let finding = match SAFE.iter().find(|(safe, _)| *safe == name) {
                Some((_, 0)) => continue,
                Some((_, since)) => Finding::new(
                    node,
                    format!(
                        "the sysctl `{name}` is safe only from v1.{since} of the Pod Security \
                         Standards: an older policy (a cluster before 1.{since}, or a namespace \
                         pinned to an older version) refuses the pod"
                    ),
                )
                .help(format!(
                    "pin the namespace's policy to v1.{since} or later, or remove the sysctl"
                ))
                .policy(GATE.until(*since)),
                None => {
                    let dotted = name.replace('/', ".");
                    if SAFE.iter().any(|(safe, _)| *safe == dotted) {
                        Finding::new(
                            node,
                            format!(
                                "the sysctl `{name}` is written with slashes: admission \
                                 compares names exactly and finds it outside the baseline \
                                 safe set, though `{dotted}` is in it"
                            ),
                        )
                        .help(format!("write `{dotted}`"))
                        .policy(GATE)
                    } else {
                        Finding::new(node, format!("the sysctl `{name}` {}", why_unsafe(name)))
                            .help(format!(
                                "remove `{name}` from `securityContext.sysctls` and tune it on \
                                 the node instead, or run the pod in a namespace whose Pod \
                                 Security level is `privileged`"
                            ))
                            .policy(GATE)
                    }
                }
            };
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::pod_security::gated_findings;

    #[test]
    fn each_sysctl_is_a_violation_until_the_version_that_allows_it() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    sysctls:\n    - {name: kernel.shm_rmid_forced}\n    - {name: net.ipv4.ip_local_reserved_ports}\n    - {name: net.ipv4.tcp_fin_timeout}\n    - {name: net.ipv4.tcp_wmem}\n    - {name: net.ipv4.tcp_notsent_lowat}\n    - {name: net.core.somaxconn}\n  containers: [{name: a, image: a}]\n";
        let found = gated_findings(&UnsafeSysctls, yaml);
        let base = PolicyGate::of(Level::Baseline);
        let expected = [
            (1, base.until(27)),
            (2, base.until(29)),
            (3, base.until(32)),
            (4, base.until(37)),
            (5, base),
        ]
        .map(|(i, gate)| (format!("/spec/securityContext/sysctls/{i}/name"), gate));
        assert_eq!(found, expected);
    }
}
