mod declared;
pub mod ephemeral_storage_resources;
pub mod missing_resources;
pub mod qos_intent_mismatch;
