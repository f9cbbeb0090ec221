//! What kubelint knows about Kubernetes itself, for every stage to read: versions
//! (`KubeVersion`), API groups and which are built in (`groups`), which API versions were
//! removed when and what replaces them (`api_versions`), the resource names of kinds
//! (`resources`), the Pod Security Standards' levels and namespace labels (`pod_security`), and
//! the API server's syntax rules for names, labels and port names with its wording
//! (`validation`). Facts only: nothing here reports a finding, and it imports nothing above
//! `parse` and `text`.
//!
//! What the embedded schemas tell (which versions serve which kinds) stays with them in
//! `crate::schema`.

pub mod api_versions;
pub mod groups;
pub mod pod_security;
pub mod resources;
pub mod validation;
pub mod version;

pub use groups::{group_of, is_builtin_group};
pub use version::KubeVersion;
