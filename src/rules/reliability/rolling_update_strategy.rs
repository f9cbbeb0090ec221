use super::super::{GraphFinding, Rule, declare_rule};
use super::{Autoscaled, routed_workloads};
use crate::index::{Budget, Index, KindFacts};
use crate::model::pod::WorkloadKind;
use crate::rules::volumes::may_pin_one_pod;

declare_rule! {
    /// ## What it does
    /// Reports a Deployment whose rollout stops every pod at once:
    /// - `strategy.rollingUpdate.maxUnavailable` of `100%`, or a number at least the pods it
    ///   runs (`replicas`, or its autoscaler's `minReplicas`), at that value — when it runs
    ///   more than one pod (a single pod is `min-replicas`' business);
    /// - `strategy.type: Recreate` on a Deployment that a Service of the run routes to, at the
    ///   `Recreate` value.
    ///
    /// A Deployment that mounts a ReadWriteOnce claim, or a claim not in the run, is left
    /// alone: there `Recreate` (or `maxSurge: 0, maxUnavailable: 1`) is exactly the fix that
    /// `rwo-volume-rolling-update` recommends, since the new pod cannot attach the volume
    /// while the old one holds it. The two rules decide with the same helper. `Recreate` is
    /// also left alone on a Deployment whose containers request an extended resource
    /// (`nvidia.com/gpu`, `google.com/tpu`) or a host port: a surge pod would wait for a node
    /// with a free one, so stopping the old pod first is the working choice. A Service counts
    /// only if one of its ports is not named for metrics (`metrics`, `monitoring`…): a
    /// controller's metrics Service carries no client traffic, and controllers use `Recreate`
    /// so that two instances never run at once.
    ///
    /// StatefulSets and DaemonSets are not checked: a StatefulSet's `OnDelete` updates nothing
    /// until pods are deleted by hand and its `maxUnavailable` is behind an alpha feature gate
    /// (`MaxUnavailableStatefulSet`), and a DaemonSet runs one pod per node, where stopping
    /// each node's pod at once is a per-node blip that agents (log shippers, CNI plugins)
    /// often choose for speed.
    ///
    /// ## Why is this bad
    /// A rolling update keeps serving while it replaces pods. `Recreate` deletes every old pod
    /// first and starts the new ones after: the Service has no ready endpoint from the first
    /// deletion until a new pod passes its readiness probe — downtime on every deploy, and an
    /// outage that lasts until rollback if the new version does not start. A `maxUnavailable`
    /// as large as the replica count lets the controller do the same within a rolling update.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: 3
    ///   strategy:
    ///     type: RollingUpdate
    ///     rollingUpdate: {maxUnavailable: 100%}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: 3
    ///   strategy:
    ///     type: RollingUpdate
    ///     rollingUpdate: {maxUnavailable: 1, maxSurge: 1}
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real`: 10 findings in 10 files, all read, all `Recreate` (no
    /// Deployment of the corpus sets `maxUnavailable` to all its pods). 7 right: four Gradio
    /// front ends of GKE's LLM samples, Istio's Prometheus addon (two copies) and its rate-limit
    /// service; 3 wrong: kuberay-operator (an operator that must not run twice, behind a
    /// Service whose port is not named for metrics) and the archived OpenShift example's two
    /// single etcd members. Before the exemptions it gave 26: GPU/TPU model servers (a surge
    /// pod cannot get an accelerator), and Argo CD's notifications controller and GitOps agent,
    /// routed to only by a metrics Service or by an unrelated example's Service in the shared
    /// unnamed namespace. Agrees with kube-score's "Deployment Strategy" on its 3 fixtures
    /// (`service-target-deployment-not-rolling` fires; `service-target-deployment` and
    /// `…-strategy-not-set` pass). kube-linter's `no-rolling-update-strategy` flags any type
    /// other than RollingUpdate; on its fixture (`type: Other`, an empty strategy, an
    /// OpenShift DeploymentConfig) kubelint reports nothing: `Other` is not a strategy the API
    /// server accepts (`invalid-value` reports it), and no Service routes to those objects.
    pub struct RollingUpdateStrategy => "rolling-update-strategy";
}

impl Rule for RollingUpdateStrategy {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        let autoscaled = Autoscaled::of(index);
        let routed = routed_workloads(index);
        for (i, f) in index.subjects() {
            let KindFacts::Workload(w) = &f.kind else {
                continue;
            };
            if !f.reported
                || w.workload != WorkloadKind::Deployment
                || (w.recreate_site.is_none() && w.max_unavailable.is_none())
                || may_pin_one_pod(index, &index.namespace_of(f), &w.claims)
            {
                continue;
            }
            if w.replicas_site.is_some() && w.replicas.is_none() {
                continue;
            }
            let (pods, floor) = match autoscaled.get(index, f) {
                Some(Some(min)) => (min, "its autoscaler's minReplicas"),
                Some(None) => continue,
                None => (w.replicas.unwrap_or(1), "its replicas"),
            };
            if pods == 0 {
                continue;
            }
            if let Some(site) = &w.recreate_site {
                if !routed.contains(&i) || w.scarce_resources {
                    continue;
                }
                out.push(
                    GraphFinding::new(
                        i,
                        site,
                        format!(
                            "Deployment `{}` rolls out with `Recreate` and a Service routes to it: \
                             every deploy stops all its pods before starting new ones, so the \
                             Service has no endpoint until a new pod is ready",
                            f.id.name
                        ),
                    )
                    .help(
                        "use `strategy.type: RollingUpdate` (the default; remove `type: \
                         Recreate`), so old pods keep serving until new ones are ready",
                    ),
                );
                continue;
            }
            let Some((budget, site)) = &w.max_unavailable else {
                continue;
            };
            let all = match *budget {
                Budget::Percent(p) => p >= 100.0,
                Budget::Pods(n) => n >= pods,
            };
            if !all || pods <= 1 {
                continue;
            }
            let value = match *budget {
                Budget::Percent(p) => format!("{p}%"),
                Budget::Pods(n) => n.to_string(),
            };
            out.push(
                GraphFinding::new(
                    i,
                    site,
                    format!(
                        "Deployment `{}` allows `maxUnavailable: {value}` of its {pods} pods \
                         ({floor}): a rollout may stop all of them at once, and the service is \
                         down until new pods are ready",
                        f.id.name
                    ),
                )
                .help(format!(
                    "lower `maxUnavailable` below {pods}: `1`, or the default `25%`, with \
                     `maxSurge: 1` so the rollout starts new pods first"
                )),
            );
        }
    }
}
