use super::super::{Finding, Options, Rule, declare_rule};
use super::{all_containers, container_setting, describe, literal};
use crate::k8s::pod_security::{Level, PolicyGate};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports each entry of a container's `securityContext.capabilities.add` (init, sidecar,
    /// regular or ephemeral container) that is not in the baseline set — the container
    /// runtimes' default capabilities without `NET_RAW`: `AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`, `FOWNER`, `FSETID`, `KILL`,
    /// `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`, `SETPCAP`, `SETUID`, `SYS_CHROOT`. It
    /// points at the list item. This is the Pod Security Standards' baseline control
    /// "Capabilities", in every version of the standards: the admission controller of a
    /// namespace that enforces `baseline` or `restricted` refuses the pod.
    ///
    /// Names are compared exactly, as admission compares them: `CAP_CHOWN` or `chown` are
    /// not in the set, and neither is `ALL`. The finding then says how to spell it.
    ///
    /// ## Why is this bad
    /// Capabilities beyond the baseline set hand a container parts of root's power over the
    /// node: `SYS_ADMIN` is nearly all of it (mounts, namespaces, BPF), `NET_ADMIN` rewrites
    /// the node's routing and firewall for the pod's network, `SYS_PTRACE` reads other
    /// processes' memory, `NET_RAW` forges packets. A compromised process uses them to leave
    /// its container.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: example/app:1.0
    ///     securityContext:
    ///       capabilities:
    ///         add: [NET_ADMIN, SYS_TIME]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: example/app:1.0
    ///     securityContext:
    ///       capabilities:
    ///         drop: [ALL]
    ///         add: [NET_BIND_SERVICE]   # only from the default set
    /// ```
    ///
    /// Where a workload needs more (a CNI plugin, a node agent), run it in a namespace whose
    /// policy is `privileged`, and suppress the finding there.
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 15 findings in 9 files, all read, all true
    /// (15 of 15): service-mesh and CNI agents (Istio's `istio-init`, `install-cni` and ztunnel:
    /// `NET_ADMIN`, `NET_RAW`, `SYS_ADMIN`, `SYS_PTRACE`), node-exporter's `SYS_TIME`, and
    /// Elasticsearch's and Cassandra's `IPC_LOCK`. A namespace that enforces `baseline` refuses each
    /// of these pods; the node agents belong in a `privileged` namespace, the databases can drop the
    /// capability (it only lets them lock memory). On by default: a baseline control, and every
    /// finding is one admission acts on.
    pub struct AddedCapabilities => "added-capabilities";
}

const GATE: PolicyGate = PolicyGate::of(Level::Baseline);

/// The capabilities the baseline level allows a container to add (the container runtimes'
/// defaults without `NET_RAW`), spelled as admission compares them; `capabilities-not-dropped`
/// leaves what is beyond them to this rule.
pub(crate) const BASELINE_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

impl Rule for AddedCapabilities {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        for container in all_containers(pod) {
            let Some(added) = container_setting(&container, &["capabilities", "add"]) else {
                continue;
            };
            for item in added.items() {
                let Some(name) = literal(item) else { continue };
                if BASELINE_CAPABILITIES.contains(&name) {
                    continue;
                }
                let canonical = name.to_ascii_uppercase();
                let canonical = canonical.strip_prefix("CAP_").unwrap_or(&canonical);
                let finding = if BASELINE_CAPABILITIES.contains(&canonical) {
                    Finding::new(
                        item,
                        format!(
                            "{} adds `{name}`, which admission does not read as `{canonical}`: \
                             the baseline policy compares capability names exactly and \
                             refuses the pod",
                            describe(&container)
                        ),
                    )
                    .help(format!("write `{canonical}`"))
                } else {
                    Finding::new(
                        item,
                        format!(
                            "{} adds the capability `{name}`, beyond the default set the \
                             baseline level allows: kernel privileges a compromised process \
                             can turn against the node",
                            describe(&container)
                        ),
                    )
                    .help(format!(
                        "remove `{name}` from `securityContext.capabilities.add`, or run the \
                         workload in a namespace whose Pod Security level is `privileged`"
                    ))
                };
                out.push(finding.policy(GATE));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::pod_security::gated_findings;

    #[test]
    fn names_compare_exactly() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: a\n    securityContext:\n      capabilities:\n        add: [CHOWN, CAP_CHOWN, chown, Kill, NET_RAW, 7]\n";
        let found: Vec<_> = gated_findings(&AddedCapabilities, yaml)
            .into_iter()
            .map(|(at, gate)| {
                assert_eq!(gate, GATE);
                at.rsplit('/').next().unwrap().to_owned()
            })
            .collect();
        assert_eq!(found, ["1", "2", "3", "4"]);
    }
}
