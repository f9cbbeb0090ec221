use super::super::{Finding, Options, Rule, declare_rule};
use super::{all_containers, describe, is_true};
use crate::k8s::pod_security::{Level, PolicyGate};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports each container port (init, sidecar, regular or ephemeral container) whose
    /// `hostPort` is set to anything but 0, at that value. This is the Pod Security
    /// Standards' baseline control "Host Ports": the admission controller of a namespace that
    /// enforces `baseline` or `restricted` refuses the pod. The standards allow a "known list"
    /// of host ports, but the built-in admission controller has no such list (only the
    /// removed PodSecurityPolicy could be configured with one): every host port is refused,
    /// and so this rule takes no list either.
    ///
    /// On a Pod with `hostNetwork: true` the API server sets each port's `hostPort` to its
    /// `containerPort`, so the admission controller refuses those ports too; `host-network`
    /// already reports such pods, and this rule reports only the host ports that are written.
    ///
    /// ## Why is this bad
    /// The port is opened on the addresses of whichever node the pod lands on, outside
    /// Services: clients depend on where the scheduler put the pod. Only one pod using that
    /// port fits on a node, so replicas beyond the number of nodes stay Pending, and a rolling
    /// update that surges a pod may wait for a node without one.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: example/web:1.0
    ///     ports:
    ///       - containerPort: 8080
    ///         hostPort: 80
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: example/web:1.0
    ///     ports:
    ///       - containerPort: 8080   # exposed by a Service
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 19 findings in 12 files, all read, all true.
    /// 7 are ingress controllers bound to the node's ports 80 and 443 (a kind setup and
    /// examples), 2 node agents on the host's network (node-exporter, Sysdig), and 10 ordinary
    /// applications of archived examples (Tomcat, MongoDB, MinIO, Storm workers, Ghost) that a
    /// Service would expose instead: worth fixing, and refused by a namespace that enforces
    /// `baseline`. On by default. kube-linter and kube-score have no host-port check
    /// (kube-linter's `privileged-ports` judges the container port).
    pub struct HostPort => "host-port";
}

const GATE: PolicyGate = PolicyGate::of(Level::Baseline);

impl Rule for HostPort {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        let host_network = pod.spec.get("hostNetwork").is_some_and(|v| is_true(v));
        for container in all_containers(pod) {
            let Some(ports) = container.get("ports") else {
                continue;
            };
            for port in ports.items() {
                let Some(value) = port.get("hostPort") else {
                    continue;
                };
                // Only a number is a host port the API server accepts; a templated or
                // malformed value is someone else's finding.
                let Some(number) = value.as_i64().filter(|n| *n > 0) else {
                    continue;
                };
                let help = if host_network {
                    "the pod uses the node's network (`hostNetwork: true`), so its ports are \
                     the node's whatever `hostPort` says: remove `hostNetwork: true` and this \
                     `hostPort`, and expose the port through a Service"
                } else {
                    "remove `hostPort` and expose the port through a Service (a NodePort or \
                     LoadBalancer one if it must be reached from outside the cluster)"
                };
                out.push(
                    Finding::new(
                        value,
                        format!(
                            "{} binds port {number} on the node: it is open on the node's \
                             addresses outside Services, and only one such pod fits on a node",
                            describe(&container)
                        ),
                    )
                    .help(help)
                    .policy(GATE),
                );
            }
        }
    }
}
