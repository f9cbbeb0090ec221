//! What the `restricted` rules share: settings a Helm template leaves unknown, and the
//! Windows exemption of v1.25.

use crate::k8s::pod_security::PolicyGate;
use crate::model::is_templated;
use crate::model::pod::{Container, PodTemplate};
use crate::parse::tree::Node;
use crate::rules::Finding;

/// A scalar whose value a template fills in (`{{ .Values.x }}`, `${X}`): unknown, never a
/// finding.
pub(super) fn templated(node: Node<'_>) -> bool {
    node.raw().is_some_and(is_templated)
}

/// Whether the container's or the pod's whole `securityContext` is a template expression: what
/// it sets is unknown, so a missing setting cannot be told from one the template supplies.
/// For a field both may set (`runAsNonRoot`, `seccompProfile`).
pub(super) fn context_unknown(pod: &PodTemplate<'_>, container: &Container<'_>) -> bool {
    container_context_unknown(container) || pod.spec.get("securityContext").is_some_and(templated)
}

/// For a field only the container sets (`allowPrivilegeEscalation`, `capabilities`).
pub(super) fn container_context_unknown(container: &Container<'_>) -> bool {
    container.node.get("securityContext").is_some_and(templated)
}

/// The gate of a restricted control the admission library stops applying to Windows pods
/// (`spec.os.name: windows`) from v1.25 of the standards on.
pub(super) fn windows_exempt(pod: &PodTemplate<'_>, gate: PolicyGate) -> PolicyGate {
    if super::is_windows(pod) {
        gate.until(25)
    } else {
        gate
    }
}

/// Replaces the help of findings on a Windows pod: its API validation refuses the Linux
/// settings the usual help asks for, so the only fix is the version of the standards that
/// exempts Windows pods from the control.
pub(super) fn windows_help(pod: &PodTemplate<'_>, findings: &mut [Finding<'_>]) {
    if !super::is_windows(pod) {
        return;
    }
    for finding in findings {
        finding.help = Some(
            "a Windows pod cannot set this Linux setting (the API server refuses it there); \
             versions of the standards from v1.25 on exempt Windows pods from this control, so \
             pin the namespace's `pod-security.kubernetes.io/<mode>-version` to v1.25 or later, \
             or `latest`"
                .to_owned(),
        );
    }
}

/// A container without an `image`: a fragment (a kustomize patch kubelint did not recognise as
/// one), whose base may well set what the fragment leaves out. The API server requires an
/// image, so a complete object always has one. Only a missing setting is excused this way;
/// a value the fragment itself sets is judged.
pub(super) fn fragment(container: &Container<'_>) -> bool {
    container.get("image").is_none()
}

#[cfg(test)]
pub(super) mod tests {
    use crate::k8s::pod_security::PolicyGate;
    use crate::model::{Modeled, objects_of};
    use crate::parse::lines::LineIndex;
    use crate::parse::parse_stream;
    use crate::rules::{Options, Rule};

    /// Each finding of `rule` on the manifest: its message and its gate.
    pub fn gates(rule: &dyn Rule, text: &str) -> Vec<(String, PolicyGate)> {
        let lines = LineIndex::new(text);
        let stream = parse_stream(text, &lines);
        let mut out = Vec::new();
        for doc in &stream.documents {
            let Modeled::Objects(objects) = objects_of(doc) else {
                continue;
            };
            for object in &objects {
                rule.check_object(object, &Options::default(), &mut out);
            }
        }
        out.into_iter()
            .map(|f| {
                (
                    f.message,
                    f.policy.expect("every pod-security finding has a gate"),
                )
            })
            .collect()
    }

    /// A Pod with one container `app`: `pod` is indented under `spec:`, `container` under the
    /// container.
    pub fn pod(pod: &str, container: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n{pod}  containers:\n    - name: app\n      image: example/app:1.0\n{container}"
        )
    }
}
