use super::super::{Finding, Options, Rule, declare_rule};
use crate::model::{Object, is_templated};
use crate::parse::tree::Node;

declare_rule! {
    /// ## What it does
    /// Reports what the API server's validation of a `policy/v1` PodDisruptionBudget
    /// (`ValidatePodDisruptionBudgetSpec` in `pkg/apis/policy/validation`) refuses:
    /// - `minAvailable` and `maxUnavailable` both set, at the second of the two keys;
    /// - a `minAvailable` or `maxUnavailable` that is a negative number, a string that is not a
    ///   percentage (a quoted number such as `"1"` is a string, and refused), or a percentage
    ///   above 100%, at the value.
    ///
    /// The `selector` is `invalid-label`'s, a selector that matches no pod is
    /// `dangling-pdb-selector`'s, a budget that blocks every eviction is
    /// `pdb-blocks-eviction`'s. Out of scope: how many pods the cluster runs.
    ///
    /// ## Why is this bad
    /// `kubectl apply` fails with `PodDisruptionBudget "web" is invalid`: the budget is not
    /// created, and node drains evict the workload's pods without limit.
    ///
    /// ## Example
    /// ```yaml
    /// kind: PodDisruptionBudget
    /// apiVersion: policy/v1
    /// spec:
    ///   minAvailable: "1"
    ///   maxUnavailable: 120%
    ///   selector:
    ///     matchLabels: {app: web}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: PodDisruptionBudget
    /// apiVersion: policy/v1
    /// spec:
    ///   minAvailable: 1
    ///   selector:
    ///     matchLabels: {app: web}
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files, 17 with a PodDisruptionBudget): no finding.
    /// No peer checks these (kubeconform and kube-linter pass every fail fixture). On by
    /// default: the API server refuses every finding.
    pub struct InvalidPdbSpec => "invalid-pdb-spec";
}

const REFUSED: &str = "the API server refuses the PodDisruptionBudget";

impl Rule for InvalidPdbSpec {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        if object.kind != "PodDisruptionBudget" || object.api_version != "policy/v1" {
            return;
        }
        let Some(spec) = object.root.get("spec").filter(|s| s.is_map()) else {
            return;
        };
        let min = spec.entry("minAvailable").filter(|(_, v)| !v.is_null());
        let max = spec.entry("maxUnavailable").filter(|(_, v)| !v.is_null());
        if let (Some((min_key, _)), Some((max_key, _))) = (min, max) {
            let (first, second) = if min_key.span().start <= max_key.span().start {
                (min_key, max_key)
            } else {
                (max_key, min_key)
            };
            out.push(
                Finding::new(
                    second,
                    format!(
                        "`minAvailable` and `maxUnavailable` are both set; {REFUSED}: minAvailable and maxUnavailable cannot be both set"
                    ),
                )
                .label(first, "also set here")
                .help("keep one: `maxUnavailable` (such as `1`) keeps allowing evictions as the workload scales, `minAvailable` guards a floor"),
            );
        }
        for (key, entry) in [("minAvailable", min), ("maxUnavailable", max)] {
            if let Some((_, value)) = entry {
                check_int_or_percent(key, value, out);
            }
        }
    }
}

/// `ValidatePositiveIntOrPercent` and `IsNotMoreThan100Percent`.
fn check_int_or_percent<'d>(key: &str, value: Node<'d>, out: &mut Vec<Finding<'d>>) {
    if let Some(number) = value.as_i64() {
        if number < 0 {
            out.push(
                Finding::new(
                    value,
                    format!("`{key}: {number}` is negative; {REFUSED}: must be greater than or equal to 0"),
                )
                .help("set a number of pods (0 or more) or a percentage such as `50%`"),
            );
        }
        return;
    }
    let Some(text) = value.as_str().filter(|s| !is_templated(s)) else {
        return;
    };
    let digits = text
        .strip_suffix('%')
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
    match digits {
        None => {
            let help = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
                format!(
                    "a quoted number is a string, and a string must be a percentage: remove the quotes (`{key}: {text}`) for a number of pods"
                )
            } else {
                "set a number of pods, such as `1`, or a percentage, such as `50%`".to_owned()
            };
            out.push(
                Finding::new(
                    value,
                    format!("`{key}: \"{text}\"` is a string but not a percentage; {REFUSED}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"),
                )
                .help(help),
            );
        }
        Some(digits) => {
            // More digits than a u64 holds is above 100% all the same.
            if digits.parse::<u64>().map_or(true, |p| p > 100) {
                out.push(
                    Finding::new(
                        value,
                        format!("`{key}: {text}` is above 100%; {REFUSED}: must not be greater than 100%"),
                    )
                    .help("use a percentage from 0% to 100%"),
                );
            }
        }
    }
}
