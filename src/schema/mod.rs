//! Schema validation: built-in kinds against the strict schemas generated into schemas/
//! (see tools/schemagen), custom resources against the CRDs of the run.
//!
//! Validation runs once per object, whichever schema rule asks first; the violations are
//! kept on the object and each rule takes its own kind of them and words it. What this
//! module returns is neutral data (`crate::model::violation`): what failed, where, and
//! what was expected; no message. Validators are compiled on
//! first use, once per (Kubernetes version, apiVersion, kind), and shared by every thread.
//! Built-in objects are validated as parsed (`tree_json`), without a JSON copy; custom
//! resources as JSON, which the first pass keeps for the second (see `crd::Batch`).

mod as_json;
pub mod crd;
mod tree_json;

use std::collections::{BTreeMap, HashMap};
use std::io::Read as _;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::json::{Json, SerdeJson};
use jsonschema::paths::LocationSegment;
use serde_json::{Map, Value};

use crate::k8s::{self, KubeVersion, group_of, is_builtin_group};
use crate::model::violation::{
    Expected, InvalidValue, MissingRequiredField, SchemaSource, UnknownField, UnknownKind,
};
use crate::model::{Object, is_templated};
use crate::parse::tree::Node;

pub use as_json::{AsJson, to_json};
pub use crd::Catalog;
use tree_json::{Instance, TreeJson};

pub use crate::model::violation::{Violation, ViolationKind};

/// What an object's schema does not accept, computed on the first call and kept on the
/// object: built-in kinds against the schemas for `target`, custom resources against the
/// CRDs of `catalog` (which also says whether a kind without a CRD is reported).
pub fn violations<'o, 'd>(
    object: &'o Object<'d>,
    target: KubeVersion,
    catalog: &Catalog,
) -> &'o [Violation<'d>] {
    object
        .schema_violations
        .get_or_init(|| validate(object, target, catalog))
}

const BUNDLE: &[u8] = include_bytes!("../../schemas/kubernetes.json.gz");

/// The embedded schemas: per Kubernetes version, its kinds and definitions.
struct Bundle {
    versions: BTreeMap<KubeVersion, Version>,
    bodies: Vec<Value>,
}

struct Version {
    /// apiVersion → kind → definition name.
    kinds: HashMap<String, HashMap<String, String>>,
    /// Definition name → index into `bodies`.
    definitions: HashMap<String, usize>,
}

fn bundle() -> &'static Bundle {
    static BUNDLE_CELL: OnceLock<Bundle> = OnceLock::new();
    BUNDLE_CELL.get_or_init(|| load_bundle().expect("schemas/kubernetes.json.gz is valid (tested)"))
}

fn load_bundle() -> Result<Bundle, String> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(BUNDLE)
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    let mut root: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let bodies = match root.get_mut("bodies").map(Value::take) {
        Some(Value::Array(bodies)) => bodies,
        _ => return Err("bundle without bodies".into()),
    };
    let mut versions = BTreeMap::new();
    for (name, version) in root["versions"]
        .as_object()
        .ok_or("bundle without versions")?
    {
        let target = KubeVersion::parse(name).ok_or("bad version")?;
        let kinds = version["kinds"]
            .as_object()
            .ok_or("version without kinds")?
            .iter()
            .map(|(api_version, kinds)| {
                let kinds = kinds
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, d)| Some((k.clone(), d.as_str()?.to_owned())))
                    .collect();
                (api_version.clone(), kinds)
            })
            .collect();
        let definitions = version["definitions"]
            .as_object()
            .ok_or("version without definitions")?
            .iter()
            .filter_map(|(name, index)| {
                Some((name.clone(), usize::try_from(index.as_u64()?).ok()?))
            })
            .collect();
        versions.insert(target, Version { kinds, definitions });
    }
    Ok(Bundle { versions, bodies })
}

/// The Kubernetes versions the embedded schemas cover, oldest first.
pub fn supported_versions() -> Vec<KubeVersion> {
    bundle().versions.keys().copied().collect()
}

/// The Kubernetes version whose schemas a target uses: its own, else the nearest one kubelint
/// has (the oldest for older targets, the newest for newer ones).
pub fn effective_version(target: KubeVersion) -> KubeVersion {
    schemas_for(target).0
}

/// The schemas a target validates with: its own, or the nearest version kubelint has.
fn schemas_for(target: KubeVersion) -> (KubeVersion, &'static Version) {
    let versions = &bundle().versions;
    let (version, schemas) = versions
        .range(..=target)
        .next_back()
        .or_else(|| versions.iter().next())
        .expect("the bundle has versions");
    (*version, schemas)
}

/// The versions among those kubelint knows that serve `apiVersion`/`kind`.
pub fn versions_serving(api_version: &str, kind: &str) -> Vec<KubeVersion> {
    bundle()
        .versions
        .iter()
        .filter(|(_, v)| {
            v.kinds
                .get(api_version)
                .is_some_and(|k| k.contains_key(kind))
        })
        .map(|(version, _)| *version)
        .collect()
}

/// Every apiVersion any known version serves `kind` in.
pub fn api_versions_of(kind: &str) -> Vec<&'static str> {
    let mut out: Vec<&str> = bundle()
        .versions
        .values()
        .flat_map(|v| v.kinds.iter())
        .filter(|(_, kinds)| kinds.contains_key(kind))
        .map(|(api_version, _)| api_version.as_str())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Every kind any known version serves in `api_version`'s group, for "did you mean".
fn kinds_of_group(group: &str) -> Vec<(&'static str, &'static str)> {
    let mut kinds: Vec<(&str, &str)> = bundle()
        .versions
        .values()
        .flat_map(|v| v.kinds.iter())
        .filter(|(api_version, _)| group_of(api_version) == group)
        .flat_map(|(api_version, kinds)| {
            kinds
                .keys()
                .map(move |k| (api_version.as_str(), k.as_str()))
        })
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// A compiled validator and the schema it came from, which findings are explained by. Built-in
/// kinds validate the parsed tree itself (`TreeJson`); custom resources, JSON kept from the
/// first pass.
pub struct Compiled<F: Json = SerdeJson> {
    validator: jsonschema::Validator<F>,
    root: Value,
    /// What the object's type is called in messages: `Deployment`, `Certificate`.
    type_name: String,
}

impl Compiled {
    pub fn is_valid(&self, instance: &Value) -> bool {
        self.validator.is_valid(instance)
    }
}

type Slot<F> = Arc<OnceLock<Option<Arc<Compiled<F>>>>>;

/// Compiles once per key, outside the lock: two threads asking for different kinds compile
/// in parallel, two asking for the same one wait for a single compilation.
pub struct ValidatorCache<F: Json> {
    slots: Mutex<HashMap<String, Slot<F>>>,
}

impl<F: Json> Default for ValidatorCache<F> {
    fn default() -> Self {
        ValidatorCache {
            slots: Mutex::default(),
        }
    }
}

impl<F: Json> ValidatorCache<F> {
    pub fn get(
        &self,
        key: &str,
        compile: impl FnOnce() -> Option<Compiled<F>>,
    ) -> Option<Arc<Compiled<F>>> {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots.entry(key.to_owned()).or_default().clone()
        };
        slot.get_or_init(|| compile().map(Arc::new)).clone()
    }
}

fn builtin_validator(
    version: KubeVersion,
    schemas: &'static Version,
    definition: &str,
) -> Option<Arc<Compiled<TreeJson>>> {
    static CACHE: OnceLock<ValidatorCache<TreeJson>> = OnceLock::new();
    let key = format!("{version} {definition}");
    CACHE.get_or_init(ValidatorCache::default).get(&key, || {
        let mut defs = Map::new();
        let mut pending = vec![definition.to_owned()];
        while let Some(name) = pending.pop() {
            if defs.contains_key(&name) {
                continue;
            }
            let body = &bundle().bodies[*schemas.definitions.get(&name)?];
            collect_refs(body, &mut pending);
            defs.insert(name, body.clone());
        }
        let root = serde_json::json!({ "$ref": format!("#/$defs/{definition}"), "$defs": defs });
        let validator = jsonschema::options_for::<TreeJson>()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .with_format("quantity", is_quantity)
            .with_format("byte", is_base64)
            .build(&root)
            .ok()?;
        let type_name = definition
            .rsplit('.')
            .next()
            .unwrap_or(definition)
            .to_owned();
        Some(Compiled {
            validator,
            root,
            type_name,
        })
    })
}

fn collect_refs(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/$defs/"))
            {
                out.push(name.to_owned());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// A quantity as the API server parses it: no surrounding space, one of its suffixes.
fn is_quantity(text: &str) -> bool {
    text.trim() == text && crate::model::quantity::Quantity::parse(text).is_some()
}

/// Standard base64 with padding, as Go's encoding/json decodes `[]byte`.
fn is_base64(text: &str) -> bool {
    let bytes: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !bytes.len().is_multiple_of(4) {
        return false;
    }
    let padding = bytes.iter().rev().take_while(|&&b| b == b'=').count();
    padding <= 2
        && bytes[..bytes.len() - padding]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
}

fn validate<'d>(object: &Object<'d>, target: KubeVersion, catalog: &Catalog) -> Vec<Violation<'d>> {
    let mut out = Vec::new();
    let group = group_of(object.api_version);
    // Custom resources the catalog can validate were validated in a batch, which kept its
    // findings on them: all that is left here is whether their CRD serves them at all.
    catalog.report_unserved_version(object, &mut out);
    if !out.is_empty() {
        return out;
    }
    if !is_builtin_group(group) {
        if catalog.is_pending() {
            return out;
        }
        // A CRD without a usable schema for this version is not a missing CRD.
        if catalog.strict_kinds() && !catalog.defines(group, object.kind) {
            let node = object.root.get("kind").unwrap_or(object.root);
            out.push(unknown_kind(node, UnknownKind::NoCrd));
        }
        return out;
    }
    let (version, schemas) = schemas_for(target);
    let Some(definition) = schemas
        .kinds
        .get(object.api_version)
        .and_then(|k| k.get(object.kind))
    else {
        unknown_builtin_kind(object, target, &mut out);
        return out;
    };
    if let Some(validator) = builtin_validator(version, schemas, definition) {
        check_tree(object, &validator, version, &mut out);
    }
    out
}

/// Whether the object as written is valid, to the target's schemas, as `api_version` of its
/// kind: the test that moving a removed or deprecated API to its successor is only a rename
/// of `apiVersion` for this object.
pub fn valid_as(object: &Object<'_>, api_version: &str, target: KubeVersion) -> bool {
    let (version, schemas) = schemas_for(target);
    let Some(definition) = schemas
        .kinds
        .get(api_version)
        .and_then(|k| k.get(object.kind))
    else {
        return false;
    };
    let Some(validator) = builtin_validator(version, schemas, definition) else {
        return false;
    };
    let mut out = Vec::new();
    check_tree(object, &validator, version, &mut out);
    // The `apiVersion` itself is what the rename changes.
    let renamed = object.root.get("apiVersion").map(|n| n.id());
    out.iter().all(|v| Some(v.node.id()) == renamed)
}

fn unknown_kind(node: Node<'_>, why: UnknownKind) -> Violation<'_> {
    Violation {
        node,
        subject: None,
        schema_path: None,
        kind: ViolationKind::UnknownKind(why),
    }
}

/// An apiVersion/kind of a built-in group that the target does not serve. Removals the
/// Kubernetes deprecation guide lists are `removed-api-version`'s; this reports typos and
/// versions the target does not serve yet.
fn unknown_builtin_kind<'d>(
    object: &Object<'d>,
    target: KubeVersion,
    out: &mut Vec<Violation<'d>>,
) {
    if k8s::api_versions::row(object.api_version, object.kind).is_some() {
        return;
    }
    // `ConfigMapList` and the like: what `kubectl get -o yaml` writes, and what kubectl
    // applies item by item.
    if object
        .kind
        .strip_suffix("List")
        .is_some_and(|item| !versions_serving(object.api_version, item).is_empty())
    {
        return;
    }
    let api_version_node = object.root.get("apiVersion").unwrap_or(object.root);
    let serving = versions_serving(object.api_version, object.kind);
    let (node, why) = match (serving.first(), serving.last()) {
        (Some(&first), _) if first > target => (
            api_version_node,
            UnknownKind::NotServedYet { target, first },
        ),
        (_, Some(&newest)) => (api_version_node, UnknownKind::NotServed { target, newest }),
        _ => {
            let group = group_of(object.api_version);
            let kinds = kinds_of_group(group);
            let served_as: Vec<&'static str> = kinds
                .iter()
                .filter(|(_, k)| *k == object.kind)
                .map(|(a, _)| *a)
                .collect();
            if served_as.is_empty() {
                let mut kinds: Vec<&'static str> = kinds.iter().map(|(_, k)| *k).collect();
                kinds.sort_unstable();
                kinds.dedup();
                (
                    object.root.get("kind").unwrap_or(object.root),
                    UnknownKind::NoSuchKind {
                        group: group.to_owned(),
                        kinds,
                    },
                )
            } else {
                (
                    api_version_node,
                    UnknownKind::OtherApiVersions { served_as },
                )
            }
        }
    };
    out.push(unknown_kind(node, why));
}

/// Keys of strategic-merge-patch directives: an object holding one is a patch (kustomize's
/// `$patch: delete`), partial by design.
fn is_patch_directive(key: &str) -> bool {
    key.starts_with("$patch")
        || key.starts_with("$setElementOrder/")
        || key.starts_with("$retainKeys")
        || key.starts_with("$deleteFromPrimitiveList/")
}

/// Where an error points in the document: the value, and the key it sits under if any.
struct Place<'d> {
    value: Node<'d>,
    key: Option<Node<'d>>,
}

fn place<'d>(root: Node<'d>, path: &jsonschema::paths::Location) -> Option<Place<'d>> {
    let mut here = Place {
        value: root,
        key: None,
    };
    for segment in path.iter() {
        here = match segment {
            LocationSegment::Property(name) => {
                let (key, value) = here.value.entry(&name)?;
                Place {
                    value,
                    key: Some(key),
                }
            }
            LocationSegment::Index(i) => Place {
                value: here.value.items().nth(i)?,
                key: None,
            },
        };
    }
    Some(here)
}

/// The node a finding about a mapping points at: the key it sits under, else its first key
/// (the line of a list item's dash), else the mapping itself.
fn mapping_anchor<'d>(place: &Place<'d>) -> Node<'d> {
    place
        .key
        .or_else(|| place.value.entries().next().map(|(k, _)| k))
        .unwrap_or(place.value)
}

/// The schema that applies at a place of the instance.
struct SchemaAt<'s> {
    schema: &'s Value,
    /// The name of the last definition on the way (for a CRD's schema, the place's path).
    type_name: String,
    /// Where `schema` is in the compiled root, as a JSON pointer.
    pointer: String,
}

/// The schema that applies at `path`.
fn schema_at<'s, F: Json>(
    compiled: &'s Compiled<F>,
    path: &jsonschema::paths::Location,
) -> Option<SchemaAt<'s>> {
    let mut schema = &compiled.root;
    let mut pointer = String::new();
    // CRD schemas have no named definitions: name the place by its path instead.
    let mut name = if compiled.root.get("$defs").is_none() && path.iter().next().is_some() {
        format!("`{}` of {}", dotted(path), compiled.type_name)
    } else {
        compiled.type_name.clone()
    };
    let resolve = |mut schema: &'s Value, name: &mut String, pointer: &mut String| {
        for _ in 0..64 {
            let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let target = reference.strip_prefix("#/$defs/")?;
            *name = target.rsplit('.').next().unwrap_or(target).to_owned();
            *pointer = format!("/$defs/{}", escape_pointer(target));
            schema = compiled.root.get("$defs")?.get(target)?;
        }
        Some(schema)
    };
    schema = resolve(schema, &mut name, &mut pointer)?;
    for segment in path.iter() {
        schema = match segment {
            LocationSegment::Property(p) => {
                if let Some(property) = schema
                    .get("properties")
                    .and_then(|props| props.get(p.as_ref()))
                {
                    pointer.push_str("/properties/");
                    pointer.push_str(&escape_pointer(&p));
                    property
                } else {
                    pointer.push_str("/additionalProperties");
                    schema
                        .get("additionalProperties")
                        .filter(|a| a.is_object())?
                }
            }
            LocationSegment::Index(_) => {
                pointer.push_str("/items");
                schema.get("items")?
            }
        };
        schema = resolve(schema, &mut name, &mut pointer)?;
    }
    Some(SchemaAt {
        schema,
        type_name: name,
        pointer,
    })
}

/// A JSON pointer's reference token for `name`.
fn escape_pointer(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// The names of the properties a schema has.
fn property_names(schema: &Value) -> Vec<String> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// The JSON a schema sees of `object`; none for a strategic-merge patch, partial by design.
pub fn instance(object: &Object<'_>) -> Option<Value> {
    (!has_patch_directive(object.root, 0)).then(|| to_json(object.root))
}

/// `instance` as compact JSON text: what a run keeps of each custom resource until the CRDs
/// of the whole run are known, a fraction of the memory of its `Value`.
pub fn instance_text(object: &Object<'_>) -> Option<Box<str>> {
    (!has_patch_directive(object.root, 0))
        .then(|| serde_json::to_string(&AsJson::new(object.root)).ok())
        .flatten()
        .map(String::into_boxed_str)
}

/// Validates a custom resource with the validator of a batch it belongs to (see
/// `crd::Batch`), and keeps the violations on it for the schema rules.
pub fn check_in_batch(object: &Object<'_>, compiled: &Compiled, instance: &Value) {
    let mut out = Vec::new();
    check_instance(
        object,
        compiled,
        SchemaSource::Crd,
        instance,
        false,
        &mut out,
    );
    let _ = object.schema_violations.set(out);
}

/// Validates a built-in object's tree in place.
fn check_tree<'d>(
    object: &Object<'d>,
    compiled: &Compiled<TreeJson>,
    version: KubeVersion,
    out: &mut Vec<Violation<'d>>,
) {
    let instance = Instance::root(object.root);
    // Most objects are valid, and proving it is cheaper than collecting errors; a patch is
    // partial by design, which only matters once something is missing. A key set to null
    // is invisible to the validator, so it is looked at on its own.
    let valid = compiled.validator.is_valid(instance);
    if (valid && !has_null_value(object.root, 0)) || has_patch_directive(object.root, 0) {
        return;
    }
    let source = SchemaSource::Builtin(version);
    check_instance(object, compiled, source, instance, valid, out);
}

fn has_patch_directive(node: Node<'_>, depth: usize) -> bool {
    depth <= crate::parse::MAX_DEPTH
        && (node.entries().any(|(key, value)| {
            is_patch_directive(key.key_text().unwrap_or_default())
                || has_patch_directive(value, depth + 1)
        }) || node
            .items()
            .any(|item| has_patch_directive(item, depth + 1)))
}

fn check_instance<'d, 'i, F: Json>(
    object: &Object<'d>,
    compiled: &'i Compiled<F>,
    source: SchemaSource,
    instance: F::Node<'i>,
    valid: bool,
    out: &mut Vec<Violation<'d>>,
) {
    let first = out.len();
    if !valid {
        report_errors(object, compiled, source, instance, out);
    }
    report_null_unknowns(object.root, 0, &mut Vec::new(), compiled, source, out);
    // A node shared through an anchor or merge key is validated once per place it is used:
    // one violation per node and what failed is enough.
    let found: Vec<Violation<'d>> = out.drain(first..).collect();
    let mut at_node: HashMap<_, Vec<usize>> = HashMap::new();
    for violation in found {
        let seen = at_node.entry(violation.node.id()).or_default();
        if seen.iter().any(|&i| out[i].kind == violation.kind) {
            continue;
        }
        seen.push(out.len());
        out.push(violation);
    }
}

fn report_errors<'d, 'i, F: Json>(
    object: &Object<'d>,
    compiled: &'i Compiled<F>,
    source: SchemaSource,
    instance: F::Node<'i>,
    out: &mut Vec<Violation<'d>>,
) {
    for error in compiled.validator.iter_errors(instance) {
        let path = error.instance_path();
        let Some(place) = place(object.root, path) else {
            continue;
        };
        // envsubst and Go-template placeholders are filled in before the API server sees
        // them: their type or format is not known yet.
        if error.instance().as_str().is_some_and(is_templated) {
            continue;
        }
        let schema_path = Some(error.schema_path().to_string());
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let (allowed, type_name) = match schema_at(compiled, path) {
                    Some(at) => (property_names(at.schema), at.type_name),
                    None => (Vec::new(), compiled.type_name.clone()),
                };
                for name in unexpected.iter().filter(|n| !is_templated(n)) {
                    let Some((key, _)) = place.value.entry(name) else {
                        continue;
                    };
                    let field = UnknownField {
                        name: name.clone(),
                        type_name: type_name.clone(),
                        allowed: allowed.clone(),
                        schema: source,
                    };
                    out.push(unknown_field(key, field, schema_path.clone()));
                }
            }
            ValidationErrorKind::Required { property } => {
                let property = property.as_str().unwrap_or_default();
                let type_name = schema_at(compiled, path)
                    .map_or_else(|| compiled.type_name.clone(), |at| at.type_name);
                let node = if path.iter().next().is_none() {
                    object.root.entry("kind").map_or(object.root, |(k, _)| k)
                } else {
                    mapping_anchor(&place)
                };
                out.push(Violation {
                    node,
                    // Shown at a list item's (or the object's) first key, but about the
                    // mapping that lacks the field: the JSON pointer names that.
                    subject: place.key.is_none().then_some(place.value),
                    schema_path,
                    kind: ViolationKind::MissingRequiredField(MissingRequiredField {
                        field: property.to_owned(),
                        type_name,
                        set_to_null: place.value.get(property).is_some(),
                    }),
                });
            }
            // CRD schemas' formats are not checked (see crd.rs), so an alternative that
            // differs from another only by format looks like a second match: composite
            // keywords cannot be trusted there.
            ValidationErrorKind::AnyOf { .. }
            | ValidationErrorKind::OneOfNotValid { .. }
            | ValidationErrorKind::OneOfMultipleValid { .. }
            | ValidationErrorKind::Not { .. }
                if source == SchemaSource::Crd => {}
            kind => {
                let expected = match kind {
                    ValidationErrorKind::Type { kind } => Expected::Type(match kind {
                        TypeKind::Single(t) => vec![t.as_str()],
                        TypeKind::Multiple(set) => set.iter().map(|t| t.as_str()).collect(),
                    }),
                    ValidationErrorKind::Enum { options } => {
                        Expected::OneOf(options.as_array().cloned().unwrap_or_default())
                    }
                    ValidationErrorKind::Format { format } => Expected::Format(format.clone()),
                    ValidationErrorKind::Minimum { limit } => Expected::Minimum(limit.clone()),
                    ValidationErrorKind::Maximum { limit } => Expected::Maximum(limit.clone()),
                    ValidationErrorKind::Constant { expected_value } => {
                        Expected::Constant(Value::clone(expected_value))
                    }
                    // The keywords only CRD schemas use (pattern, lengths, oneOf, …).
                    _ => Expected::Other(error.to_string()),
                };
                let field = path
                    .iter()
                    .filter_map(|s| match s {
                        LocationSegment::Property(p) => Some(p.into_owned()),
                        LocationSegment::Index(_) => None,
                    })
                    .next_back();
                out.push(Violation {
                    node: place.value,
                    subject: None,
                    schema_path,
                    kind: ViolationKind::InvalidValue(InvalidValue {
                        field,
                        actual: Value::clone(error.instance()),
                        expected,
                    }),
                });
            }
        }
    }
}

fn unknown_field<'d>(
    key: Node<'d>,
    field: UnknownField,
    schema_path: Option<String>,
) -> Violation<'d> {
    Violation {
        node: key,
        subject: None,
        schema_path,
        kind: ViolationKind::UnknownField(field),
    }
}

/// Whether any mapping under `node` has a key set to null.
pub fn has_null_value(node: Node<'_>, depth: usize) -> bool {
    depth <= crate::parse::MAX_DEPTH
        && (node
            .entries()
            .any(|(_, value)| value.is_null() || has_null_value(value, depth + 1))
            || node.items().any(|item| has_null_value(item, depth + 1)))
}

/// A step of the way from an object's root to one of its mappings.
#[derive(Clone, Copy)]
enum Step<'d> {
    Key(&'d str),
    Index(usize),
}

/// Keys set to null that the schema does not have. The validator reads a null-valued field
/// as absent, as the API server decodes it, which is right for the fields it knows; an
/// unknown key is an error whatever its value. The way down follows the validator's:
/// properties, `additionalProperties` and `items`; where the schema cannot tell (a mapping
/// it does not close, or reached through a composite keyword), nothing is reported.
fn report_null_unknowns<'d, F: Json>(
    node: Node<'d>,
    depth: usize,
    path: &mut Vec<Step<'d>>,
    compiled: &Compiled<F>,
    source: SchemaSource,
    out: &mut Vec<Violation<'d>>,
) {
    if depth > crate::parse::MAX_DEPTH {
        return;
    }
    if node.entries().any(|(_, value)| value.is_null()) {
        let location: jsonschema::paths::Location = path
            .iter()
            .map(|step| match *step {
                Step::Key(key) => LocationSegment::from(key),
                Step::Index(i) => LocationSegment::from(i),
            })
            .collect();
        if let Some(at) = schema_at(compiled, &location)
            && at.schema.get("additionalProperties") == Some(&Value::Bool(false))
            && at.schema.get("patternProperties").is_none()
        {
            let allowed = property_names(at.schema);
            for (key, _) in node.entries().filter(|(_, value)| value.is_null()) {
                let name = key.key_text().unwrap_or_default();
                if !allowed.iter().any(|a| a == name) && !is_templated(name) {
                    let field = UnknownField {
                        name: name.to_owned(),
                        type_name: at.type_name.clone(),
                        allowed: allowed.clone(),
                        schema: source,
                    };
                    let schema_path = format!("{}/additionalProperties", at.pointer);
                    out.push(unknown_field(key, field, Some(schema_path)));
                }
            }
        }
    }
    for (key, value) in node.entries() {
        if !value.is_null() {
            path.push(Step::Key(key.key_text().unwrap_or_default()));
            report_null_unknowns(value, depth + 1, path, compiled, source, out);
            path.pop();
        }
    }
    for (i, item) in node.items().enumerate() {
        path.push(Step::Index(i));
        report_null_unknowns(item, depth + 1, path, compiled, source, out);
        path.pop();
    }
}

/// `spec.ports[0]`, as `kubectl explain` and the API server's messages spell a path.
fn dotted(path: &jsonschema::paths::Location) -> String {
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            LocationSegment::Property(p) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&p);
            }
            LocationSegment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_covers_every_supported_version() {
        let versions = supported_versions();
        assert_eq!(
            versions.first().map(ToString::to_string).as_deref(),
            Some("1.33")
        );
        assert_eq!(versions.last().copied(), Some(KubeVersion::NEWEST));
        // The one list of built-in groups covers every group the embedded schemas serve.
        for version in bundle().versions.values() {
            for api_version in version.kinds.keys() {
                let group = group_of(api_version);
                assert!(
                    is_builtin_group(group),
                    "{group} is missing from k8s::groups::BUILTIN_GROUPS"
                );
            }
        }
        for version in versions {
            assert!(versions_serving("apps/v1", "Deployment").contains(&version));
            let (_, schemas) = schemas_for(version);
            for (api_version, kinds) in &schemas.kinds {
                for (kind, definition) in kinds {
                    assert!(
                        schemas.definitions.contains_key(definition),
                        "{version} {api_version} {kind}"
                    );
                }
            }
        }
    }

    /// The removals of rules/api-versions.yaml that fall in the range kubelint has schemas for
    /// agree with those schemas: served the release before, not from the removal on.
    #[test]
    fn the_removal_table_agrees_with_the_schemas() {
        let known = supported_versions();
        let mut checked = 0;
        for version in &known {
            for (api_version, kinds) in &bundle().versions[version].kinds {
                for kind in kinds.keys() {
                    let Some(removed) = k8s::api_versions::removal(api_version, kind) else {
                        continue;
                    };
                    assert!(
                        version < &removed,
                        "{api_version} {kind}: removed in {removed}, yet {version} serves it"
                    );
                    checked += 1;
                }
            }
        }
        for (api_version, kind, removed) in [
            ("networking.k8s.io/v1beta1", "ServiceCIDR", "1.37"),
            ("storage.k8s.io/v1beta1", "VolumeAttributesClass", "1.37"),
            (
                "admissionregistration.k8s.io/v1beta1",
                "ValidatingAdmissionPolicy",
                "1.34",
            ),
        ] {
            let removed = KubeVersion::parse(removed).unwrap();
            let serving = versions_serving(api_version, kind);
            assert!(
                serving.iter().all(|v| *v < removed) && !serving.is_empty(),
                "{api_version} {kind}"
            );
        }
        assert!(checked > 0);
    }

    /// Every built-in kind of the embedded schemas has its resource name in `k8s::resources`,
    /// unless it is no resource (API metadata, a subresource's body).
    #[test]
    fn every_builtin_kind_has_its_resource_name() {
        for version in bundle().versions.values() {
            for (api_version, kinds) in &version.kinds {
                let group = group_of(api_version);
                for kind in kinds.keys() {
                    let resource = k8s::resources::resource_of(group, kind);
                    let not_a_resource = k8s::resources::NOT_RESOURCES.contains(&(group, kind));
                    assert!(
                        resource.is_some() != not_a_resource,
                        "{api_version} {kind}: add it to k8s::resources"
                    );
                }
            }
        }
    }

    /// What validation finds is data for the rules to word: the kind of violation, where,
    /// and the schema keyword that failed, the same for a key the validator sees and one set
    /// to null that it does not.
    #[test]
    fn violations_are_neutral_data() {
        let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: '3'\n  extra: 1\n  bogus:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers: [{image: x}]\n";
        let lines = crate::parse::lines::LineIndex::new(yaml);
        let stream = crate::parse::parse_stream(yaml, &lines);
        let crate::model::Modeled::Objects(objects) =
            crate::model::objects_of(&stream.documents[0])
        else {
            panic!("an object");
        };
        let found = violations(&objects[0], KubeVersion::NEWEST, &Catalog::default());
        let path_of = |name: &str| {
            found
                .iter()
                .find(|v| matches!(&v.kind, ViolationKind::UnknownField(f) if f.name == name))
                .and_then(|v| v.schema_path.clone())
                .unwrap_or_else(|| panic!("{name}: {found:#?}"))
        };
        assert_eq!(path_of("extra"), path_of("bogus"));
        assert!(
            path_of("bogus").ends_with("/additionalProperties"),
            "{}",
            path_of("bogus")
        );
        let replicas = found
            .iter()
            .find_map(|v| match &v.kind {
                ViolationKind::InvalidValue(i) => Some((i, v.schema_path.as_deref())),
                _ => None,
            })
            .expect("replicas is invalid");
        assert_eq!(replicas.0.field.as_deref(), Some("replicas"));
        assert_eq!(replicas.0.expected, Expected::Type(vec!["integer"]));
        assert_eq!(replicas.0.actual, Value::String("3".into()));
        assert!(
            replicas
                .1
                .is_some_and(|p| p.ends_with("/properties/replicas/type"))
        );
        let missing = found
            .iter()
            .find_map(|v| match &v.kind {
                ViolationKind::MissingRequiredField(m) => Some((m, v)),
                _ => None,
            })
            .expect("the container lacks its name");
        assert_eq!(
            (missing.0.field.as_str(), missing.0.type_name.as_str()),
            ("name", "Container")
        );
        // Shown at the item's first key, about the item.
        assert_eq!(missing.1.node.key_text(), Some("image"));
        assert!(missing.1.subject.is_some_and(|s| s.is_map()));
    }

    #[test]
    fn quantities_and_base64_are_checked_as_the_api_server_reads_them() {
        for ok in ["1", "500m", "1.5Gi", "1e3", "+2", ".5", "129M"] {
            assert!(is_quantity(ok), "{ok}");
        }
        for bad in ["512MB", "1 Gi", " 1", "", "Gi", "1.2.3"] {
            assert!(!is_quantity(bad), "{bad}");
        }
        assert!(is_base64("aHVudGVyMg=="));
        assert!(is_base64(""));
        assert!(!is_base64("hunter2"));
        assert!(!is_base64("aHVudGVyMg="));
    }
}
