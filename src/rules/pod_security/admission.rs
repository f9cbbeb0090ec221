//! What the PodSecurity admission controller would do with each `pod-security` finding.
//!
//! A finding carries its control's gate (`PolicyGate`). Here, once the run's Namespaces are
//! known, each is graded by the policy its object's namespace is under.

use crate::diagnostic::Diagnostic;
use crate::k8s::KubeVersion;

/// Drops the findings whose control does not hold in the version of the standards in force.
pub fn grade(diagnostics: &mut Vec<Diagnostic>, cluster: KubeVersion) {
    diagnostics.retain(|d| d.policy.is_none_or(|gate| gate.applies_in(cluster)));
}
