use super::super::{GraphFinding, Rule, declare_rule};
use crate::index::{Budget, Facts, Index, KindFacts, SelectorField};
use crate::model::pod::WorkloadKind;

declare_rule! {
    /// ## What it does
    /// Reports a PodDisruptionBudget that never allows a voluntary eviction, at the value that
    /// makes it so:
    /// - `maxUnavailable: 0` (or `0%`);
    /// - `minAvailable: 100%`;
    /// - `minAvailable` at least the number of pods it selects, counted from the replicas of
    ///   the workloads in the run that its selector matches (a Deployment, StatefulSet,
    ///   ReplicaSet or ReplicationController without `replicas` runs one pod). A percentage is
    ///   rounded up, as the disruption controller does: `90%` of 5 pods is 5.
    ///
    /// A workload an autoscaler scales counts with the autoscaler's `minReplicas`: at its
    /// minimum scale, when maintenance usually drains nodes, the budget blocks. The count is
    /// not made when a DaemonSet (one pod per node), a Job or a custom resource may run the
    /// pods, or when the namespace's workloads are not all among the inputs.
    ///
    /// ## Why is this bad
    /// A node drain evicts pods through the eviction API, which refuses every eviction the
    /// budget does not allow. With no disruption ever allowed, `kubectl drain` retries
    /// forever, a cluster upgrade or autoscaler scale-down stalls on that node (managed
    /// services force the eviction after a timeout, which is the outage the budget meant to
    /// prevent), and someone deletes the budget by hand at night.
    ///
    /// ## Example
    /// ```yaml
    /// kind: PodDisruptionBudget
    /// spec:
    ///   minAvailable: 2          # the Deployment runs 2 replicas
    ///   selector:
    ///     matchLabels: {app: web}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: PodDisruptionBudget
    /// spec:
    ///   maxUnavailable: 1        # one pod at a time, whatever the replica count
    ///   selector:
    ///     matchLabels: {app: web}
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real`: 4 findings, all right by the disruption controller's
    /// arithmetic — Knative's `activator-pdb`, `webhook-pdb` and `eventing-webhook` (80% of
    /// the one pod their autoscalers' `minReplicas: 1` allows rounds up to 1) and the archived
    /// CockroachDB example (67% of 3 rounds up to 3). On the peers' fixtures it agrees with
    /// kube-linter's `pdb-max-unavailable` (`maxUnavailable: 0` fires, `1` does not); its
    /// `pdb-min-available` fixture's Deployments have no pod template (no containers), so
    /// kubelint counts no pods there and stays silent where kube-linter fires.
    pub struct PdbBlocksEviction => "pdb-blocks-eviction";
}

impl Rule for PdbBlocksEviction {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        for (i, f) in index.subjects() {
            let KindFacts::PodDisruptionBudget {
                selector,
                min_available,
                max_unavailable,
                ..
            } = &f.kind
            else {
                continue;
            };
            let help = "allow one disruption at a time with `maxUnavailable: 1` (or lower \
                        `minAvailable` below the replica count), so drains can proceed";
            match (max_unavailable, min_available) {
                (Some((budget, site)), _) if is_zero(*budget) => {
                    out.push(
                        GraphFinding::new(
                            i,
                            site,
                            format!(
                                "PodDisruptionBudget `{}` allows no pod to be unavailable: every \
                                 eviction is refused, so node drains and upgrades hang",
                                f.id.name
                            ),
                        )
                        .help(help),
                    );
                }
                (_, Some((Budget::Percent(p), site))) if *p >= 100.0 => {
                    out.push(
                        GraphFinding::new(
                            i,
                            site,
                            format!(
                                "PodDisruptionBudget `{}` requires every pod to stay available: \
                                 every eviction is refused, so node drains and upgrades hang",
                                f.id.name
                            ),
                        )
                        .help(help),
                    );
                }
                (None, Some((budget, site))) => {
                    let SelectorField::Selector(selector) = selector else {
                        continue;
                    };
                    let Some((pods, workloads, autoscaled)) = selected_pods(index, f, selector)
                    else {
                        continue;
                    };
                    let when = if autoscaled {
                        "while the autoscaler runs its minimum, "
                    } else {
                        ""
                    };
                    let (required, how) = match *budget {
                        Budget::Pods(n) => (n, String::new()),
                        // The disruption controller rounds a percentage up.
                        Budget::Percent(p) => {
                            let n = (p * pods as f64 / 100.0).ceil() as i64;
                            (n, format!(" ({p}% of {pods}, rounded up)"))
                        }
                    };
                    if pods == 0 || required < pods {
                        continue;
                    }
                    out.push(
                        GraphFinding::new(
                            i,
                            site,
                            format!(
                                "PodDisruptionBudget `{}` requires {required} available pods{how} \
                                 and selects {pods} ({}): {when}every eviction is refused, so \
                                 node drains and upgrades hang",
                                f.id.name,
                                workloads.join(", ")
                            ),
                        )
                        .help(help),
                    );
                }
                _ => {}
            }
        }
    }
}

fn is_zero(budget: Budget) -> bool {
    match budget {
        Budget::Pods(n) => n == 0,
        Budget::Percent(p) => p == 0.0,
    }
}

/// How many pods `selector` selects, with the workloads that run them and whether an
/// autoscaler's minimum was counted, when that is known.
fn selected_pods(
    index: &Index,
    subject: &Facts,
    selector: &crate::index::Selector,
) -> Option<(i64, Vec<String>, bool)> {
    if selector.is_templated()
        || !index.knows_workloads_for(subject)
        || index.operator_may_own(subject, selector)
    {
        return None;
    }
    let ns = index.namespace_of(subject);
    let mut pods = 0;
    let mut workloads = Vec::new();
    let mut autoscaled = false;
    for (facts, workload) in index.selected(&ns, selector) {
        let count = match workload.workload {
            WorkloadKind::Pod => 1,
            WorkloadKind::Deployment
            | WorkloadKind::StatefulSet
            | WorkloadKind::ReplicaSet
            | WorkloadKind::ReplicationController => {
                // An autoscaler may run more pods, but at its minimum (nights and weekends,
                // when maintenance drains nodes) it runs this many.
                if let Some(min) = index.hpa_min_replicas(facts) {
                    workloads.push(format!(
                        "{} `{}`: {min} at its autoscaler's minReplicas",
                        facts.id.kind, facts.id.name
                    ));
                    pods += min;
                    autoscaled = true;
                    continue;
                }
                workload.replicas.unwrap_or(1)
            }
            WorkloadKind::DaemonSet | WorkloadKind::Job | WorkloadKind::CronJob => return None,
        };
        pods += count;
        workloads.push(format!("{} `{}`: {count}", facts.id.kind, facts.id.name));
    }
    Some((pods, workloads, autoscaled))
}
