use super::super::{Finding, Options, Rule, declare_rule};
use super::is_true;
use crate::k8s::pod_security::{Level, PolicyGate};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports a pod (a Pod, or a workload's pod template) that sets `spec.hostIPC: true`, at
    /// that value. This is the IPC part of the Pod Security Standards' baseline control "Host
    /// Namespaces": the admission controller of a namespace that enforces `baseline` or
    /// `restricted` refuses the pod. `false`, null and unset are the pod's own IPC namespace.
    ///
    /// ## Why is this bad
    /// The pod shares the node's System V IPC objects and POSIX message queues, and `/dev/shm`
    /// becomes the node's: it can read and change the shared memory of every process on the
    /// node that uses it, other pods' included.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostIPC: true
    ///   containers:
    ///     - name: app
    ///       image: example/app:1.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   containers:           # the pod's containers already share one IPC namespace
    ///     - name: app
    ///       image: example/app:1.0
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 3 findings in 3 files, all read, all true: the
    /// NVIDIA container toolkit installer and two New Relic agents. Every one is refused by a
    /// namespace that enforces `baseline`; on by default for that reason (see `host-network`).
    /// kube-linter's `host-ipc` fixture: both Deployments agree.
    pub struct HostIpc => "host-ipc";
}

const GATE: PolicyGate = PolicyGate::of(Level::Baseline);

impl Rule for HostIpc {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        let Some(value) = pod.spec.get("hostIPC").filter(|v| is_true(*v)) else {
            return;
        };
        out.push(
            Finding::new(
                value,
                "the pod shares the node's IPC namespace: it can read and change the shared \
                 memory and message queues of every process on the node",
            )
            .help(
                "remove `hostIPC: true`; the containers of one pod already share an IPC \
                 namespace",
            )
            .policy(GATE),
        );
    }
}
