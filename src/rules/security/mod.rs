pub mod automount_service_account_token;
pub mod cluster_admin_binding;
pub mod default_service_account;
pub mod exposed_service_type;
pub mod image_tag_latest;
pub mod ingress_missing_tls;
pub mod missing_network_policy;
pub mod rbac;
pub mod rbac_pod_exec_attach;
pub mod rbac_secrets_access;
pub mod rbac_wildcard;
pub mod secret_in_env;
pub mod sensitive_configmap_content;
pub mod sensitive_host_mount;
pub mod ssh_port;
pub mod writable_host_mount;
pub mod writable_root_filesystem;

use crate::model::PodTemplate;
use crate::parse::tree::Node;

/// A `hostPath` volume of a pod: its name, its `hostPath` mapping and its `path` value.
pub(crate) struct HostPathVolume<'d> {
    pub name: &'d str,
    pub host_path: Node<'d>,
    pub path: Option<Node<'d>>,
}

/// The pod's `hostPath` volumes, in written order.
pub(crate) fn host_path_volumes<'d>(pod: &PodTemplate<'d>) -> Vec<HostPathVolume<'d>> {
    pod.spec
        .get("volumes")
        .into_iter()
        .flat_map(|v| v.items())
        .filter_map(|volume| {
            let host_path = volume.get_some("hostPath").filter(|h| h.is_map())?;
            Some(HostPathVolume {
                name: volume.get_str("name")?,
                host_path,
                path: host_path.get_some("path"),
            })
        })
        .collect()
}

/// A host path as the node resolves it: `.` and `..` applied, repeated and trailing slashes
/// dropped, and `/var/run` read as `/run` (a symlink to it on every current distribution).
/// None for a relative path (which the API server rejects).
pub(crate) fn normalize_host_path(path: &str) -> Option<String> {
    let path = path.trim();
    if !path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    if parts.len() >= 2 && parts[0] == "var" && parts[1] == "run" {
        parts.remove(0);
    }
    Some(format!("/{}", parts.join("/")))
}

/// Whether `path` is `dir` or below it (both normalised).
pub(crate) fn is_under(path: &str, dir: &str) -> bool {
    dir == "/"
        || path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}
