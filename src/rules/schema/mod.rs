//! Schema rules: each reports one kind of what `crate::schema` finds when it validates an
//! object against the strict schema of its kind (or its CRD), and words it: the schema
//! stage returns what failed and where, the message and the help are made here.

pub mod invalid_hpa_spec;
pub mod invalid_ingress_spec;
pub mod invalid_label;
pub mod invalid_name;
pub mod invalid_network_policy_spec;
pub mod invalid_pdb_spec;
pub mod invalid_pod_spec;
pub mod invalid_resources;
pub mod invalid_service_spec;
pub mod invalid_value;
pub mod invalid_workload_spec;
pub mod missing_required_field;
pub mod unknown_field;
pub mod unknown_kind;

use super::{Finding, Options};
use crate::model::Object;
use crate::schema::{self, Violation};

/// The violations of `object`, validating it if no schema rule did yet.
fn violations<'o, 'd>(object: &'o Object<'d>, options: &Options) -> &'o [Violation<'d>] {
    schema::violations(object, options.target, &options.catalog)
}

/// A finding shown at the violation's node, whose JSON pointer names what it is about.
fn finding<'d>(violation: &Violation<'d>, message: String) -> Finding<'d> {
    let finding = Finding::new(violation.node, message);
    match violation.subject {
        Some(subject) => finding.subject(subject),
        None => finding,
    }
}

/// `` `a`, `b`, `c` ``
fn quote_list(items: &[impl AsRef<str>]) -> String {
    items
        .iter()
        .map(|i| format!("`{}`", i.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value someone is to fill in before applying: a template expression, or text written as
/// documentation examples write placeholders (`<your domain>`, `__INGRESS_HOST__`, `PORT`).
/// The `invalid-*-spec` rules do not report these: the API server never sees them as written.
fn is_placeholder(value: &str) -> bool {
    crate::model::is_templated(value)
        || value.contains(['<', '>'])
        || value.contains("__")
        || (value.bytes().any(|b| b.is_ascii_uppercase())
            && !value.bytes().any(|b| b.is_ascii_lowercase()))
}

/// The API server validates a StatefulSet's pod template for its labels, `restartPolicy` and
/// `activeDeadlineSeconds` only (`ValidatePodTemplateSpecForStatefulSet` leaves the rest out):
/// it accepts the StatefulSet and refuses each pod its controller then tries to create. The
/// pod-spec findings on a StatefulSet say so instead of "the API server refuses the object".
pub(crate) fn reword_for_statefulset_pods(findings: &mut [super::Finding<'_>]) {
    for finding in findings {
        finding.message = for_statefulset_pods(&finding.message);
    }
}

pub(crate) fn for_statefulset_pods(message: &str) -> String {
    const PODS_REFUSED: &str = "the API server accepts the StatefulSet but refuses each of its pods, so its controller creates none";
    message
        .replace("the API server refuses the object", PODS_REFUSED)
        .replace("the API server refuses it", PODS_REFUSED)
        .replace(
            "is refused by the API server",
            "is refused by the API server in every pod of the StatefulSet (it accepts the StatefulSet; its controller creates no pod)",
        )
}
