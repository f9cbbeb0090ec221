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
//! The helpers here read pod- and container-level settings as the admission library does:
//! for `runAsNonRoot` and the restricted seccomp profile a container's value overrides the
//! pod's (`effective`); other fields each level sets are judged at each level on their own.
//! Every container kind counts (init, sidecar, regular, and a Pod's ephemeral containers).

pub mod added_capabilities;
pub mod admission;
pub mod apparmor_unconfined;
pub mod capabilities_not_dropped;
pub mod host_ipc;
pub mod host_network;
pub mod host_path_volume;
pub mod host_pid;
pub mod host_port;
pub mod host_probe_lifecycle;
pub mod host_process;
pub mod missing_seccomp_profile;
pub mod privilege_escalation_allowed;
pub mod privileged_container;
mod restricted;
pub mod restricted_volume_types;
pub mod run_as_root;
pub mod seccomp_unconfined;
pub mod selinux_options;
pub mod unsafe_proc_mount;
pub mod unsafe_sysctls;

use crate::model::pod::{Container, PodTemplate};

/// The category's name in `rules/rules.yaml`.
pub const CATEGORY: &str = "pod-security";
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

/// A setting that both the pod and the container may set, where the container's value replaces
/// the pod's for that container (`runAsNonRoot`, the restricted `seccompProfile`): the
/// container's value, else the pod's.
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
/// The edit that sets `securityContext.<key>: <value>` on a container: the existing value
/// replaced, else the key added to its `securityContext`, else a `securityContext` added.
pub(crate) fn set_container_setting<'d>(
    container: &Container<'d>,
    key: &'static str,
    value: &'static str,
) -> crate::rules::EditSpec<'d> {
    use crate::rules::NewValue;
    crate::rules::EditSpec::SetEntry {
        map: container.node,
        key: "securityContext",
        value: NewValue::Map(key, Box::new(NewValue::Scalar(value))),
    }
}

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

/// A string value as the API server will see it: `None` for anything else, and for a
/// placeholder a template engine fills in (`{{ .Values.x }}`), whose value is not known.
pub(crate) fn literal<'d>(node: Node<'d>) -> Option<&'d str> {
    node.as_str()
        .filter(|text| !crate::model::is_templated(text))
}

/// The pod's annotations (the template's, for a workload): (key, value node) for each one.
pub(crate) fn pod_annotations<'d>(
    pod: &PodTemplate<'d>,
) -> impl Iterator<Item = (&'d str, Node<'d>)> + use<'d> {
    pod.metadata
        .and_then(|m| m.get_some("annotations"))
        .into_iter()
        .flat_map(|a| a.entries())
        .filter_map(|(key, value)| Some((key.key_text()?, value)))
}

/// For the rules' tests: each finding of `rule` on the first object of `yaml`, as its JSON
/// pointer and gate, whatever the version (the gates are what is tested).
#[cfg(test)]
pub(crate) fn gated_findings(
    rule: &dyn crate::rules::Rule,
    yaml: &str,
) -> Vec<(String, crate::k8s::pod_security::PolicyGate)> {
    let lines = crate::parse::lines::LineIndex::new(yaml);
    let stream = crate::parse::parse_stream(yaml, &lines);
    let crate::model::Modeled::Objects(objects) = crate::model::objects_of(&stream.documents[0])
    else {
        panic!("not an object: {yaml}");
    };
    let mut out = Vec::new();
    rule.check_object(&objects[0], &crate::rules::Options::default(), &mut out);
    out.into_iter()
        .map(|f| (f.node.pointer(), f.policy.expect("every finding is gated")))
        .collect()
}
