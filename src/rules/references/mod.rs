//! Rules about references between objects: selectors, names, ports.

pub mod dangling_configmap_ref;
pub mod dangling_hpa_target;
pub mod dangling_ingress_backend;
pub mod dangling_networkpolicy_peer;
pub mod dangling_networkpolicy_selector;
pub mod dangling_pdb_selector;
pub mod dangling_priority_class;
pub mod dangling_pvc_ref;
pub mod dangling_role_ref;
pub mod dangling_secret_ref;
pub mod dangling_service_account;
pub mod dangling_service_selector;
pub mod dangling_storage_class;
pub mod immutable_field_changed;
mod named;
pub mod named_refs;
pub mod selector_template_mismatch;
pub mod service_target_port_unknown;

use crate::index::{Facts, Index, NamespaceKey, Selector};

/// Namespaces whose pods mostly come from outside any repository: static control-plane pods
/// and add-ons the cluster installs.
pub(crate) const SYSTEM_NAMESPACES: [&str; 1] = ["kube-system"];

/// A selector is dangling when the inputs hold the namespace's workloads with all their labels
/// (see `Index::knows_workloads_for`), none of them matches, no custom resource in scope looks
/// like the operator of its pods (`Index::operator_may_own`), and the selector is not a template
/// placeholder.
pub(crate) fn selects_nothing(index: &Index, subject: &Facts, selector: &Selector) -> bool {
    let ns = &index.namespace_of(subject);
    !ns.as_deref()
        .is_some_and(|n| SYSTEM_NAMESPACES.contains(&n))
        && !selector.is_templated()
        && index.knows_workloads_for(subject)
        && index.selected(ns, selector).is_empty()
        && !index.operator_may_own(subject, selector)
}

pub(crate) fn describe_selector(selector: &Selector) -> String {
    let mut parts: Vec<String> = selector
        .match_labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for r in &selector.expressions {
        use crate::index::Operator::*;
        parts.push(match r.operator {
            In => format!("{} in ({})", r.key, r.values.join(", ")),
            NotIn => format!("{} notin ({})", r.key, r.values.join(", ")),
            Exists => r.key.clone(),
            DoesNotExist => format!("!{}", r.key),
        });
    }
    parts.join(", ")
}

pub(crate) fn describe_namespace(ns: &NamespaceKey) -> String {
    match ns {
        Some(ns) => format!("namespace `{ns}`"),
        None => "its namespace (none is set)".to_owned(),
    }
}

/// The workload whose labels agree with most of the selector's `matchLabels`, for a hint.
pub(crate) fn closest_workload(
    index: &Index,
    ns: &NamespaceKey,
    selector: &Selector,
) -> Option<String> {
    index
        .workloads_in(ns)
        .map(|(f, w)| {
            let agree = selector
                .match_labels
                .iter()
                .filter(|(k, v)| w.labels.get(k) == Some(v))
                .count();
            (agree, f, w)
        })
        .filter(|(agree, _, _)| *agree > 0)
        .max_by_key(|(agree, f, _)| (*agree, std::cmp::Reverse(f.id.name.clone())))
        .map(|(_, f, w)| {
            let labels: Vec<String> = w.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!(
                "{} `{}` has labels {}",
                f.id.kind,
                f.id.name,
                labels.join(", ")
            )
        })
}

/// "did you mean `app=carts`?" when a `matchLabels` value is a typo of a value that pod
/// templates of the namespace carry under the same key.
pub(crate) fn near_miss_label(
    index: &Index,
    ns: &NamespaceKey,
    selector: &Selector,
) -> Option<String> {
    selector.match_labels.iter().find_map(|(key, value)| {
        let carried: std::collections::BTreeSet<&str> = index
            .workloads_in(ns)
            .filter_map(|(_, w)| w.labels.get(key).map(String::as_str))
            .collect();
        if carried.contains(value.as_str()) {
            return None;
        }
        crate::text::closest_name(value, carried)
            .map(|near| format!("did you mean `{key}={near}`?"))
    })
}

/// A help line led by the near miss, if there is one.
pub(crate) fn with_near_miss(
    index: &Index,
    ns: &NamespaceKey,
    selector: &Selector,
    help: &str,
) -> String {
    match near_miss_label(index, ns, selector) {
        Some(near) => format!("{near} {help}"),
        None => help.to_owned(),
    }
}
