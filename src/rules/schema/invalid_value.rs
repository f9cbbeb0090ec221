use serde_json::Value;

use super::super::{Finding, Options, Rule, declare_rule};
use crate::model::Object;
use crate::model::violation::{Expected, InvalidValue as Invalid, ViolationKind};
use crate::parse::tree::Node;

declare_rule! {
    /// ## What it does
    /// Reports a value the schema of its field does not accept, at the value: the wrong type
    /// (a quoted `"3"` for `replicas`, a number where a string is expected), a value outside
    /// a closed set (`imagePullPolicy: always`), a malformed quantity (`memory: 512MB`), an
    /// integer out of its int32 or int64 range, Secret `data` that is not base64, or, for
    /// custom resources, whatever their CRD's schema constrains (patterns, lengths, ranges).
    ///
    /// ## Why is this bad
    /// The API server refuses the whole object (`cannot unmarshal string into Go struct field
    /// DeploymentSpec.spec.replicas of type int32`, `Unsupported value: "always"`), so the
    /// apply fails in the pipeline instead of in review.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   replicas: "3"
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: nginx:1.27
    ///           imagePullPolicy: always
    ///           resources:
    ///             limits: {memory: 512MB}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   replicas: 3
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: nginx:1.27
    ///           imagePullPolicy: Always
    ///           resources:
    ///             limits: {memory: 512Mi}
    /// ```
    pub struct InvalidValue => "invalid-value";
}

impl Rule for InvalidValue {
    fn check_object<'d>(&self, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
        for v in super::violations(object, options) {
            if let ViolationKind::InvalidValue(invalid) = &v.kind {
                let (message, help) = describe(invalid, v.node);
                let mut finding = super::finding(v, message);
                if let Some(help) = help {
                    finding = finding.help(help);
                }
                out.push(finding);
            }
        }
    }
}

/// The message and the help for an invalid value at `node`.
fn describe(invalid: &Invalid, node: Node<'_>) -> (String, Option<String>) {
    let what = match &invalid.field {
        Some(f) => format!("`{f}`"),
        None => "the value".to_owned(),
    };
    let actual = &invalid.actual;
    let shown = || match (actual, node.raw()) {
        (Value::String(s), _) => format!("`{s}`"),
        (_, Some(raw)) => format!("`{raw}`"),
        (other, None) => format!("`{other}`"),
    };
    match &invalid.expected {
        Expected::Type(types) => {
            let help = match actual {
                Value::Number(_) | Value::Bool(_) if types[..] == ["string"] => {
                    Some(format!("quote it: `\"{}\"`", node.raw().unwrap_or_default()))
                }
                Value::String(_) if node.is_quoted() => Some("remove the quotes".to_owned()),
                _ => None,
            };
            (format!("{what} must be {}, not {}", type_words(types), describe_type(actual)), help)
        }
        Expected::OneOf(options) => {
            let choices: Vec<&str> = options.iter().filter_map(Value::as_str).collect();
            let help = actual
                .as_str()
                .and_then(|s| choices.iter().find(|c| c.eq_ignore_ascii_case(s)))
                .map(|c| format!("did you mean `{c}`? values are case-sensitive"));
            (format!("{what} must be one of {}, not {}", super::quote_list(&choices), shown()), help)
        }
        Expected::Format(format) => match format.as_str() {
            "quantity" => (
                format!("{} is not a valid quantity for {what}", shown()),
                Some("a quantity is a number with an optional suffix: m, k, M, G, T, P, E (powers of 1000) or Ki, Mi, Gi, Ti, Pi, Ei (powers of 1024), such as `500m` or `1Gi`".to_owned()),
            ),
            "byte" => (
                format!("{what} must be base64-encoded"),
                Some("Secret `data` values are base64; put plain text under `stringData` instead".to_owned()),
            ),
            "date-time" => (format!("{} is not an RFC 3339 time for {what}", shown()), Some("such as `2024-01-31T12:00:00Z`".to_owned())),
            other => (format!("{} is not a valid {other} for {what}", shown()), None),
        },
        Expected::Minimum(limit) => (format!("{what} must be at least {limit}, not {}", shown()), None),
        Expected::Maximum(limit) => (format!("{what} must be at most {limit}, not {}", shown()), None),
        Expected::Constant(value) => (format!("{what} must be {value}, not {}", shown()), None),
        Expected::Other(message) => (format!("{what}: {message}"), None),
    }
}

/// What a value is, in words: `a string`, `a mapping`.
fn describe_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// JSON types in words: `a mapping or a string`.
fn type_words(types: &[&str]) -> String {
    types
        .iter()
        .map(|t| match *t {
            "object" => "a mapping".to_owned(),
            "array" => "a list".to_owned(),
            "integer" => "an integer".to_owned(),
            other => format!("a {other}"),
        })
        .collect::<Vec<_>>()
        .join(" or ")
}
