use super::super::{Finding, Options, Rule, declare_rule};
use super::invalid_name::placeholder;
use crate::k8s::group_of;
use crate::k8s::validation::{ANNOTATIONS_TOTAL_MAX, label_value, qualified_name};
use crate::model::Object;
use crate::parse::tree::Node;

declare_rule! {
    /// ## What it does
    /// Reports what the API server's label and annotation validation refuses, at the key or
    /// the value that is wrong, with the API server's reasons:
    ///
    /// - a label key that is not a qualified name (`[prefix/]name`: the prefix a DNS-1123
    ///   subdomain, the name at most 63 letters, digits, `-`, `_` or `.`, starting and ending
    ///   with a letter or digit), and a label value that is not empty or such a name, in the
    ///   object's `metadata.labels` and in its pod template's labels (`ValidateLabels`);
    /// - the same for selectors: `matchLabels` keys and values, `matchExpressions` keys and the
    ///   `values` of `In` and `NotIn` (`ValidateLabelSelector`) of Deployments, ReplicaSets,
    ///   DaemonSets, StatefulSets, Jobs, CronJobs' job templates, PodDisruptionBudgets and
    ///   NetworkPolicies (pod, namespace and peer selectors), and the `spec.selector` map of
    ///   Services and ReplicationControllers;
    /// - an annotation key that is not a qualified name once lowercased, and annotations
    ///   (keys and values) over 256 KiB in total, of the object and of its pod template
    ///   (`ValidateAnnotations`).
    ///
    /// Keys and values with a template placeholder (`{{ .Values.x }}`, `${VAR}`, `$(VAR)`)
    /// are not judged, nor are configuration files that only look like objects. A value that
    /// is not a string (`version: 1.0`) is `invalid-value`'s.
    ///
    /// ## Why is this bad
    /// The API server refuses the whole object (`metadata.labels: Invalid value:
    /// "release/v1": a valid label must be an empty string or consist of alphanumeric
    /// characters…`), so the apply fails in the pipeline. Labels are also what selectors,
    /// `kubectl -l` and monitoring match on: a value a generator filled with a branch name or
    /// a version with `+` breaks every one of them.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   labels:
    ///     app.kubernetes.io/version: 1.4.0+build.7
    ///     team/owner: payments
    ///     "example.com/": x
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// metadata:
    ///   labels:
    ///     app.kubernetes.io/version: 1.4.0-build.7
    ///     owner: payments
    ///   annotations:
    ///     example.com/build: "1.4.0+build.7"
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 1 finding, read, true: Argo CD's
    /// `failure-during-sync` end-to-end test gives a ServiceAccount the label value
    /// `has-inva/id-character!` precisely so that its sync fails. On by default: every finding
    /// is an apply that fails. No peer checks label syntax (kubeconform and kube-linter pass
    /// it).
    pub struct InvalidLabel => "invalid-label";
}

impl Rule for InvalidLabel {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        if !is_api_object(object) {
            return;
        }
        let metadata = object.metadata();
        if let Some(metadata) = metadata {
            check_metadata(metadata, "", out);
        }
        // A bare Pod's template metadata is its own, checked above.
        if let Some(template) = object.pod.as_ref().and_then(|p| p.metadata)
            && metadata.is_none_or(|m| m.id() != template.id())
        {
            check_metadata(template, "pod template ", out);
        }
        check_selectors(object, out);
    }
}

fn is_api_object(object: &Object<'_>) -> bool {
    let group = group_of(object.api_version);
    !(group.ends_with(".config.k8s.io")
        || group.ends_with("config.x-k8s.io")
        || matches!(
            group,
            "kubeadm.k8s.io" | "kind.x-k8s.io" | "k3d.io" | "ctlptl.dev"
        )
        || (group.is_empty() && object.kind == "Config"))
}

/// A literal string, or `None` for anything else and for a placeholder.
fn literal<'d>(node: Node<'d>) -> Option<&'d str> {
    node.as_str().filter(|t| !placeholder(t))
}

fn check_metadata<'d>(metadata: Node<'d>, whose: &str, out: &mut Vec<Finding<'d>>) {
    if let Some(labels) = metadata.get("labels") {
        check_label_map(labels, &format!("{whose}label"), out);
    }
    let Some(annotations) = metadata.get("annotations") else {
        return;
    };
    let mut total = 0usize;
    for (key, value) in annotations.entries() {
        let Some(k) = key.key_text() else { continue };
        total += k.len() + value.raw().map_or(0, str::len);
        if placeholder(k) {
            continue;
        }
        // ValidateAnnotations lowercases the key before IsQualifiedName.
        let reasons = qualified_name(&k.to_ascii_lowercase());
        if !reasons.is_empty() {
            out.push(
                Finding::new(
                    key,
                    format!(
                        "{whose}annotation key `{k}` is refused by the API server: {}",
                        reasons.join("; ")
                    ),
                )
                .help("an annotation key is `[prefix/]name`: an optional DNS subdomain prefix and `/`, then at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit"),
            );
        }
    }
    if total > ANNOTATIONS_TOTAL_MAX {
        let anchor = metadata
            .entry("annotations")
            .map_or(annotations, |(k, _)| k);
        out.push(
            Finding::new(
                anchor,
                format!(
                    "{whose}annotations total {total} bytes; the API server refuses the object: annotations must have at most {ANNOTATIONS_TOTAL_MAX} bytes (keys and values together)"
                ),
            )
            .help("move large values (last-applied configuration, dashboards, scripts) into a ConfigMap, or apply with `kubectl apply --server-side`, which does not write the last-applied annotation"),
        );
    }
}

/// `ValidateLabels`: every key a qualified name, every value a label value.
fn check_label_map<'d>(labels: Node<'d>, what: &str, out: &mut Vec<Finding<'d>>) {
    for (key, value) in labels.entries() {
        if let Some(k) = key.key_text().filter(|k| !placeholder(k)) {
            check_key(key, k, what, out);
        }
        if let Some(v) = literal(value) {
            check_value(value, v, what, out);
        }
    }
}

fn check_key<'d>(node: Node<'d>, key: &str, what: &str, out: &mut Vec<Finding<'d>>) {
    let reasons = qualified_name(key);
    if !reasons.is_empty() {
        out.push(
            Finding::new(
                node,
                format!(
                    "{what} key `{key}` is refused by the API server: {}",
                    reasons.join("; ")
                ),
            )
            .help("a label key is `[prefix/]name`: an optional DNS subdomain prefix and `/`, then at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit"),
        );
    }
}

fn check_value<'d>(node: Node<'d>, value: &str, what: &str, out: &mut Vec<Finding<'d>>) {
    let reasons = label_value(value);
    if !reasons.is_empty() {
        out.push(
            Finding::new(
                node,
                format!(
                    "{what} value `{value}` is refused by the API server: {}",
                    reasons.join("; ")
                ),
            )
            .help("a label value is empty or at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit; put free text in an annotation instead"),
        );
    }
}

/// `ValidateLabelSelector`: `matchLabels` as labels, `matchExpressions` keys, and the
/// values of `In`/`NotIn` as label values.
fn check_label_selector<'d>(selector: Node<'d>, out: &mut Vec<Finding<'d>>) {
    if let Some(labels) = selector.get("matchLabels") {
        check_label_map(labels, "selector label", out);
    }
    let Some(expressions) = selector.get("matchExpressions") else {
        return;
    };
    for expression in expressions.items() {
        if let Some(key) = expression.get("key")
            && let Some(k) = literal(key)
        {
            check_key(key, k, "selector", out);
        }
        if !matches!(expression.get_str("operator"), Some("In" | "NotIn")) {
            continue;
        }
        for value in expression.get("values").into_iter().flat_map(|v| v.items()) {
            if let Some(v) = literal(value) {
                check_value(value, v, "selector", out);
            }
        }
    }
}

fn check_selectors<'d>(object: &Object<'d>, out: &mut Vec<Finding<'d>>) {
    let Some(spec) = object.root.get("spec") else {
        return;
    };
    match (group_of(object.api_version), object.kind) {
        // ValidateService and ValidateReplicationControllerSpec: a plain map.
        ("", "Service" | "ReplicationController") => {
            if let Some(selector) = spec.get("selector") {
                check_label_map(selector, "selector label", out);
            }
        }
        ("apps" | "extensions", "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet")
        | ("batch", "Job")
        | ("policy", "PodDisruptionBudget") => {
            if let Some(selector) = spec.get("selector") {
                check_label_selector(selector, out);
            }
        }
        ("batch", "CronJob") => {
            if let Some(selector) = spec.path(&["jobTemplate", "spec", "selector"]) {
                check_label_selector(selector, out);
            }
        }
        // ValidateNetworkPolicySpec and its peers.
        ("networking.k8s.io" | "extensions", "NetworkPolicy") => {
            if let Some(selector) = spec.get("podSelector") {
                check_label_selector(selector, out);
            }
            for (rules, peers) in [("ingress", "from"), ("egress", "to")] {
                for rule in spec.get(rules).into_iter().flat_map(|r| r.items()) {
                    for peer in rule.get(peers).into_iter().flat_map(|p| p.items()) {
                        for field in ["podSelector", "namespaceSelector"] {
                            if let Some(selector) = peer.get(field) {
                                check_label_selector(selector, out);
                            }
                        }
                    }
                }
            }
        }
        _ => {}
    }
}
