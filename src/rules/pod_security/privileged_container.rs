use super::super::{EditSpec, Finding, FixSpec, Options, Rule, declare_rule};
use super::{all_containers, container_setting, describe, is_true};
use crate::k8s::pod_security::{Level, PolicyGate};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports a container (init, sidecar, regular or ephemeral) whose `securityContext` sets
    /// `privileged: true`, at that value. This is the Pod Security Standards' baseline
    /// control "Privileged Containers": the admission controller of a namespace that enforces
    /// `baseline` or `restricted` refuses the pod (see the category's admission grading).
    ///
    /// ## Why is this bad
    /// A privileged container runs with every Linux capability, without seccomp or AppArmor
    /// confinement, and with the host's devices: a process that escapes its application owns
    /// the node, and every pod on it.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: agent
    ///     image: example/agent:1.0
    ///     securityContext:
    ///       privileged: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: agent
    ///     image: example/agent:1.0
    ///     securityContext:
    ///       capabilities:
    ///         add: [NET_ADMIN]   # only what the agent needs
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 33 findings in 32 files, all read, all true
    /// (`privileged: true` on the container). 12 are node agents and drivers (CSI, DRA, CNI,
    /// monitoring agents, GPU/NCCL installers, a mount fixer); 6 are init containers that only
    /// set a kernel parameter of the node (`vm.max_map_count` for Elasticsearch, core dumps for
    /// Istio), which belongs in the node's configuration; 6 are TPU workloads of GKE samples
    /// (current GKE versions give TPU access without a privileged container); 9 are other
    /// samples (an NFS server, Rook's tools, a TensorFlow trainer, EKS workshop and
    /// PodSecurityPolicy examples that are privileged on purpose). Every one is refused by a
    /// namespace that enforces `baseline`: on by default. kube-linter's `privileged-container`
    /// fixture: both Deployments agree (kube-score's "Container Security Context Privileged"
    /// has no expectation in the fixture table this comparison reads).
    ///
    /// ## Fix
    /// `--fix --unsafe-fixes` sets `privileged: false`: unsafe, since the container may need what
    /// privilege gives it.
    pub struct PrivilegedContainer => "privileged-container";
}

const GATE: PolicyGate = PolicyGate::of(Level::Baseline);

impl Rule for PrivilegedContainer {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        for container in all_containers(pod) {
            let Some(privileged) = container_setting(&container, &["privileged"]) else {
                continue;
            };
            if !is_true(privileged) {
                continue;
            }
            out.push(
                Finding::new(
                    privileged,
                    format!(
                        "{} runs privileged: every capability, no seccomp or AppArmor \
                         confinement, and the host's devices",
                        describe(&container)
                    ),
                )
                .help(
                    "remove `privileged: true` and add only the capabilities the container \
                     needs under `securityContext.capabilities.add`",
                )
                .policy(GATE)
                // The container may need what privilege gives it: a human decides.
                .fix(FixSpec::unsafe_(
                    "set `privileged: false`",
                    vec![EditSpec::ReplaceScalar {
                        node: privileged,
                        text: "false".to_owned(),
                    }],
                )),
            );
        }
    }
}
