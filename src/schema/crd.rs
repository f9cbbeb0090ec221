//! Custom resources, checked against the CustomResourceDefinitions of the run: the inputs,
//! `--context` and `--crds`.
//!
//! A CRD's `openAPIV3Schema` is OpenAPI 3.0, not JSON Schema: `nullable`,
//! `x-kubernetes-int-or-string` and `x-kubernetes-preserve-unknown-fields` mean something,
//! and `exclusiveMinimum` is a boolean as in draft 4. It is rewritten into draft 4 with
//! unknown fields rejected wherever the API server would prune them.
//!
//! The run's custom resources are validated together, once every CRD is known (`Batch`);
//! what is left is a CRD that does not serve a resource's version
//! (`Catalog::report_unserved_version`) and, under `--strict-kinds`, a kind without a CRD.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{AsJson, Compiled, Violation, ViolationKind};
use crate::k8s::group_of;
use crate::model::Object;
use crate::model::violation::UnknownKind;
use crate::parse::tree::Node;

/// One served version of a CRD.
#[derive(Debug, Clone)]
pub struct CrdVersion {
    pub name: String,
    /// Its schema, already rewritten into draft 4, as compact JSON, compressed: a repository
    /// of vendored CRDs holds megabytes of schemas, mostly descriptions, and few of them are
    /// ever used by a custom resource of the run. The 57 MB of CRDs of the real-world corpus
    /// keep 11 MB of such text (where `Value`s took over 100 MB more), about 1 MB packed; a
    /// kind's schema is unpacked once, when a custom resource of the run needs it.
    schema: Option<Arc<PackedSchema>>,
}

/// A schema's JSON text, gzip-compressed (fastest level: it is packed for every CRD of the
/// run and unpacked for few).
#[derive(Clone)]
pub struct PackedSchema(Box<[u8]>);

impl std::fmt::Debug for PackedSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PackedSchema({} bytes)", self.0.len())
    }
}

impl PackedSchema {
    fn pack(text: &str) -> Option<PackedSchema> {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(text.as_bytes()).ok()?;
        Some(PackedSchema(encoder.finish().ok()?.into_boxed_slice()))
    }

    fn unpack(&self) -> Option<String> {
        use std::io::Read;
        let mut text = String::new();
        flate2::read::GzDecoder::new(&self.0[..])
            .read_to_string(&mut text)
            .ok()?;
        Some(text)
    }
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

    /// Reports a custom resource whose CRD is known but does not serve its version. (One it
    /// serves is validated in a `Batch`.)
    pub(super) fn report_unserved_version<'d>(
        &self,
        object: &Object<'d>,
        out: &mut Vec<Violation<'d>>,
    ) {
        let Some((crd, group, version)) = self.crd_of(object.api_version, object.kind) else {
            return;
        };
        if crd.versions.iter().any(|v| v.name == version) {
            return;
        }
        let served = crd
            .versions
            .iter()
            .map(|v| format!("{group}/{}", v.name))
            .collect();
        out.push(Violation {
            node: object.root.get("apiVersion").unwrap_or(object.root),
            subject: None,
            schema_path: None,
            kind: ViolationKind::UnknownKind(UnknownKind::VersionNotServedByCrd { served }),
        });
    }

    /// The CRD of `apiVersion`/`kind`, with the group and version `apiVersion` names.
    fn crd_of<'a>(&self, api_version: &'a str, kind: &str) -> Option<(&Crd, &'a str, &'a str)> {
        let (group, version) = api_version.rsplit_once('/')?;
        let crd = self.0.crds.get(&(group.to_owned(), kind.to_owned()))?;
        Some((crd, group, version))
    }

    /// The batch key of a custom resource whose CRD serves its version with a schema.
    pub fn batch_key(&self, api_version: &str, kind: &str) -> Option<BatchKey> {
        let (crd, _, version) = self.crd_of(api_version, kind)?;
        let served = crd.versions.iter().find(|v| v.name == version)?;
        Some(BatchKey {
            api_version: api_version.to_owned(),
            kind: kind.to_owned(),
            schema: served.schema.clone()?,
        })
    }
}

/// What a custom resource of a batch is validated against.
#[derive(Debug, Clone)]
pub struct BatchKey {
    api_version: String,
    kind: String,
    schema: Arc<PackedSchema>,
}

/// Validators for a known set of custom resources, one per kind, each compiled from the CRD's
/// schema cut down to the fields those resources use (see `prune`): CRDs of operators run to
/// hundreds of kilobytes of schema, and compiling all of it costs more than linting the rest
/// of a repository.
pub struct Batch(HashMap<(String, String), Compiled>);

impl Batch {
    /// The validator for one kind's custom resources, the JSON of each in `instances`: the
    /// run compiles kinds one at a time and keeps no kind's JSON longer than that. A
    /// validator is exact for the instances it was compiled for, and only for them.
    pub fn compile_kind(key: &BatchKey, instances: &[&Value]) -> Option<Compiled> {
        compile(prune(&key.schema.unpack()?, instances)?, &key.kind)
    }

    pub fn from_compiled(compiled: impl IntoIterator<Item = (BatchKey, Compiled)>) -> Batch {
        Batch(
            compiled
                .into_iter()
                .map(|(key, c)| ((key.api_version, key.kind), c))
                .collect(),
        )
    }

    pub fn get(&self, key: &BatchKey) -> Option<&Compiled> {
        self.0.get(&(key.api_version.clone(), key.kind.clone()))
    }
}

fn compile(root: Value, kind: &str) -> Option<Compiled> {
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
        type_name: kind.to_owned(),
    })
}

/// `schema` with every subschema that none of `instances` reaches replaced by `{}`.
///
/// Validating any of `instances` against the result applies exactly the subschemas it
/// applied before, so it finds exactly the same errors: a property's schema is pruned against
/// the values the instances give that property (and emptied if none does, its name kept for
/// `additionalProperties: false` and "did you mean"), `items` against every element,
/// `additionalProperties` and `patternProperties` against every value, and the branches of
/// `allOf`/`anyOf`/`oneOf`/`not` against the instances themselves. Any other instance may be
/// judged wrongly. A schema with `$ref` is left whole: what it points to is reached from
/// elsewhere too.
///
/// The schema is read from its JSON text and only the parts the instances reach are parsed:
/// the rest is skipped over, never built (most of a big CRD's schema is never reached).
fn prune(schema: &str, instances: &[&Value]) -> Option<Value> {
    if schema.contains("\"$ref\"") {
        return serde_json::from_str(schema).ok();
    }
    prune_at(serde_json::from_str(schema).ok()?, instances)
}

/// The keywords of a schema object, their values left unparsed.
type Keywords<'s> = BTreeMap<String, &'s RawValue>;

fn prune_at(schema: &RawValue, instances: &[&Value]) -> Option<Value> {
    let Ok(keywords) = serde_json::from_str::<Keywords<'_>>(schema.get()) else {
        return serde_json::from_str(schema.get()).ok();
    };
    let objects = || instances.iter().filter_map(|i| i.as_object());
    let every_value = || -> Vec<&Value> { objects().flat_map(|o| o.values()).collect() };
    let every_item = || -> Vec<&Value> {
        instances
            .iter()
            .filter_map(|i| i.as_array())
            .flatten()
            .collect()
    };
    let is_object = |value: &RawValue| value.get().starts_with('{');
    let mut pruned = Map::new();
    for (keyword, value) in keywords {
        let value = match keyword.as_str() {
            "properties" if is_object(value) => {
                let mut properties = Map::new();
                for (name, subschema) in serde_json::from_str::<Keywords<'_>>(value.get()).ok()? {
                    let reached: Vec<&Value> = objects().filter_map(|o| o.get(&name)).collect();
                    let subschema = if reached.is_empty() {
                        Value::Object(Map::new())
                    } else {
                        prune_at(subschema, &reached)?
                    };
                    properties.insert(name, subschema);
                }
                Value::Object(properties)
            }
            "patternProperties" if is_object(value) => {
                let reached = every_value();
                let mut patterns = Map::new();
                for (pattern, subschema) in
                    serde_json::from_str::<Keywords<'_>>(value.get()).ok()?
                {
                    patterns.insert(pattern, prune_at(subschema, &reached)?);
                }
                Value::Object(patterns)
            }
            "additionalProperties" if is_object(value) => prune_at(value, &every_value())?,
            "items" if is_object(value) => prune_at(value, &every_item())?,
            "items" if value.get().starts_with('[') => {
                let reached = every_item();
                let tuple: Vec<&RawValue> = serde_json::from_str(value.get()).ok()?;
                Value::Array(
                    tuple
                        .into_iter()
                        .map(|s| prune_at(s, &reached))
                        .collect::<Option<_>>()?,
                )
            }
            "allOf" | "anyOf" | "oneOf" if value.get().starts_with('[') => {
                let branches: Vec<&RawValue> = serde_json::from_str(value.get()).ok()?;
                Value::Array(
                    branches
                        .into_iter()
                        .map(|b| prune_at(b, instances))
                        .collect::<Option<_>>()?,
                )
            }
            "not" if is_object(value) => prune_at(value, instances)?,
            _ => serde_json::from_str(value.get()).ok()?,
        };
        pruned.insert(keyword, value);
    }
    Some(Value::Object(pruned))
}

/// The CRD an object defines, if it is one.
pub fn crd_of(object: &Object<'_>) -> Option<Crd> {
    if object.kind != "CustomResourceDefinition"
        || group_of(object.api_version) != "apiextensions.k8s.io"
    {
        return None;
    }
    let spec = object.root.get("spec")?;
    let group = spec.get_str("group")?.to_owned();
    let kind = spec.path(&["names", "kind"])?.as_str()?.to_owned();
    let schema_at = |node: Option<Node<'_>>| -> Option<Arc<PackedSchema>> {
        let node = node.filter(Node::is_map)?;
        Some(Arc::new(PackedSchema::pack(&to_draft4(node)?)?))
    };
    // v1beta1 CRDs could share one schema between versions.
    let shared = schema_at(spec.path(&["validation", "openAPIV3Schema"]));
    let mut versions: Vec<CrdVersion> = spec
        .get("versions")
        .map(|v| v.items().collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|v| v.get("served").and_then(|s| s.as_bool()) != Some(false))
        .filter_map(|v| {
            Some(CrdVersion {
                name: v.get_str("name")?.to_owned(),
                schema: schema_at(v.path(&["schema", "openAPIV3Schema"]))
                    .or_else(|| shared.clone()),
            })
        })
        .collect();
    if versions.is_empty()
        && let Some(name) = spec.get_str("version")
    {
        versions.push(CrdVersion {
            name: name.to_owned(),
            schema: shared,
        });
    }
    Some(Crd {
        group,
        kind,
        versions,
    })
}

/// OpenAPI 3.0 structural schema → JSON Schema draft 4, strict where the API server prunes,
/// serialized straight from the tree as compact JSON: no `Value` is built and descriptions
/// (most of a CRD's bytes) are never copied.
fn to_draft4(schema: Node<'_>) -> Option<String> {
    serde_json::to_string(&Draft4 { schema, root: true }).ok()
}

/// Keywords of OpenAPI or Kubernetes that JSON Schema has no use for, or that `Draft4`
/// translates.
fn is_dropped(keyword: &str) -> bool {
    matches!(
        keyword,
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
            | "default"
    )
}

/// A schema of a field every embedded resource has, whether its schema lists it or not.
#[derive(serde::Serialize)]
struct Typed {
    #[serde(rename = "type")]
    type_name: &'static str,
}

const RESOURCE_FIELDS: [(&str, Typed); 3] = [
    (
        "apiVersion",
        Typed {
            type_name: "string",
        },
    ),
    (
        "kind",
        Typed {
            type_name: "string",
        },
    ),
    (
        "metadata",
        Typed {
            type_name: "object",
        },
    ),
];

/// A schema node of a CRD, serialized as draft 4; keyword values that are not schemas are
/// copied as `AsJson` reads them.
struct Draft4<'d> {
    schema: Node<'d>,
    /// The root of a CRD's schema: the custom resource itself.
    root: bool,
}

impl<'d> Draft4<'d> {
    fn sub(schema: Node<'d>) -> Self {
        Draft4 {
            schema,
            root: false,
        }
    }
}

impl Serialize for Draft4<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let schema = self.schema;
        if !schema.is_map() {
            return AsJson::new(schema).serialize(serializer);
        }
        // One look at the keys: this runs over every schema node of every CRD of the run.
        let (mut int_or_string, mut nullable, mut embedded, mut preserve) =
            (false, false, false, false);
        let (mut type_name, mut has_properties, mut has_additional) = (None, false, false);
        for (name, value) in schema.entries() {
            let set = value.as_bool() == Some(true);
            match name.key_text().unwrap_or_default() {
                "x-kubernetes-int-or-string" => int_or_string = set,
                "nullable" => nullable = set,
                "x-kubernetes-embedded-resource" => embedded = set,
                "x-kubernetes-preserve-unknown-fields" => preserve = set,
                "type" => type_name = value.as_str(),
                "properties" => has_properties = !value.is_null(),
                "additionalProperties" => has_additional = !value.is_null(),
                _ => {}
            }
        }
        let resource = self.root || embedded;
        let closed = (type_name == Some("object") || self.root)
            && (has_properties || resource)
            && !has_additional
            && !preserve;
        let mut map = serializer.serialize_map(None)?;
        if int_or_string {
            // The API server accepts any string here; the anyOf that structural schemas pair
            // with this flag says the same, so leave that.
            map.serialize_entry("type", &["integer", "string"])?;
        }
        for (name, value) in schema.entries() {
            let name = name.key_text().unwrap_or_default();
            if is_dropped(name) || value.is_null() || (int_or_string && name == "type") {
                continue;
            }
            match name {
                "type" if nullable && value.as_str().is_some() => {
                    map.serialize_entry(name, &(AsJson::new(value), "null"))?;
                }
                "properties" | "patternProperties" | "definitions" => {
                    let properties = Properties {
                        schemas: Some(value),
                        resource: name == "properties" && resource,
                    };
                    map.serialize_entry(name, &properties)?;
                }
                "items" | "additionalProperties" | "not" if value.is_map() => {
                    map.serialize_entry(name, &Draft4::sub(value))?;
                }
                "allOf" | "anyOf" | "oneOf" => {
                    let branches: Vec<_> = value.items().map(Draft4::sub).collect();
                    map.serialize_entry(name, &branches)?;
                }
                _ => map.serialize_entry(name, &AsJson::new(value))?,
            }
        }
        if resource && !has_properties {
            map.serialize_entry("properties", &Properties::resource_fields())?;
        }
        if closed {
            map.serialize_entry("additionalProperties", &false)?;
        }
        map.end()
    }
}

/// A mapping of names to schemas (`properties`, `patternProperties`, `definitions`); the
/// `properties` of a resource also hold the fields every resource has.
struct Properties<'d> {
    schemas: Option<Node<'d>>,
    resource: bool,
}

impl Properties<'_> {
    /// The `properties` of a resource whose schema has none.
    fn resource_fields() -> Self {
        Properties {
            schemas: None,
            resource: true,
        }
    }
}

impl Serialize for Properties<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (name, schema) in self.schemas.iter().flat_map(Node::entries) {
            map.serialize_entry(name.key_text().unwrap_or_default(), &Draft4::sub(schema))?;
        }
        if self.resource {
            for (field, field_schema) in &RESOURCE_FIELDS {
                if self.schemas.and_then(|s| s.get(field)).is_none() {
                    map.serialize_entry(field, field_schema)?;
                }
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::lines::LineIndex;
    use serde_json::json;

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
                        "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {"a": {"type": "string"}}},
                        "description": {"type": "string", "description": "a field named like the keyword"}
                    }
                }
            }
        })
        .to_string();
        let lines = LineIndex::new(&schema);
        let stream = crate::parse::parse_stream(&schema, &lines);
        let converted: Value =
            serde_json::from_str(&to_draft4(stream.documents[0].root()).unwrap())
                .expect("valid JSON");
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
        assert_eq!(spec["properties"]["description"], json!({"type": "string"}));
    }

    /// Values of keywords that are not schemas are copied as `to_json` reads them, whatever
    /// YAML spelled them as.
    #[test]
    fn keyword_values_are_written_as_to_json_reads_them() {
        let yaml = concat!(
            "type: object\n",
            "properties:\n",
            "  a:\n",
            "    pattern: '^[a-z]\\d+\"q\"$'\n",
            "    enum: [1, -2, 2.5, 1e3, .inf, .nan, true, ~, 'x\ty', \"tab\\there\\u0001\", caf\u{e9}]\n",
            "    maximum: 0x10\n",
            "    x-nested: {a: null, b: [{c: 1}]}\n",
        );
        let lines = LineIndex::new(yaml);
        let stream = crate::parse::parse_stream(yaml, &lines);
        let root = stream.documents[0].root();
        let converted: Value = serde_json::from_str(&to_draft4(root).unwrap()).expect("valid JSON");
        let a = root.path(&["properties", "a"]).unwrap();
        for keyword in ["pattern", "enum", "maximum", "x-nested"] {
            assert_eq!(
                converted["properties"]["a"][keyword],
                crate::schema::to_json(a.get(keyword).unwrap()),
                "{keyword}"
            );
        }
        assert_eq!(converted["properties"]["a"]["enum"][4], json!(".inf"));
    }

    fn errors(schema: &Value, instance: &Value) -> Vec<String> {
        let validator = compile(schema.clone(), "Widget")
            .expect("compiles")
            .validator;
        let mut errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{} {}", e.instance_path(), e))
            .collect();
        errors.sort();
        errors
    }

    /// A validator cut down to a batch finds, for each member, exactly what the whole schema
    /// finds, and is much smaller than it.
    #[test]
    fn pruned_schema_judges_its_instances_as_the_whole_one() {
        let pod = json!({
            "type": "object",
            "properties": {
                "image": {"type": "string", "minLength": 1},
                "ports": {"type": "array", "items": {"type": "object", "properties": {"port": {"type": "integer", "maximum": 65535}}, "required": ["port"], "additionalProperties": false}},
                "resources": {"type": "object", "properties": {"cpu": {"type": ["integer", "string"]}}, "additionalProperties": false}
            },
            "additionalProperties": false
        });
        let schema = json!({
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "properties": {
                        "replicas": {"type": "integer", "minimum": 0},
                        "pod": pod,
                        "sidecars": {"type": "array", "items": pod},
                        "labels": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 3}},
                        "mode": {"anyOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "integer"}]},
                        "never": {"not": {"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"]}}
                    },
                    "required": ["pod"],
                    "additionalProperties": false
                }
            },
            "additionalProperties": false
        });
        let instances = [
            json!({"spec": {"replicas": -1, "pod": {"image": "", "ports": [{"port": 70000}, {}]}}}),
            json!({"spec": {"pod": {"image": "x", "resource": {}}, "labels": {"a": "long"}, "mode": "c"}}),
            json!({"spec": {"sidecars": [{"image": 3, "ports": [{"port": 1, "name": "p"}]}], "never": {"x": "y"}}}),
            json!({"spec": {"pod": {"image": "ok"}, "mode": 2}}),
        ];
        let members: Vec<&Value> = instances.iter().collect();
        let pruned = prune(&schema.to_string(), &members).expect("valid JSON");
        for instance in &instances {
            assert_eq!(
                errors(&pruned, instance),
                errors(&schema, instance),
                "{instance}"
            );
        }
        assert!(!errors(&schema, &instances[0]).is_empty());
        assert!(errors(&schema, &instances[3]).is_empty());
        // Unused subschemas are gone, their names kept for `additionalProperties: false`.
        let spec = &pruned["properties"]["spec"]["properties"];
        assert_eq!(spec["pod"]["properties"]["resources"], json!({}));
        assert_eq!(
            errors(&pruned, &json!({"spec": {"pod": {"imag": "x"}}})),
            errors(&schema, &json!({"spec": {"pod": {"imag": "x"}}})),
        );
    }

    /// `$ref` points at a subschema reached from elsewhere too: such a schema is left whole.
    #[test]
    fn schema_with_ref_is_not_pruned() {
        let schema = json!({"definitions": {"a": {"type": "string"}}, "properties": {"x": {"$ref": "#/definitions/a"}, "y": {"type": "integer"}}});
        assert_eq!(prune(&schema.to_string(), &[&json!({})]), Some(schema));
    }
}
