use std::net::IpAddr;

use super::super::{Finding, Options, Rule, declare_rule};
use crate::k8s::validation;
use crate::model::Object;
use crate::parse::tree::Node;

declare_rule! {
    /// ## What it does
    /// Reports what the API server's validation of a `networking.k8s.io/v1` NetworkPolicy
    /// (`ValidateNetworkPolicySpec` in `pkg/apis/networking/validation`) refuses, in every
    /// `ingress` and `egress` rule, at the offending value:
    /// - a `port` number outside 1-65535, or a port name that is not an IANA service name (a
    ///   quoted number such as `"8080"` is a name, and refused);
    /// - an `endPort` below `port`, outside 1-65535, or with a named `port` or no `port`;
    /// - a peer that is empty, or that sets `ipBlock` together with `podSelector` or
    ///   `namespaceSelector` (at the `ipBlock` key);
    /// - an `ipBlock.cidr` that is not a CIDR, and an `except` entry that is not a CIDR or not
    ///   a strict subset of `cidr`;
    /// - more than two `policyTypes`.
    ///
    /// Label selectors are `invalid-label`'s, a `protocol` or policy type outside its set is
    /// `invalid-value`'s, selectors that match nothing are `dangling-networkpolicy-*`'s. Out
    /// of scope: whether the cluster's network plugin enforces policies (or `endPort`) at all.
    ///
    /// ## Why is this bad
    /// `kubectl apply` fails with `NetworkPolicy "web" is invalid`: the policy is not created
    /// or not updated, and the pods keep the traffic rules they had, often none at all.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NetworkPolicy
    /// apiVersion: networking.k8s.io/v1
    /// spec:
    ///   podSelector: {matchLabels: {app: web}}
    ///   ingress:
    ///     - from:
    ///         - ipBlock: {cidr: 10.0.0.0/16, except: [192.168.0.0/24]}
    ///           namespaceSelector: {}
    ///       ports:
    ///         - {port: 32000, endPort: 30000}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: NetworkPolicy
    /// apiVersion: networking.k8s.io/v1
    /// spec:
    ///   podSelector: {matchLabels: {app: web}}
    ///   ingress:
    ///     - from:
    ///         - ipBlock: {cidr: 10.0.0.0/16, except: [10.0.5.0/24]}
    ///         - namespaceSelector: {}
    ///       ports:
    ///         - {port: 30000, endPort: 32000}
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files, 100 with a NetworkPolicy): no finding. No peer
    /// checks these (kubeconform and kube-linter pass every fail fixture). On by default: the
    /// API server refuses every finding.
    pub struct InvalidNetworkPolicySpec => "invalid-network-policy-spec";
}

const REFUSED: &str = "the API server refuses the NetworkPolicy";

fn text<'d>(node: Node<'d>) -> Option<&'d str> {
    node.as_str().filter(|s| !super::is_placeholder(s))
}

impl Rule for InvalidNetworkPolicySpec {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        if object.kind != "NetworkPolicy" || object.api_version != "networking.k8s.io/v1" {
            return;
        }
        let Some(spec) = object.root.get("spec").filter(|s| s.is_map()) else {
            return;
        };
        for (direction, peers_key) in [("ingress", "from"), ("egress", "to")] {
            for rule in spec
                .get_some(direction)
                .map(|r| r.items())
                .into_iter()
                .flatten()
            {
                for port in rule
                    .get_some("ports")
                    .map(|p| p.items())
                    .into_iter()
                    .flatten()
                {
                    check_port(port, out);
                }
                for peer in rule
                    .get_some(peers_key)
                    .map(|p| p.items())
                    .into_iter()
                    .flatten()
                {
                    check_peer(direction, peer, out);
                }
            }
        }
        if let Some(types) = spec.get_some("policyTypes")
            && types.items().count() > 2
        {
            out.push(
                Finding::new(
                    types,
                    format!("`policyTypes` lists {} entries; {REFUSED}: may not specify more than two policyTypes", types.items().count()),
                )
                .help("list `Ingress`, `Egress`, or both, once each"),
            );
        }
    }
}

/// `ValidateNetworkPolicyPort`.
fn check_port<'d>(port: Node<'d>, out: &mut Vec<Finding<'d>>) {
    if !port.is_map() {
        return;
    }
    let port_node = port.get_some("port");
    let end_node = port.get_some("endPort");
    let end = end_node.and_then(|n| n.as_i64());
    match port_node {
        Some(node) if node.as_i64().is_some() => {
            let number = node.as_i64().unwrap_or_default();
            let reasons = validation::port_number(number);
            if !reasons.is_empty() {
                out.push(Finding::new(
                    node,
                    format!(
                        "port `{number}` is out of range; {REFUSED}: {}",
                        reasons.join("; ")
                    ),
                ));
            }
            let (Some(end_node), Some(end)) = (end_node, end) else {
                return;
            };
            if end < number {
                out.push(
                    Finding::new(
                        end_node,
                        format!("`endPort: {end}` is below `port: {number}`; {REFUSED}: must be greater than or equal to `port`"),
                    )
                    .label(node, "`port` is set here")
                    .help(format!("the range runs from `port` up to `endPort`: swap them, or set `endPort` to {number} or more")),
                );
            }
            let reasons = validation::port_number(end);
            if !reasons.is_empty() {
                out.push(Finding::new(
                    end_node,
                    format!(
                        "`endPort: {end}` is out of range; {REFUSED}: {}",
                        reasons.join("; ")
                    ),
                ));
            }
        }
        Some(node) => {
            let Some(name) = text(node) else { return };
            if let Some(end_node) = end_node {
                out.push(
                    Finding::new(
                        end_node,
                        format!("`endPort` is set with the named port `{name}`; {REFUSED}: may not be specified when `port` is non-numeric"),
                    )
                    .help("a range needs a numeric `port`: set `port` to the first number of the range"),
                );
            }
            let reasons = validation::port_name(name);
            if !reasons.is_empty() {
                let help = if name.parse::<u32>().is_ok() {
                    format!("a quoted number is a port name; remove the quotes: `port: {name}`")
                } else {
                    "use a port number, or the `name` of a container port of the selected pods"
                        .to_owned()
                };
                out.push(
                    Finding::new(
                        node,
                        format!(
                            "port name `{name}` is not a valid port name; {REFUSED}: {}",
                            reasons.join("; ")
                        ),
                    )
                    .help(help),
                );
            }
        }
        None => {
            if let Some(end_node) = end_node {
                out.push(
                    Finding::new(
                        end_node,
                        format!("`endPort` is set without `port`; {REFUSED}: may not be specified when `port` is not specified"),
                    )
                    .help("set `port` to the first port of the range"),
                );
            }
        }
    }
}

/// `ValidateNetworkPolicyPeer` and `ValidateIPBlock`.
fn check_peer<'d>(direction: &str, peer: Node<'d>, out: &mut Vec<Finding<'d>>) {
    if !peer.is_map() {
        return;
    }
    let ip_block = peer.entry("ipBlock").filter(|(_, v)| !v.is_null());
    let selectors: Vec<&str> = ["podSelector", "namespaceSelector"]
        .into_iter()
        .filter(|k| peer.get_some(k).is_some())
        .collect();
    if ip_block.is_none() && selectors.is_empty() {
        // A peer with other keys only is `unknown-field`'s, which names them.
        if peer.entries().next().is_none() {
            out.push(
                Finding::new(
                    peer,
                    format!("the {direction} peer is empty; {REFUSED}: must specify a peer"),
                )
                .help(format!(
                    "name the peer with `podSelector`, `namespaceSelector` or `ipBlock`; to allow every peer, remove the `{}` list",
                    if direction == "ingress" { "from" } else { "to" }
                )),
            );
        }
        return;
    }
    let Some((ip_key, block)) = ip_block else {
        return;
    };
    if !selectors.is_empty() {
        out.push(
            Finding::new(
                ip_key,
                format!(
                    "the peer sets `ipBlock` together with `{}`; {REFUSED}: may not specify both ipBlock and another peer",
                    selectors.join("` and `")
                ),
            )
            .help("make them separate peers (each its own `-` item): an `ipBlock` matches addresses, selectors match pods"),
        );
    }
    let Some(cidr_node) = block.get_some("cidr") else {
        return;
    };
    let Some(cidr) = text(cidr_node) else { return };
    let Some(network) = validation::parse_cidr(cidr) else {
        if !cidr.is_empty() {
            out.push(
                Finding::new(
                    cidr_node,
                    format!("`ipBlock.cidr` `{cidr}` is not a CIDR; {REFUSED}: {}", validation::cidr(cidr).join("; ")),
                )
                .help("write an address range with its prefix length, such as `10.0.0.0/16`, or `/32` for one address"),
            );
        }
        return;
    };
    for except in block
        .get_some("except")
        .map(|e| e.items())
        .into_iter()
        .flatten()
    {
        let Some(value) = text(except) else { continue };
        let Some(inner) = validation::parse_cidr(value) else {
            out.push(
                Finding::new(
                    except,
                    format!(
                        "`except` entry `{value}` is not a CIDR; {REFUSED}: {}",
                        validation::cidr(value).join("; ")
                    ),
                )
                .help("write an address range with its prefix length, such as `10.0.5.0/24`"),
            );
            continue;
        };
        if !strict_subset(inner, network) {
            out.push(
                Finding::new(
                    except,
                    format!("`except` entry `{value}` is not inside `cidr` `{cidr}`; {REFUSED}: must be a strict subset of `cidr`"),
                )
                .label(cidr_node, "the block")
                .help("list only ranges inside `cidr` and smaller than it; to exclude all of `cidr`, remove the peer"),
            );
        }
    }
}

/// Whether CIDR `inner` is inside `outer` with a longer prefix, as `ValidateIPBlock` decides.
fn strict_subset(inner: (IpAddr, u8), outer: (IpAddr, u8)) -> bool {
    let (bits, a, b) = match (inner.0, outer.0) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            (32u32, u128::from(u32::from(a)), u128::from(u32::from(b)))
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => (128, u128::from(a), u128::from(b)),
        _ => return false,
    };
    let outer_len = u32::from(outer.1);
    if u32::from(inner.1) <= outer_len {
        return false;
    }
    let host_bits = bits - outer_len;
    let mask = if host_bits >= 128 {
        0
    } else {
        !0u128 << host_bits
    };
    (a & mask) == (b & mask)
}
