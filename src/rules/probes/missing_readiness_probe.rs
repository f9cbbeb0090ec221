use super::super::{GraphFinding, Rule, declare_rule};
use crate::diagnostic::Severity;
use crate::index::{Index, KindFacts};

declare_rule! {
    /// ## What it does
    /// Reports a container of a long-running workload (Deployment, StatefulSet, DaemonSet,
    /// ReplicaSet, ReplicationController, or a bare Pod that restarts) that has no
    /// `readinessProbe`. Native sidecars (init containers with `restartPolicy: Always`) are
    /// checked too; init containers, Jobs, CronJobs and run-once Pods are not.
    ///
    /// Pods that no Service selects are reported at `info` instead of the rule's `warning`:
    /// when the inputs hold the Services of the pods' namespace (for objects without a
    /// namespace, of their directory), every one of them has a selector, and none selects the
    /// pods. Queue workers, controllers, node agents, load generators and `pause` containers
    /// look like that. Where the inputs cannot tell — no Services there, a Service without a
    /// selector (a kustomize base, manual endpoints), templated pod labels — the finding stays
    /// a warning. A severity you set for the rule (`severity:` in `.kubelint.yaml`,
    /// `--severity missing-readiness-probe=error`) applies to every finding, served or not.
    ///
    /// ## Why is this bad
    /// Without a readiness probe a pod counts as ready the moment its containers start:
    /// Services send it traffic before the application listens, and a rolling update
    /// replaces healthy pods with ones that cannot serve yet, so a broken release takes all
    /// traffic down instead of stalling.
    ///
    /// A pod that serves no traffic loses only the second half: its readiness still gates
    /// rollouts (a Deployment stops old pods only once new ones are ready) and counts in
    /// PodDisruptionBudgets, so the probe is worth having, but its absence is not an outage
    /// waiting to happen — hence `info`, which does not fail a run at the default
    /// `--fail-on warning`.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: example/web:1.4
    ///     ports:
    ///       - name: http
    ///         containerPort: 8080
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: example/web:1.4
    ///     ports:
    ///       - name: http
    ///         containerPort: 8080
    ///     readinessProbe:
    ///       httpGet:
    ///         path: /healthz/ready
    ///         port: http
    /// ```
    pub struct MissingReadinessProbe => "missing-readiness-probe";
}

impl Rule for MissingReadinessProbe {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        let mut served = None;
        for (i, f) in index.subjects() {
            let KindFacts::Workload(w) = &f.kind else {
                continue;
            };
            if w.without_readiness.is_empty() || !f.reported {
                continue;
            }
            // Unserved: the inputs hold the Services of the pods' namespace, and none selects
            // them. Unknown counts as served: no Services known there, or pod labels that are
            // missing or templated.
            let templated = w
                .labels
                .iter()
                .any(|(k, v)| crate::model::is_templated(k) || crate::model::is_templated(v));
            let unserved = w.labels_known
                && !templated
                && index.knows_services_for(f)
                && !served
                    .get_or_insert_with(|| index.served_workloads())
                    .contains(&i);
            for c in &w.without_readiness {
                let name = c.name.as_deref().unwrap_or("<unnamed>");
                let finding = if unserved {
                    GraphFinding::new(
                        i,
                        &c.site,
                        format!(
                            "{} `{name}` has no readiness probe; no Service in the inputs \
                             selects its pods, so the probe would only gate rollouts",
                            c.kind
                        ),
                    )
                    .help(UNSERVED_HELP)
                    .severity(Severity::Info)
                } else {
                    GraphFinding::new(
                        i,
                        &c.site,
                        format!("{} `{name}` has no readiness probe", c.kind),
                    )
                    .help(HELP)
                };
                out.push(finding.container(c.name.clone()));
            }
        }
    }
}

const HELP: &str = "add a `readinessProbe` (httpGet, tcpSocket, grpc or exec) that passes only \
                    once the container can serve, so traffic and rollouts wait for it";

const UNSERVED_HELP: &str = "a pod that serves no traffic (a worker, a load generator) still \
                             benefits from a `readinessProbe` that passes once it works: a \
                             rollout waits for it before stopping old pods";
