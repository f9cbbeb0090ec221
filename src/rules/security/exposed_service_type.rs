use serde::{Deserialize, Serialize};

use super::super::{Finding, Options, OptionsSpec, Rule, declare_rule};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports a Service of type `NodePort` or `LoadBalancer`, at its `type` value, unless
    /// the type is listed in `allowed-types`. Not reported: a LoadBalancer that the cloud
    /// provider's annotation makes internal (AWS, GKE, Azure, Oracle, IBM, Alibaba annotations
    /// for an internal or private load balancer), or that `loadBalancerSourceRanges` limits
    /// to given networks, and a templated type.
    ///
    /// ## Why is this bad
    /// A NodePort opens the port on every node of the cluster, on every node address — often
    /// public ones, and past the ingress controller's TLS, authentication and rate limits. A
    /// LoadBalancer asks the cloud for an address reachable from the internet. Either way
    /// the Service's pods take traffic from outside the cluster that nothing in front of them
    /// filters; an Ingress or Gateway is usually the one door meant for that.
    ///
    /// Off by default: a Service exposed on purpose (the ingress controller's own
    /// LoadBalancer, a game server, a bare-metal NodePort) is the normal way in, and only the
    /// team knows which one is meant.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// metadata: {name: api}
    /// spec:
    ///   type: LoadBalancer
    ///   selector: {app: api}
    ///   ports: [{port: 80, targetPort: 8080}]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Service
    /// metadata: {name: api}
    /// spec:
    ///   selector: {app: api}     # type ClusterIP, reached through an Ingress or Gateway
    ///   ports: [{port: 80, targetPort: 8080}]
    /// ```
    ///
    /// ## Options
    /// - `allowed-types` (default none): Service types not reported, from `NodePort` and
    ///   `LoadBalancer` (for example `[LoadBalancer]` where cloud load balancers are the way
    ///   in and only NodePorts are suspect).
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (selected by id): 107 findings in 106 files (78
    /// LoadBalancer, 29 NodePort); 36 read (every third), all true of the manifests: tutorial front ends
    /// exposed for the reader to open (GKE samples, the guestbook, the microservices demo),
    /// ingress-nginx's own controller Service, Rook's dashboard and object store
    /// "external" Services, model servers. Each is exposed on purpose; whether it should be
    /// is the team's call, hence off by default. The internal-load-balancer annotations and
    /// `loadBalancerSourceRanges` removed none on this corpus and are kept for the clusters
    /// that use them.
    ///
    /// Peers: agrees with kube-score's "Service Type" on its 3 fixtures (NodePort warns,
    /// ClusterIP and the default pass; kube-score does not warn on LoadBalancer, kubelint
    /// does, as kube-linter's `exposed-services` can be configured to) and with
    /// kube-linter's `exposed-services` on its 2 objects.
    pub struct ExposedServiceType => "exposed-service-type";
}

/// The Service types that expose pods outside the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum ExposedType {
    NodePort,
    LoadBalancer,
}

/// The options of `exposed-service-type` (documented under `## Options` above).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExposedServiceTypeOptions {
    pub allowed_types: Vec<ExposedType>,
}

/// Annotations (and the values) that make a cloud LoadBalancer internal to the network.
const INTERNAL: &[(&str, &[&str])] = &[
    (
        "service.beta.kubernetes.io/aws-load-balancer-internal",
        &["true", "0.0.0.0/0"],
    ),
    (
        "service.beta.kubernetes.io/aws-load-balancer-scheme",
        &["internal"],
    ),
    (
        "networking.gke.io/load-balancer-type",
        &["Internal", "internal"],
    ),
    (
        "cloud.google.com/load-balancer-type",
        &["Internal", "internal"],
    ),
    (
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        &["true"],
    ),
    (
        "service.beta.kubernetes.io/oci-load-balancer-internal",
        &["true"],
    ),
    (
        "service.beta.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type",
        &["private"],
    ),
    (
        "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type",
        &["intranet"],
    ),
    (
        "service.beta.kubernetes.io/openstack-internal-load-balancer",
        &["true"],
    ),
];

impl Rule for ExposedServiceType {
    fn options(&self) -> Option<OptionsSpec> {
        Some(OptionsSpec::of::<ExposedServiceTypeOptions>())
    }

    fn check_object<'d>(&self, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
        if object.kind != "Service" || !crate::k8s::group_of(object.api_version).is_empty() {
            return;
        }
        let Some(spec) = object.root.get("spec") else {
            return;
        };
        let Some(node) = spec.get("type") else {
            return;
        };
        let exposed = match node.as_str() {
            Some("NodePort") => ExposedType::NodePort,
            Some("LoadBalancer") => ExposedType::LoadBalancer,
            _ => return,
        };
        if options
            .get::<ExposedServiceTypeOptions>()
            .allowed_types
            .contains(&exposed)
        {
            return;
        }
        let annotations = object.metadata().and_then(|m| m.get("annotations"));
        let internal = INTERNAL.iter().any(|(key, values)| {
            annotations
                .and_then(|a| a.get_str(key))
                .is_some_and(|v| values.contains(&v))
        });
        let restricted = spec
            .get_some("loadBalancerSourceRanges")
            .is_some_and(|r| r.items().next().is_some());
        if exposed == ExposedType::LoadBalancer && (internal || restricted) {
            return;
        }
        let (message, help) = match exposed {
            ExposedType::NodePort => (
                "`type: NodePort` opens the Service's port on every node of the cluster: its pods \
                 take traffic from anything that reaches a node, past the ingress controller",
                "make it `ClusterIP` and route to it through an Ingress or Gateway (or, if the \
                 node ports are meant to be reached, add `NodePort` to this rule's \
                 `allowed-types`)",
            ),
            ExposedType::LoadBalancer => (
                "`type: LoadBalancer` asks the cloud for an external address: its pods take \
                 traffic from the internet that nothing in front of them filters",
                "make it `ClusterIP` behind an Ingress or Gateway, make the load balancer \
                 internal with your provider's annotation, or limit it with \
                 `loadBalancerSourceRanges`",
            ),
        };
        out.push(
            Finding::new(
                node,
                format!("Service `{}`: {message}", object.name.unwrap_or("?")),
            )
            .help(help),
        );
    }
}
