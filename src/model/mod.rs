//! Documents → Kubernetes objects, with typed views for the kinds rules understand.

pub mod immutable;
pub mod pod;
pub mod qos;
pub mod quantity;
pub mod violation;

use serde::Serialize;

use crate::parse::tree::{Document, Node};
pub use pod::{Container, ContainerKind, PodTemplate};

/// Who an object is: what findings are attributed to, and what suppressions and baselines key on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectId {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// One Kubernetes object: a whole document, or one item of a `kind: List`.
#[derive(Debug)]
pub struct Object<'d> {
    pub root: Node<'d>,
    pub api_version: &'d str,
    pub kind: &'d str,
    pub name: Option<&'d str>,
    pub namespace: Option<&'d str>,
    pub pod: Option<PodTemplate<'d>>,
    /// What its schema does not accept: computed by the first schema rule that asks (see
    /// `schema::violations`), or put here by the custom-resource pass.
    pub schema_violations: std::cell::OnceCell<Vec<violation::Violation<'d>>>,
}

impl<'d> Object<'d> {
    pub fn document(&self) -> &'d Document<'d> {
        self.root.document()
    }

    pub fn metadata(&self) -> Option<Node<'d>> {
        self.root.get("metadata")
    }

    pub fn id(&self) -> ObjectId {
        ObjectId {
            api_version: self.api_version.to_owned(),
            kind: self.kind.to_owned(),
            namespace: self.namespace.map(str::to_owned),
            name: self.name.unwrap_or("<unnamed>").to_owned(),
        }
    }

    /// The node findings about the object as a whole point at: its name, else its kind.
    pub fn anchor_node(&self) -> Node<'d> {
        self.metadata()
            .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
            .or_else(|| self.root.get("kind"))
            .unwrap_or(self.root)
    }
}

/// Why a document is not an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotAnObject {
    NotAMapping,
    MissingKind,
    MissingApiVersion,
}

impl NotAnObject {
    pub fn message(self) -> &'static str {
        match self {
            NotAnObject::NotAMapping => {
                "this document is not a mapping, so it is no Kubernetes object"
            }
            NotAnObject::MissingKind => {
                "this document has no `kind`, so it is no Kubernetes object"
            }
            NotAnObject::MissingApiVersion => {
                "this document has a `kind` but no `apiVersion`; the API server rejects it"
            }
        }
    }
}

/// The outcome of reading one document.
pub enum Modeled<'d> {
    Objects(Vec<Object<'d>>),
    /// A document that is not a Kubernetes object, with the node to point at.
    Invalid(NotAnObject, Node<'d>),
}

/// Reads a document into objects, expanding `kind: List` (and `*List` kinds with `items`).
pub fn objects_of<'d>(doc: &'d Document<'d>) -> Modeled<'d> {
    let root = doc.root();
    let mut out = Vec::new();
    if let Err((why, node)) = collect(root, &mut out, 0) {
        return Modeled::Invalid(why, node);
    }
    Modeled::Objects(out)
}

/// The objects a node of a document holds (itself, or the items of a `kind: List`), e.g. the
/// sample objects of a policy file's tests.
pub fn objects_at(node: Node<'_>) -> Result<Vec<Object<'_>>, NotAnObject> {
    let mut out = Vec::new();
    collect(node, &mut out, 0).map_err(|(why, _)| why)?;
    Ok(out)
}

fn collect<'d>(
    node: Node<'d>,
    out: &mut Vec<Object<'d>>,
    depth: usize,
) -> Result<(), (NotAnObject, Node<'d>)> {
    if !node.is_map() {
        return Err((NotAnObject::NotAMapping, node));
    }
    let kind = node.get_str("kind");
    let api_version = node.get_str("apiVersion");
    let Some(kind) = kind else {
        return Err((NotAnObject::MissingKind, node));
    };
    if let Some(items) = node.get("items").filter(|i| i.is_seq())
        && kind.ends_with("List")
        && depth < 4
    {
        for item in items.items() {
            collect(item, out, depth + 1)?;
        }
        return Ok(());
    }
    let Some(api_version) = api_version else {
        return Err((
            NotAnObject::MissingApiVersion,
            node.entry("kind").map_or(node, |(k, _)| k),
        ));
    };
    let metadata = node.get("metadata");
    let name = metadata.and_then(|m| m.get_str("name").or_else(|| m.get_str("generateName")));
    let namespace = metadata.and_then(|m| m.get_str("namespace"));
    out.push(Object {
        root: node,
        api_version,
        kind,
        name,
        namespace,
        pod: PodTemplate::of(kind, api_version, node),
        schema_violations: std::cell::OnceCell::new(),
    });
    Ok(())
}

/// Whether a value is a placeholder a template engine fills in before the API server sees it
/// (`${NAME}`, `{{ .Values.x }}`).
pub fn is_templated(text: &str) -> bool {
    text.contains("${") || text.contains("{{")
}

/// A container image reference split as the container runtime reads it:
/// `[registry[:port]/]path[:tag][@digest]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    pub fn parse(image: &'a str) -> Self {
        let (name, digest) = match image.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (image, None),
        };
        // A tag follows the last `:` after the last `/` (a `:` before it is a registry port).
        let last = name.rsplit('/').next().unwrap_or(name);
        ImageRef {
            tag: last.split_once(':').map(|(_, tag)| tag),
            digest,
        }
    }

    /// What the API server stores when `imagePullPolicy` is unset, as
    /// `SetDefaults_Container` decides it: `Always` for `:latest`, or no tag and no digest.
    pub fn defaults_to_always(&self) -> bool {
        match self.tag {
            Some(tag) => tag == "latest",
            None => self.digest.is_none(),
        }
    }

    /// Whether the reference names a moving image: no tag and no digest, or `:latest`
    /// without a digest (a digest pins the image whatever the tag says).
    pub fn is_floating(&self) -> bool {
        self.digest.is_none() && self.tag.is_none_or(|tag| tag == "latest")
    }
}

/// Whether a document looks like a Kubernetes object at all (used to skip other YAML files).
pub fn looks_like_object(doc: &Document<'_>) -> bool {
    let root = doc.root();
    root.get("apiVersion").is_some() && root.get("kind").is_some()
}

#[cfg(test)]
mod tests {
    use super::ImageRef;

    const DIGEST: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

    #[test]
    fn the_api_servers_default_pull_policy() {
        for image in [
            "nginx".to_owned(),
            "nginx:latest".to_owned(),
            "registry.example.com:5000/shop/api".to_owned(),
            "registry.example.com:5000/shop/api:latest".to_owned(),
            format!("nginx:latest@{DIGEST}"),
        ] {
            assert!(ImageRef::parse(&image).defaults_to_always(), "{image}");
        }
        for image in [
            "nginx:1.27".to_owned(),
            "registry.example.com:5000/shop/api:1.4".to_owned(),
            format!("nginx@{DIGEST}"),
        ] {
            assert!(!ImageRef::parse(&image).defaults_to_always(), "{image}");
        }
    }

    #[test]
    fn floating_references() {
        for image in [
            "nginx",
            "nginx:latest",
            "localhost:5000/api",
            "host:5000/a/b:latest",
        ] {
            assert!(ImageRef::parse(image).is_floating(), "{image}");
        }
        for image in [
            "nginx:1.27".to_owned(),
            "localhost:5000/api:v2".to_owned(),
            format!("nginx@{DIGEST}"),
            format!("nginx:latest@{DIGEST}"),
        ] {
            assert!(!ImageRef::parse(&image).is_floating(), "{image}");
        }
    }
}
