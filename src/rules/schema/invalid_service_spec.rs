use std::collections::HashMap;
use std::net::IpAddr;

use super::super::{Finding, Options, Rule, declare_rule};
use crate::k8s::validation;
use crate::model::{Object, is_templated};
use crate::parse::tree::Node;

declare_rule! {
    /// ## What it does
    /// Reports what the API server's validation of a Service (`ValidateService` in
    /// `pkg/apis/core/validation`) refuses, after its defaulting (`type: ClusterIP`,
    /// `protocol: TCP`, `targetPort` from `port`, `sessionAffinity: None`), at the offending
    /// value, or at the key of a field that may not be set:
    /// - `ports: []` on a Service that is neither headless (`clusterIP: None`) nor
    ///   `type: ExternalName` (a Service with no `ports` key at all is refused too, but is
    ///   not reported: it is nearly always a kustomize patch that sets one field);
    /// - with several ports, a port without a `name`; a port `name` that is not a DNS-1123
    ///   label, or used twice; two ports with the same `port` and `protocol`, or the same
    ///   `nodePort` and `protocol`;
    /// - `port` outside 1-65535; `targetPort` outside 1-65535, or a name that is not an IANA
    ///   service name (a quoted number such as `"8080"` is a name, and refused); `appProtocol`
    ///   that is not a qualified name;
    /// - `nodePort` on a `type: ClusterIP` Service (the default type), or outside 1-65535;
    /// - `clusterIP: None` on a `LoadBalancer` or `NodePort` Service; a `clusterIP` that is
    ///   neither empty, `None` nor an IP address;
    /// - for `type: ExternalName`: a missing `externalName`, one that is not a DNS-1123
    ///   subdomain (a trailing dot is allowed), and `clusterIP`, `ipFamilies` or
    ///   `ipFamilyPolicy` set;
    /// - a ClientIP `sessionAffinityConfig.clientIP.timeoutSeconds` outside 1-86400 (a
    ///   `sessionAffinityConfig` beside `sessionAffinity: None` is dropped by defaulting, so
    ///   it is not reported);
    /// - `externalIPs` that are not IP addresses, or are unspecified, loopback or link-local;
    /// - `loadBalancerSourceRanges` on a Service that is not a `LoadBalancer`, or that are not
    ///   CIDRs; `loadBalancerClass` or `allocateLoadBalancerNodePorts` on a Service that is not
    ///   a `LoadBalancer`;
    /// - `externalTrafficPolicy` on a Service that is not externally accessible (`NodePort`,
    ///   `LoadBalancer`, or `ClusterIP` with `externalIPs`); `healthCheckNodePort` unless
    ///   `type: LoadBalancer` with `externalTrafficPolicy: Local`;
    /// - an IP family listed twice in `ipFamilies`, or two families with
    ///   `ipFamilyPolicy: SingleStack`.
    ///
    /// Values of a closed set (`type`, `protocol`, `sessionAffinity`) are `invalid-value`'s,
    /// Helm-templated values are skipped. Out of scope, as only the cluster knows them: a
    /// `nodePort` outside the cluster's `--service-node-port-range` (30000-32767 unless
    /// configured) or already allocated, a `clusterIP` outside the service CIDR or taken,
    /// dual-stack support, and changes to immutable fields on update.
    ///
    /// ## Why is this bad
    /// `kubectl apply` fails with `Service "web" is invalid`, and with it the rest of the
    /// release that was applied together: the Service is never created or updated.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   type: ClusterIP
    ///   ports:
    ///     - port: 80
    ///       targetPort: "8080"
    ///       nodePort: 30080
    ///     - port: 443
    ///       targetPort: https
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   type: NodePort
    ///   ports:
    ///     - name: http
    ///       port: 80
    ///       targetPort: 8080
    ///       nodePort: 30080
    ///     - name: https
    ///       port: 443
    ///       targetPort: https
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files, 549 with a Service): no finding. The first
    /// version had 8, all wrong for what the object is: 7 Services with no `ports` key, every
    /// one a kustomize patch that sets one field of a Service defined elsewhere (GKE's
    /// whereami overlays, eks-workshop's `fix_ui`, kubeflow's Istio patches; a missing `ports`
    /// key is no longer reported, only `ports: []`), and a GKE SCTP sample whose
    /// `targetPort: PORT` is a placeholder for the reader to fill in (values written in
    /// capitals, `<...>` or `__...__` are skipped as placeholders). No peer checks these
    /// (kubeconform and kube-linter pass every fail fixture). On by default: the API server
    /// refuses every finding.
    pub struct InvalidServiceSpec => "invalid-service-spec";
}

const REFUSED: &str = "the API server refuses the Service";

/// A string value as the API server would see it: `None` for templates and non-strings.
fn text<'d>(node: Node<'d>) -> Option<&'d str> {
    node.as_str().filter(|s| !super::is_placeholder(s))
}

/// Where a finding about a list item as a whole is shown: its first key.
fn item_anchor(item: Node<'_>) -> Node<'_> {
    item.entries().next().map_or(item, |(k, _)| k)
}

fn shown(node: Node<'_>) -> String {
    node.raw().unwrap_or_default().to_owned()
}

impl Rule for InvalidServiceSpec {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        if object.kind != "Service" || object.api_version != "v1" {
            return;
        }
        let Some(spec) = object.root.get("spec").filter(|s| s.is_map()) else {
            return;
        };
        let ty = match spec.get_some("type") {
            None => Some("ClusterIP"),
            Some(node) => text(node)
                .filter(|t| ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"].contains(t)),
        };
        let cluster_ip = spec.get_some("clusterIP");
        let cluster_ip_text = match cluster_ip {
            Some(node) => text(node),
            None => spec
                .get_some("clusterIPs")
                .and_then(|ips| ips.items().next())
                .and_then(text),
        };
        let headless = cluster_ip_text == Some("None");

        check_type_rules(spec, ty, cluster_ip, headless, out);
        check_ports(spec, ty, headless, out);
        check_affinity(spec, out);
        check_addresses(spec, ty, cluster_ip, out);
        check_external_traffic(spec, ty, out);
    }
}

/// `ValidateService`'s checks by `type`, and the IP family fields.
fn check_type_rules<'d>(
    spec: Node<'d>,
    ty: Option<&str>,
    cluster_ip: Option<Node<'d>>,
    headless: bool,
    out: &mut Vec<Finding<'d>>,
) {
    match ty {
        Some(t @ ("LoadBalancer" | "NodePort")) if headless => {
            let node = cluster_ip
                .or_else(|| spec.get_some("clusterIPs").and_then(|l| l.items().next()))
                .unwrap_or(spec);
            out.push(
                Finding::new(
                    node,
                    format!(
                        "`clusterIP: None` makes a headless Service, which a `{t}` Service cannot be; {REFUSED}: may not be set to 'None' for {t} services"
                    ),
                )
                .help("remove `clusterIP: None`, or make the Service headless with `type: ClusterIP`"),
            );
        }
        Some("ExternalName") => {
            for key in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] {
                let Some((key_node, value)) = spec.entry(key) else {
                    continue;
                };
                if value.is_null()
                    || value.as_str() == Some("")
                    || (value.is_seq() && value.items().next().is_none())
                {
                    continue;
                }
                out.push(
                    Finding::new(
                        key_node,
                        format!(
                            "`{key}` is set on an ExternalName Service, which is only a DNS alias; {REFUSED}: may not be set for ExternalName services"
                        ),
                    )
                    .help(format!("remove `{key}`")),
                );
            }
            // The CNAME may end with a dot to mark it fully qualified.
            match spec.get_some("externalName") {
                None => out.push(
                    Finding::new(
                        spec.entry("type").map_or(spec, |(k, _)| k),
                        format!("an ExternalName Service has no `externalName`; {REFUSED}: `spec.externalName` is required"),
                    )
                    .help("set `externalName` to the DNS name the Service is an alias of, such as `db.example.com`"),
                ),
                Some(node) => {
                    if let Some(name) = text(node) {
                        let cname = name.strip_suffix('.').unwrap_or(name);
                        let reasons = if cname.is_empty() {
                            vec!["is required".to_owned()]
                        } else {
                            validation::dns1123_subdomain(cname)
                        };
                        if !reasons.is_empty() {
                            out.push(
                                Finding::new(
                                    node,
                                    format!(
                                        "`externalName` `{name}` is not a DNS name; {REFUSED}: {}",
                                        reasons.join("; ")
                                    ),
                                )
                                .help("`externalName` is a host name such as `db.example.com`, without scheme, port or path; an IP address belongs in an Endpoints object or a Service without selector"),
                            );
                        }
                    }
                }
            }
        }
        _ => {}
    }
    // ValidateServiceClusterIPsRelatedFields (ExternalName ones are refused above)
    if ty == Some("ExternalName") {
        return;
    }
    let Some(families) = spec.get_some("ipFamilies") else {
        return;
    };
    let mut first_of: HashMap<&str, Node<'d>> = HashMap::new();
    for item in families.items() {
        let Some(family) = text(item) else { continue };
        if let Some(&first) = first_of.get(family) {
            out.push(
                Finding::new(
                    item,
                    format!("IP family `{family}` is listed twice in `ipFamilies`; {REFUSED}: Duplicate value: \"{family}\""),
                )
                .label(first, "first listed here")
                .help("list each of `IPv4` and `IPv6` at most once"),
            );
        } else {
            first_of.insert(family, item);
        }
    }
    if first_of.len() > 1
        && let Some(policy) = spec.get_some("ipFamilyPolicy")
        && text(policy) == Some("SingleStack")
    {
        out.push(
            Finding::new(
                policy,
                format!("`ipFamilyPolicy: SingleStack` with two `ipFamilies`; {REFUSED}: must be 'RequireDualStack' or 'PreferDualStack' when multiple 'ipFamilies' are specified"),
            )
            .help("set `ipFamilyPolicy: PreferDualStack` (or `RequireDualStack`), or keep one IP family"),
        );
    }
}

/// `validateServicePort` for each port, and the duplicate checks over all of them.
fn check_ports<'d>(spec: Node<'d>, ty: Option<&str>, headless: bool, out: &mut Vec<Finding<'d>>) {
    let ports = spec.get_some("ports");
    if let Some(ports) = ports
        && !ports.is_seq()
    {
        return;
    }
    // A Service without any `ports` key is refused too, but in the corpus every one was a
    // kustomize patch that sets one field of a Service defined elsewhere: only an explicitly
    // empty list is reported.
    let Some(ports) = ports else { return };
    let items: Vec<Node<'d>> = ports.items().collect();
    if items.is_empty() {
        if !headless && ty.is_some_and(|t| t != "ExternalName") {
            out.push(
                Finding::new(
                    ports,
                    format!("the Service has no `ports`; {REFUSED}: `spec.ports` is required unless the Service is headless (`clusterIP: None`) or of type ExternalName"),
                )
                .help("list the ports the Service serves, such as `ports: [{name: http, port: 80, targetPort: 8080}]`, or make it headless with `clusterIP: None`"),
            );
        }
        return;
    }
    let require_name = items.len() > 1;
    let mut names: HashMap<&str, Node<'d>> = HashMap::new();
    let mut by_port: HashMap<(&str, i64), Node<'d>> = HashMap::new();
    let mut by_node_port: HashMap<(&str, i64), Node<'d>> = HashMap::new();
    for item in items {
        if !item.is_map() {
            continue;
        }
        match item.get_some("name") {
            Some(name_node) => {
                if let Some(name) = text(name_node) {
                    if name.is_empty() {
                        if require_name {
                            push_missing_name(item, out);
                        }
                    } else {
                        let reasons = validation::dns1123_label(name);
                        if !reasons.is_empty() {
                            out.push(
                                Finding::new(
                                    name_node,
                                    format!(
                                        "Service port name `{name}` is not a DNS-1123 label; {REFUSED}: {}",
                                        reasons.join("; ")
                                    ),
                                )
                                .help(format!("use lowercase letters, digits and `-`, such as `{}`", suggest_label(name))),
                            );
                        }
                        if let Some(&first) = names.get(name) {
                            out.push(
                                Finding::new(
                                    name_node,
                                    format!("Service port name `{name}` is used twice; {REFUSED}: port names must be unique"),
                                )
                                .label(first, "first used here")
                                .help("give each port its own name"),
                            );
                        } else {
                            names.insert(name, name_node);
                        }
                    }
                }
            }
            None if require_name => push_missing_name(item, out),
            None => {}
        }
        let protocol = match item.get_some("protocol") {
            None => Some("TCP"),
            Some(p) => p.as_str().filter(|s| !is_templated(s)),
        };
        let port_node = item.get_some("port");
        let port = port_node.and_then(|n| n.as_i64());
        if let (Some(node), Some(port)) = (port_node, port) {
            let reasons = validation::port_number(port);
            if !reasons.is_empty() {
                out.push(Finding::new(
                    node,
                    format!(
                        "Service port `{port}` is out of range; {REFUSED}: {}",
                        reasons.join("; ")
                    ),
                ));
            } else if let Some(protocol) = protocol {
                if let Some(&first) = by_port.get(&(protocol, port)) {
                    out.push(
                        Finding::new(
                            node,
                            format!("port {port}/{protocol} is listed twice; {REFUSED}: each `port` and `protocol` pair must be unique"),
                        )
                        .label(first, "first listed here")
                        .help("remove the duplicate, or give it another `port`; to serve TCP and UDP on one port, set `protocol` on each"),
                    );
                } else {
                    by_port.insert((protocol, port), node);
                }
            }
        }
        if let Some(target) = item.get_some("targetPort") {
            check_target_port(target, out);
        }
        if let Some(app) = item.get_some("appProtocol")
            && let Some(value) = text(app)
        {
            let reasons = validation::qualified_name(value);
            if !reasons.is_empty() {
                out.push(
                    Finding::new(
                        app,
                        format!("`appProtocol` `{value}` is not a qualified name; {REFUSED}: {}", reasons.join("; ")),
                    )
                    .help("use an IANA service name such as `http` or `grpc`, or a prefixed name such as `kubernetes.io/h2c`"),
                );
            }
        }
        let Some((node_port_key, node_port_node)) = item.entry("nodePort") else {
            continue;
        };
        let Some(node_port) = node_port_node.as_i64().filter(|&p| p != 0) else {
            continue;
        };
        if ty == Some("ClusterIP") {
            out.push(
                Finding::new(
                    node_port_key,
                    format!("`nodePort` is set on a Service of type ClusterIP{}; {REFUSED}: may not be used when `type` is 'ClusterIP'",
                        if spec.get_some("type").is_none() { " (the default type)" } else { "" }),
                )
                .help("set `type: NodePort` (or `LoadBalancer`) to expose the port on every node, or remove `nodePort`"),
            );
            continue;
        }
        let reasons = validation::port_number(node_port);
        if !reasons.is_empty() {
            out.push(
                Finding::new(
                    node_port_node,
                    format!("`nodePort` `{node_port}` is out of range; {REFUSED}: {}", reasons.join("; ")),
                )
                .help("node ports come from the cluster's `--service-node-port-range`, 30000-32767 by default; remove `nodePort` to have one allocated"),
            );
        } else if let Some(protocol) = protocol {
            if let Some(&first) = by_node_port.get(&(protocol, node_port)) {
                out.push(
                    Finding::new(
                        node_port_node,
                        format!("node port {node_port}/{protocol} is used twice; {REFUSED}: Duplicate value: {node_port}"),
                    )
                    .label(first, "first used here")
                    .help("give each port its own `nodePort`, or remove it to have one allocated"),
                );
            } else {
                by_node_port.insert((protocol, node_port), node_port_node);
            }
        }
    }
}

fn push_missing_name<'d>(item: Node<'d>, out: &mut Vec<Finding<'d>>) {
    let what = item
        .get_some("port")
        .map(|p| format!("port {}", shown(p)))
        .unwrap_or_else(|| "this port".to_owned());
    out.push(
        Finding::new(
            item_anchor(item),
            format!("{what} has no `name` although the Service has several ports; {REFUSED}: `name` is required when a Service has more than one port"),
        )
        .subject(item)
        .help("name every port, such as `name: http`"),
    );
}

/// `ValidatePortNumOrName` on a `targetPort`; `0` and `""` are replaced by `port` in defaulting.
fn check_target_port<'d>(target: Node<'d>, out: &mut Vec<Finding<'d>>) {
    if let Some(number) = target.as_i64() {
        if number == 0 {
            return;
        }
        let reasons = validation::port_number(number);
        if !reasons.is_empty() {
            out.push(Finding::new(
                target,
                format!(
                    "`targetPort` `{number}` is out of range; {REFUSED}: {}",
                    reasons.join("; ")
                ),
            ));
        }
        return;
    }
    let Some(name) = text(target) else { return };
    if name.is_empty() {
        return;
    }
    let reasons = validation::port_name(name);
    if reasons.is_empty() {
        return;
    }
    let help = if name.parse::<u32>().is_ok() {
        format!("a quoted number is a port name; remove the quotes: `targetPort: {name}`")
    } else {
        "a port name is at most 15 lowercase letters, digits and single hyphens, with at least one letter, as the container's `ports[].name`".to_owned()
    };
    out.push(
        Finding::new(
            target,
            format!(
                "`targetPort` `{name}` is not a valid port name; {REFUSED}: {}",
                reasons.join("; ")
            ),
        )
        .help(help),
    );
}

/// A DNS-1123 label close to `name`, for the help.
fn suggest_label(name: &str) -> String {
    let lowered: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let trimmed = lowered.trim_matches('-');
    if trimmed.is_empty() {
        "http".to_owned()
    } else {
        trimmed
            .chars()
            .take(validation::DNS1123_LABEL_MAX)
            .collect()
    }
}

/// The ClientIP affinity's timeout (`validateClientIPAffinityConfig`). A
/// `sessionAffinityConfig` beside `sessionAffinity: None` is refused by validation, but
/// defaulting drops it first, so it is never seen; a ClientIP config without a timeout is
/// given the default one.
fn check_affinity<'d>(spec: Node<'d>, out: &mut Vec<Finding<'d>>) {
    if spec.get_some("sessionAffinity").and_then(text) != Some("ClientIP") {
        return;
    }
    let Some(timeout) = spec
        .path(&["sessionAffinityConfig", "clientIP", "timeoutSeconds"])
        .filter(|n| !n.is_null())
    else {
        return;
    };
    let Some(seconds) = timeout.as_i64() else {
        return;
    };
    if !(1..=86400).contains(&seconds) {
        out.push(
            Finding::new(
                timeout,
                format!("`timeoutSeconds` `{seconds}` is out of range; {REFUSED}: must be greater than 0 and less than 86400"),
            )
            .help("use 1 to 86400 seconds; without it, the timeout is 10800 (3 hours)"),
        );
    }
}

/// `clusterIP`, `externalIPs`, and the fields that only a LoadBalancer takes.
fn check_addresses<'d>(
    spec: Node<'d>,
    ty: Option<&str>,
    cluster_ip: Option<Node<'d>>,
    out: &mut Vec<Finding<'d>>,
) {
    if ty != Some("ExternalName")
        && let Some(node) = cluster_ip
        && let Some(ip) = text(node)
        && !ip.is_empty()
        && ip != "None"
        && validation::parse_ip(ip).is_none()
    {
        out.push(
            Finding::new(
                node,
                format!("`clusterIP` `{ip}` is not an IP address; {REFUSED}: must be empty, 'None', or a valid IP address"),
            )
            .help("remove `clusterIP` to have one allocated, or set `clusterIP: None` for a headless Service"),
        );
    }
    if let Some(ips) = spec.get_some("externalIPs") {
        for item in ips.items() {
            let Some(ip) = text(item) else { continue };
            let reason = match validation::parse_ip(ip) {
                None => Some("must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"),
                Some(addr) => special_ip(addr),
            };
            if let Some(reason) = reason {
                out.push(
                    Finding::new(item, format!("external IP `{ip}` is refused; {REFUSED}: {reason}"))
                        .help("list the addresses, routed to the nodes, that clients use to reach the Service"),
                );
            }
        }
    }
    let Some(ty) = ty else { return };
    let load_balancer = ty == "LoadBalancer";
    if let Some((key, ranges)) = spec.entry("loadBalancerSourceRanges")
        && ranges.items().next().is_some()
    {
        if !load_balancer {
            out.push(
                Finding::new(
                    key,
                    format!("`loadBalancerSourceRanges` is set on a Service of type {ty}; {REFUSED}: may only be used when `type` is 'LoadBalancer'"),
                )
                .help("remove it, or set `type: LoadBalancer`; to restrict in-cluster clients, use a NetworkPolicy"),
            );
        }
        for item in ranges.items() {
            let Some(range) = text(item) else { continue };
            // Spaces around a range are tolerated since the annotation's days.
            let reasons = validation::cidr(range.trim());
            if !reasons.is_empty() {
                out.push(
                    Finding::new(
                        item,
                        format!("`loadBalancerSourceRanges` entry `{range}` is not a CIDR; {REFUSED}: {}", reasons.join("; ")),
                    )
                    .help("write an address range with its prefix length, such as `203.0.113.0/24`, or `/32` for one address"),
                );
            }
        }
    }
    for key in ["allocateLoadBalancerNodePorts", "loadBalancerClass"] {
        let Some((key_node, value)) = spec.entry(key) else {
            continue;
        };
        if value.is_null() {
            continue;
        }
        if !load_balancer {
            out.push(
                Finding::new(
                    key_node,
                    format!("`{key}` is set on a Service of type {ty}; {REFUSED}: may only be used when `type` is 'LoadBalancer'"),
                )
                .help(format!("remove `{key}`, or set `type: LoadBalancer`")),
            );
        } else if key == "loadBalancerClass"
            && let Some(class) = text(value)
        {
            let reasons = validation::qualified_name(class);
            if !reasons.is_empty() {
                out.push(Finding::new(
                    value,
                    format!(
                        "`loadBalancerClass` `{class}` is not a qualified name; {REFUSED}: {}",
                        reasons.join("; ")
                    ),
                ));
            }
        }
    }
}

/// `ValidateEndpointIP`'s special ranges, which an external IP may not be in.
fn special_ip(ip: IpAddr) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some("may not be unspecified (0.0.0.0, ::)");
    }
    if ip.is_loopback() {
        return Some("may not be in the loopback range (127.0.0.0/8, ::1/128)");
    }
    let (link_local, link_local_multicast) = match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            (v4.is_link_local(), o[0] == 224 && o[1] == 0 && o[2] == 0)
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            (s[0] & 0xffc0 == 0xfe80, s[0] & 0xff0f == 0xff02)
        }
    };
    if link_local {
        return Some("may not be in the link-local range (169.254.0.0/16, fe80::/10)");
    }
    if link_local_multicast {
        return Some("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
    }
    None
}

/// `validateServiceExternalTrafficPolicy`.
fn check_external_traffic<'d>(spec: Node<'d>, ty: Option<&str>, out: &mut Vec<Finding<'d>>) {
    let Some(ty) = ty else { return };
    let has_external_ips = spec
        .get_some("externalIPs")
        .is_some_and(|ips| ips.items().next().is_some());
    let accessible =
        ty == "LoadBalancer" || ty == "NodePort" || (ty == "ClusterIP" && has_external_ips);
    let policy = spec.get_some("externalTrafficPolicy");
    if let Some(node) = policy
        && !accessible
        && let Some(value) = text(node)
        && !value.is_empty()
    {
        out.push(
            Finding::new(
                node,
                format!("`externalTrafficPolicy: {value}` is set on a Service of type {ty}, which is not reachable from outside the cluster; {REFUSED}: may only be set for externally-accessible services"),
            )
            .help("remove `externalTrafficPolicy` (for in-cluster traffic, `internalTrafficPolicy` is the setting), or set `type: NodePort` or `LoadBalancer`"),
        );
    }
    if let Some(node) = spec.get_some("healthCheckNodePort")
        && let Some(port) = node.as_i64()
        && port != 0
    {
        let local = policy.and_then(text) == Some("Local");
        if !(ty == "LoadBalancer" && local) {
            out.push(
                Finding::new(
                    node,
                    format!("`healthCheckNodePort` is set but the Service is not a LoadBalancer with `externalTrafficPolicy: Local`; {REFUSED}: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"),
                )
                .help("remove `healthCheckNodePort`; it is only used by load balancers that send traffic only to nodes with a ready pod"),
            );
        } else if let Some(reason) = validation::port_number(port).first() {
            out.push(Finding::new(
                node,
                format!("`healthCheckNodePort` `{port}` is out of range; {REFUSED}: {reason}"),
            ));
        }
    }
}
