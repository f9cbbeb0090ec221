//! The Pod Security Standards (category `pod-security`): one rule per control of the
//! `baseline` and `restricted` levels, judged as the PodSecurity admission controller
//! (`k8s.io/pod-security-admission/policy`) judges it.
//!
//! Each finding carries its control's `PolicyGate` (level, and the versions of the standards
//! under which it is a violation). After every file is read, `admission` grades the findings
//! against the policy of the object's namespace (its Namespace's `pod-security.kubernetes.io/`
//! labels, else the configuration's `pod-security:` defaults): what that namespace's `enforce`
//! level refuses becomes an error saying so, `warn`/`audit` a warning, and a finding whose
//! gate excludes the version in force is dropped.
//!
//! The helpers here combine pod- and container-level settings as the admission library does:
//! a container's `securityContext` field overrides the pod's, and every container kind counts
//! (init, sidecar, regular, and a Pod's ephemeral containers).

pub mod admission;
pub mod capabilities_not_dropped;
pub mod missing_seccomp_profile;
pub mod privilege_escalation_allowed;
pub mod privileged_container;
mod restricted;
pub mod restricted_volume_types;
pub mod run_as_root;

use crate::model::pod::{Container, PodTemplate};
use crate::parse::tree::Node;

/// Every container the admission controller checks: init containers (sidecars included),
/// regular containers, and a Pod's ephemeral containers.
pub(crate) fn all_containers<'d>(pod: &PodTemplate<'d>) -> Vec<Container<'d>> {
    let mut all = pod.containers.clone();
    all.extend(pod.ephemeral_containers());
    all
}

/// The pod's `securityContext` mapping, if set.
pub(crate) fn pod_context<'d>(pod: &PodTemplate<'d>) -> Option<Node<'d>> {
    pod.spec.get_some("securityContext").filter(|n| n.is_map())
}

/// The container's `securityContext` mapping, if set.
pub(crate) fn container_context<'d>(container: &Container<'d>) -> Option<Node<'d>> {
    container.get("securityContext").filter(|n| n.is_map())
}

/// A field of the container's `securityContext` (`path` below it), null treated as unset.
pub(crate) fn container_setting<'d>(container: &Container<'d>, path: &[&str]) -> Option<Node<'d>> {
    container_context(container)?
        .path(path)
        .filter(|n| !n.is_null())
}

/// A field of the pod's `securityContext` (`path` below it), null treated as unset.
pub(crate) fn pod_setting<'d>(pod: &PodTemplate<'d>, path: &[&str]) -> Option<Node<'d>> {
    pod_context(pod)?.path(path).filter(|n| !n.is_null())
}

/// Where a setting that both levels have comes from for one container.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Effective<'d> {
    pub node: Node<'d>,
    /// Set on the pod and not overridden by the container.
    pub from_pod: bool,
}

/// A setting that both the pod and the container may set (`runAsNonRoot`, `runAsUser`,
/// `seccompProfile`, `seLinuxOptions`, `appArmorProfile`, `windowsOptions`): the container's
/// value, else the pod's.
pub(crate) fn effective<'d>(
    pod: &PodTemplate<'d>,
    container: &Container<'d>,
    path: &[&str],
) -> Option<Effective<'d>> {
    if let Some(node) = container_setting(container, path) {
        return Some(Effective {
            node,
            from_pod: false,
        });
    }
    pod_setting(pod, path).map(|node| Effective {
        node,
        from_pod: true,
    })
}

/// A Windows pod (`spec.os.name: windows`): since v1.25 of the standards, some restricted
/// controls do not apply to it.
pub(crate) fn is_windows(pod: &PodTemplate<'_>) -> bool {
    pod.spec
        .get_some("os")
        .and_then(|os| os.get_str("name"))
        .is_some_and(|name| name == "windows")
}

/// `true` as the API server reads a boolean field.
pub(crate) fn is_true(node: Node<'_>) -> bool {
    node.as_bool() == Some(true)
}

/// How a finding names the container it is about: "container `app`", "init container `setup`".
pub(crate) fn describe(container: &Container<'_>) -> String {
    format!(
        "{} `{}`",
        container.kind.describe(),
        container.display_name()
    )
}
