use super::super::{Finding, Options, Rule, declare_rule};
use crate::model::Object;
use crate::model::violation::ViolationKind;

declare_rule! {
    /// ## What it does
    /// Reports a mapping that lacks a field its schema requires — a container without `name`,
    /// a pod spec without `containers`, a port without `containerPort`, a
    /// CustomResourceDefinition without `spec`, a custom resource without what its CRD
    /// requires — at the key of the mapping that lacks it (for a list item, or the object
    /// itself, at its first line; the finding's JSON pointer names the mapping). A required
    /// field set to `null` counts as missing, as it does for the API server.
    ///
    /// ## Why is this bad
    /// The API server rejects the object (`spec.containers[0].name: Required value`).
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - image: nginx:1.27
    ///     ports:
    ///       - name: http
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: nginx:1.27
    ///     ports:
    ///       - name: http
    ///         containerPort: 8080
    /// ```
    pub struct MissingRequiredField => "missing-required-field";
}

impl Rule for MissingRequiredField {
    fn check_object<'d>(&self, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
        for v in super::violations(object, options) {
            if let ViolationKind::MissingRequiredField(missing) = &v.kind {
                let message = format!(
                    "missing required field `{}` in {}",
                    missing.field, missing.type_name
                );
                let mut finding = super::finding(v, message);
                if missing.set_to_null {
                    finding = finding.help(format!(
                        "`{}` is set to null, which the API server reads as absent",
                        missing.field
                    ));
                }
                out.push(finding);
            }
        }
    }
}
