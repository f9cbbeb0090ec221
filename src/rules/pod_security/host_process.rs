use super::super::{Finding, Options, Rule, declare_rule};
use super::{all_containers, container_setting, describe, is_true, pod_setting};
use crate::k8s::pod_security::{Level, PolicyGate};
use crate::model::Object;

const HOST_PROCESS: &[&str] = &["windowsOptions", "hostProcess"];

declare_rule! {
    /// ## What it does
    /// Reports `securityContext.windowsOptions.hostProcess: true`, at that value: on the pod
    /// (`spec.securityContext`), and on any container (init, sidecar, regular or ephemeral).
    /// This is the Pod Security Standards' baseline control "HostProcess": the admission
    /// controller of a namespace that enforces `baseline` or `restricted` refuses the pod.
    /// Each `true` is reported where it is written; a container's `false` does not make a
    /// pod-level `true` acceptable, as the admission controller judges both.
    ///
    /// ## Why is this bad
    /// A Windows HostProcess container is not isolated at all: it runs as a process of the
    /// node, in the node's network namespace, with the node's file system and the privileges
    /// of the account it runs as (often `NT AUTHORITY\SYSTEM`). It is the Windows equivalent
    /// of a privileged container with every host namespace.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostNetwork: true
    ///   securityContext:
    ///     windowsOptions:
    ///       hostProcess: true
    ///       runAsUserName: "NT AUTHORITY\\SYSTEM"
    ///   containers:
    ///     - name: agent
    ///       image: example/agent:1.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     windowsOptions:
    ///       runAsUserName: ContainerUser
    ///   containers:
    ///     - name: agent
    ///       image: example/agent:1.0
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): no finding (the corpus has no HostProcess pod;
    /// the fixtures cover pod-level, init, regular and ephemeral containers). On by default: a
    /// baseline control, and a `true` here is never an accident. Neither kube-linter nor
    /// kube-score has the check.
    pub struct HostProcess => "host-process";
}

const GATE: PolicyGate = PolicyGate::of(Level::Baseline);

const HELP: &str = "remove `hostProcess: true` from `windowsOptions` (and the `hostNetwork: true` \
     it requires); a node agent that must run on the host belongs in a namespace whose policy \
     is privileged";

impl Rule for HostProcess {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        if let Some(value) = pod_setting(pod, HOST_PROCESS).filter(|v| is_true(*v)) {
            out.push(
                Finding::new(
                    value,
                    "the pod runs Windows HostProcess containers: each runs as a process of \
                     the node, with the node's network, file system and account privileges",
                )
                .help(HELP)
                .policy(GATE),
            );
        }
        for container in all_containers(pod) {
            let Some(value) = container_setting(&container, HOST_PROCESS).filter(|v| is_true(*v))
            else {
                continue;
            };
            out.push(
                Finding::new(
                    value,
                    format!(
                        "{} is a Windows HostProcess container: it runs as a process of the \
                         node, with the node's network, file system and account privileges",
                        describe(&container)
                    ),
                )
                .help(HELP)
                .policy(GATE),
            );
        }
    }
}
