//! API groups: the group of an apiVersion, and which groups are Kubernetes' own.

/// The API group of an apiVersion: `apps` for `apps/v1`, empty for the core `v1`.
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

/// The API groups Kubernetes itself serves or served, in any release since 1.16: objects of
/// other groups are custom resources. One list for every stage (the index, the schema rules,
/// the API-version rules), so that a removed built-in such as `extensions/v1beta1` is never
/// taken for a custom resource without a CRD. A test in `schema` checks that it covers every
/// group of the embedded schemas.
const BUILTIN_GROUPS: [&str; 27] = [
    "",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "auditregistration.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "extensions",
    "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io",
    "lifecycle.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "settings.k8s.io",
    "storage.k8s.io",
    "storagemigration.k8s.io",
];

/// Whether `group` is one of Kubernetes' own API groups (see `BUILTIN_GROUPS`).
pub fn is_builtin_group(group: &str) -> bool {
    BUILTIN_GROUPS.binary_search(&group).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_for_binary_search() {
        assert!(BUILTIN_GROUPS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn groups_of_api_versions() {
        assert_eq!(group_of("apps/v1"), "apps");
        assert_eq!(group_of("v1"), "");
        assert_eq!(group_of("cert-manager.io/v1"), "cert-manager.io");
        assert!(is_builtin_group("") && is_builtin_group("extensions"));
        assert!(!is_builtin_group("cert-manager.io"));
    }
}
