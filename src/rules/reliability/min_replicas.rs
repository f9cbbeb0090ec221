use serde::{Deserialize, Serialize};

use super::super::{GraphFinding, Options, OptionsSpec, Rule, declare_rule};
use super::{Autoscaled, by_identity, routed_workloads};
use crate::index::{Index, KindFacts};
use crate::model::pod::WorkloadKind;
use crate::rules::volumes::may_pin_one_pod;

declare_rule! {
    /// ## What it does
    /// Reports a Deployment (and, with `stateful-sets: true`, a StatefulSet) that a Service of
    /// the run routes to and that runs fewer replicas than `minimum` (2 unless configured; no
    /// `replicas` means 1), at its `replicas` value, or at its name when it sets none. A
    /// workload that an autoscaler of the run scales (a HorizontalPodAutoscaler or a
    /// KEDA ScaledObject naming it) is left to `hpa-min-replicas`, which reports a low
    /// `minReplicas` at the autoscaler, where the fix is — one finding per problem.
    ///
    /// Workloads built to run one pod are not reported: one that mounts a ReadWriteOnce claim,
    /// or a claim not in the run (`rwo-volume-scaled` tells its users *not* to scale it), one
    /// that rolls out with `strategy: Recreate`, one whose container enables leader election
    /// (`--leader-elect`: one active replica by design), one with `ownerReferences` (an
    /// operator sets its scale), `replicas: 0` (scaled down on purpose), and a templated
    /// `replicas` (the value is chosen at deploy time). A workload no Service routes to (a
    /// controller, a queue worker, a toolbox) is not reported either: most run one pod by
    /// design (a controller without leader election must not run two), and their downtime
    /// delays work instead of failing requests — kube-score checks only Services' targets too.
    /// A Service whose every port is named for metrics (`metrics`, `http-metrics`,
    /// `monitoring`…) does not count: it exposes a controller's telemetry.
    /// Where a kustomize base and a patch (or copies) define the same object, the one that sets
    /// `replicas` speaks, and a patch that raises them silences the base.
    ///
    /// ## Why is this bad
    /// One pod is one point of failure. A node drain, an upgrade, a node failure or a
    /// preemption takes the service down until a replacement is scheduled, pulled and ready,
    /// which is seconds at best and minutes when the image is large or the cluster must add a
    /// node; a PodDisruptionBudget cannot protect a single pod without blocking every drain.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// metadata: {name: web}
    /// spec:
    ///   replicas: 1
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Deployment
    /// metadata: {name: web}
    /// spec:
    ///   replicas: 2     # or a HorizontalPodAutoscaler with minReplicas: 2
    /// ```
    ///
    /// ## Options
    /// - `minimum` (default 2): the fewest replicas a workload should run. kube-linter's
    ///   `minimum-three-replicas` uses 3 (a quorum that survives a zone); 2 is the least that
    ///   survives one pod's loss, and what kube-score asks for.
    /// - `stateful-sets` (default false): also report StatefulSets. Off because a
    ///   single-replica StatefulSet is nearly always a database or broker run as one instance
    ///   (a MySQL, a PostgreSQL, Loki): a second replica is a second, empty instance behind the
    ///   same Service until the application is configured to replicate, so `replicas: 2` is the
    ///   wrong fix there.
    ///
    /// ## Measured
    /// On `../shared/corpus/real`: 280 findings in 223 files (12 repositories). A read of 35
    /// spread over all of them: 22 right (sample and workshop services, the ingress-nginx
    /// controller of the static installs, admission webhooks such as the VPA's, Argo CD's
    /// commit server, model servers), 5 right but on test fixtures (Gateway API conformance
    /// backends, e2e data), 8 wrong: single-instance programs behind a Service that a second
    /// replica would break — prometheus-operator (twice) and kube-state-metrics, which must not
    /// run twice, a Redis master (three guestbook copies), a local DynamoDB and Jaeger's
    /// in-memory all-in-one. About 77 % right counting the test fixtures as right, 73 %
    /// without them. Narrowing took it from 551: the Service condition removed operators,
    /// toolboxes and workers; `stateful-sets: false` removed 23 findings that were all MySQL,
    /// PostgreSQL, Loki or sharded controllers; scoping Services to the directory in the
    /// unnamed namespace and ignoring metrics-only Services removed controllers whose
    /// metrics Service, or an unrelated example's Service, matched their labels. On the
    /// peers' fixtures it agrees with kube-score's "Deployment Replicas"
    /// (`service-target-deployment` passes, `…-replica-1` fires). kube-linter's
    /// `minimum-three-replicas` fires on a Deployment `app` with `replicas: 2` at its
    /// threshold of 3: kubelint does not, even with `minimum: 3`, because the fixture's
    /// Deployments have no pod template and no Service routes to them (and its
    /// DeploymentConfig is an OpenShift kind kubelint does not model); both agree that
    /// `dont-fire` passes.
    ///
    /// It is off by default for that read: about one finding in four is a program that must
    /// run once, and no field of the manifest tells it from one that should run twice. A
    /// team whose services all run replicated turns it on with `enable: [min-replicas]`.
    pub struct MinReplicas => "min-replicas";
}

/// The options of `min-replicas` (documented under `## Options` above).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct MinReplicasOptions {
    pub minimum: i64,
    pub stateful_sets: bool,
}

impl Default for MinReplicasOptions {
    fn default() -> Self {
        MinReplicasOptions {
            minimum: 2,
            stateful_sets: false,
        }
    }
}

impl Rule for MinReplicas {
    fn options(&self) -> Option<OptionsSpec> {
        Some(OptionsSpec::of::<MinReplicasOptions>())
    }

    fn check_graph_with(&self, index: &Index, options: &Options, out: &mut Vec<GraphFinding>) {
        let options = options.get::<MinReplicasOptions>();
        let minimum = options.minimum;
        let autoscaled = Autoscaled::of(index);
        let routed = routed_workloads(index);
        let identities = by_identity(index);
        for (i, f) in index.subjects() {
            let KindFacts::Workload(w) = &f.kind else {
                continue;
            };
            if !f.reported
                || !matches!(
                    w.workload,
                    WorkloadKind::Deployment | WorkloadKind::StatefulSet
                )
                || (w.workload == WorkloadKind::StatefulSet && !options.stateful_sets)
                || !routed.contains(&i)
                || crate::model::is_templated(&f.id.name)
            {
                continue;
            }
            // A `replicas` that is not a number is a template's (or the schema rules' business).
            if w.replicas_site.is_some() && w.replicas.is_none() {
                continue;
            }
            let replicas = w.replicas.unwrap_or(1);
            if replicas == 0 || replicas >= minimum {
                continue;
            }
            // A kustomize base and its patches are one object: the replicas an overlay sets
            // win, and the file that sets them is the one to report.
            let twins = identities
                .get(&(
                    f.id.kind.as_str(),
                    super::namespace_key(index, f),
                    f.id.name.as_str(),
                ))
                .into_iter()
                .flatten()
                .filter(|&&j| j != i)
                .map(|&j| match &index.facts[j].kind {
                    KindFacts::Workload(t) => Some(t),
                    _ => None,
                });
            let mut overridden = false;
            for twin in twins {
                // A patch without a pod template: what it sets is unknown.
                let Some(twin) = twin else {
                    overridden = true;
                    continue;
                };
                if twin.replicas_site.is_some()
                    && (w.replicas_site.is_none() || twin.replicas.is_none_or(|r| r >= minimum))
                {
                    overridden = true;
                }
            }
            if overridden
                || autoscaled.get(index, f).is_some()
                || w.recreate_site.is_some()
                || w.leader_elected
                || w.owned
                || may_pin_one_pod(index, &index.namespace_of(f), &w.claims)
            {
                continue;
            }
            let (site, runs) = match &w.replicas_site {
                Some(site) => (site, format!("runs {replicas} replica")),
                None => (&w.name_site, "sets no `replicas`, so it runs 1".to_owned()),
            };
            let plural = if replicas == 1 { "" } else { "s" };
            out.push(
                GraphFinding::new(
                    i,
                    site,
                    format!(
                        "{} `{}` {runs}{}: a node drain, upgrade or failure takes it down \
                         until a replacement pod is ready",
                        f.id.kind,
                        f.id.name,
                        if w.replicas_site.is_some() {
                            plural
                        } else {
                            ""
                        },
                    ),
                )
                .help(format!(
                    "set `spec.replicas: {minimum}` (or more), or scale it with a \
                     HorizontalPodAutoscaler whose minReplicas is at least {minimum}"
                )),
            );
        }
    }
}
