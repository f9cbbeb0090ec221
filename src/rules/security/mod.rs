pub mod missing_network_policy;
