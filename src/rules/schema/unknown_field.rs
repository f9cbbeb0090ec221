use super::super::{Finding, Options, Rule, declare_rule};
use crate::model::Object;
use crate::schema::Check;

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
    pub struct UnknownField => "unknown-field";
}

impl Rule for UnknownField {
    fn check_object<'d>(&self, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
        super::report(Check::UnknownField, object, options, out);
    }
}
