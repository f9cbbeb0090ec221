//! The ConfigMaps and Secrets a pod template names, what keys the ConfigMaps and Secrets of the
//! run hold, and the names that something other than a manifest may create (custom resources
//! of operators, kustomize generators).

use std::collections::{BTreeSet, HashMap, HashSet};

use super::{Facts, KindFacts, NamespaceKey, Site, parent_dir, scalar_text};
use crate::model::is_templated;
use crate::model::pod::PodTemplate;
use crate::parse::tree::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    ConfigMap,
    Secret,
}

impl RefKind {
    pub fn kind(self) -> &'static str {
        match self {
            RefKind::ConfigMap => "ConfigMap",
            RefKind::Secret => "Secret",
        }
    }
}

/// A reference of a pod template to a ConfigMap or Secret that must exist: `optional: true`
/// ones and templated names are left out.
#[derive(Debug, Clone)]
pub struct NamedRef {
    pub kind: RefKind,
    pub name: String,
    /// The name's node.
    pub site: Site,
    /// Where it is used, for messages: "env var `DB_HOST` of container `app`",
    /// "volume `config`", "`imagePullSecrets`".
    pub used_by: String,
    /// The container the reference is in, if any.
    pub container: Option<String>,
    /// The keys it reads (templated ones left out), with their nodes.
    pub keys: Vec<(String, Site)>,
}

fn is_optional(node: Node<'_>) -> bool {
    node.get("optional").and_then(|o| o.as_bool()) == Some(true)
}

fn name_of<'d>(node: Node<'d>, key: &str) -> Option<(String, Node<'d>)> {
    let n = node.get_some(key)?;
    let text = scalar_text(n)?;
    (!text.is_empty() && !is_templated(&text)).then_some((text, n))
}

fn keys_of<'d>(node: Node<'d>, list: &str, site: &dyn Fn(Node<'d>) -> Site) -> Vec<(String, Site)> {
    node.get(list)
        .into_iter()
        .flat_map(|l| l.items())
        .filter_map(|item| {
            let key = item.get_some("key")?;
            let text = scalar_text(key)?;
            (!is_templated(&text)).then(|| (text, site(key)))
        })
        .collect()
}

/// Every ConfigMap and Secret a pod template needs, in written order.
pub fn pod_refs<'d>(pod: &PodTemplate<'d>, site: &dyn Fn(Node<'d>) -> Site) -> Vec<NamedRef> {
    let mut refs = Vec::new();
    let mut push =
        |kind, (name, node): (String, Node<'d>), used_by: String, container: Option<&str>, keys| {
            refs.push(NamedRef {
                kind,
                name,
                site: site(node),
                used_by,
                container: container.map(str::to_owned),
                keys,
            })
        };
    for c in pod
        .containers
        .iter()
        .cloned()
        .chain(pod.ephemeral_containers())
    {
        let who = format!("{} `{}`", c.kind.describe(), c.display_name());
        for var in c.get("env").into_iter().flat_map(|e| e.items()) {
            let Some(from) = var.get_some("valueFrom") else {
                continue;
            };
            for (field, kind) in [
                ("configMapKeyRef", RefKind::ConfigMap),
                ("secretKeyRef", RefKind::Secret),
            ] {
                let Some(r) = from.get_some(field).filter(|r| !is_optional(*r)) else {
                    continue;
                };
                let Some(name) = name_of(r, "name") else {
                    continue;
                };
                let keys = r
                    .get_some("key")
                    .and_then(|k| {
                        let text = scalar_text(k)?;
                        (!is_templated(&text)).then(|| vec![(text, site(k))])
                    })
                    .unwrap_or_default();
                let var_name = var.get_str("name").unwrap_or("?");
                push(
                    kind,
                    name,
                    format!("env var `{var_name}` of {who}"),
                    c.name,
                    keys,
                );
            }
        }
        for from in c.get("envFrom").into_iter().flat_map(|e| e.items()) {
            for (field, kind) in [
                ("configMapRef", RefKind::ConfigMap),
                ("secretRef", RefKind::Secret),
            ] {
                let Some(r) = from.get_some(field).filter(|r| !is_optional(*r)) else {
                    continue;
                };
                if let Some(name) = name_of(r, "name") {
                    push(
                        kind,
                        name,
                        format!("`envFrom` of {who}"),
                        c.name,
                        Vec::new(),
                    );
                }
            }
        }
    }
    for volume in pod.spec.get("volumes").into_iter().flat_map(|v| v.items()) {
        let volume_name = volume.get_str("name").unwrap_or("?");
        let used_by = format!("volume `{volume_name}`");
        if let Some(cm) = volume.get_some("configMap").filter(|r| !is_optional(*r))
            && let Some(name) = name_of(cm, "name")
        {
            let keys = keys_of(cm, "items", site);
            push(RefKind::ConfigMap, name, used_by.clone(), None, keys);
        }
        if let Some(secret) = volume.get_some("secret").filter(|r| !is_optional(*r))
            && let Some(name) = name_of(secret, "secretName")
        {
            let keys = keys_of(secret, "items", site);
            push(RefKind::Secret, name, used_by.clone(), None, keys);
        }
        let sources = volume.path(&["projected", "sources"]);
        for source in sources.into_iter().flat_map(|s| s.items()) {
            for (field, kind) in [
                ("configMap", RefKind::ConfigMap),
                ("secret", RefKind::Secret),
            ] {
                let Some(r) = source.get_some(field).filter(|r| !is_optional(*r)) else {
                    continue;
                };
                if let Some(name) = name_of(r, "name") {
                    let keys = keys_of(r, "items", site);
                    push(kind, name, format!("projected {used_by}"), None, keys);
                }
            }
        }
    }
    for secret in pod
        .spec
        .get("imagePullSecrets")
        .into_iter()
        .flat_map(|s| s.items())
    {
        if let Some(name) = name_of(secret, "name") {
            push(
                RefKind::Secret,
                name,
                "`imagePullSecrets`".to_owned(),
                None,
                Vec::new(),
            );
        }
    }
    refs
}

/// The keys a ConfigMap or Secret holds (`data`, `binaryData`, `stringData`). None when the
/// run cannot tell them all: a templated or unreadable key, or no data at all (a Secret a
/// controller fills, such as a service-account token or a cert-manager certificate's).
pub fn data_keys(root: Node<'_>) -> Option<Vec<String>> {
    let mut keys = Vec::new();
    let mut any = false;
    for field in ["data", "binaryData", "stringData"] {
        let Some(map) = root.get_some(field) else {
            continue;
        };
        if !map.is_map() {
            return None;
        }
        for (k, _) in map.entries() {
            let key = k.key_text()?;
            if is_templated(key) {
                return None;
            }
            keys.push(key.to_owned());
            any = true;
        }
    }
    any.then_some(keys)
}

/// The names a custom resource may make a ConfigMap or Secret of: its own name (a SealedSecret
/// or an ExternalSecret without `target.name` creates one so named) and every string under its
/// `spec` that could be an object name (a Certificate's `secretName`, an ExternalSecret's
/// `target.name`, an operator's generated credentials).
pub fn mentioned_names(root: Node<'_>, own_name: &str) -> Vec<String> {
    let mut names = BTreeSet::new();
    names.insert(own_name.to_owned());
    fn walk(node: Node<'_>, depth: usize, names: &mut BTreeSet<String>) {
        if depth > 64 {
            return;
        }
        if node.is_map() {
            for (_, v) in node.entries() {
                walk(v, depth + 1, names);
            }
        } else if node.is_seq() {
            for v in node.items() {
                walk(v, depth + 1, names);
            }
        } else if let Some(text) = node.as_str()
            && !text.is_empty()
            && text.len() <= 253
            && !text.contains(char::is_whitespace)
        {
            names.insert(text.to_owned());
        }
    }
    if let Some(spec) = root.get_some("spec") {
        walk(spec, 0, &mut names);
    }
    names.into_iter().collect()
}

/// ConfigMaps that cluster components create in every namespace: the cluster's CA bundle
/// (kube-controller-manager), Istio's root certificate (istiod), OpenShift's service CA.
const CLUSTER_CONFIGMAPS: [&str; 3] = [
    "kube-root-ca.crt",
    "istio-ca-root-cert",
    "openshift-service-ca.crt",
];

/// Where a fact about ConfigMaps and Secrets holds: a namespace, and for `default` (and the
/// unnamed namespace, which is `default` and which unrelated examples share across a run) one
/// directory of it.
type Scope = (String, Option<String>);

fn scope(ns: &NamespaceKey, file: &str) -> Scope {
    let name = ns.as_deref().unwrap_or("default").to_owned();
    let dir = (name == "default").then(|| parent_dir(file).to_owned());
    (name, dir)
}

/// A name someone fills in before applying (`bootstrap-token-YOUR_TOKEN_ID`, `<name>`,
/// `${NAME}`): no object can have it, so the run's names of that kind are not final.
fn is_placeholder(name: &str) -> bool {
    !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

/// Whether the `-`/`.`-separated words of `name` contain those of `part`, in a row: an
/// operator names what it creates after its resource (`rook-ceph` → `rook-ceph-mon-endpoints`,
/// `mydb` → `redb-mydb`, `acid` → `user.acid.credentials.postgresql.acid.zalan.do`).
fn names_after(name: &str, part: &str) -> bool {
    let words: Vec<&str> = name.split(['-', '.']).collect();
    let part: Vec<&str> = part.split(['-', '.']).collect();
    !part.is_empty() && words.windows(part.len()).any(|w| w == part.as_slice())
}

/// What the run says of its ConfigMaps and Secrets, and of what else may create them.
#[derive(Debug, Default)]
pub struct Evidence {
    /// The directories holding ConfigMaps (resp. Secrets) of each namespace, each with whether
    /// all their names are final (none is a placeholder).
    dirs: HashMap<(RefKind, String), HashMap<String, bool>>,
    /// Scopes where a Role lets someone create objects of the kind (a Job of the run that
    /// makes its own Secret, as Argo CD's `argocd-redis` initialiser does).
    created_by_roles: HashSet<(RefKind, Scope)>,
    /// The custom resources that mention names under `spec`, by scope (shared with the
    /// index, not copied: a language server builds this on every keystroke).
    mentioned: HashMap<Scope, Vec<std::sync::Arc<Facts>>>,
    /// The names of custom resources, by scope.
    custom: HashMap<Scope, Vec<String>>,
}

impl Evidence {
    /// Collects the evidence.
    pub fn build(facts: &[std::sync::Arc<Facts>], default_namespace: &NamespaceKey) -> Evidence {
        let mut evidence = Evidence::default();
        for f in facts {
            let ns = f.id.namespace.clone().or_else(|| default_namespace.clone());
            let at = scope(&ns, &f.file);
            if !f.mentions.is_empty() {
                evidence
                    .mentioned
                    .entry(at.clone())
                    .or_default()
                    .push(f.clone());
            }
            if f.custom {
                evidence
                    .custom
                    .entry(at.clone())
                    .or_default()
                    .push(f.id.name.clone());
            }
            let kind = match &f.kind {
                KindFacts::ConfigMap { .. } => RefKind::ConfigMap,
                KindFacts::Secret { .. } => RefKind::Secret,
                KindFacts::Role(role) if !role.cluster => {
                    for rule in &role.rules {
                        let has = |list: &[(String, Site)], wanted: &[&str]| {
                            list.iter().any(|(v, _)| wanted.contains(&v.as_str()))
                        };
                        if !has(&rule.api_groups, &["", "*"]) || !has(&rule.verbs, &["create", "*"])
                        {
                            continue;
                        }
                        for (resource, kind) in [
                            ("secrets", RefKind::Secret),
                            ("configmaps", RefKind::ConfigMap),
                        ] {
                            if has(&rule.resources, &[resource, "*"]) {
                                evidence.created_by_roles.insert((kind, at.clone()));
                            }
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            let final_name = !is_placeholder(&f.id.name);
            *evidence
                .dirs
                .entry((kind, at.0))
                .or_default()
                .entry(parent_dir(&f.file).to_owned())
                .or_insert(true) &= final_name;
        }
        evidence
    }

    /// Whether the run holds the ConfigMaps (resp. Secrets) that an object in `file` of
    /// namespace `ns` could refer to: the namespace has some in that file's directory, all
    /// with final names. Elsewhere they are made outside the run (`kubectl create secret`,
    /// a chart, a script), and one missing from the run says nothing.
    pub fn knows_names_for(&self, kind: RefKind, ns: &NamespaceKey, file: &str) -> bool {
        let (ns, _) = scope(ns, file);
        self.dirs
            .get(&(kind, ns))
            .and_then(|dirs| dirs.get(parent_dir(file)))
            .copied()
            .unwrap_or(false)
    }

    /// Whether something other than a manifest may create ConfigMap (resp. Secret) `name` for
    /// an object in `file` of namespace `ns`: a cluster component (`kube-root-ca.crt`), a Role
    /// of the scope that may create that kind, or a custom resource of the scope that mentions
    /// the name under `spec`, is so named (a SealedSecret), or whose name the name is built on.
    pub fn may_create(&self, kind: RefKind, ns: &NamespaceKey, name: &str, file: &str) -> bool {
        let at = scope(ns, file);
        (kind == RefKind::ConfigMap && CLUSTER_CONFIGMAPS.contains(&name))
            || self.created_by_roles.contains(&(kind, at.clone()))
            || self
                .custom
                .get(&at)
                .is_some_and(|names| names.iter().any(|n| names_after(name, n)))
            || self.mentioned.get(&at).is_some_and(|resources| {
                resources
                    .iter()
                    .any(|r| r.mentions.iter().any(|m| m == name))
            })
    }
}
