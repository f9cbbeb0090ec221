pub mod duplicate_key;
pub mod invalid_manifest;
pub mod invalid_yaml;
