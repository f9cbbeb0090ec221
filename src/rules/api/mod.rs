//! Rules about API versions.

pub mod removed_api_version;
