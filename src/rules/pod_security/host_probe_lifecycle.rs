use super::super::{Finding, Options, Rule, declare_rule};
use super::{all_containers, describe};
use crate::k8s::pod_security::{Level, PolicyGate};
use crate::model::Object;

/// The probes and lifecycle handlers that take an `httpGet` or `tcpSocket` action, and how a
/// message names them.
const HANDLERS: &[(&[&str], &str)] = &[
    (&["livenessProbe"], "liveness probe"),
    (&["readinessProbe"], "readiness probe"),
    (&["startupProbe"], "startup probe"),
    (&["lifecycle", "postStart"], "postStart hook"),
    (&["lifecycle", "preStop"], "preStop hook"),
];

declare_rule! {
    /// ## What it does
    /// Reports a `host` set to a non-empty value in the `httpGet` or `tcpSocket` action of a
    /// container's liveness, readiness or startup probe or of its `postStart`/`preStop`
    /// lifecycle hook (init, sidecar, regular and ephemeral containers), at that value. This
    /// is the Pod Security Standards' baseline control "Host Probes / Lifecycle Hooks", which
    /// the admission controller applies from policy version v1.34 on: a namespace that
    /// enforces `baseline` or `restricted` at v1.34 or later (or `latest` on such a cluster)
    /// refuses the pod, earlier versions accept it. An empty `host` is the default and
    /// allowed.
    ///
    /// ## Why is this bad
    /// The kubelet performs probes and HTTP hooks itself, from the node. With `host` set it
    /// connects to whatever address the manifest names instead of the pod: anyone who may
    /// create a pod can have the node's kubelet send requests to the node's own loopback
    /// services, the cloud's metadata endpoint or any internal address (a server-side request
    /// forgery), and a probe that checks another host says nothing about the container.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: example/web:1.0
    ///     readinessProbe:
    ///       httpGet:
    ///         host: web.example.com
    ///         path: /healthz
    ///         port: 8080
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: example/web:1.0
    ///     readinessProbe:
    ///       httpGet:
    ///         path: /healthz
    ///         port: 8080
    ///         httpHeaders:            # if the server routes by name
    ///           - name: Host
    ///             value: web.example.com
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): no finding (no probe or hook of the corpus
    /// names a host; the fixtures cover every probe and hook, both actions, init and sidecar
    /// containers). On by default: a baseline control from v1.34 on, and a probe that targets
    /// another host checks nothing about the container. Neither kube-linter nor kube-score has
    /// the check.
    pub struct HostProbeLifecycle => "host-probe-lifecycle";
}

const GATE: PolicyGate = PolicyGate::since(Level::Baseline, 34);

impl Rule for HostProbeLifecycle {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        for container in all_containers(pod) {
            for (path, handler_name) in HANDLERS {
                let Some(handler) = container.node.path(path) else {
                    continue;
                };
                for action in ["httpGet", "tcpSocket"] {
                    let Some(host) = handler.path(&[action, "host"]).filter(|h| !h.is_null())
                    else {
                        continue;
                    };
                    let Some(text) = super::literal(host).filter(|t| !t.is_empty()) else {
                        continue;
                    };
                    out.push(
                        Finding::new(
                            host,
                            format!(
                                "the {handler_name} of {} connects to `{text}` \
                                 (`{action}.host`): the kubelet sends it from the node to that \
                                 address instead of the pod",
                                describe(&container)
                            ),
                        )
                        .help(if action == "httpGet" {
                            format!(
                                "remove `host` so that the kubelet targets the pod's own IP; \
                                 if the server routes by name, send it as an `httpHeaders` \
                                 entry `Host: {text}` instead"
                            )
                        } else {
                            "remove `host` so that the kubelet connects to the pod's own IP"
                                .to_owned()
                        })
                        .policy(GATE),
                    );
                }
            }
        }
    }
}
