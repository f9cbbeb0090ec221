use super::super::{Finding, Options, Rule, declare_rule};
use super::{all_containers, container_setting, describe, literal, pod_annotations, pod_setting};
use crate::k8s::pod_security::{Level, PolicyGate};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports AppArmor settings that the Pod Security Standards' baseline control
    /// "AppArmor" forbids, in every version of the standards (the admission controller of a
    /// namespace that enforces `baseline` or `restricted` refuses the pod):
    /// - `securityContext.appArmorProfile.type` of the pod or of a container (init, sidecar,
    ///   regular or ephemeral) set to anything but `RuntimeDefault` or `Localhost` — that is,
    ///   `Unconfined` — at that value;
    /// - a `container.apparmor.security.beta.kubernetes.io/<container>` annotation of the pod
    ///   (the pod template's, for a workload) whose value is not empty, `runtime/default` or
    ///   `localhost/<profile>` — that is, `unconfined` — at that value.
    ///
    /// ## Why is this bad
    /// The container runtime confines every container with its default AppArmor profile,
    /// which denies writes to `/proc` and `/sys`, mounts and raw kernel interfaces. An
    /// unconfined container keeps only its capabilities and seccomp between a compromised
    /// process and the node.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: example/app:1.0
    ///       securityContext:
    ///         appArmorProfile:
    ///           type: Unconfined
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: example/app:1.0
    ///       securityContext:
    ///         appArmorProfile:
    ///           type: RuntimeDefault   # or Localhost with a localhostProfile
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 1 finding, read, true: Istio's `install-cni`
    /// DaemonSet annotated `unconfined`. The corpus has no `appArmorProfile` field outside CRD
    /// schemas. On by default: a baseline control, and nothing sets it by accident.
    pub struct ApparmorUnconfined => "apparmor-unconfined";
}

const GATE: PolicyGate = PolicyGate::of(Level::Baseline);

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn allowed_type(profile: &str) -> bool {
    matches!(profile, "RuntimeDefault" | "Localhost")
}

/// What a forbidden profile means for the containers it applies to.
fn consequence(profile: &str) -> &'static str {
    if profile.eq_ignore_ascii_case("unconfined") {
        "without the runtime's AppArmor confinement"
    } else {
        "with a profile the baseline level does not know, not the runtime's default"
    }
}

fn allowed_annotation(profile: &str) -> bool {
    profile.is_empty() || profile == "runtime/default" || profile.starts_with("localhost/")
}

impl Rule for ApparmorUnconfined {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        let type_path = ["appArmorProfile", "type"];
        if let Some(node) = pod_setting(pod, &type_path)
            && let Some(profile) = literal(node).filter(|p| !allowed_type(p))
        {
            out.push(
                Finding::new(
                    node,
                    format!(
                        "the pod sets the AppArmor profile `{profile}` for every container \
                         that does not choose its own: they run {}",
                        consequence(profile)
                    ),
                )
                .help("set `appArmorProfile.type: RuntimeDefault` (or `Localhost` with a `localhostProfile`), or remove `appArmorProfile`")
                .policy(GATE),
            );
        }
        for container in all_containers(pod) {
            let Some(node) = container_setting(&container, &type_path) else {
                continue;
            };
            let Some(profile) = literal(node).filter(|p| !allowed_type(p)) else {
                continue;
            };
            out.push(
                Finding::new(
                    node,
                    format!(
                        "{} sets the AppArmor profile `{profile}`: it runs {}",
                        describe(&container),
                        consequence(profile)
                    ),
                )
                .help("set `appArmorProfile.type: RuntimeDefault` (or `Localhost` with a `localhostProfile`), or remove `appArmorProfile`")
                .policy(GATE),
            );
        }
        for (key, node) in pod_annotations(pod) {
            let Some(container) = key.strip_prefix(ANNOTATION_PREFIX) else {
                continue;
            };
            let Some(profile) = literal(node).filter(|p| !allowed_annotation(p)) else {
                continue;
            };
            out.push(
                Finding::new(
                    node,
                    format!(
                        "the annotation gives container `{container}` the AppArmor profile \
                         `{profile}`: it runs {}",
                        consequence(profile)
                    ),
                )
                .help(format!(
                    "set `{key}` to `runtime/default` (or `localhost/<profile>`), or remove it"
                ))
                .policy(GATE),
            );
        }
    }
}
