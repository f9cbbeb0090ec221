pub mod duplicate_env_var;
pub mod hpa_min_replicas;
pub mod hpa_target_has_replicas;
pub mod image_pull_policy;
pub mod min_replicas;
pub mod missing_pdb;
pub mod missing_pod_anti_affinity;
pub mod missing_priority_class;
pub mod pdb_blocks_eviction;
pub mod pdb_unhealthy_eviction_policy;
pub mod rolling_update_strategy;
pub mod topology_spread_invalid;

use std::collections::HashMap;

use crate::index::{Facts, Index, KindFacts};

/// Namespaces as keys: the unnamed namespace and `default` are one (as the index treats them).
pub(crate) fn namespace_key(index: &Index, f: &Facts) -> Option<String> {
    index.namespace_of(f).filter(|n| n != "default")
}

/// The workloads some autoscaler of the run scales, by (kind, namespace, name), with the
/// smallest `minReplicas` of their HorizontalPodAutoscalers (None: only a custom scaler such as
/// a KEDA ScaledObject, whose floor the rules do not read). Built once per run, so looking a
/// workload up does not scan its namespace.
pub(crate) struct Autoscaled(HashMap<(String, Option<String>, String), Option<i64>>);

impl Autoscaled {
    pub(crate) fn of(index: &Index) -> Autoscaled {
        let mut map: HashMap<_, Option<i64>> = HashMap::new();
        for f in &index.facts {
            let (kind, name, min) = match &f.kind {
                KindFacts::HorizontalPodAutoscaler(h) => (
                    &h.target_kind,
                    &h.target_name,
                    Some(h.min_replicas.unwrap_or(1)),
                ),
                KindFacts::Scaler {
                    target_kind,
                    target_name,
                } => (target_kind, target_name, None),
                _ => continue,
            };
            let key = (kind.clone(), namespace_key(index, f), name.clone());
            let entry = map.entry(key).or_insert(min);
            *entry = match (*entry, min) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        Autoscaled(map)
    }

    /// Whether an autoscaler targets `f`, and the smallest `minReplicas` of its HPAs.
    pub(crate) fn get(&self, index: &Index, f: &Facts) -> Option<Option<i64>> {
        self.0
            .get(&(
                f.id.kind.clone(),
                namespace_key(index, f),
                f.id.name.clone(),
            ))
            .copied()
    }
}

/// The workloads (indices into `facts`) whose pods a Service of the run routes to: a Service
/// of their namespace (for the unnamed one and `default`, of their directory) whose selector,
/// not templated, selects their template's labels, and
/// that has a port not named for metrics (a controller's `metrics` Service carries no
/// client traffic).
pub(crate) fn routed_workloads(index: &Index) -> std::collections::HashSet<usize> {
    let mut routed = std::collections::HashSet::new();
    for f in &index.facts {
        let KindFacts::Service(crate::index::ServiceFacts {
            selector: Some(selector),
            metrics_only: false,
            ..
        }) = &f.kind
        else {
            continue;
        };
        if selector.is_templated() {
            continue;
        }
        // Objects without a namespace (or in `default`) share one across the run, so in a
        // repository of unrelated examples only a Service beside the workload (its directory)
        // is known to route to it.
        let ns = index.namespace_of(f);
        let shared = ns.as_deref().is_none_or(|n| n == "default");
        let dir = crate::index::parent_dir(&f.file);
        routed.extend(
            index
                .selected_indices(&ns, selector)
                .into_iter()
                .filter(|&i| !shared || crate::index::parent_dir(&index.facts[i].file) == dir),
        );
    }
    routed
}

/// The objects of the run by (kind, namespace, name): a kustomize base and its patches, or
/// copies of one manifest, share an identity.
pub(crate) fn by_identity(index: &Index) -> HashMap<(&str, Option<String>, &str), Vec<usize>> {
    let mut map: HashMap<_, Vec<usize>> = HashMap::new();
    for (i, f) in index.facts.iter().enumerate() {
        if matches!(
            f.id.kind.as_str(),
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController"
        ) {
            map.entry((
                f.id.kind.as_str(),
                namespace_key(index, f),
                f.id.name.as_str(),
            ))
            .or_default()
            .push(i);
        }
    }
    map
}
