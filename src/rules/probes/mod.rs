pub mod identical_liveness_readiness;
pub mod missing_liveness_probe;
pub mod missing_readiness_probe;
pub mod probe_unknown_port;

use super::Finding;
use crate::model::{Container, Object};

/// The containers that should carry probes: regular containers and native sidecars of pods
/// that are meant to keep running. Init containers run to completion and cannot have them.
pub(crate) fn probed_containers<'o, 'd>(
    object: &'o Object<'d>,
) -> impl Iterator<Item = &'o Container<'d>> {
    object
        .pod
        .iter()
        .filter(|pod| pod.is_long_running())
        .flat_map(|pod| pod.long_running_containers())
}

/// The handler keys of a probe: exactly one is set on a valid probe.
pub(crate) const HANDLERS: [&str; 4] = ["exec", "httpGet", "tcpSocket", "grpc"];

/// Reports every probed container that lacks the probe `field` (`readinessProbe`, …).
pub(crate) fn report_missing<'d>(
    object: &Object<'d>,
    field: &str,
    probe: &str,
    help: &str,
    out: &mut Vec<Finding<'d>>,
) {
    for container in probed_containers(object) {
        if container.get(field).is_none() {
            out.push(
                Finding::new(
                    container.anchor_node(),
                    format!(
                        "{} `{}` has no {probe} probe",
                        container.kind.describe(),
                        container.display_name()
                    ),
                )
                .help(help),
            );
        }
    }
}
