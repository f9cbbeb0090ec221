use super::super::{EditSpec, Finding, FixSpec, Options, Rule, declare_rule};
use crate::model::Object;
use crate::model::violation::{self, SchemaSource, ViolationKind};
use crate::parse::tree::Node;
use crate::text::edit_distance;

declare_rule! {
    /// ## What it does
    /// Reports a field that the schema of the object's kind does not have, at the key, with
    /// the closest field that does exist ("did you mean `livenessProbe`?"). Built-in kinds are
    /// checked against the schemas of the target Kubernetes version (`--kubernetes-version`,
    /// 1.33 to 1.37); custom resources against the `openAPIV3Schema` of their
    /// CustomResourceDefinition when the run has it (among the inputs, `--context` or
    /// `--crds`), honouring `x-kubernetes-preserve-unknown-fields`. A key is unknown whatever
    /// its value: `bogus:` with nothing after it is reported too.
    ///
    /// ## Why is this bad
    /// A misspelt or misplaced field does nothing. `kubectl apply` rejects it under strict
    /// field validation, and older clients and controllers drop it silently: the probe,
    /// limit or toleration the author wrote never exists in the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: nginx:1.27
    ///     livenessprobe:
    ///       httpGet: {path: /healthz, port: 8080}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: nginx:1.27
    ///     livenessProbe:
    ///       httpGet: {path: /healthz, port: 8080}
    /// ```
    ///
    /// ## Fix
    /// `--fix` renames the key to the field it is a typo of, when that is one or two edits away and
    /// the mapping does not have that field already.
    pub struct UnknownField => "unknown-field";
}

impl Rule for UnknownField {
    fn check_object<'d>(&self, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
        for v in super::violations(object, options) {
            if let ViolationKind::UnknownField(field) = &v.kind {
                let message = format!("unknown field `{}` in {}", field.name, field.type_name);
                let mut finding = super::finding(v, message).help(help(field));
                finding.fix = rename(v.node, field);
                out.push(finding);
            }
        }
    }
}

fn help(field: &violation::UnknownField) -> String {
    if let Some(suggestion) = closest(&field.name, &field.allowed) {
        return format!("did you mean `{suggestion}`?");
    }
    match field.schema {
        SchemaSource::Builtin(version) => format!(
            "{} has no such field in Kubernetes {version}; the API server rejects it under strict field validation and drops it otherwise",
            field.type_name
        ),
        SchemaSource::Crd => {
            "the CustomResourceDefinition's schema has no such field; the API server prunes it"
                .to_owned()
        }
    }
}

/// A typo one or two edits away from a field the mapping does not have yet: renaming the key
/// is what the author meant, and keeps its value, comments and place.
fn rename<'d>(key: Node<'d>, field: &violation::UnknownField) -> Option<FixSpec<'d>> {
    let suggestion = closest(&field.name, &field.allowed)?;
    let distance = edit_distance(&field.name, suggestion);
    let taken = key
        .parent()
        .is_some_and(|map| map.entries().any(|(k, _)| k.key_text() == Some(suggestion)));
    if !(1..=2).contains(&distance) || taken || key.key_text() != Some(field.name.as_str()) {
        return None;
    }
    Some(FixSpec::safe(
        format!("rename `{}` to `{suggestion}`", field.name),
        vec![EditSpec::RenameKey {
            key,
            to: suggestion.to_owned(),
        }],
    ))
}

/// The field of `allowed` that `name` is most likely a typo of, ignoring case.
fn closest<'a>(name: &str, allowed: &'a [String]) -> Option<&'a str> {
    let lower = name.to_lowercase();
    allowed
        .iter()
        .map(|a| (edit_distance(&lower, &a.to_lowercase()), a.as_str()))
        .filter(|(d, a)| *d <= 2.max(a.len() / 4) && *d < a.len())
        .min()
        .map(|(_, a)| a)
}
