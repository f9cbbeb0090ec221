use super::super::{Finding, Options, Rule, declare_rule};
use crate::index::spread::{Miss, Reach, own_labels, reach};
use crate::model::Object;
use crate::model::pod::WorkloadKind;

declare_rule! {
    /// ## What it does
    /// Reports a `topologySpreadConstraints` entry of a pod or pod template that
    ///
    /// - counts none of the pod's own pods: its `labelSelector` does not match the template's
    ///   labels (at the `labelSelector`), or it has none (at the entry's `topologyKey`): a
    ///   missing selector selects no pod, so the constraint spreads nothing;
    /// - has `maxSkew` below 1, or `minDomains` below 1, or `minDomains` with
    ///   `whenUnsatisfiable: ScheduleAnyway`: the API server rejects the object;
    /// - says `whenUnsatisfiable: DoNotSchedule` on a zone key (`topology.kubernetes.io/zone`,
    ///   or its deprecated `failure-domain.beta.kubernetes.io/zone`) of a Deployment with
    ///   `replicas: 1` whose rolling update surges, when `maxSkew` is 1 (a larger skew lets the
    ///   surged pod join the old one) and the constraint counts the pod's own replicas, unless
    ///   `matchLabelKeys` has `pod-template-hash` (then the old revision's pod is not counted).
    ///
    /// `matchLabelKeys` never excludes the pod's own replicas (they share its values), so it is
    /// ignored. Templated labels or selectors, an operator the API server does not know, and a
    /// controller's template without labels (a kustomize patch) are never reported.
    /// `whenUnsatisfiable` and `topologyKey` themselves are checked by the schema rules
    /// (`invalid-value`, `missing-required-field`).
    ///
    /// ## Why is this bad
    /// A constraint that counts none of the pod's own replicas does not spread them: the
    /// scheduler puts every replica wherever it likes while the manifest reads as spread (the
    /// constraint only steers away from domains crowded with the pods it does select, which is
    /// rarely what a spread on the pod itself was meant to do). An invalid `maxSkew` or
    /// `minDomains` fails the apply. With one replica a zone spread has nothing to spread, and
    /// `DoNotSchedule` only adds ways to stay Pending: nodes without the zone label are never
    /// candidates, and during a rolling update the surged pod counts the old one, so it must
    /// go to another zone, and waits when that zone has no room.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       topologySpreadConstraints:
    ///       - maxSkew: 0
    ///         topologyKey: kubernetes.io/hostname
    ///         whenUnsatisfiable: ScheduleAnyway
    ///         labelSelector:
    ///           matchLabels: {app: website}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       topologySpreadConstraints:
    ///       - maxSkew: 1
    ///         topologyKey: kubernetes.io/hostname
    ///         whenUnsatisfiable: ScheduleAnyway
    ///         labelSelector:
    ///           matchLabels: {app: web}
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real`: no findings. The corpus's 80 files with
    /// `topologySpreadConstraints` are mostly operators' pod templates inside custom resources
    /// (Confluent, Strimzi, Prometheus), which this rule does not read; the built-in workloads'
    /// constraints all select their own pods with a valid `maxSkew`. The fixtures pin each
    /// case.
    ///
    /// Peers: agrees with kube-score's "Pod Topology Spread Constraints" on all 7 of its
    /// fixtures: `invalid-maxskew`, `invalid-mindomains` and `no-labelselector` fire here;
    /// `invalid-whenunsatisfiable` (`DoNotSCHEDULE`) is `invalid-value`'s and
    /// `no-topologykey` is `missing-required-field`'s (schema errors, not repeated here);
    /// `one-constraint` and `two-constraints` pass (bare Pods: the one-replica zone warning is
    /// about a Deployment's rollouts).
    pub struct TopologySpreadInvalid => "topology-spread-invalid";
}

const ZONE_KEYS: [&str; 2] = [
    "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/zone",
];

impl Rule for TopologySpreadInvalid {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else {
            return;
        };
        let Some(list) = pod.spec.get_some("topologySpreadConstraints") else {
            return;
        };
        // A controller's template without labels is a kustomize patch: its labels are elsewhere.
        let labels = own_labels(pod).filter(|l| {
            !l.is_empty()
                || matches!(
                    pod.workload,
                    WorkloadKind::Pod | WorkloadKind::Job | WorkloadKind::CronJob
                )
        });
        let replicas = object
            .root
            .path(&["spec", "replicas"])
            .and_then(|r| r.as_i64());
        // A rolling update surges the new pod beside the old one, which it counts.
        let surges = crate::model::pod::rollout_surges(pod.workload, object.root.get("spec"));
        let describe = |l: &crate::index::Labels| {
            l.iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for entry in list.items().filter(|e| e.is_map()) {
            let key = entry.get_str("topologyKey");
            for field in ["maxSkew", "minDomains"] {
                if let Some(value) = entry.get_some(field)
                    && let Some(n) = value.as_i64()
                    && n < 1
                {
                    out.push(
                        Finding::new(
                            value,
                            format!(
                                "`{field}: {n}`: the API server rejects a topology spread \
                                 constraint whose `{field}` is below 1"
                            ),
                        )
                        .help(if field == "maxSkew" {
                            "set `maxSkew: 1` (the most even spread the scheduler allows)"
                        } else {
                            "remove `minDomains`, or set it to the number of domains the pods \
                             must spread over (at least 1)"
                        }),
                    );
                }
            }
            if let Some(min_domains) = entry.get_some("minDomains")
                && entry.get_str("whenUnsatisfiable") == Some("ScheduleAnyway")
            {
                out.push(
                    Finding::new(
                        min_domains,
                        "`minDomains` with `whenUnsatisfiable: ScheduleAnyway`: the API server \
                         accepts `minDomains` only with `DoNotSchedule`",
                    )
                    .help("remove `minDomains`, or set `whenUnsatisfiable: DoNotSchedule`"),
                );
            }
            // Whether the constraint counts the pod's own replicas (None: no labels to judge).
            let mut counts_own = None;
            if let Some(labels) = &labels {
                let reached = reach(entry, labels, None, false);
                counts_own = Some(!matches!(reached, Reach::NotOwn(_)));
                match reached {
                    Reach::Own | Reach::Unknown => {}
                    Reach::NotOwn(why) => {
                        let at = entry
                            .entry("labelSelector")
                            .or_else(|| entry.entry("topologyKey"))
                            .map_or(entry, |(k, _)| k);
                        let fix = if labels.is_empty() {
                            "add labels to the pod and select them in `labelSelector`".to_owned()
                        } else {
                            format!(
                                "{} `labelSelector: {{matchLabels: {{{}}}}}` (the pod's own \
                                 labels)",
                                if why == Miss::NoSelector {
                                    "add"
                                } else {
                                    "use"
                                },
                                describe(labels)
                            )
                        };
                        out.push(
                            Finding::new(
                                at,
                                format!(
                                    "this topology spread constraint counts none of the pod's \
                                     own replicas ({}), so {}",
                                    why.describe().replace("the template's", "the pod's"),
                                    if why == Miss::NoSelector {
                                        "it is always satisfied and spreads nothing"
                                    } else {
                                        "it does not spread them (it only avoids domains \
                                         crowded with the pods it selects)"
                                    }
                                ),
                            )
                            .help(fix),
                        );
                    }
                }
            }
            // `matchLabelKeys: [pod-template-hash]` counts only the new revision's pods.
            let per_revision = entry.get("matchLabelKeys").is_some_and(|keys| {
                keys.items()
                    .any(|k| k.as_str() == Some("pod-template-hash"))
            });
            // The old pod and the surged one in one zone make a skew of 2 over an empty zone:
            // only `maxSkew: 1` refuses that, and only when the constraint counts them.
            if surges
                && !per_revision
                && replicas == Some(1)
                && counts_own != Some(false)
                && entry.get("maxSkew").and_then(|m| m.as_i64()) == Some(1)
                && key.is_some_and(|k| ZONE_KEYS.contains(&k))
                && let Some(when) = entry.get("whenUnsatisfiable")
                && when.as_str() == Some("DoNotSchedule")
            {
                out.push(
                    Finding::new(
                        when,
                        format!(
                            "`DoNotSchedule` on `{}` with `replicas: 1`: one pod has nothing to \
                             spread, and the constraint only keeps it Pending: every rollout's \
                             surged pod counts the old one and must go to another zone, and \
                             waits when none has room (nodes without the zone label never \
                             qualify)",
                            key.unwrap_or_default()
                        ),
                    )
                    .help("set `whenUnsatisfiable: ScheduleAnyway`, or run more than one replica"),
                );
            }
        }
    }
}
