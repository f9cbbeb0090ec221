//! Kinds and their resources: `Deployment` ↔ `deployments`, the name API paths, RBAC rules,
//! admission policies and `kubectl get` use.
//!
//! Built-in kinds answer from a table of Kubernetes' own resources (the `URL_PATH_SEGMENT`s
//! of k8s-openapi for 1.33–1.37, plus the kinds of earlier releases since 1.16 that those no
//! longer have). Other kinds get the name Kubernetes guesses (`guess_resource`); a CRD's
//! `spec.names.plural` is what the API server really uses for them.

use std::borrow::Cow;

use super::is_builtin_group;

/// (group, kind, resource) of every built-in kind that is a resource, by group and kind.
const BUILTIN: &[(&str, &str, &str)] = &[
    ("", "Binding", "bindings"),
    ("", "ComponentStatus", "componentstatuses"),
    ("", "ConfigMap", "configmaps"),
    ("", "Endpoints", "endpoints"),
    ("", "Event", "events"),
    ("", "LimitRange", "limitranges"),
    ("", "Namespace", "namespaces"),
    ("", "Node", "nodes"),
    ("", "PersistentVolume", "persistentvolumes"),
    ("", "PersistentVolumeClaim", "persistentvolumeclaims"),
    ("", "Pod", "pods"),
    ("", "PodTemplate", "podtemplates"),
    ("", "ReplicationController", "replicationcontrollers"),
    ("", "ResourceQuota", "resourcequotas"),
    ("", "Secret", "secrets"),
    ("", "Service", "services"),
    ("", "ServiceAccount", "serviceaccounts"),
    (
        "admissionregistration.k8s.io",
        "MutatingAdmissionPolicy",
        "mutatingadmissionpolicies",
    ),
    (
        "admissionregistration.k8s.io",
        "MutatingAdmissionPolicyBinding",
        "mutatingadmissionpolicybindings",
    ),
    (
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingAdmissionPolicy",
        "validatingadmissionpolicies",
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingAdmissionPolicyBinding",
        "validatingadmissionpolicybindings",
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
    ),
    (
        "apiextensions.k8s.io",
        "CustomResourceDefinition",
        "customresourcedefinitions",
    ),
    ("apiregistration.k8s.io", "APIService", "apiservices"),
    ("apps", "ControllerRevision", "controllerrevisions"),
    ("apps", "DaemonSet", "daemonsets"),
    ("apps", "Deployment", "deployments"),
    ("apps", "ReplicaSet", "replicasets"),
    ("apps", "StatefulSet", "statefulsets"),
    ("auditregistration.k8s.io", "AuditSink", "auditsinks"),
    (
        "authentication.k8s.io",
        "SelfSubjectReview",
        "selfsubjectreviews",
    ),
    ("authentication.k8s.io", "TokenReview", "tokenreviews"),
    (
        "authorization.k8s.io",
        "LocalSubjectAccessReview",
        "localsubjectaccessreviews",
    ),
    (
        "authorization.k8s.io",
        "SelfSubjectAccessReview",
        "selfsubjectaccessreviews",
    ),
    (
        "authorization.k8s.io",
        "SelfSubjectRulesReview",
        "selfsubjectrulesreviews",
    ),
    (
        "authorization.k8s.io",
        "SubjectAccessReview",
        "subjectaccessreviews",
    ),
    (
        "autoscaling",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
    ),
    ("batch", "CronJob", "cronjobs"),
    ("batch", "Job", "jobs"),
    (
        "certificates.k8s.io",
        "CertificateSigningRequest",
        "certificatesigningrequests",
    ),
    (
        "certificates.k8s.io",
        "ClusterTrustBundle",
        "clustertrustbundles",
    ),
    (
        "certificates.k8s.io",
        "PodCertificateRequest",
        "podcertificaterequests",
    ),
    ("coordination.k8s.io", "Lease", "leases"),
    ("coordination.k8s.io", "LeaseCandidate", "leasecandidates"),
    ("discovery.k8s.io", "EndpointSlice", "endpointslices"),
    ("events.k8s.io", "Event", "events"),
    ("extensions", "DaemonSet", "daemonsets"),
    ("extensions", "Deployment", "deployments"),
    ("extensions", "Ingress", "ingresses"),
    ("extensions", "NetworkPolicy", "networkpolicies"),
    ("extensions", "PodSecurityPolicy", "podsecuritypolicies"),
    ("extensions", "ReplicaSet", "replicasets"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema", "flowschemas"),
    (
        "flowcontrol.apiserver.k8s.io",
        "PriorityLevelConfiguration",
        "prioritylevelconfigurations",
    ),
    (
        "internal.apiserver.k8s.io",
        "StorageVersion",
        "storageversions",
    ),
    ("lifecycle.k8s.io", "Eviction", "evictions"),
    ("lifecycle.k8s.io", "EvictionRequest", "evictionrequests"),
    ("networking.k8s.io", "ClusterCIDR", "clustercidrs"),
    ("networking.k8s.io", "IPAddress", "ipaddresses"),
    ("networking.k8s.io", "Ingress", "ingresses"),
    ("networking.k8s.io", "IngressClass", "ingressclasses"),
    ("networking.k8s.io", "NetworkPolicy", "networkpolicies"),
    ("networking.k8s.io", "ServiceCIDR", "servicecidrs"),
    ("node.k8s.io", "RuntimeClass", "runtimeclasses"),
    ("policy", "PodDisruptionBudget", "poddisruptionbudgets"),
    ("policy", "PodSecurityPolicy", "podsecuritypolicies"),
    ("rbac.authorization.k8s.io", "ClusterRole", "clusterroles"),
    (
        "rbac.authorization.k8s.io",
        "ClusterRoleBinding",
        "clusterrolebindings",
    ),
    ("rbac.authorization.k8s.io", "Role", "roles"),
    ("rbac.authorization.k8s.io", "RoleBinding", "rolebindings"),
    ("resource.k8s.io", "DeviceClass", "deviceclasses"),
    ("resource.k8s.io", "DeviceTaintRule", "devicetaintrules"),
    ("resource.k8s.io", "PodScheduling", "podschedulings"),
    (
        "resource.k8s.io",
        "PodSchedulingContext",
        "podschedulingcontexts",
    ),
    ("resource.k8s.io", "ResourceClaim", "resourceclaims"),
    (
        "resource.k8s.io",
        "ResourceClaimParameters",
        "resourceclaimparameters",
    ),
    (
        "resource.k8s.io",
        "ResourceClaimTemplate",
        "resourceclaimtemplates",
    ),
    ("resource.k8s.io", "ResourceClass", "resourceclasses"),
    (
        "resource.k8s.io",
        "ResourceClassParameters",
        "resourceclassparameters",
    ),
    (
        "resource.k8s.io",
        "ResourcePoolStatusRequest",
        "resourcepoolstatusrequests",
    ),
    ("resource.k8s.io", "ResourceSlice", "resourceslices"),
    (
        "scheduling.k8s.io",
        "CompositePodGroup",
        "compositepodgroups",
    ),
    ("scheduling.k8s.io", "PodGroup", "podgroups"),
    ("scheduling.k8s.io", "PriorityClass", "priorityclasses"),
    ("scheduling.k8s.io", "Workload", "workloads"),
    ("settings.k8s.io", "PodPreset", "podpresets"),
    ("storage.k8s.io", "CSIDriver", "csidrivers"),
    ("storage.k8s.io", "CSINode", "csinodes"),
    (
        "storage.k8s.io",
        "CSIStorageCapacity",
        "csistoragecapacities",
    ),
    ("storage.k8s.io", "StorageClass", "storageclasses"),
    ("storage.k8s.io", "VolumeAttachment", "volumeattachments"),
    (
        "storage.k8s.io",
        "VolumeAttributesClass",
        "volumeattributesclasses",
    ),
    (
        "storagemigration.k8s.io",
        "StorageVersionMigration",
        "storageversionmigrations",
    ),
];

/// Kinds of built-in groups that are no resource of their own: API metadata, and the bodies
/// of subresources (`pods/eviction`, `deployments/scale`, `serviceaccounts/token`).
pub const NOT_RESOURCES: &[(&str, &str)] = &[
    ("", "APIGroup"),
    ("", "APIGroupList"),
    ("", "APIResourceList"),
    ("", "APIVersions"),
    ("", "Status"),
    ("authentication.k8s.io", "TokenRequest"),
    ("autoscaling", "Scale"),
    ("policy", "Eviction"),
];

/// The resource of `kind` in `group`: Kubernetes' own name for a built-in kind (none for a
/// kind of a built-in group that is no resource, or that Kubernetes does not have), else the
/// name Kubernetes guesses from the kind.
pub fn resource_of(group: &str, kind: &str) -> Option<Cow<'static, str>> {
    if is_builtin_group(group) {
        let i = BUILTIN
            .binary_search_by(|(g, k, _)| (*g, *k).cmp(&(group, kind)))
            .ok()?;
        return Some(Cow::Borrowed(BUILTIN[i].2));
    }
    Some(Cow::<str>::Owned(guess_resource(kind))).filter(|r| !r.is_empty())
}

/// The built-in kind whose resource `resource` is in `group`: `NetworkPolicy` for
/// (`networking.k8s.io`, `networkpolicies`). Custom resources' kinds are their CRDs' to tell.
pub fn kind_of(group: &str, resource: &str) -> Option<&'static str> {
    BUILTIN
        .iter()
        .find(|(g, _, r)| *g == group && *r == resource)
        .map(|(_, k, _)| *k)
}

/// The plural resource name Kubernetes guesses for a kind, as apimachinery's
/// `meta.UnsafeGuessKindToResource` does: lower case, then `-s` → `-ses`, `-y` → `-ies`,
/// else `+s`, and a name ending in `endpoints` stays as it is.
pub fn guess_resource(kind: &str) -> String {
    let singular = kind.to_lowercase();
    if singular.ends_with("endpoints") {
        singular
    } else if singular.ends_with('s') {
        singular + "es"
    } else if let Some(stem) = singular.strip_suffix('y') {
        format!("{stem}ies")
    } else if singular.is_empty() {
        singular
    } else {
        singular + "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_names_builtin_groups_only() {
        assert!(
            BUILTIN
                .windows(2)
                .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1))
        );
        for (group, kind, _) in BUILTIN {
            assert!(is_builtin_group(group), "{group} {kind}");
        }
    }

    /// Kubernetes registers most built-in resources under the name its guess gives, but not
    /// all: the `*Parameters` kinds of 1.30's `resource.k8s.io/v1alpha2` kept their plural.
    #[test]
    fn builtin_resources_are_what_kubernetes_guesses_but_two() {
        let irregular: Vec<&str> = BUILTIN
            .iter()
            .filter(|(_, kind, resource)| guess_resource(kind) != *resource)
            .map(|(_, kind, _)| *kind)
            .collect();
        assert_eq!(
            irregular,
            ["ResourceClaimParameters", "ResourceClassParameters"]
        );
    }

    #[test]
    fn kinds_and_resources_map_both_ways() {
        for (group, kind, resource) in [
            ("apps", "Deployment", "deployments"),
            ("networking.k8s.io", "NetworkPolicy", "networkpolicies"),
            ("networking.k8s.io", "Ingress", "ingresses"),
            ("extensions", "Ingress", "ingresses"),
            ("", "Endpoints", "endpoints"),
            ("", "ComponentStatus", "componentstatuses"),
            (
                "storage.k8s.io",
                "CSIStorageCapacity",
                "csistoragecapacities",
            ),
            ("lifecycle.k8s.io", "Eviction", "evictions"),
            (
                "resource.k8s.io",
                "ResourceClaimParameters",
                "resourceclaimparameters",
            ),
        ] {
            assert_eq!(resource_of(group, kind).as_deref(), Some(resource));
            assert_eq!(kind_of(group, resource), Some(kind));
        }
        // Subresource bodies and API metadata are no resources.
        for (group, kind) in NOT_RESOURCES {
            assert_eq!(resource_of(group, kind), None, "{group} {kind}");
        }
        assert_eq!(resource_of("apps", "Deploymnet"), None);
        assert_eq!(kind_of("apps", "networkpolicies"), None);
        // Custom resources: the guess.
        assert_eq!(
            resource_of("cert-manager.io", "Certificate").as_deref(),
            Some("certificates")
        );
        // Only a guess: the Gateway API's CRD says `gateways`.
        assert_eq!(
            resource_of("gateway.networking.k8s.io", "Gateway").as_deref(),
            Some("gatewaies")
        );
        assert_eq!(kind_of("cert-manager.io", "certificates"), None);
    }

    #[test]
    fn the_guess_is_apimachinerys() {
        for (kind, resource) in [
            ("Pod", "pods"),
            ("Ingress", "ingresses"),
            ("NetworkPolicy", "networkpolicies"),
            ("Endpoints", "endpoints"),
            ("ServiceEndpoints", "serviceendpoints"),
            ("Status", "statuses"),
            ("Prometheus", "prometheuses"),
            ("Key", "keies"),
            ("", ""),
        ] {
            assert_eq!(guess_resource(kind), resource, "{kind}");
        }
    }
}
