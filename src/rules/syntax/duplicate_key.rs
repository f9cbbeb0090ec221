use super::super::{Finding, Rule, declare_rule};
use crate::parse::tree::Document;

declare_rule! {
    /// ## What it does
    /// Reports a key that appears twice in one mapping.
    ///
    /// ## Why is this bad
    /// kubectl's strict decoding refuses the object ("mapping key already defined"), and tools
    /// that accept it silently keep only the last value, so the first one is dead text that
    /// readers still believe in.
    ///
    /// ## Example
    /// ```yaml
    /// resources:
    ///   limits:
    ///     memory: 256Mi
    ///   limits:
    ///     cpu: 500m
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// resources:
    ///   limits:
    ///     memory: 256Mi
    ///     cpu: 500m
    /// ```
    pub struct DuplicateKey => "duplicate-key";
}

impl Rule for DuplicateKey {
    fn check_document<'d>(&self, document: &'d Document<'d>, out: &mut Vec<Finding<'d>>) {
        for dup in &document.duplicate_keys {
            let again = document.node(dup.again);
            let key = again.key_text().unwrap_or("");
            out.push(
                Finding::new(
                    again,
                    format!("key `{key}` is defined twice in this mapping"),
                )
                .label(document.node(dup.first), "first defined here")
                .help("merge the two entries; only the last one takes effect"),
            );
        }
    }
}
