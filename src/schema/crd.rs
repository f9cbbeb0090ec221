//! Custom resources, checked against the CustomResourceDefinitions of the run: the inputs,
//! `--context` and `--crds`.
//!
//! A CRD's `openAPIV3Schema` is OpenAPI 3.0, not JSON Schema: `nullable`,
//! `x-kubernetes-int-or-string` and `x-kubernetes-preserve-unknown-fields` mean something,
//! and `exclusiveMinimum` is a boolean as in draft 4. It is rewritten into draft 4 with
//! unknown fields rejected wherever the API server would prune them.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde_json::{Value, json};

use super::{Check, Compiled, ValidatorCache, Violation, to_json};
use crate::model::{Modeled, Object, group_of, objects_of};
use crate::parse::lines::LineIndex;
use crate::rules::Finding;

/// Where a CRD's schemas are read from, when a custom resource first needs them. Only the
/// names are read up front: a repository of vendored CRDs holds megabytes of schemas, most of
/// which no custom resource of the run uses.
#[derive(Debug)]
pub struct Source {
    /// The file, and the byte range of the CRD's document in it; no file for standard input,
    /// whose schemas are read at once.
    path: Option<std::path::PathBuf>,
    start: usize,
    end: usize,
    /// Version name → its `openAPIV3Schema`, once read.
    schemas: OnceLock<HashMap<String, Value>>,
}

impl Source {
    fn schema(&self, version: &str) -> Option<&Value> {
        self.schemas
            .get_or_init(|| {
                let Some(Ok(text)) = self.path.as_ref().map(std::fs::read_to_string) else {
                    return HashMap::new();
                };
                // The document alone parses on its own, unless it is an item of a `kind: List`
                // (its lines then start indented): then the whole file, picking it by offset.
                let alone = text
                    .get(self.start..self.end)
                    .map(|document| schemas_in(document, None))
                    .unwrap_or_default();
                if alone.is_empty() {
                    schemas_in(&text, Some(self.start))
                } else {
                    alone
                }
            })
            .get(version)
    }
}

/// The schemas of the CRDs in `text` (of the one starting at `offset`, if given).
fn schemas_in(text: &str, offset: Option<usize>) -> HashMap<String, Value> {
    let lines = LineIndex::new(text);
    let stream = crate::parse::parse_stream(text, &lines);
    let mut schemas = HashMap::new();
    for document in &stream.documents {
        let Modeled::Objects(objects) = objects_of(document) else {
            continue;
        };
        for object in &objects {
            if offset.is_some_and(|o| object.root.span().start as usize != o) {
                continue;
            }
            if let Some((_, _, versions)) = read(object, true) {
                schemas.extend(versions.into_iter().filter_map(|(n, s)| Some((n, s?))));
            }
        }
    }
    schemas
}

/// One served version of a CRD.
#[derive(Debug, Clone)]
pub struct CrdVersion {
    pub name: String,
    source: Arc<Source>,
}

/// What a CRD tells about its custom resources.
#[derive(Debug, Clone)]
pub struct Crd {
    pub group: String,
    pub kind: String,
    pub versions: Vec<CrdVersion>,
}

/// The CRDs of a run. Cheap to clone; compared by identity.
#[derive(Clone, Default)]
pub struct Catalog(Arc<Inner>);

#[derive(Default)]
struct Inner {
    crds: HashMap<(String, String), Crd>,
    /// The CRDs are still being collected: custom resources are judged in a second pass.
    pending: bool,
    strict_kinds: bool,
    cache: ValidatorCache,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Catalog({} CRDs, strict kinds: {})",
            self.0.crds.len(),
            self.0.strict_kinds
        )
    }
}

impl PartialEq for Catalog {
    fn eq(&self, other: &Self) -> bool {
        // Two catalogs without CRDs are the same catalog, however they were made.
        Arc::ptr_eq(&self.0, &other.0)
            || (self.is_empty()
                && other.is_empty()
                && self.strict_kinds() == other.strict_kinds()
                && self.is_pending() == other.is_pending())
    }
}

impl Eq for Catalog {}

impl Catalog {
    pub fn new(crds: impl IntoIterator<Item = Crd>, strict_kinds: bool) -> Catalog {
        let mut by_kind: HashMap<(String, String), Crd> = HashMap::new();
        for crd in crds {
            match by_kind.get_mut(&(crd.group.clone(), crd.kind.clone())) {
                // The same CRD copied into several directories: the first copy of each
                // version wins, versions only one copy has are added.
                Some(known) => {
                    for version in crd.versions {
                        if !known.versions.iter().any(|v| v.name == version.name) {
                            known.versions.push(version);
                        }
                    }
                }
                None => {
                    by_kind.insert((crd.group.clone(), crd.kind.clone()), crd);
                }
            }
        }
        Catalog(Arc::new(Inner {
            crds: by_kind,
            pending: false,
            strict_kinds,
            cache: ValidatorCache::default(),
        }))
    }

    /// The catalog of the first pass, while the run's CRDs are being collected.
    pub fn pending(strict_kinds: bool) -> Catalog {
        Catalog(Arc::new(Inner {
            pending: true,
            strict_kinds,
            ..Inner::default()
        }))
    }

    pub fn is_pending(&self) -> bool {
        self.0.pending
    }

    pub fn defines(&self, group: &str, kind: &str) -> bool {
        self.0
            .crds
            .contains_key(&(group.to_owned(), kind.to_owned()))
    }

    pub fn len(&self) -> usize {
        self.0.crds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.crds.is_empty()
    }

    pub fn strict_kinds(&self) -> bool {
        self.0.strict_kinds
    }

    /// The validator for a custom resource whose CRD is known. A CRD that does not serve the
    /// object's version is a finding of its own.
    pub(super) fn validator<'d>(
        &self,
        object: &Object<'d>,
        out: &mut Vec<Violation<'d>>,
    ) -> Option<Arc<Compiled>> {
        let (group, version) = object.api_version.rsplit_once('/')?;
        let crd = self
            .0
            .crds
            .get(&(group.to_owned(), object.kind.to_owned()))?;
        let Some(served) = crd.versions.iter().find(|v| v.name == version) else {
            let names: Vec<&str> = crd.versions.iter().map(|v| v.name.as_str()).collect();
            let node = object.root.get("apiVersion").unwrap_or(object.root);
            let finding = Finding::new(
                node,
                format!(
                    "the CustomResourceDefinition of {} does not serve `{}`",
                    object.kind, object.api_version
                ),
            )
            .help(format!(
                "it serves {}",
                super::quote_list(
                    &names
                        .iter()
                        .map(|n| format!("{group}/{n}"))
                        .collect::<Vec<_>>()
                )
            ));
            out.push(Violation {
                check: Check::UnknownKind,
                finding,
            });
            return None;
        };
        let schema = served.source.schema(version)?;
        let key = format!("{}/{}", object.api_version, object.kind);
        self.0.cache.get(&key, || {
            let root = to_draft4(schema, true);
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft4)
                // Kubernetes checks a handful of formats its own way; an unknown or differently
                // read format must not turn into a false finding.
                .should_validate_formats(false)
                .build(&root)
                .ok()?;
            Some(Compiled {
                validator,
                root,
                type_name: object.kind.to_owned(),
            })
        })
    }
}

/// The CRD an object defines, if it is one, with where to read its schemas when a custom
/// resource needs them: `file`, read again, or (standard input) the object itself, now.
pub fn crd_of(object: &Object<'_>, file: Option<&std::path::Path>) -> Option<Crd> {
    let (group, kind, versions) = read(object, file.is_none())?;
    let span = object.root.span();
    let schemas = OnceLock::new();
    if file.is_none() {
        let loaded = versions
            .iter()
            .filter_map(|(n, s)| Some((n.clone(), s.clone()?)))
            .collect();
        let _ = schemas.set(loaded);
    }
    let source = Arc::new(Source {
        path: file.map(std::path::Path::to_owned),
        start: span.start as usize,
        end: span.end as usize,
        schemas,
    });
    let versions = versions
        .into_iter()
        .map(|(name, _)| CrdVersion {
            name,
            source: source.clone(),
        })
        .collect();
    Some(Crd {
        group,
        kind,
        versions,
    })
}

/// A CRD's group, kind and served versions, with their schemas if asked for.
type Read = (String, String, Vec<(String, Option<Value>)>);

fn read(object: &Object<'_>, with_schemas: bool) -> Option<Read> {
    if object.kind != "CustomResourceDefinition"
        || group_of(object.api_version) != "apiextensions.k8s.io"
    {
        return None;
    }
    let spec = object.root.get("spec")?;
    let group = spec.get_str("group")?.to_owned();
    let kind = spec.path(&["names", "kind"])?.as_str()?.to_owned();
    let schema_at = |node: Option<crate::parse::tree::Node<'_>>| {
        node.filter(|s| with_schemas && s.is_map()).map(to_json)
    };
    // v1beta1 CRDs could share one schema between versions.
    let shared = schema_at(spec.path(&["validation", "openAPIV3Schema"]));
    let mut versions: Vec<(String, Option<Value>)> = spec
        .get("versions")
        .map(|v| v.items().collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|v| v.get("served").and_then(|s| s.as_bool()) != Some(false))
        .filter_map(|v| {
            let schema =
                schema_at(v.path(&["schema", "openAPIV3Schema"])).or_else(|| shared.clone());
            Some((v.get_str("name")?.to_owned(), schema))
        })
        .collect();
    if versions.is_empty()
        && let Some(name) = spec.get_str("version")
    {
        versions.push((name.to_owned(), shared));
    }
    Some((group, kind, versions))
}

/// OpenAPI 3.0 structural schema → JSON Schema draft 4, strict where the API server prunes.
fn to_draft4(schema: &Value, root: bool) -> Value {
    let Some(object) = schema.as_object() else {
        return schema.clone();
    };
    let mut out = serde_json::Map::new();
    for (key, value) in object {
        let converted = match key.as_str() {
            "properties" | "patternProperties" | "definitions" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, child)| (name.clone(), to_draft4(child, false)))
                    .collect(),
            ),
            "items" | "additionalProperties" | "not" if value.is_object() => {
                to_draft4(value, false)
            }
            "allOf" | "anyOf" | "oneOf" => Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| to_draft4(c, false))
                    .collect(),
            ),
            // Kubernetes-only keywords: handled below or meaningless to JSON Schema.
            "nullable"
            | "x-kubernetes-int-or-string"
            | "x-kubernetes-preserve-unknown-fields"
            | "x-kubernetes-embedded-resource"
            | "x-kubernetes-validations"
            | "x-kubernetes-list-type"
            | "x-kubernetes-list-map-keys"
            | "x-kubernetes-map-type"
            | "description"
            | "example"
            | "externalDocs"
            | "default" => continue,
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    let flag = |name: &str| object.get(name).and_then(Value::as_bool) == Some(true);
    if flag("x-kubernetes-int-or-string") {
        out.insert("type".into(), json!(["integer", "string"]));
        // The API server accepts any string here; the anyOf structural schemas pair with
        // this flag says the same, so leave it.
    }
    if flag("nullable")
        && let Some(Value::String(t)) = out.get("type").cloned()
    {
        out.insert("type".into(), json!([t, "null"]));
    }
    let embedded = flag("x-kubernetes-embedded-resource");
    if root || embedded {
        let properties = out.entry("properties").or_insert_with(|| json!({}));
        if let Some(properties) = properties.as_object_mut() {
            for (name, schema) in [
                ("apiVersion", json!({"type": "string"})),
                ("kind", json!({"type": "string"})),
                ("metadata", json!({"type": "object"})),
            ] {
                properties.entry(name).or_insert(schema);
            }
        }
    }
    let is_object = out.get("type").and_then(Value::as_str) == Some("object") || root;
    if is_object
        && out.contains_key("properties")
        && !out.contains_key("additionalProperties")
        && !flag("x-kubernetes-preserve-unknown-fields")
    {
        out.insert("additionalProperties".into(), json!(false));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structural_keywords_become_json_schema() {
        let schema = json!({
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "properties": {
                        "port": {"x-kubernetes-int-or-string": true},
                        "note": {"type": "string", "nullable": true},
                        "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {"a": {"type": "string"}}}
                    }
                }
            }
        });
        let converted = to_draft4(&schema, true);
        assert_eq!(converted["additionalProperties"], json!(false));
        assert_eq!(converted["properties"]["kind"], json!({"type": "string"}));
        let spec = &converted["properties"]["spec"];
        assert_eq!(spec["additionalProperties"], json!(false));
        assert_eq!(
            spec["properties"]["port"]["type"],
            json!(["integer", "string"])
        );
        assert_eq!(
            spec["properties"]["note"]["type"],
            json!(["string", "null"])
        );
        assert!(
            spec["properties"]["extra"]
                .get("additionalProperties")
                .is_none()
        );
    }
}
