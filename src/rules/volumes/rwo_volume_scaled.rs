use super::super::{GraphFinding, Rule, declare_rule};
use super::single_attach_mode;
use crate::index::{Index, KindFacts};
use crate::model::pod::WorkloadKind;

declare_rule! {
    /// ## What it does
    /// Reports a `persistentVolumeClaim` volume whose claim (found by name in the same
    /// namespace, among the inputs or `--context`) is ReadWriteOnce or ReadWriteOncePod, mounted
    /// by a Deployment, ReplicaSet or ReplicationController that runs more than one replica or
    /// that a HorizontalPodAutoscaler may scale above one — and by a StatefulSet that shares one
    /// such claim between its replicas through `volumes` instead of `volumeClaimTemplates`.
    /// Claims that are not in the inputs, and claims that also allow ReadWriteMany or
    /// ReadOnlyMany, produce no finding.
    ///
    /// ## Why is this bad
    /// A ReadWriteOnce volume attaches to one node (ReadWriteOncePod: to one pod). The first pod
    /// starts; the others, scheduled elsewhere, hang in ContainerCreating with
    /// `Multi-Attach error`, so the extra replicas never serve and a rollout never completes.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: 3
    ///   template:
    ///     spec:
    ///       volumes:
    ///         - name: data
    ///           persistentVolumeClaim: {claimName: data}   # ReadWriteOnce
    /// ```
    ///
    /// ## Use instead
    /// A StatefulSet with `volumeClaimTemplates` (one volume per replica):
    /// ```yaml
    /// kind: StatefulSet
    /// spec:
    ///   replicas: 3
    ///   volumeClaimTemplates:
    ///     - metadata: {name: data}
    ///       spec:
    ///         accessModes: [ReadWriteOnce]
    ///         resources: {requests: {storage: 10Gi}}
    /// ```
    /// or a claim of a storage class that supports ReadWriteMany.
    pub struct RwoVolumeScaled => "rwo-volume-scaled";
}

impl Rule for RwoVolumeScaled {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        for (i, f) in index.subjects() {
            let KindFacts::Workload(w) = &f.kind else {
                continue;
            };
            if w.claims.is_empty()
                || !matches!(
                    w.workload,
                    WorkloadKind::Deployment
                        | WorkloadKind::ReplicaSet
                        | WorkloadKind::ReplicationController
                        | WorkloadKind::StatefulSet
                )
            {
                continue;
            }
            let replicas = w.replicas.unwrap_or(1);
            let hpa_max = index.hpa_max_replicas(f);
            if replicas.max(hpa_max.unwrap_or(0)) <= 1 {
                continue;
            }
            let how_many = match hpa_max {
                Some(max) if max > replicas => {
                    format!("a HorizontalPodAutoscaler may scale it to {max} replicas")
                }
                _ => format!("it runs {replicas} replicas"),
            };
            let ns = index.namespace_of(f);
            for mount in &w.claims {
                let Some(mode) = single_attach_mode(index, &ns, &mount.claim) else {
                    continue;
                };
                let help = if w.workload == WorkloadKind::StatefulSet {
                    "give each replica its own volume with `volumeClaimTemplates`, or use a claim whose storage class supports ReadWriteMany"
                } else {
                    "use a StatefulSet with `volumeClaimTemplates` (one volume per replica), or a claim whose storage class supports ReadWriteMany"
                };
                let message = format!(
                    "{} `{}` mounts {mode} claim `{}`, but {how_many}: only {} can attach it; the other pods hang in ContainerCreating (Multi-Attach error)",
                    f.id.kind,
                    f.id.name,
                    mount.claim,
                    if mode == "ReadWriteOncePod" {
                        "one pod"
                    } else {
                        "one node"
                    },
                );
                out.push(GraphFinding::new(i, &mount.site, message).help(help));
            }
        }
    }
}
