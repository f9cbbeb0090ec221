use serde::{Deserialize, Serialize};

use super::super::{Finding, Options, OptionsSpec, Rule, declare_rule};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports a HorizontalPodAutoscaler
    /// - whose `minReplicas` is below `minimum` (2 unless configured), at its `minReplicas`
    ///   value, or at the autoscaler's name when it sets none (the API server defaults it
    ///   to 1);
    /// - whose `minReplicas` equals its `maxReplicas`, at the `maxReplicas` value: it can never
    ///   scale.
    ///
    /// This is the rule that speaks for a low floor of an autoscaled workload: `min-replicas`
    /// leaves workloads an autoscaler scales alone, so each problem is reported once, at the
    /// value to change. `minReplicas: 0` (scale to zero, behind the `HPAScaleToZero` feature
    /// gate) is a deliberate choice and is not reported; neither is a templated value.
    ///
    /// ## Why is this bad
    /// The autoscaler scales down to `minReplicas` whenever load is low — nights, weekends,
    /// which is when maintenance drains nodes. At one replica the service is one pod: a drain,
    /// upgrade or node failure takes it down until a replacement is ready, and the autoscaler
    /// only reacts to load, not to that outage. An autoscaler whose minimum is its maximum
    /// never scales: it costs a controller loop and misleads the reader into thinking the
    /// workload grows under load.
    ///
    /// ## Example
    /// ```yaml
    /// kind: HorizontalPodAutoscaler
    /// spec:
    ///   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
    ///   minReplicas: 1
    ///   maxReplicas: 10
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: HorizontalPodAutoscaler
    /// spec:
    ///   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
    ///   minReplicas: 2
    ///   maxReplicas: 10
    /// ```
    ///
    /// ## Options
    /// - `minimum` (default 2): the fewest replicas an autoscaler should keep. kube-linter's
    ///   `hpa-minimum-three-replicas` uses 3; kube-score warns below 2, as kubelint does.
    ///
    /// ## Measured
    /// On `../shared/corpus/real`: 29 findings in 26 files, all read, all `minReplicas: 1`
    /// (two of them also equal to `maxReplicas`). 20 right: Istio's ingress gateway and
    /// istiod as Kubeflow installs them, Knative's activator, webhooks and broker
    /// ingress/filter, the GKE and workshop samples (several GPU/TPU model servers, where one
    /// pod is a cost choice the finding makes explicit); 8 right but on Argo CD's test data;
    /// 1 debatable (a Pub/Sub queue worker, which no Service routes to and which
    /// `min-replicas` would not report without an autoscaler). On the peers' fixtures it
    /// agrees with kube-score's "HorizontalPodAutoscaler Replicas" (`hpa-min-replicas-ok`
    /// passes, `…-nok` fires) and, with `minimum: 3`, with kube-linter's
    /// `hpa-minimum-three-replicas` (`app`, minReplicas 2, fires; `dont-fire` does not); at
    /// the default of 2, `app` passes.
    pub struct HpaMinReplicas => "hpa-min-replicas";
}

/// The options of `hpa-min-replicas` (documented under `## Options` above).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct HpaMinReplicasOptions {
    pub minimum: i64,
}

impl Default for HpaMinReplicasOptions {
    fn default() -> Self {
        HpaMinReplicasOptions { minimum: 2 }
    }
}

impl Rule for HpaMinReplicas {
    fn options(&self) -> Option<OptionsSpec> {
        Some(OptionsSpec::of::<HpaMinReplicasOptions>())
    }

    fn check_object<'d>(&self, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
        if object.kind != "HorizontalPodAutoscaler"
            || crate::k8s::group_of(object.api_version) != "autoscaling"
        {
            return;
        }
        let Some(spec) = object.root.get("spec").filter(|s| s.is_map()) else {
            return;
        };
        let minimum = options.get::<HpaMinReplicasOptions>().minimum;
        let min_node = spec.get_some("minReplicas");
        let min = match min_node {
            Some(node) => match node.as_i64() {
                Some(n) => n,
                // Templated, or not a number (the schema rules' business).
                None => return,
            },
            None => 1,
        };
        let max_node = spec.get_some("maxReplicas");
        let max = max_node.and_then(|m| m.as_i64());
        if min <= 0 {
            return;
        }
        let name = object.id().name;
        if min < minimum {
            let (node, what) = match min_node {
                Some(node) => (node, format!("`minReplicas: {min}`")),
                None => (object.anchor_node(), "no `minReplicas` (so 1)".to_owned()),
            };
            let cannot_scale = if max == Some(min) {
                ", and as many as `maxReplicas`, so it never scales"
            } else {
                ""
            };
            out.push(
                Finding::new(
                    node,
                    format!(
                        "HorizontalPodAutoscaler `{name}` has {what}{cannot_scale}: at low load it \
                         scales the workload down to {min} pod{}, and a node drain, upgrade or \
                         failure then takes it down",
                        if min == 1 { "" } else { "s" }
                    ),
                )
                .help(format!(
                    "set `spec.minReplicas: {minimum}` (or more){}",
                    if max.is_some_and(|m| m <= minimum) {
                        ", and a `maxReplicas` above it"
                    } else {
                        ""
                    }
                )),
            );
        } else if let (Some(max), Some(max_node)) = (max, max_node)
            && max == min
        {
            let mut finding = Finding::new(
                max_node,
                format!(
                    "HorizontalPodAutoscaler `{name}` has `maxReplicas` equal to `minReplicas` \
                     ({min}): it can never scale"
                ),
            )
            .help(format!(
                "raise `maxReplicas` above {min} so the autoscaler can add pods under load, or \
                 delete the autoscaler and set the workload's `replicas: {min}`"
            ));
            if let Some(min_node) = min_node {
                finding = finding.label(min_node, "the same as `minReplicas`");
            }
            out.push(finding);
        }
    }
}
