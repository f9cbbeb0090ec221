//! What Ingresses and Gateway API routes send traffic to: the Services (and ports) they name.

use super::{ServicePort, Site, scalar_text};
use crate::model::{Object, is_templated};
use crate::parse::tree::Node;

/// A port a backend names: a Service's `port` number, or a Service port's `name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortRef {
    Number(i64),
    Name(String),
}

impl PortRef {
    fn of(node: Node<'_>) -> Option<PortRef> {
        if let Some(n) = node.as_i64() {
            return Some(PortRef::Number(n));
        }
        let text = node.as_str()?;
        if is_templated(text) {
            return None;
        }
        Some(match text.parse() {
            Ok(n) => PortRef::Number(n),
            Err(_) => PortRef::Name(text.to_owned()),
        })
    }

    /// Whether a Service port is the one named.
    pub fn matches(&self, port: &ServicePort) -> bool {
        match self {
            PortRef::Number(n) => port.port == Some(*n),
            PortRef::Name(name) => port.name.as_deref() == Some(name),
        }
    }
}

impl std::fmt::Display for PortRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortRef::Number(n) => write!(f, "{n}"),
            PortRef::Name(name) => write!(f, "`{name}`"),
        }
    }
}

/// One Service a route sends traffic to.
#[derive(Debug, Clone)]
pub struct Backend {
    pub service: String,
    /// The `name` (or `serviceName`) value.
    pub name_site: Site,
    /// The namespace a Gateway API `backendRef` names; None: the route's own.
    pub namespace: Option<String>,
    /// The port and where it is written; None when unset or not evaluable.
    pub port: Option<(PortRef, Site)>,
}

/// The backends of an Ingress (`networking.k8s.io/v1` and the legacy `v1beta1` /
/// `extensions` shapes) or of an HTTPRoute / GRPCRoute. Templated names are left out.
pub fn backends<'d>(object: &Object<'d>, site: &dyn Fn(Node<'d>) -> Site) -> Option<Vec<Backend>> {
    let group = crate::k8s::group_of(object.api_version);
    let spec = object.root.get("spec")?;
    let mut out = Vec::new();
    match (group, object.kind) {
        ("networking.k8s.io" | "extensions", "Ingress") => {
            let legacy = object.api_version != "networking.k8s.io/v1";
            let rules = spec.get("rules");
            let paths = rules
                .iter()
                .flat_map(|r| r.items())
                .filter_map(|r| r.path(&["http", "paths"]))
                .flat_map(|p| p.items())
                .filter_map(|p| p.get("backend"));
            let defaults = ["defaultBackend", "backend"]
                .into_iter()
                .filter_map(|k| spec.get_some(k));
            for backend in defaults.chain(paths) {
                // v1: `service: {name, port: {number | name}}`; v1beta1: `serviceName`,
                // `servicePort` (an int-or-string).
                let (name, port) = match backend.get_some("service") {
                    Some(service) => (
                        service.get("name"),
                        service
                            .get("port")
                            .and_then(|p| p.get_some("number").or_else(|| p.get_some("name"))),
                    ),
                    // networking.k8s.io/v1 dropped them: there they are unknown fields
                    // (`unknown-field` reports them), and the backend names no Service.
                    None if !legacy => continue,
                    None => (backend.get("serviceName"), backend.get_some("servicePort")),
                };
                push(&mut out, name, None, port, site);
            }
        }
        ("gateway.networking.k8s.io", "HTTPRoute" | "GRPCRoute") => {
            let refs = spec
                .get("rules")
                .into_iter()
                .flat_map(|r| r.items())
                .filter_map(|r| r.get("backendRefs"))
                .flat_map(|b| b.items());
            for r in refs {
                let group = r.get("group").map_or(Some(""), |g| g.as_str());
                let kind = r.get("kind").map_or(Some("Service"), |k| k.as_str());
                if group != Some("") || kind != Some("Service") {
                    continue;
                }
                let namespace = match r.get_some("namespace") {
                    Some(ns) => match scalar_text(ns).filter(|n| !is_templated(n)) {
                        Some(ns) => Some(ns),
                        None => continue,
                    },
                    None => None,
                };
                push(&mut out, r.get("name"), namespace, r.get_some("port"), site);
            }
        }
        _ => return None,
    }
    Some(out)
}

fn push<'d>(
    out: &mut Vec<Backend>,
    name: Option<Node<'d>>,
    namespace: Option<String>,
    port: Option<Node<'d>>,
    site: &dyn Fn(Node<'d>) -> Site,
) {
    let Some(name) = name else { return };
    let Some(service) = scalar_text(name).filter(|n| !is_templated(n) && !n.is_empty()) else {
        return;
    };
    out.push(Backend {
        service,
        name_site: site(name),
        namespace,
        port: port.and_then(|p| Some((PortRef::of(p)?, site(p)))),
    });
}
