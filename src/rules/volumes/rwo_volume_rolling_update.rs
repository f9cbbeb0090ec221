use super::super::{GraphFinding, Rule, declare_rule};
use super::single_attach_mode;
use crate::index::{Index, KindFacts};
use crate::model::pod::WorkloadKind;

declare_rule! {
    /// ## What it does
    /// Reports a single-replica Deployment that mounts a ReadWriteOncePod or ReadWriteOnce claim
    /// (found by name among the inputs or `--context`) and rolls out with the `RollingUpdate`
    /// strategy — the default — with a `maxSurge` other than 0. (With more than one replica,
    /// `rwo-volume-scaled` reports the claim instead.)
    ///
    /// ## Why is this bad
    /// A rolling update starts the new pod before it stops the old one. The old pod still holds
    /// the volume, so the new one cannot attach it (ReadWriteOncePod: never; ReadWriteOnce:
    /// unless it lands on the same node) and waits in ContainerCreating; the rollout stalls
    /// until its progress deadline, and every release needs a manual delete.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: 1
    ///   template:
    ///     spec:
    ///       volumes:
    ///         - name: data
    ///           persistentVolumeClaim: {claimName: data}   # ReadWriteOnce
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: 1
    ///   strategy:
    ///     type: Recreate
    /// ```
    pub struct RwoVolumeRollingUpdate => "rwo-volume-rolling-update";
}

impl Rule for RwoVolumeRollingUpdate {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        for (i, f) in index.subjects() {
            let KindFacts::Workload(w) = &f.kind else {
                continue;
            };
            if w.workload != WorkloadKind::Deployment || !w.surges || w.claims.is_empty() {
                continue;
            }
            let replicas = w.replicas.unwrap_or(1);
            if replicas != 1 || index.hpa_max_replicas(f).is_some_and(|m| m > 1) {
                continue;
            }
            let ns = index.namespace_of(f);
            for mount in &w.claims {
                let Some(mode) = single_attach_mode(index, &ns, &mount.claim) else {
                    continue;
                };
                let odds = if mode == "ReadWriteOncePod" {
                    "cannot attach it while the old pod holds it"
                } else {
                    "cannot attach it while the old pod holds it, unless it lands on the same node"
                };
                let message = format!(
                    "Deployment `{}` mounts {mode} claim `{}` and rolls out by starting a new pod first; the new pod {odds}, so the rollout stalls",
                    f.id.name, mount.claim
                );
                out.push(GraphFinding::new(i, &mount.site, message).help("set `spec.strategy.type: Recreate`, or `rollingUpdate: {maxSurge: 0, maxUnavailable: 1}`, so the old pod releases the volume first"));
            }
        }
    }
}
