use super::super::{Finding, Options, Rule, declare_rule};
use super::{all_containers, container_setting, describe, literal, pod_annotations, pod_setting};
use crate::k8s::pod_security::{Level, PolicyGate};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports seccomp settings that the Pod Security Standards' baseline control "Seccomp"
    /// forbids (the admission controller of a namespace that enforces `baseline` or
    /// `restricted` refuses the pod), at the offending value:
    /// - from v1.19 of the standards on, `securityContext.seccompProfile.type` of the pod or
    ///   of a container (init, sidecar, regular or ephemeral) set to anything but
    ///   `RuntimeDefault` or `Localhost` — that is, `Unconfined`;
    /// - up to v1.18 (a namespace pinned to such a version), the pod's annotations
    ///   `seccomp.security.alpha.kubernetes.io/pod` and
    ///   `container.seccomp.security.alpha.kubernetes.io/<container>` (for a container the pod
    ///   has) set to anything but `runtime/default`, `docker/default` or `localhost/<profile>`.
    ///   From v1.19 on admission reads only the fields (and recent Kubernetes releases no
    ///   longer apply the annotations at all).
    ///
    /// Leaving seccomp unset is allowed by baseline; the restricted control that asks for a
    /// profile is `missing-seccomp-profile`.
    ///
    /// ## Why is this bad
    /// The runtime's default seccomp profile blocks the few dozen system calls a container has
    /// no use for and that most kernel exploits start with (`keyctl`, `unshare`, `bpf`,
    /// `add_key`, ...). `Unconfined` removes that filter for the container.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     seccompProfile:
    ///       type: Unconfined
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     seccompProfile:
    ///       type: RuntimeDefault   # or Localhost with a localhostProfile
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): no finding, at the default version and at
    /// `--kubernetes-version 1.18` (no `Unconfined` outside CRD schemas, no alpha seccomp
    /// annotation). On by default: a baseline control, and `Unconfined` is never set by accident.
    pub struct SeccompUnconfined => "seccomp-unconfined";
}

/// The fields count from v1.19 of the standards on.
const FIELD_GATE: PolicyGate = PolicyGate::since(Level::Baseline, 19);
/// The annotations count up to v1.18.
const ANNOTATION_GATE: PolicyGate = PolicyGate::of(Level::Baseline).until(19);

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

const FIELD_HELP: &str = "set `seccompProfile.type: RuntimeDefault` (or `Localhost` with a \
                          `localhostProfile`), or remove `seccompProfile`";

fn allowed_type(profile: &str) -> bool {
    matches!(profile, "RuntimeDefault" | "Localhost")
}

/// What a forbidden profile means for the containers it applies to.
fn consequence(profile: &str) -> &'static str {
    if profile.eq_ignore_ascii_case("unconfined") {
        "may make any system call"
    } else {
        "get a profile the baseline level does not know, not the runtime's default filter"
    }
}

fn allowed_annotation(profile: &str) -> bool {
    matches!(profile, "runtime/default" | "docker/default") || profile.starts_with("localhost/")
}

impl Rule for SeccompUnconfined {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        let type_path = ["seccompProfile", "type"];
        if let Some(node) = pod_setting(pod, &type_path)
            && let Some(profile) = literal(node).filter(|p| !allowed_type(p))
        {
            out.push(
                Finding::new(
                    node,
                    format!(
                        "the pod sets the seccomp profile `{profile}` for every container that \
                         does not choose its own: they {}",
                        consequence(profile)
                    ),
                )
                .help(FIELD_HELP)
                .policy(FIELD_GATE),
            );
        }
        let containers = all_containers(pod);
        for container in &containers {
            let Some(node) = container_setting(container, &type_path) else {
                continue;
            };
            let Some(profile) = literal(node).filter(|p| !allowed_type(p)) else {
                continue;
            };
            out.push(
                Finding::new(
                    node,
                    format!(
                        "{} sets the seccomp profile `{profile}`: its processes {}",
                        describe(container),
                        consequence(profile)
                    ),
                )
                .help(FIELD_HELP)
                .policy(FIELD_GATE),
            );
        }
        for (key, node) in pod_annotations(pod) {
            let whom = if key == POD_ANNOTATION {
                "the pod".to_owned()
            } else if let Some(name) = key.strip_prefix(CONTAINER_ANNOTATION_PREFIX)
                && let Some(container) = containers.iter().find(|c| c.name == Some(name))
            {
                describe(container)
            } else {
                continue;
            };
            // Admission reads a value that is there, even an empty one.
            let profile = if node.is_null() {
                Some("")
            } else {
                literal(node)
            };
            let Some(profile) = profile.filter(|p| !allowed_annotation(p)) else {
                continue;
            };
            out.push(
                Finding::new(
                    node,
                    format!(
                        "the annotation gives {whom} {}, which a namespace pinned to a policy \
                         older than v1.19 refuses",
                        if profile.is_empty() {
                            "an empty seccomp profile".to_owned()
                        } else {
                            format!("the seccomp profile `{profile}`")
                        }
                    ),
                )
                .help(format!(
                    "set `seccompProfile.type: RuntimeDefault` in the securityContext and \
                     remove `{key}` (or set it to `runtime/default`)"
                ))
                .policy(ANNOTATION_GATE),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::pod_security::gated_findings;

    #[test]
    fn annotations_count_before_v1_19_and_fields_from_it() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: unconfined\n    container.seccomp.security.alpha.kubernetes.io/a: ''\n    container.seccomp.security.alpha.kubernetes.io/b: docker/default\n    container.seccomp.security.alpha.kubernetes.io/ghost: unconfined\n    container.seccomp.security.alpha.kubernetes.io/c: localhost/x\nspec:\n  containers:\n  - name: a\n    image: a\n    securityContext:\n      seccompProfile: {type: Unconfined}\n  - {name: b, image: b}\n  - {name: c, image: c}\n";
        let found = gated_findings(&SeccompUnconfined, yaml);
        let annotations = "/metadata/annotations/";
        assert_eq!(
            found,
            vec![
                (
                    "/spec/containers/0/securityContext/seccompProfile/type".to_owned(),
                    FIELD_GATE
                ),
                (
                    format!("{annotations}seccomp.security.alpha.kubernetes.io~1pod"),
                    ANNOTATION_GATE
                ),
                (
                    format!("{annotations}container.seccomp.security.alpha.kubernetes.io~1a"),
                    ANNOTATION_GATE
                ),
            ]
        );
    }
}
