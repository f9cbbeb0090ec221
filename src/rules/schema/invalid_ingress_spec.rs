use super::super::{Finding, Options, Rule, declare_rule};
use crate::k8s::validation;
use crate::model::Object;
use crate::parse::tree::Node;

declare_rule! {
    /// ## What it does
    /// Reports what the API server's validation of a `networking.k8s.io/v1` Ingress
    /// (`ValidateIngressSpec` in `pkg/apis/networking/validation`) refuses, at the offending
    /// value (or at the backend or path that lacks something):
    /// - neither `defaultBackend` nor `rules`; an `http` rule with no `paths`;
    /// - a rule `host` that is an IP address, has a port, or is not a DNS-1123 subdomain
    ///   (with an optional leading `*.` wildcard label); the same for `tls[].hosts`;
    /// - a `path` that does not start with `/` (for `Exact` and `Prefix` paths, and for
    ///   `ImplementationSpecific` ones that are not empty); an `Exact` or `Prefix` path with
    ///   `//`, `/./`, `/../`, `%2f`, or ending with `/.` or `/..`;
    /// - a backend with both `service` and `resource`, or neither; a service backend whose
    ///   `port` has both `name` and `number`, or neither; a port `number` outside 1-65535; a
    ///   port `name` that is not an IANA service name; a service `name` that is not a DNS
    ///   label;
    /// - an `ingressClassName` that is not a DNS-1123 subdomain.
    ///
    /// A missing `pathType` is `missing-required-field`'s (the `v1` schema requires it and no
    /// default fills it), a backend Service that is not among the inputs is
    /// `dangling-ingress-backend`'s. Out of scope: the Ingress controller's own rules (regex
    /// paths, annotations), and hosts already claimed by another Ingress.
    ///
    /// ## Why is this bad
    /// `kubectl apply` fails with `Ingress "web" is invalid`: the routes are not created or
    /// not updated, and the site keeps serving the old ones, or none.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Ingress
    /// apiVersion: networking.k8s.io/v1
    /// spec:
    ///   rules:
    ///     - host: example.com:443
    ///       http:
    ///         paths:
    ///           - path: api
    ///             pathType: Prefix
    ///             backend:
    ///               service: {name: api, port: {number: 80, name: http}}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Ingress
    /// apiVersion: networking.k8s.io/v1
    /// spec:
    ///   rules:
    ///     - host: example.com
    ///       http:
    ///         paths:
    ///           - path: /api
    ///             pathType: Prefix
    ///             backend:
    ///               service: {name: api, port: {name: http}}
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files, 43 with an Ingress): no finding. The first
    /// version had 9, all in ingress-nginx documentation examples whose hosts are
    /// placeholders for the reader (`__INGRESS_HOST__`, `registry.<your domain>`): such values
    /// are now skipped, as `ingress-missing-tls` does. No peer checks these (kubeconform and
    /// kube-linter pass every fail fixture). On by default: the API server refuses every
    /// finding.
    pub struct InvalidIngressSpec => "invalid-ingress-spec";
}

const REFUSED: &str = "the API server refuses the Ingress";

/// What an `Exact` or `Prefix` path may not contain, and may not end with.
const INVALID_PATH_SEQUENCES: [&str; 5] = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_PATH_SUFFIXES: [&str; 2] = ["/..", "/."];

fn text<'d>(node: Node<'d>) -> Option<&'d str> {
    node.as_str().filter(|s| !super::is_placeholder(s))
}

fn item_anchor(item: Node<'_>) -> Node<'_> {
    item.entries().next().map_or(item, |(k, _)| k)
}

impl Rule for InvalidIngressSpec {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        if object.kind != "Ingress" || object.api_version != "networking.k8s.io/v1" {
            return;
        }
        let Some((spec_key, spec)) = object.root.entry("spec") else {
            return;
        };
        if !spec.is_map() {
            return;
        }
        let rules = spec.get_some("rules");
        let default_backend = spec.get_some("defaultBackend");
        let no_rules = rules.is_none_or(|r| r.is_seq() && r.items().next().is_none());
        if no_rules && default_backend.is_none() {
            out.push(
                Finding::new(
                    rules.unwrap_or(spec_key),
                    format!("the Ingress has neither `rules` nor a `defaultBackend`, so it routes nothing; {REFUSED}: either `defaultBackend` or `rules` must be specified"),
                )
                .help("add `rules` with the hosts and paths to route, or a `defaultBackend` for all traffic"),
            );
        }
        if let Some(backend) = default_backend {
            check_backend(backend, out);
        }
        for rule in rules.map(|r| r.items()).into_iter().flatten() {
            if let Some(host) = rule.get_some("host") {
                check_host(host, "host", out);
            }
            let Some(http) = rule.get_some("http") else {
                continue;
            };
            let paths = http.get_some("paths");
            if paths.is_none_or(|p| p.is_seq() && p.items().next().is_none()) {
                let node = paths.unwrap_or_else(|| rule.entry("http").map_or(http, |(k, _)| k));
                out.push(
                    Finding::new(
                        node,
                        format!("the rule's `http` has no `paths`; {REFUSED}: `http.paths` is required"),
                    )
                    .help("list the paths to route, such as `- {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}`"),
                );
                continue;
            }
            for path in paths.map(|p| p.items()).into_iter().flatten() {
                check_path(path, out);
                if let Some(backend) = path.get_some("backend") {
                    check_backend(backend, out);
                }
            }
        }
        for tls in spec
            .get_some("tls")
            .map(|t| t.items())
            .into_iter()
            .flatten()
        {
            for host in tls
                .get_some("hosts")
                .map(|h| h.items())
                .into_iter()
                .flatten()
            {
                check_host(host, "TLS host", out);
            }
        }
        if let Some(class) = spec.get_some("ingressClassName")
            && let Some(name) = text(class)
        {
            let reasons = validation::dns1123_subdomain(name);
            if !reasons.is_empty() {
                out.push(
                    Finding::new(
                        class,
                        format!("`ingressClassName` `{name}` is not a valid IngressClass name; {REFUSED}: {}", reasons.join("; ")),
                    )
                    .help("use the name of an IngressClass, such as `nginx`"),
                );
            }
        }
    }
}

/// A rule's or a TLS entry's host (`validateIngressRules`, `validateIngressTLS`).
fn check_host<'d>(node: Node<'d>, what: &str, out: &mut Vec<Finding<'d>>) {
    let Some(host) = text(node) else { return };
    if host.is_empty() {
        return;
    }
    let mut reasons = Vec::new();
    // Only a rule's host is refused as an IP (validateIngressRules); validateIngressTLS
    // checks the subdomain syntax alone, which `10.0.0.1` passes.
    if what == "host" && validation::parse_ip(host).is_some() {
        reasons.push("must be a DNS name, not an IP address".to_owned());
    }
    if host.contains('*') {
        reasons.extend(validation::wildcard_dns1123_subdomain(host));
    } else {
        reasons.extend(validation::dns1123_subdomain(host));
    }
    if reasons.is_empty() {
        return;
    }
    let help = if host.contains("://") || host.contains(':') || host.contains('/') {
        "a host is a bare DNS name, such as `example.com`: without scheme, port or path"
    } else if validation::parse_ip(host).is_some() {
        "a host is a DNS name; to route requests for any host, leave `host` out"
    } else if host.chars().any(|c| c.is_ascii_uppercase()) {
        "write the host in lowercase"
    } else {
        "a host is a lowercase DNS name, such as `example.com` or `*.example.com`"
    };
    out.push(
        Finding::new(
            node,
            format!(
                "{what} `{host}` is not a valid host name; {REFUSED}: {}",
                reasons.join("; ")
            ),
        )
        .help(help),
    );
}

/// `validateHTTPIngressPath`, but the backend.
fn check_path<'d>(path: Node<'d>, out: &mut Vec<Finding<'d>>) {
    let Some(path_type) = path.get_some("pathType").and_then(text) else {
        return;
    };
    let path_node = path.get_some("path");
    let value = match path_node {
        Some(node) => match text(node) {
            Some(v) => v,
            None => return,
        },
        None => "",
    };
    let strict = match path_type {
        "Exact" | "Prefix" => true,
        "ImplementationSpecific" => false,
        // An unknown `pathType` is `invalid-value`'s.
        _ => return,
    };
    if (strict || !value.is_empty()) && !value.starts_with('/') {
        let (node, message) = match path_node {
            Some(node) => (
                node,
                format!(
                    "path `{value}` does not start with `/`; {REFUSED}: must be an absolute path"
                ),
            ),
            None => (
                item_anchor(path),
                format!(
                    "a `pathType: {path_type}` path has no `path`; {REFUSED}: must be an absolute path"
                ),
            ),
        };
        let mut finding = Finding::new(node, message).help(if value.is_empty() {
            "set `path: /` to match every path".to_owned()
        } else {
            format!("write `/{value}`")
        });
        if path_node.is_none() {
            finding = finding.subject(path);
        }
        out.push(finding);
        return;
    }
    if !strict {
        return;
    }
    let Some(node) = path_node else { return };
    let mut reasons: Vec<String> = INVALID_PATH_SEQUENCES
        .iter()
        .filter(|s| value.contains(*s))
        .map(|s| format!("must not contain '{s}'"))
        .collect();
    reasons.extend(
        INVALID_PATH_SUFFIXES
            .iter()
            .filter(|s| value.ends_with(*s))
            .map(|s| format!("cannot end with '{s}'")),
    );
    if !reasons.is_empty() {
        out.push(
            Finding::new(
                node,
                format!("`{path_type}` path `{value}` is not a clean path; {REFUSED}: {}", reasons.join("; ")),
            )
            .help("write the path without empty, `.` or `..` segments and without encoded slashes; a controller-specific pattern needs `pathType: ImplementationSpecific`"),
        );
    }
}

/// `validateIngressBackend`.
fn check_backend<'d>(backend: Node<'d>, out: &mut Vec<Finding<'d>>) {
    if !backend.is_map() {
        return;
    }
    let service = backend.get_some("service");
    let resource = backend.get_some("resource");
    let Some(service) = service else {
        // A backend with other keys (`serviceName`, the removed `v1beta1` field) is
        // `unknown-field`'s, which names them.
        if resource.is_none() && backend.entries().next().is_none() {
            out.push(
                Finding::new(
                    backend,
                    format!("the backend names neither a `service` nor a `resource`; {REFUSED}: resource or service backend is required"),
                )
                .help("set `service: {name: web, port: {number: 80}}`"),
            );
        }
        return;
    };
    if let Some(resource) = resource {
        out.push(
            Finding::new(
                backend.entry("resource").map_or(resource, |(k, _)| k),
                format!("the backend sets both `service` and `resource`; {REFUSED}: cannot set both resource and service backends"),
            )
            .help("keep one of the two"),
        );
        return;
    }
    if !service.is_map() {
        return;
    }
    if let Some(name_node) = service.get_some("name")
        && let Some(name) = text(name_node)
        && !name.is_empty()
    {
        // DNS-1035 until `RelaxedServiceNameValidation`; a DNS-1123 label is refused by both.
        let reasons = validation::dns1123_label(name);
        if !reasons.is_empty() {
            out.push(
                Finding::new(
                    name_node,
                    format!(
                        "backend Service name `{name}` is not a valid Service name; {REFUSED}: {}",
                        reasons.join("; ")
                    ),
                )
                .help("use the `metadata.name` of the Service, in the Ingress's namespace"),
            );
        }
    }
    let port = service.get_some("port");
    let name = port.and_then(|p| p.get_some("name"));
    let number = port.and_then(|p| p.get_some("number"));
    let has_name = name.is_some_and(|n| n.as_str() != Some(""));
    let has_number = number.is_some_and(|n| n.as_i64() != Some(0));
    match (has_name, has_number) {
        (true, true) => {
            let node = port
                .and_then(|p| p.entry("name"))
                .map_or(service, |(k, _)| k);
            out.push(
                Finding::new(
                    node,
                    format!("the backend's port sets both `name` and `number`; {REFUSED}: cannot set both port name & port number"),
                )
                .help("keep one: `number` is the Service's `port`, `name` its port's `name`"),
            );
        }
        (true, false) => {
            let Some(node) = name else { return };
            let Some(value) = text(node) else { return };
            let reasons = validation::port_name(value);
            if !reasons.is_empty() {
                let help = if value.parse::<u32>().is_ok() {
                    format!("a port number goes in `number: {value}`")
                } else {
                    "use the `name` of one of the Service's ports".to_owned()
                };
                out.push(
                    Finding::new(
                        node,
                        format!(
                            "backend port name `{value}` is not a valid port name; {REFUSED}: {}",
                            reasons.join("; ")
                        ),
                    )
                    .help(help),
                );
            }
        }
        (false, true) => {
            let Some(node) = number else { return };
            let Some(value) = node.as_i64() else { return };
            let reasons = validation::port_number(value);
            if !reasons.is_empty() {
                out.push(Finding::new(
                    node,
                    format!(
                        "backend port number `{value}` is out of range; {REFUSED}: {}",
                        reasons.join("; ")
                    ),
                ));
            }
        }
        (false, false) => {
            let node = backend.entry("service").map_or(service, |(k, _)| k);
            out.push(
                Finding::new(
                    node,
                    format!("the backend Service has no port `name` or `number`; {REFUSED}: port name or number is required"),
                )
                .help("set `port: {number: 80}` (the Service's `port`) or `port: {name: http}`"),
            );
        }
    }
}
