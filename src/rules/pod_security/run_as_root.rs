use super::super::{Finding, Options, Rule, declare_rule};
use super::restricted::{context_unknown, fragment, templated};
use super::{all_containers, container_setting, describe, effective, is_true, pod_setting};
use crate::k8s::pod_security::{Level, PolicyGate};
use crate::model::Object;
use crate::model::pod::PodTemplate;

declare_rule! {
    /// ## What it does
    /// The Pod Security Standards' restricted controls "Running as Non-root" and "Running as
    /// Non-root user" (v1.23 on), judged as the admission controller judges them:
    ///
    /// - `runAsNonRoot` must be `true` for every container (init, sidecar, regular,
    ///   ephemeral): set on the container, or on the pod for the containers that do not set it.
    ///   A container that sets neither is reported at its `name` value (one finding per
    ///   container, as each must be covered; setting it once on the pod covers them all). An
    ///   explicit `runAsNonRoot: false` is reported at that value: on the pod once (the
    ///   containers that inherit it are not reported again), on a container even under a pod
    ///   that sets `true`.
    /// - `runAsUser: 0`, on the pod or a container, is reported at that value (v1.23 on).
    ///
    /// A pod that runs in its own user namespace (`hostUsers: false`) is exempt from both
    /// from v1.35 of the standards on (its root is not the node's root): its findings hold
    /// only for earlier versions. Windows pods are not exempt. Templated values are never
    /// reported, nor a missing `runAsNonRoot` where a `securityContext` is one template
    /// expression.
    ///
    /// Off by default: most published images run as root and most ordinary applications do
    /// not set `runAsNonRoot`, so it would report nearly every workload. It reports wherever
    /// a Namespace of the run enforces, warns or audits `restricted` (the category's admission
    /// grading), and when selected by id.
    ///
    /// ## Why is this bad
    /// Without `runAsNonRoot: true` the kubelet starts a container as whatever user its image
    /// names, root for most images. A root process that escapes the container (a kernel or
    /// runtime bug, a writable host mount) is root on the node. With it, the kubelet refuses
    /// to start a container that would run as uid 0, so an image change cannot silently bring
    /// root back. A namespace that enforces `restricted` refuses such pods outright.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: example/app:1.0
    ///       securityContext:
    ///         runAsUser: 0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///     runAsUser: 10001   # when the image's own user is root
    ///   containers:
    ///     - name: app
    ///       image: example/app:1.0
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 983 findings in 832 files. Read: 35 at random
    /// and every finding other than an unset `runAsNonRoot` (38: 12 `runAsUser: 0`, 3
    /// explicit `runAsNonRoot: false`, 23 containers that set a non-zero `runAsUser` but not
    /// `runAsNonRoot`), all true of the manifest. Three findings of the first read were on
    /// kustomize patches kubelint did not recognise as such (containers without an image):
    /// a missing setting is no longer reported on a container without an image. Off by
    /// default, as nearly every ordinary workload leaves `runAsNonRoot` unset.
    ///
    /// Against kube-linter's `run-as-non-root` fixtures: 2 of its 3 Deployments judged alike.
    /// The third (`app1`) has a container without an image, a fragment kubelint leaves
    /// alone. kube-linter also takes a non-zero `runAsUser` as enough; admission does not,
    /// and neither does this rule. kube-score's "Container Security Context User Group ID"
    /// (a uid or gid above 10000) is another question and is not mapped.
    pub struct RunAsRoot => "run-as-root";
}

/// The gate of a control the library lifts for pods in their own user namespace from v1.35.
fn gate(pod: &PodTemplate<'_>, gate: PolicyGate) -> PolicyGate {
    let user_namespace = pod.spec.get_some("hostUsers").and_then(|h| h.as_bool()) == Some(false);
    if user_namespace { gate.until(35) } else { gate }
}

const NON_ROOT_HELP: &str = "set `runAsNonRoot: true` in the pod's `securityContext` (or the \
                             container's), with a non-zero `runAsUser` if the image's user is root";
const USER_HELP: &str = "set `runAsUser` to a non-zero uid the image can run as (and \
                         `runAsNonRoot: true`), or remove it if the image's user is not root";

impl Rule for RunAsRoot {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        let non_root = gate(pod, PolicyGate::of(Level::Restricted));
        let user = gate(pod, PolicyGate::since(Level::Restricted, 23));

        let pod_non_root = pod_setting(pod, &["runAsNonRoot"]);
        // A pod-level `true` covers the containers that do not set it; a pod-level `false` is
        // reported once, at the pod, not again for each container inheriting it; a templated
        // value may be `true`.
        let pod_covers =
            pod_non_root.is_some_and(|v| is_true(v) || templated(v) || v.as_bool() == Some(false));
        if let Some(value) = pod_non_root.filter(|v| v.as_bool() == Some(false)) {
            out.push(
                Finding::new(
                    value,
                    "the pod sets `runAsNonRoot: false`: its containers may run as root",
                )
                .help(NON_ROOT_HELP)
                .policy(non_root),
            );
        }
        if let Some(value) = pod_setting(pod, &["runAsUser"]).filter(|v| v.as_i64() == Some(0)) {
            out.push(
                Finding::new(
                    value,
                    "the pod runs its containers as root (`runAsUser: 0`): a process that \
                     escapes one is root on the node",
                )
                .help(USER_HELP)
                .policy(user),
            );
        }

        for container in all_containers(pod) {
            match container_setting(&container, &["runAsNonRoot"]) {
                Some(value) if value.as_bool() == Some(false) => out.push(
                    Finding::new(
                        value,
                        format!(
                            "{} sets `runAsNonRoot: false`: it may run as root",
                            describe(&container)
                        ),
                    )
                    .help("set `runAsNonRoot: true` on the container, or remove it when the pod sets `true`")
                    .policy(non_root),
                ),
                // `true`, a template, or a value the API server rejects anyway.
                Some(_) => {}
                None if pod_covers || context_unknown(pod, &container) || fragment(&container) => {}
                None => {
                    let user = effective(pod, &container, &["runAsUser"])
                        .and_then(|u| Some((u.node.as_i64()?, u.from_pod)))
                        .filter(|&(uid, _)| uid != 0);
                    let message = match user {
                        Some((uid, from_pod)) => format!(
                            "{} runs as user {uid}{} but neither it nor its pod sets \
                             `runAsNonRoot: true`, which the restricted standard requires",
                            describe(&container),
                            if from_pod { " (the pod's `runAsUser`)" } else { "" }
                        ),
                        None => format!(
                            "{} may run as root: neither it nor its pod sets \
                             `runAsNonRoot: true`",
                            describe(&container)
                        ),
                    };
                    out.push(
                        Finding::new(container.anchor_node(), message)
                            .help(NON_ROOT_HELP)
                            .policy(non_root),
                    );
                }
            }
            if let Some(value) =
                container_setting(&container, &["runAsUser"]).filter(|v| v.as_i64() == Some(0))
            {
                out.push(
                    Finding::new(
                        value,
                        format!(
                            "{} runs as root (`runAsUser: 0`): a process that escapes it is \
                             root on the node",
                            describe(&container)
                        ),
                    )
                    .help(USER_HELP)
                    .policy(user),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::pod_security::restricted::tests::{gates, pod};

    #[test]
    fn user_namespaced_pods_are_exempt_from_v1_35() {
        let found = gates(
            &RunAsRoot,
            &pod("", "      securityContext: {runAsUser: 0}\n"),
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].1, PolicyGate::of(Level::Restricted));
        assert_eq!(found[1].1, PolicyGate::since(Level::Restricted, 23));

        let found = gates(
            &RunAsRoot,
            &pod(
                "  hostUsers: false\n",
                "      securityContext: {runAsUser: 0}\n",
            ),
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].1, PolicyGate::of(Level::Restricted).until(35));
        assert_eq!(
            found[1].1,
            PolicyGate::since(Level::Restricted, 23).until(35)
        );
    }

    #[test]
    fn windows_pods_are_not_exempt() {
        let found = gates(&RunAsRoot, &pod("  os: {name: windows}\n", ""));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, PolicyGate::of(Level::Restricted));
    }
}
