use super::super::{Finding, Options, Rule, declare_rule};
use super::{HANDLERS, probed_containers};
use crate::model::Object;
use crate::parse::tree::Node;

declare_rule! {
    /// ## What it does
    /// Reports a container whose liveness and readiness probes are identical: the same
    /// handler (exec command, HTTP request, TCP or gRPC port) *and* the same timing
    /// (`initialDelaySeconds`, `periodSeconds`, `timeoutSeconds`, `successThreshold`,
    /// `failureThreshold`, with Kubernetes' defaults filled in). Probes that share a handler
    /// but differ in timing are what the Kubernetes docs recommend and are not reported.
    ///
    /// ## Why is this bad
    /// The liveness probe then fails at exactly the moment readiness fails. A pod that is only
    /// overloaded, or waiting on a dependency, should leave the Service's rotation and recover;
    /// instead it is restarted, which drops its in-flight work and, under load, cascades
    /// restarts across every replica.
    ///
    /// ## Example
    /// ```yaml
    /// readinessProbe:
    ///   httpGet: {path: /healthz, port: http}
    /// livenessProbe:
    ///   httpGet: {path: /healthz, port: http}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// readinessProbe:
    ///   httpGet: {path: /healthz/ready, port: http}
    /// livenessProbe:
    ///   httpGet: {path: /healthz/live, port: http}
    ///   periodSeconds: 20
    ///   failureThreshold: 6
    /// ```
    pub struct IdenticalLivenessReadiness => "identical-liveness-readiness";
}

/// Timing fields of a probe and the API server's defaults for them.
const TIMING: [(&str, i64); 5] = [
    ("initialDelaySeconds", 0),
    ("periodSeconds", 10),
    ("timeoutSeconds", 1),
    ("successThreshold", 1),
    ("failureThreshold", 3),
];

fn handler<'d>(probe: Node<'d>) -> Option<(&'static str, Node<'d>)> {
    HANDLERS
        .iter()
        .find_map(|&h| probe.get_some(h).map(|n| (h, n)))
}

fn timing(probe: Node<'_>) -> [Option<i64>; 5] {
    TIMING.map(|(key, default)| match probe.get_some(key) {
        None => Some(default),
        Some(v) => v.as_i64(),
    })
}

fn identical(liveness: Node<'_>, readiness: Node<'_>) -> bool {
    let (Some((lh, ln)), Some((rh, rn))) = (handler(liveness), handler(readiness)) else {
        return false;
    };
    let (lt, rt) = (timing(liveness), timing(readiness));
    // A timing value we cannot read (a template, a typo) makes the probes not provably equal.
    lh == rh && ln.same_value(&rn) && lt.iter().all(Option::is_some) && lt == rt
}

impl Rule for IdenticalLivenessReadiness {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        for container in probed_containers(object) {
            let (Some((lkey, liveness)), Some((rkey, readiness))) = (
                container.node.entry("livenessProbe"),
                container.node.entry("readinessProbe"),
            ) else {
                continue;
            };
            if identical(liveness, readiness) {
                out.push(
                    Finding::new(
                        lkey,
                        format!(
                            "the liveness probe of `{}` is identical to its readiness probe",
                            container.display_name()
                        ),
                    )
                    .label(rkey, "same handler and timing as this readiness probe")
                    .help(
                        "make the liveness probe more tolerant (a higher failureThreshold or \
                         periodSeconds) or check something narrower (\"is the process alive\"), \
                         so a pod that is merely not ready leaves rotation instead of restarting",
                    ),
                );
            }
        }
    }
}
