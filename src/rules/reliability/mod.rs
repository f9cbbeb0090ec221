pub mod duplicate_env_var;
pub mod hpa_target_has_replicas;
pub mod missing_pod_anti_affinity;
pub mod pdb_blocks_eviction;
pub mod topology_spread_invalid;
