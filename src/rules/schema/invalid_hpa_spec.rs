use super::super::{Finding, Options, Rule, declare_rule};
use crate::k8s::validation;
use crate::model::quantity::Quantity;
use crate::model::{Object, is_templated};
use crate::parse::tree::Node;

declare_rule! {
    /// ## What it does
    /// Reports what the API server's validation of a HorizontalPodAutoscaler
    /// (`validateHorizontalPodAutoscalerSpec` in `pkg/apis/autoscaling/validation`) refuses, in
    /// `autoscaling/v2` and `autoscaling/v1`, at the offending value (or the key of a source
    /// that may not be there):
    /// - `minReplicas` below 1 (0 only with the `HPAScaleToZero` alpha feature gate, off by
    ///   default, and then only with an Object or External metric); `maxReplicas` below 1;
    ///   `maxReplicas` below `minReplicas`;
    /// - a metric whose `type` names a source that is not set (`type: Resource` without
    ///   `resource`), or that sets a second source;
    /// - a metric target whose `type` is not `Utilization`, `Value` or `AverageValue`; a
    ///   `value` or `averageValue` that is not positive; an `averageUtilization` (or v1's
    ///   `targetCPUUtilizationPercentage`) below 1;
    /// - what each source needs: a Resource or ContainerResource target with neither
    ///   `averageUtilization` nor `averageValue` (a `type: Value` target, which these sources
    ///   cannot take) or with both; a Pods target without `averageValue`; an Object or External
    ///   target with neither `value` nor `averageValue`, or an External one with both; a
    ///   metric `name` that is not a path segment;
    /// - `behavior` rules: `stabilizationWindowSeconds` outside 0-3600, a policy whose
    ///   `value` is not positive or whose `periodSeconds` is outside 1-1800.
    ///
    /// A target whose `type` does not match the value it sets (`type: Utilization` with
    /// `averageValue`) is accepted by the API server and is not reported. Values of a closed
    /// set (`selectPolicy`, a policy's `type`) are `invalid-value`'s, a `minReplicas` that is
    /// valid but low is `hpa-min-replicas`'s, a `scaleTargetRef` that names no workload is
    /// `dangling-hpa-target`'s. Out of scope: whether the metrics API serves the metric.
    ///
    /// ## Why is this bad
    /// `kubectl apply` fails with `HorizontalPodAutoscaler "web" is invalid`: the autoscaler
    /// is not created or not updated, and the workload runs at its fixed replica count.
    ///
    /// ## Example
    /// ```yaml
    /// kind: HorizontalPodAutoscaler
    /// apiVersion: autoscaling/v2
    /// spec:
    ///   minReplicas: 5
    ///   maxReplicas: 3
    ///   metrics:
    ///     - type: Resource
    ///       resource:
    ///         name: cpu
    ///         target: {type: Value, value: 500m}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: HorizontalPodAutoscaler
    /// apiVersion: autoscaling/v2
    /// spec:
    ///   minReplicas: 3
    ///   maxReplicas: 5
    ///   metrics:
    ///     - type: Resource
    ///       resource:
    ///         name: cpu
    ///         target: {type: AverageValue, averageValue: 500m}
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files, 38 with a HorizontalPodAutoscaler): no
    /// finding. No peer checks these (kubeconform and kube-linter pass every fail fixture).
    /// On by default: the API server refuses every finding.
    pub struct InvalidHpaSpec => "invalid-hpa-spec";
}

const REFUSED: &str = "the API server refuses the HorizontalPodAutoscaler";

/// The longest `periodSeconds` of a scaling policy (`MaxPeriodSeconds`).
const MAX_PERIOD_SECONDS: i64 = 1800;
/// The longest `stabilizationWindowSeconds` (`MaxStabilizationWindowSeconds`).
const MAX_STABILIZATION_WINDOW_SECONDS: i64 = 3600;

/// The metric source types and the field each one fills.
const SOURCES: [(&str, &str); 5] = [
    ("Object", "object"),
    ("Pods", "pods"),
    ("Resource", "resource"),
    ("ContainerResource", "containerResource"),
    ("External", "external"),
];

fn text<'d>(node: Node<'d>) -> Option<&'d str> {
    node.as_str().filter(|s| !super::is_placeholder(s))
}

impl Rule for InvalidHpaSpec {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        if object.kind != "HorizontalPodAutoscaler"
            || !["autoscaling/v2", "autoscaling/v1"].contains(&object.api_version)
        {
            return;
        }
        let Some(spec) = object.root.get("spec").filter(|s| s.is_map()) else {
            return;
        };
        let min_zero_ok = if object.api_version == "autoscaling/v1" {
            check_v1_target(spec, out);
            false
        } else {
            check_metrics(spec, out)
        };
        check_replicas(spec, min_zero_ok, out);
        if object.api_version == "autoscaling/v2"
            && let Some(behavior) = spec.get_some("behavior")
        {
            for direction in ["scaleUp", "scaleDown"] {
                if let Some(rules) = behavior.get_some(direction) {
                    check_scaling_rules(direction, rules, out);
                }
            }
        }
    }
}

/// `minReplicas` and `maxReplicas`; `minReplicas` defaults to 1.
fn check_replicas<'d>(spec: Node<'d>, has_object_or_external: bool, out: &mut Vec<Finding<'d>>) {
    let min_node = spec.get_some("minReplicas");
    let min = min_node.and_then(|n| n.as_i64());
    if let (Some(node), Some(min)) = (min_node, min)
        && min < 1
    {
        let help = if min == 0 {
            if has_object_or_external {
                "set `minReplicas: 1` or more; 0 needs the `HPAScaleToZero` alpha feature gate on the API server, off by default"
            } else {
                "set `minReplicas: 1` or more; 0 needs the `HPAScaleToZero` alpha feature gate, off by default, and an Object or External metric"
            }
        } else {
            "set `minReplicas: 1` or more"
        };
        out.push(
            Finding::new(
                node,
                format!(
                    "`minReplicas: {min}` is below 1; {REFUSED}: must be greater than or equal to 1"
                ),
            )
            .help(help),
        );
    }
    let Some(max_node) = spec.get_some("maxReplicas") else {
        return;
    };
    let Some(max) = max_node.as_i64() else { return };
    if max < 1 {
        out.push(
            Finding::new(
                max_node,
                format!("`maxReplicas: {max}` is below 1; {REFUSED}: must be greater than 0"),
            )
            .help("set `maxReplicas` to the most pods the workload may run; to stop autoscaling, delete the HorizontalPodAutoscaler"),
        );
    } else if let (Some(min), Some(min_node)) = (min, min_node)
        && max < min
    {
        out.push(
            Finding::new(
                max_node,
                format!("`maxReplicas: {max}` is below `minReplicas: {min}`; {REFUSED}: must be greater than or equal to `minReplicas`"),
            )
            .label(min_node, "`minReplicas` is set here")
            .help(format!("raise `maxReplicas` to {min} or more, or lower `minReplicas`")),
        );
    }
}

/// `targetCPUUtilizationPercentage` of `autoscaling/v1`, a Resource `averageUtilization`.
fn check_v1_target<'d>(spec: Node<'d>, out: &mut Vec<Finding<'d>>) {
    if let Some(node) = spec.get_some("targetCPUUtilizationPercentage")
        && let Some(percent) = node.as_i64()
        && percent < 1
    {
        out.push(
            Finding::new(
                node,
                format!("`targetCPUUtilizationPercentage: {percent}` is below 1; {REFUSED}: must be greater than 0"),
            )
            .help("set the CPU usage, in percent of the pods' CPU requests, that the autoscaler keeps, such as 80"),
        );
    }
}

/// `validateMetrics`: each metric's sources and target. Returns whether an Object or External
/// metric is among them, which scaling to zero needs.
fn check_metrics<'d>(spec: Node<'d>, out: &mut Vec<Finding<'d>>) -> bool {
    let mut types = Vec::new();
    let Some(metrics) = spec.get_some("metrics") else {
        return false;
    };
    for metric in metrics.items() {
        if !metric.is_map() {
            continue;
        }
        let type_node = metric.get_some("type");
        let ty = type_node.and_then(text);
        let set: Vec<(Node<'d>, &str)> = SOURCES
            .iter()
            .filter_map(|(_, field)| {
                metric
                    .entry(field)
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, _)| (k, *field))
            })
            .collect();
        let Some(ty) = ty else { continue };
        types.push(ty);
        let Some(&(_, expected)) = SOURCES.iter().find(|(t, _)| *t == ty) else {
            // An unknown type is `invalid-value`'s.
            continue;
        };
        if !set.iter().any(|(_, f)| *f == expected) {
            let help = match set.first() {
                Some((_, other)) => {
                    let other_type = SOURCES
                        .iter()
                        .find(|(_, f)| f == other)
                        .map_or("", |(t, _)| t);
                    format!(
                        "set `type: {other_type}` to use the `{other}` source, or rename it to `{expected}`"
                    )
                }
                None => format!("add the `{expected}` source: what to measure and the target"),
            };
            out.push(
                Finding::new(
                    type_node.unwrap_or(metric),
                    format!("the metric has `type: {ty}` but no `{expected}`; {REFUSED}: `{expected}` must populate information for the given metric source"),
                )
                .help(help),
            );
        }
        if set.len() > 1 {
            for (key, field) in set.iter().filter(|(_, f)| *f != expected) {
                out.push(
                    Finding::new(
                        *key,
                        format!("the metric of `type: {ty}` also sets `{field}`; {REFUSED}: must populate the given metric source only"),
                    )
                    .help(format!("one metric has one source: move `{field}` to a metric of its own")),
                );
            }
        }
        // The API server validates the first source set, in this order.
        let first = [
            "object",
            "external",
            "pods",
            "resource",
            "containerResource",
        ]
        .into_iter()
        .find(|f| set.iter().any(|(_, s)| s == f));
        if let Some(field) = first
            && let Some(source) = metric.get_some(field)
        {
            check_source(field, source, out);
        }
    }
    types.iter().any(|t| *t == "Object" || *t == "External")
}

/// What one metric source needs of its target (`validateObjectSource` and its siblings).
fn check_source<'d>(field: &str, source: Node<'d>, out: &mut Vec<Finding<'d>>) {
    if matches!(field, "object" | "external" | "pods")
        && let Some(name) = source.path(&["metric", "name"]).filter(|n| !n.is_null())
        && let Some(value) = text(name)
        && !value.is_empty()
    {
        let reasons = validation::path_segment_name(value);
        if !reasons.is_empty() {
            out.push(Finding::new(
                name,
                format!(
                    "metric name `{value}` is refused; {REFUSED}: {}",
                    reasons.join("; ")
                ),
            ));
        }
    }
    let Some((target_key, target)) = source.entry("target") else {
        return;
    };
    if !target.is_map() {
        return;
    }
    let type_node = target.get_some("type");
    if let Some(node) = type_node
        && let Some(ty) = text(node)
        && !["Utilization", "Value", "AverageValue"].contains(&ty)
    {
        let help = ["Utilization", "Value", "AverageValue"]
            .into_iter()
            .find(|t| t.eq_ignore_ascii_case(ty))
            .map_or_else(
                || "use `Utilization` (with `averageUtilization`), `AverageValue` (with `averageValue`) or `Value` (with `value`)".to_owned(),
                |t| format!("did you mean `{t}`? values are case-sensitive"),
            );
        out.push(
            Finding::new(
                node,
                format!("metric target type `{ty}` is unknown; {REFUSED}: must be either Utilization, Value, or AverageValue"),
            )
            .help(help),
        );
    }
    let value = target.get_some("value");
    let average_value = target.get_some("averageValue");
    let utilization = target.get_some("averageUtilization");
    for (key, node) in [("value", value), ("averageValue", average_value)] {
        let Some(node) = node else { continue };
        if quantity_sign(node) == Some(false) {
            out.push(
                Finding::new(
                    node,
                    format!(
                        "target `{key}` `{}` is not positive; {REFUSED}: must be positive",
                        node.raw().unwrap_or_default()
                    ),
                )
                .help("set a quantity above zero, such as `100` or `500m`"),
            );
        }
    }
    if let Some(node) = utilization
        && let Some(percent) = node.as_i64()
        && percent < 1
    {
        out.push(
            Finding::new(
                node,
                format!("`averageUtilization: {percent}` is below 1; {REFUSED}: must be greater than 0"),
            )
            .help("set the usage, in percent of the pods' requests, that the autoscaler keeps, such as 80"),
        );
    }
    let target_type = type_node.and_then(text).unwrap_or("");
    match field {
        "resource" | "containerResource" => {
            if utilization.is_none() && average_value.is_none() {
                let help = if value.is_some() {
                    "a resource metric is averaged over the pods: use `type: AverageValue` with `averageValue`, or `type: Utilization` with `averageUtilization`"
                } else {
                    "set `type: Utilization` with `averageUtilization` (percent of the requests), or `type: AverageValue` with `averageValue`"
                };
                out.push(
                    Finding::new(
                        type_node.unwrap_or(target_key),
                        format!("the {field} metric's target{} sets neither `averageUtilization` nor `averageValue`; {REFUSED}: must set either a target raw value or a target utilization",
                            if target_type.is_empty() { String::new() } else { format!(" (`type: {target_type}`)") }),
                    )
                    .help(help),
                );
            } else if let (Some(_), Some(node)) = (utilization, average_value) {
                out.push(
                    Finding::new(
                        node,
                        format!("the {field} metric's target sets both `averageUtilization` and `averageValue`; {REFUSED}: may not set both a target raw value and a target utilization"),
                    )
                    .help("keep the one that `type` names: `averageUtilization` for `Utilization`, `averageValue` for `AverageValue`"),
                );
            }
        }
        "pods" if average_value.is_none() => out.push(
            Finding::new(
                type_node.unwrap_or(target_key),
                format!("the pods metric's target has no `averageValue`; {REFUSED}: must specify a positive target averageValue"),
            )
            .help("a pods metric is averaged over the pods: use `type: AverageValue` with `averageValue`"),
        ),
        "object" | "external" => {
            if value.is_none() && average_value.is_none() {
                out.push(
                    Finding::new(
                        type_node.unwrap_or(target_key),
                        format!("the {field} metric's target sets neither `value` nor `averageValue`; {REFUSED}: must set either a target value or averageValue"),
                    )
                    .help("use `type: Value` with `value`, or `type: AverageValue` with `averageValue`"),
                );
            } else if field == "external"
                && let (Some(node), Some(_)) = (value, average_value)
            {
                out.push(
                    Finding::new(
                        node,
                        format!("the external metric's target sets both `value` and `averageValue`; {REFUSED}: may not set both a target value for metric and a per-pod target"),
                    )
                    .help("keep the one that `type` names: `value` for `Value`, `averageValue` for `AverageValue`"),
                );
            }
        }
        _ => {}
    }
}

/// Whether a quantity is positive; `None` for what is not a quantity (`invalid-value`'s).
fn quantity_sign(node: Node<'_>) -> Option<bool> {
    if let Some(n) = node.as_i64() {
        return Some(n > 0);
    }
    let raw = node.raw()?;
    if is_templated(raw) {
        return None;
    }
    Quantity::parse(raw).map(|q| q.is_positive())
}

/// `validateScalingRules` and `validateScalingPolicy`.
fn check_scaling_rules<'d>(direction: &str, rules: Node<'d>, out: &mut Vec<Finding<'d>>) {
    if let Some(node) = rules.get_some("stabilizationWindowSeconds")
        && let Some(seconds) = node.as_i64()
        && !(0..=MAX_STABILIZATION_WINDOW_SECONDS).contains(&seconds)
    {
        let reason = if seconds < 0 {
            "must be greater than or equal to zero".to_owned()
        } else {
            format!("must be less than or equal to {MAX_STABILIZATION_WINDOW_SECONDS}")
        };
        out.push(
            Finding::new(
                node,
                format!("`{direction}.stabilizationWindowSeconds: {seconds}` is out of range; {REFUSED}: {reason}"),
            )
            .help(format!("use 0 to {MAX_STABILIZATION_WINDOW_SECONDS} seconds (one hour)")),
        );
    }
    let Some(policies) = rules.get_some("policies") else {
        return;
    };
    for policy in policies.items() {
        if let Some(node) = policy.get_some("value")
            && let Some(value) = node.as_i64()
            && value <= 0
        {
            out.push(
                Finding::new(
                    node,
                    format!("`{direction}` policy `value: {value}` is not positive; {REFUSED}: must be greater than zero"),
                )
                .help(format!("set how many pods (`type: Pods`) or what percent (`type: Percent`) may change per period; to stop scaling in this direction, set `{direction}.selectPolicy: Disabled`")),
            );
        }
        if let Some(node) = policy.get_some("periodSeconds")
            && let Some(seconds) = node.as_i64()
            && !(1..=MAX_PERIOD_SECONDS).contains(&seconds)
        {
            let reason = if seconds <= 0 {
                "must be greater than zero".to_owned()
            } else {
                format!("must be less than or equal to {MAX_PERIOD_SECONDS}")
            };
            out.push(
                Finding::new(
                    node,
                    format!("`{direction}` policy `periodSeconds: {seconds}` is out of range; {REFUSED}: {reason}"),
                )
                .help(format!("use 1 to {MAX_PERIOD_SECONDS} seconds (30 minutes)")),
            );
        }
    }
}
