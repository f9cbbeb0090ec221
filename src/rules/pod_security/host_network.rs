use super::super::{Finding, Options, Rule, declare_rule};
use super::is_true;
use crate::k8s::pod_security::{Level, PolicyGate};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports a pod (a Pod, or a workload's pod template) that sets `spec.hostNetwork: true`,
    /// at that value. This is the network part of the Pod Security Standards' baseline control
    /// "Host Namespaces": the admission controller of a namespace that enforces `baseline` or
    /// `restricted` refuses the pod. `false`, null and unset are the pod's own network.
    ///
    /// ## Why is this bad
    /// The pod shares the node's network namespace: it sees every interface and all traffic
    /// of the node, reaches services that listen only on the node's loopback address, and
    /// binds its ports on the node's addresses, outside Services and, for most network plugins,
    /// outside NetworkPolicy. Two such pods that use the same port cannot share a node.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostNetwork: true
    ///   containers:
    ///     - name: web
    ///       image: example/web:1.0
    ///       ports:
    ///         - containerPort: 8080
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: example/web:1.0
    ///       ports:
    ///         - containerPort: 8080   # reached through a Service
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 16 findings in 16 files, all read, all true
    /// (the pod sets `hostNetwork: true`). 11 are node agents or cluster components that use the
    /// node's network on purpose (a CNI router, node-exporter, monitoring agents, SPIRE, a NCCL
    /// installer, Azure cluster-autoscaler examples), 5 are tests or samples of such pods
    /// (Istio's injection test data, a Kubeflow proxy, Rook's debug pod). None is an accident,
    /// and every one is refused by a namespace that enforces `baseline`: on by default, so that
    /// such pods are placed (or labelled) in a privileged namespace deliberately, or the
    /// finding suppressed with the reason. kube-linter's `host-network` fixture: both
    /// Deployments agree (`true` fires, `false` does not).
    pub struct HostNetwork => "host-network";
}

const GATE: PolicyGate = PolicyGate::of(Level::Baseline);

impl Rule for HostNetwork {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        let Some(value) = pod.spec.get("hostNetwork").filter(|v| is_true(*v)) else {
            return;
        };
        out.push(
            Finding::new(
                value,
                "the pod shares the node's network namespace: it sees all of the node's \
                 traffic, reaches what listens on the node's loopback address, and its ports \
                 are the node's ports",
            )
            .help(
                "remove `hostNetwork: true` and reach the pod through a Service (a NodePort \
                 or LoadBalancer one if it must be reached from outside the cluster)",
            )
            .policy(GATE),
        );
    }
}
