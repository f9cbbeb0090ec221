pub mod duplicate_env_var;
pub mod hpa_target_has_replicas;
pub mod image_pull_policy;
pub mod missing_priority_class;
pub mod pdb_blocks_eviction;
