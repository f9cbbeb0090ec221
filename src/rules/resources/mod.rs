pub mod qos_intent_mismatch;
