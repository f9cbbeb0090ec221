mod declared;
pub mod missing_resources;
pub mod qos_intent_mismatch;
