use super::super::{Rule, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a suppression that suppresses nothing: a `# kubelint-ignore: RULE` comment (on
    /// the reported line, or alone on the line above it), a `# kubelint-ignore-file: RULE`
    /// comment, or a `kubelint.io/ignore: "RULE,…"` annotation on an object or its pod template,
    /// when RULE reported nothing there in this run — or when RULE is no kubelint rule at all.
    /// A suppression of a rule that was not run (deselected) is not reported.
    ///
    /// ## Why is this bad
    /// Suppressions outlive the findings they silenced. A stale one hides the next real
    /// finding of that rule at the same place, and a misspelt rule id silences nothing while
    /// looking as if it did.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   # kubelint-ignore: missing-readiness-probe -- probe added in #412, keep for now
    ///   - name: web
    ///     readinessProbe:
    ///       httpGet: {path: /ready, port: http}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     readinessProbe:
    ///       httpGet: {path: /ready, port: http}
    /// ```
    pub struct UnusedSuppression => "unused-suppression";
}

/// Emitted by the filter stage, which is where suppressions meet findings.
impl Rule for UnusedSuppression {}
