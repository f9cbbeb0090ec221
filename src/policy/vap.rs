//! ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding objects, read into policies.

use std::sync::Arc;

use crate::diagnostic::Severity;
use crate::index::{Selector, SelectorField};
use crate::model::Object;
use crate::parse::tree::Node;

use super::discover::Problems;
use super::expr::Expression;
use super::matching::Match;
use super::{Binding, ParamRef, Policy, Validation};

pub const GROUP: &str = "admissionregistration.k8s.io";

pub fn is_policy(object: &Object<'_>) -> bool {
    object.kind == "ValidatingAdmissionPolicy" && crate::k8s::group_of(object.api_version) == GROUP
}

pub fn is_binding(object: &Object<'_>) -> bool {
    object.kind == "ValidatingAdmissionPolicyBinding"
        && crate::k8s::group_of(object.api_version) == GROUP
}

/// A binding, until the policies are all read.
#[derive(Debug)]
pub struct BindingDraft {
    pub policy_name: String,
    pub binding: Binding,
    /// Where the binding names its policy, for a binding to no policy.
    pub policy_name_at: Option<(Arc<str>, crate::diagnostic::Location)>,
}

/// Compiles the expression at `node`: `Ok(None)` when it cannot be evaluated offline (it asks
/// the authorizer: said at the expression), `Err` when it does not compile (said at its column).
pub fn compile(node: Node<'_>, problems: &mut Problems<'_>) -> Result<Option<Expression>, ()> {
    let Some(source) = node.as_str() else {
        problems.invalid(node, "an expression must be a string".to_owned());
        return Err(());
    };
    match Expression::compile(source) {
        Ok(e) if e.uses_authorizer => {
            let column = source
                .find("authorizer")
                .map_or(0, |byte| source[..byte].chars().count());
            problems.not_evaluated_at(
                node,
                column,
                "this expression asks the `authorizer`, which only a live API server can answer: kubelint skips it".to_owned(),
            );
            Ok(None)
        }
        Ok(e) => Ok(Some(e)),
        Err(error) => {
            problems.invalid_at(node, error.column, format!("CEL: {}", error.message));
            Err(())
        }
    }
}

/// The named expressions of a list (`matchConditions`, `variables`).
/// Every expression is compiled, so that each error is reported; any error (or an entry that
/// asks the authorizer, which leaves the policy unknowable) gives `None`.
fn named(list: Option<Node<'_>>, problems: &mut Problems<'_>) -> Option<Vec<(String, Expression)>> {
    let mut out = Some(Vec::new());
    for item in list.into_iter().flat_map(|l| l.items()) {
        let name = item.get_str("name").unwrap_or_default().to_owned();
        let Some(expression) = item.get("expression") else {
            problems.invalid(item, "each entry needs an `expression`".to_owned());
            out = None;
            continue;
        };
        match compile(expression, problems) {
            Ok(Some(e)) => {
                if let Some(list) = &mut out {
                    list.push((name, e));
                }
            }
            _ => out = None,
        }
    }
    out
}

/// The validations, each compiled so that every error is reported; `None` if any has one. A
/// validation that asks the authorizer is left out (said at it), the others run.
pub fn validations(list: Option<Node<'_>>, problems: &mut Problems<'_>) -> Option<Vec<Validation>> {
    let mut out = Some(Vec::new());
    for item in list.into_iter().flat_map(|l| l.items()) {
        let Some(expression) = item.get("expression") else {
            problems.invalid(item, "a validation needs an `expression`".to_owned());
            out = None;
            continue;
        };
        let message_expression = match item.get_some("messageExpression") {
            Some(node) => compile(node, problems),
            None => Ok(None),
        };
        let (expression, message_expression) =
            match (compile(expression, problems), message_expression) {
                (Ok(Some(e)), Ok(m)) => (e, m),
                // Asks the authorizer: skipped, as said at it.
                (Ok(None), Ok(_)) => continue,
                _ => {
                    out = None;
                    continue;
                }
            };
        if let Some(list) = &mut out {
            list.push(Validation {
                expression,
                message: item.get_str("message").map(str::to_owned),
                message_expression,
                reason: item.get_str("reason").map(str::to_owned),
            });
        }
    }
    out
}

/// The policy, or `None` when it cannot be evaluated (errors are reported through `problems`).
pub fn read_policy(
    object: &Object<'_>,
    file: &Arc<str>,
    problems: &mut Problems<'_>,
) -> Option<Policy> {
    let name = object.name?;
    let spec = object.root.get_some("spec")?;
    let conditions = named(spec.get_some("matchConditions"), problems);
    let variables = named(spec.get_some("variables"), problems);
    let validations = validations(spec.get_some("validations"), problems);
    let (conditions, variables, validations) = (conditions?, variables?, validations?);
    let param_kind = spec.get_some("paramKind").map(|p| {
        (
            crate::k8s::group_of(p.get_str("apiVersion").unwrap_or_default()).to_owned(),
            p.get_str("kind").unwrap_or_default().to_owned(),
        )
    });
    let id: &'static str = Box::leak(format!("vap/{name}").into_boxed_str());
    Some(Policy {
        id,
        summary: format!("ValidatingAdmissionPolicy `{name}`"),
        help: None,
        file: file.clone(),
        matches: spec
            .get_some("matchConstraints")
            .map(Match::read_resources)
            .unwrap_or_default(),
        conditions,
        variables,
        validations,
        param_kind,
        fail_on_error: spec.get_str("failurePolicy") != Some("Ignore"),
        bindings: Vec::new(),
        reads: std::sync::OnceLock::new(),
    })
}

pub fn read_binding(object: &Object<'_>, problems: &mut Problems<'_>) -> Option<BindingDraft> {
    let spec = object.root.get_some("spec")?;
    let policy_name = spec.get_str("policyName")?.to_owned();
    let actions: Vec<&str> = spec
        .get_some("validationActions")
        .map(|l| l.items().filter_map(|i| i.as_str()).collect())
        .unwrap_or_default();
    // Deny refuses the request; Warn shows the user a warning; Audit only writes the audit log.
    let severity = if actions.contains(&"Deny") {
        Severity::Error
    } else if actions.contains(&"Warn") {
        Severity::Warning
    } else {
        Severity::Info
    };
    let param_ref = spec.get_some("paramRef").map(|p| ParamRef {
        name: p.get_str("name").map(str::to_owned),
        namespace: p.get_str("namespace").map(str::to_owned),
        selector: match Selector::label_selector(p.get_some("selector")) {
            SelectorField::Selector(s) => Some(s),
            _ => None,
        },
        deny_when_missing: p.get_str("parameterNotFoundAction") != Some("Allow"),
    });
    Some(BindingDraft {
        policy_name,
        binding: Binding {
            name: object.name.unwrap_or_default().to_owned(),
            resources: spec.get_some("matchResources").map(Match::read_resources),
            param_ref,
            severity,
        },
        policy_name_at: spec.get("policyName").map(|n| problems.location_of(n)),
    })
}
