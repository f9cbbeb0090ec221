//! Whether a pod template keeps its own replicas apart: pod anti-affinity terms and topology
//! spread constraints, evaluated against the template's own labels and namespace as the
//! scheduler evaluates them against the pods it counts.

use super::{Labels, Selector, SelectorField, Site};
use crate::model::is_templated;
use crate::model::pod::PodTemplate;
use crate::parse::tree::Node;

pub const HOSTNAME: &str = "kubernetes.io/hostname";

/// Whether a term (an anti-affinity term or a spread constraint) counts the pod's own replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Own,
    /// It counts none of them, and why.
    NotOwn(Miss),
    /// A value we cannot evaluate (templated, an unknown operator, a namespace selector on
    /// namespace labels the run does not show): never reported.
    Unknown,
}

/// Why a term counts none of the pod's own replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Miss {
    /// Its `labelSelector` does not match the template's labels.
    Selector,
    /// It has no `labelSelector`, which selects no pod.
    NoSelector,
    /// Its `namespaces` leave out the pod's own.
    Namespaces,
    /// A `mismatchLabelKeys` key the template has: `key notin (own value)`.
    MismatchKey,
}

impl Miss {
    pub fn describe(self) -> &'static str {
        match self {
            Miss::Selector => "its `labelSelector` does not match the template's labels",
            Miss::NoSelector => "it has no `labelSelector`, and a missing selector selects no pod",
            Miss::Namespaces => "its `namespaces` leave out the workload's own namespace",
            Miss::MismatchKey => {
                "its `mismatchLabelKeys` names a label of the template, which excludes the pods \
                 that share the value: its own"
            }
        }
    }
}

/// The template's own labels, or None when they cannot be read exactly (templated, not a map).
pub fn own_labels(pod: &PodTemplate<'_>) -> Option<Labels> {
    let labels = pod.metadata.and_then(|m| m.get("labels"));
    let pairs = match labels {
        Some(node) => Selector::map(node)?,
        None => Vec::new(),
    };
    if pairs
        .iter()
        .any(|(k, v)| is_templated(k) || is_templated(v))
    {
        return None;
    }
    Some(pairs.into_iter().collect())
}

/// Whether `term` selects pods with `labels` in `own_ns` (None: the namespace is not written).
/// `affinity` is true for a `PodAffinityTerm`, which may also name namespaces and
/// `mismatchLabelKeys`; false for a topology spread constraint, which counts in the pod's
/// namespace only. `matchLabelKeys` only narrows the count to pods sharing the pod's own
/// value of each key, which its own replicas (of one revision) do: it never excludes them.
pub fn reach(term: Node<'_>, labels: &Labels, own_ns: Option<&str>, affinity: bool) -> Reach {
    if affinity {
        match reaches_namespace(term, own_ns) {
            Reach::Own => {}
            other => return other,
        }
        if let Some(keys) = term.get_some("mismatchLabelKeys") {
            for key in keys.items() {
                match key.as_str() {
                    Some(k) if is_templated(k) => return Reach::Unknown,
                    // `key notin (own value)`: the pod's own replicas share its value.
                    Some(k) if labels.contains_key(k) => return Reach::NotOwn(Miss::MismatchKey),
                    _ => {}
                }
            }
        }
    }
    match Selector::label_selector(term.get("labelSelector")) {
        SelectorField::Missing => Reach::NotOwn(Miss::NoSelector),
        SelectorField::Unknown => Reach::Unknown,
        SelectorField::Selector(s) if s.is_templated() => Reach::Unknown,
        SelectorField::Selector(s) if s.matches(labels) => Reach::Own,
        SelectorField::Selector(_) => Reach::NotOwn(Miss::Selector),
    }
}

/// A `PodAffinityTerm` looks in the namespaces it lists and those its `namespaceSelector`
/// selects; with neither, in the pod's own. `namespaceSelector: {}` is every namespace.
fn reaches_namespace(term: Node<'_>, own_ns: Option<&str>) -> Reach {
    let listed: Vec<Option<&str>> = term
        .get_some("namespaces")
        .map(|n| n.items().map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let selector = term.get_some("namespaceSelector");
    if listed.is_empty() && selector.is_none() {
        return Reach::Own;
    }
    if let Some(sel) = selector {
        match Selector::label_selector(Some(sel)) {
            SelectorField::Selector(s) if s.is_empty() => return Reach::Own,
            // Namespace labels are not in the run (only `kubernetes.io/metadata.name` is
            // knowable, and rarely used here): the term may well look in the pod's own.
            _ => return Reach::Unknown,
        }
    }
    if listed
        .iter()
        .any(|n| n.is_none_or(is_templated) || own_ns.is_none())
    {
        return Reach::Unknown;
    }
    if listed.contains(&own_ns) {
        Reach::Own
    } else {
        Reach::NotOwn(Miss::Namespaces)
    }
}

/// How a multi-replica workload's template keeps its replicas off one node.
#[derive(Debug, Clone)]
pub enum HostSpread {
    /// A host anti-affinity term or a hostname spread constraint counts its own pods; or a
    /// host port keeps them apart anyway; or something we cannot evaluate.
    Covered,
    /// Terms on the hostname exist, and none counts its own pods: where each one's selector
    /// is (the term's `topologyKey` when it has none), and what it is (`podAntiAffinity
    /// term`, `topologySpreadConstraints entry`).
    Misses(Vec<(Site, &'static str, Miss)>),
    /// Nothing on the hostname.
    Absent,
}

/// Reads the template's host spread. Only for Deployments, StatefulSets and ReplicaSets.
pub fn host_spread<'d>(
    pod: &PodTemplate<'d>,
    own_ns: Option<&str>,
    site: &dyn Fn(Node<'d>) -> Site,
) -> HostSpread {
    let Some(labels) = own_labels(pod) else {
        return HostSpread::Covered;
    };
    // Two pods asking for one host port never share a node: the scheduler spreads them.
    let host_ports = pod.spec.get("hostNetwork").and_then(|h| h.as_bool()) == Some(true)
        || pod.containers.iter().any(|c| {
            c.get("ports")
                .is_some_and(|ports| ports.items().any(|p| p.get_some("hostPort").is_some()))
        });
    if host_ports {
        return HostSpread::Covered;
    }
    // (term, is an anti-affinity term, what it is, is required)
    let mut terms: Vec<(Node<'d>, bool, &'static str, bool)> = Vec::new();
    if let Some(affinity) = pod.spec.get_some("affinity") {
        if !affinity.is_map() {
            return HostSpread::Covered;
        }
        if let Some(anti) = affinity.get_some("podAntiAffinity") {
            if !anti.is_map() {
                return HostSpread::Covered;
            }
            for (key, nested) in [
                ("requiredDuringSchedulingIgnoredDuringExecution", false),
                ("preferredDuringSchedulingIgnoredDuringExecution", true),
            ] {
                let Some(list) = anti.get_some(key) else {
                    continue;
                };
                if !list.is_seq() {
                    return HostSpread::Covered;
                }
                for item in list.items() {
                    let term = if nested {
                        item.get("podAffinityTerm")
                    } else {
                        Some(item)
                    };
                    if let Some(term) = term.filter(|t| t.is_map()) {
                        terms.push((term, true, "podAntiAffinity term", !nested));
                    }
                }
            }
        }
    }
    if let Some(list) = pod.spec.get_some("topologySpreadConstraints") {
        if !list.is_seq() {
            return HostSpread::Covered;
        }
        for item in list.items().filter(|t| t.is_map()) {
            terms.push((item, false, "topologySpreadConstraints entry", false));
        }
    }
    let mut misses = Vec::new();
    for (term, affinity, what, required) in terms {
        let Some(key) = term.get("topologyKey") else {
            continue;
        };
        match key.as_str() {
            Some(HOSTNAME) => {}
            // A required anti-affinity term on any node label (zone, rack) keeps two replicas
            // out of one domain, and a node is in one domain: they land on different nodes.
            Some(k) if required && !is_templated(k) => {
                if matches!(
                    reach(term, &labels, own_ns, affinity),
                    Reach::Own | Reach::Unknown
                ) {
                    return HostSpread::Covered;
                }
                continue;
            }
            Some(k) if !is_templated(k) => continue,
            _ => return HostSpread::Covered,
        }
        match reach(term, &labels, own_ns, affinity) {
            Reach::Own | Reach::Unknown => return HostSpread::Covered,
            Reach::NotOwn(why) => {
                let at = term.entry("labelSelector").map_or(key, |(k, _)| k);
                misses.push((site(at), what, why));
            }
        }
    }
    if misses.is_empty() {
        HostSpread::Absent
    } else {
        HostSpread::Misses(misses)
    }
}
