use super::super::{Finding, Options, Rule, declare_rule};
use crate::model::Object;
use crate::schema::Check;

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
        super::report(Check::InvalidValue, object, options, out);
    }
}
