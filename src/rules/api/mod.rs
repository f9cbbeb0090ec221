//! Rules about API versions.

pub mod deprecated_api_version;
pub mod removed_api_version;
