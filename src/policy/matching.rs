//! Which objects a policy applies to: an admission policy's `matchConstraints` (and a binding's
//! `matchResources`), as the API server matches a CREATE request; a policy file's `match`.

use std::borrow::Cow;

use crate::index::{Labels, Selector, SelectorField};
use crate::k8s;
use crate::model::Object;
use crate::parse::tree::Node;

use super::PolicySet;

/// One `resourceRules` entry: what the API server matches by group, version and plural resource.
#[derive(Debug, Clone, Default)]
pub struct ResourceRule {
    pub groups: Vec<String>,
    pub versions: Vec<String>,
    pub resources: Vec<String>,
    /// Whether the rule covers CREATE (the operation a manifest in git becomes).
    pub creates: bool,
    pub names: Vec<String>,
    /// `Cluster`, `Namespaced` or `*`.
    pub scope: String,
}

/// What a policy or binding matches.
#[derive(Debug, Clone, Default)]
pub struct Match {
    pub rules: Vec<ResourceRule>,
    pub exclude: Vec<ResourceRule>,
    /// Absent: every namespace.
    pub namespace_selector: Option<Selector>,
    pub object_selector: Option<Selector>,
    /// For a policy file: kinds (`Deployment`, or `apps/Deployment`), namespace names.
    pub kinds: Vec<String>,
    pub namespaces: Vec<String>,
    pub exclude_namespaces: Vec<String>,
    /// A selector that cannot be evaluated (a templated value): matches nothing.
    pub unknown: bool,
}

/// An object as matching sees it.
pub struct Target<'a> {
    pub group: &'a str,
    pub version: &'a str,
    pub kind: &'a str,
    /// Its plural resource, as a request for it names it.
    pub resource: Cow<'a, str>,
    pub name: &'a str,
    /// The namespace a request for it names: its own, else the run's default (never for a
    /// cluster-scoped kind).
    pub namespace: Option<Cow<'a, str>>,
    labels: Labels,
}

impl<'a> Target<'a> {
    pub fn of(object: &Object<'a>, set: &PolicySet) -> Target<'a> {
        let group = k8s::group_of(object.api_version);
        Target {
            group,
            version: object
                .api_version
                .rsplit_once('/')
                .map_or(object.api_version, |(_, v)| v),
            kind: object.kind,
            resource: resource_of(group, object.kind, set),
            name: object.name.unwrap_or_default(),
            namespace: object.namespace.map(Cow::Borrowed).or_else(|| {
                (!is_cluster_scoped(object.kind))
                    .then(|| set.default_namespace.clone().map(Cow::Owned))
                    .flatten()
            }),
            labels: object
                .metadata()
                .and_then(|m| m.get_some("labels"))
                .and_then(Selector::map)
                .map(|pairs| pairs.into_iter().collect())
                .unwrap_or_default(),
        }
    }
}

/// The plural resource of a kind: the CRDs of the run, the built-in table, else the guess the
/// API server's RESTMapper makes.
pub fn resource_of<'a>(group: &str, kind: &str, set: &PolicySet) -> Cow<'a, str> {
    if !set.plurals.is_empty()
        && let Some(plural) = set.plurals.get(&(group.to_owned(), kind.to_owned()))
    {
        return Cow::Owned(plural.clone());
    }
    k8s::resources::resource_of(group, kind)
        .unwrap_or_else(|| Cow::Owned(k8s::resources::guess_resource(kind)))
}

/// The strings of the list at `key` of `node` (what is not a string is skipped).
pub fn strings(node: Node<'_>, key: &str) -> Vec<String> {
    node.get_some(key)
        .map(|l| {
            l.items()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Built-in kinds that live outside namespaces (a manifest's `metadata.namespace` says
/// nothing either way: most namespaced objects leave it to `kubectl apply -n`).
const CLUSTER_SCOPED: &[&str] = &[
    "APIService",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PriorityClass",
    "RuntimeClass",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
];

pub fn is_cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED.contains(&kind)
}

fn listed(list: &[String], value: &str) -> bool {
    list.iter().any(|v| v == "*" || v == value)
}

impl ResourceRule {
    fn covers(&self, target: &Target<'_>) -> bool {
        let resource = self.resources.iter().any(|r| {
            // `deployments/scale` matches a subresource, never the object itself.
            r == "*" || *r == target.resource
        });
        let cluster = CLUSTER_SCOPED.contains(&target.kind);
        let scope = match self.scope.as_str() {
            "Cluster" => cluster,
            "Namespaced" => !cluster,
            _ => true,
        };
        self.creates
            && listed(&self.groups, target.group)
            && listed(&self.versions, target.version)
            && resource
            && scope
            && (self.names.is_empty() || self.names.iter().any(|n| n == target.name))
    }

    pub fn read(node: Node<'_>) -> ResourceRule {
        let list = |key: &str| strings(node, key);
        let operations = list("operations");
        ResourceRule {
            groups: list("apiGroups"),
            versions: list("apiVersions"),
            resources: list("resources"),
            creates: operations.iter().any(|o| o == "*" || o == "CREATE"),
            names: list("resourceNames"),
            scope: node.get_str("scope").unwrap_or("*").to_owned(),
        }
    }
}

impl Match {
    /// A `matchConstraints` or `matchResources` node.
    pub fn read_resources(node: Node<'_>) -> Match {
        let rules = |key: &str| -> Vec<ResourceRule> {
            node.get_some(key)
                .map(|l| l.items().map(ResourceRule::read).collect())
                .unwrap_or_default()
        };
        let mut unknown = false;
        let mut selector = |key: &str| match Selector::label_selector(node.get_some(key)) {
            SelectorField::Missing => None,
            SelectorField::Selector(s) => Some(s),
            SelectorField::Unknown => {
                unknown = true;
                None
            }
        };
        let namespace_selector = selector("namespaceSelector");
        let object_selector = selector("objectSelector");
        Match {
            rules: rules("resourceRules"),
            exclude: rules("excludeResourceRules"),
            namespace_selector,
            object_selector,
            unknown,
            ..Match::default()
        }
    }

    pub fn matches(&self, target: &Target<'_>, set: &PolicySet) -> bool {
        if self.unknown {
            return false;
        }
        if !self.kinds.is_empty()
            && !self.kinds.iter().any(|k| match k.rsplit_once('/') {
                Some((group, kind)) => kind == target.kind && group == target.group,
                None => k == target.kind,
            })
        {
            return false;
        }
        let namespace = target.namespace.as_deref();
        if !self.namespaces.is_empty()
            && !namespace.is_some_and(|ns| self.namespaces.iter().any(|n| n == ns))
        {
            return false;
        }
        if namespace.is_some_and(|ns| self.exclude_namespaces.iter().any(|n| n == ns)) {
            return false;
        }
        // No resource rules constrain nothing: a binding's `matchResources` that only selects
        // namespaces, a policy file that matches by `kinds`.
        if !self.rules.is_empty() && !self.rules.iter().any(|r| r.covers(target)) {
            return false;
        }
        if self.exclude.iter().any(|r| r.covers(target)) {
            return false;
        }
        if let Some(selector) = &self.object_selector
            && !selector.matches(&target.labels)
        {
            return false;
        }
        if let (Some(selector), Some(ns)) = (&self.namespace_selector, namespace) {
            let labels = set.namespaces.get(ns).map_or_else(
                || Labels::from([("kubernetes.io/metadata.name".to_owned(), ns.to_owned())]),
                |n| n.labels.clone(),
            );
            if !selector.matches(&labels) {
                return false;
            }
        }
        true
    }
}
