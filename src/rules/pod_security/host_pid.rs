use super::super::{Finding, Options, Rule, declare_rule};
use super::is_true;
use crate::k8s::pod_security::{Level, PolicyGate};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports a pod (a Pod, or a workload's pod template) that sets `spec.hostPID: true`, at
    /// that value. This is the process part of the Pod Security Standards' baseline control
    /// "Host Namespaces": the admission controller of a namespace that enforces `baseline` or
    /// `restricted` refuses the pod. `false`, null and unset are the pod's own process
    /// namespace.
    ///
    /// ## Why is this bad
    /// The pod's containers see every process of the node and its command line and, as root,
    /// its environment (other pods' secrets among them); they can signal any of them, and with
    /// the right to trace, read their memory and reach the node's file system through
    /// `/proc/<pid>/root`.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostPID: true
    ///   containers:
    ///     - name: app
    ///       image: example/app:1.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   shareProcessNamespace: true   # only if the pod's own containers must see each other
    ///   containers:
    ///     - name: app
    ///       image: example/app:1.0
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 8 findings in 8 files, all read, all true: node
    /// agents that read the node's processes (node-exporter, New Relic and Sysdig agents, the
    /// SPIRE agent) and two GPU/NCCL installers. Every one is refused by a namespace that
    /// enforces `baseline`; on by default for that reason (see `host-network`). kube-linter's
    /// `host-pid` fixture: both Deployments agree.
    pub struct HostPid => "host-pid";
}

const GATE: PolicyGate = PolicyGate::of(Level::Baseline);

impl Rule for HostPid {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        let Some(value) = pod.spec.get("hostPID").filter(|v| is_true(*v)) else {
            return;
        };
        out.push(
            Finding::new(
                value,
                "the pod shares the node's process namespace: its containers see every \
                 process of the node, and as root can read their environment and signal them",
            )
            .help(
                "remove `hostPID: true`; to let the pod's own containers see each other's \
                 processes, set `shareProcessNamespace: true` instead",
            )
            .policy(GATE),
        );
    }
}
