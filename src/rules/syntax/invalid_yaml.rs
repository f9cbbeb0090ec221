use super::super::{Rule, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a document that is not valid YAML (or JSON), or a file that is not UTF-8 text,
    /// at the line and column where the parser gave up.
    ///
    /// ## Why is this bad
    /// `kubectl apply` rejects the whole file, so nothing in it is deployed. kubelint reports
    /// the broken document and still lints every other document of the file.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    ///     kind: Deployment   # indented: a mapping value cannot start here
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// ```
    pub struct InvalidYaml => "invalid-yaml";
}

/// Emitted by the engine from parse errors; there is nothing to check on a parsed tree.
impl Rule for InvalidYaml {}
