//! Post-processing that turns k8s-openapi's descriptive schemas into strict ones.
//!
//! k8s-openapi's schemas are written for documentation and for Rust's deserializer: they
//! allow any extra field, say "int-or-string" with a vendor extension JSON Schema ignores,
//! carry integer widths as a `format` nobody checks, drop the enums of the OpenAPI spec,
//! and mark `metadata` required because its Rust structs hold it by value. Here each of
//! those becomes what the API server actually enforces.

use serde_json::{Map, Value, json};

const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const INT_OR_STRING: &str = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const CRD_PREFIX: &str = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.";

/// Closed sets of values the API server accepts, as (definition, property, values). A
/// property that is a list takes the enum on its items. The OpenAPI v3 spec publishes
/// these; k8s-openapi's schemas do not carry them, so they are listed here and checked
/// against every version's definitions (a name that no longer exists fails the generator).
const ENUMS: &[(&str, &str, &[&str])] = &[
    (
        "io.k8s.api.core.v1.Container",
        "imagePullPolicy",
        &["Always", "IfNotPresent", "Never"],
    ),
    (
        "io.k8s.api.core.v1.Container",
        "terminationMessagePolicy",
        &["File", "FallbackToLogsOnError"],
    ),
    (
        "io.k8s.api.core.v1.EphemeralContainer",
        "imagePullPolicy",
        &["Always", "IfNotPresent", "Never"],
    ),
    (
        "io.k8s.api.core.v1.ContainerPort",
        "protocol",
        &["SCTP", "TCP", "UDP"],
    ),
    (
        "io.k8s.api.core.v1.ServicePort",
        "protocol",
        &["SCTP", "TCP", "UDP"],
    ),
    (
        "io.k8s.api.core.v1.EndpointPort",
        "protocol",
        &["SCTP", "TCP", "UDP"],
    ),
    (
        "io.k8s.api.networking.v1.NetworkPolicyPort",
        "protocol",
        &["SCTP", "TCP", "UDP"],
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "restartPolicy",
        &["Always", "Never", "OnFailure"],
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "dnsPolicy",
        &["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"],
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "preemptionPolicy",
        &["Never", "PreemptLowerPriority"],
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "type",
        &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "sessionAffinity",
        &["ClientIP", "None"],
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "externalTrafficPolicy",
        &["Cluster", "Local"],
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "internalTrafficPolicy",
        &["Cluster", "Local"],
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "ipFamilyPolicy",
        &["PreferDualStack", "RequireDualStack", "SingleStack"],
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "ipFamilies",
        &["IPv4", "IPv6"],
    ),
    (
        "io.k8s.api.core.v1.PersistentVolumeClaimSpec",
        "accessModes",
        &[
            "ReadOnlyMany",
            "ReadWriteMany",
            "ReadWriteOnce",
            "ReadWriteOncePod",
        ],
    ),
    (
        "io.k8s.api.core.v1.PersistentVolumeClaimSpec",
        "volumeMode",
        &["Block", "Filesystem"],
    ),
    (
        "io.k8s.api.core.v1.PersistentVolumeSpec",
        "accessModes",
        &[
            "ReadOnlyMany",
            "ReadWriteMany",
            "ReadWriteOnce",
            "ReadWriteOncePod",
        ],
    ),
    (
        "io.k8s.api.core.v1.PersistentVolumeSpec",
        "persistentVolumeReclaimPolicy",
        &["Delete", "Recycle", "Retain"],
    ),
    (
        "io.k8s.api.core.v1.PersistentVolumeSpec",
        "volumeMode",
        &["Block", "Filesystem"],
    ),
    (
        "io.k8s.api.core.v1.HTTPGetAction",
        "scheme",
        &["HTTP", "HTTPS"],
    ),
    (
        "io.k8s.api.core.v1.Toleration",
        "operator",
        &["Equal", "Exists"],
    ),
    (
        "io.k8s.api.core.v1.Toleration",
        "effect",
        &["NoExecute", "NoSchedule", "PreferNoSchedule"],
    ),
    (
        "io.k8s.api.core.v1.Taint",
        "effect",
        &["NoExecute", "NoSchedule", "PreferNoSchedule"],
    ),
    (
        "io.k8s.api.core.v1.NodeSelectorRequirement",
        "operator",
        &["DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"],
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement",
        "operator",
        &["DoesNotExist", "Exists", "In", "NotIn"],
    ),
    (
        "io.k8s.api.core.v1.SeccompProfile",
        "type",
        &["Localhost", "RuntimeDefault", "Unconfined"],
    ),
    (
        "io.k8s.api.core.v1.AppArmorProfile",
        "type",
        &["Localhost", "RuntimeDefault", "Unconfined"],
    ),
    (
        "io.k8s.api.core.v1.TopologySpreadConstraint",
        "whenUnsatisfiable",
        &["DoNotSchedule", "ScheduleAnyway"],
    ),
    (
        "io.k8s.api.core.v1.TopologySpreadConstraint",
        "nodeAffinityPolicy",
        &["Honor", "Ignore"],
    ),
    (
        "io.k8s.api.core.v1.TopologySpreadConstraint",
        "nodeTaintsPolicy",
        &["Honor", "Ignore"],
    ),
    (
        "io.k8s.api.apps.v1.DeploymentStrategy",
        "type",
        &["Recreate", "RollingUpdate"],
    ),
    (
        "io.k8s.api.apps.v1.DaemonSetUpdateStrategy",
        "type",
        &["OnDelete", "RollingUpdate"],
    ),
    (
        "io.k8s.api.apps.v1.StatefulSetUpdateStrategy",
        "type",
        &["OnDelete", "RollingUpdate"],
    ),
    (
        "io.k8s.api.apps.v1.StatefulSetSpec",
        "podManagementPolicy",
        &["OrderedReady", "Parallel"],
    ),
    (
        "io.k8s.api.batch.v1.JobSpec",
        "completionMode",
        &["Indexed", "NonIndexed"],
    ),
    (
        "io.k8s.api.batch.v1.JobSpec",
        "podReplacementPolicy",
        &["Failed", "TerminatingOrFailed"],
    ),
    (
        "io.k8s.api.batch.v1.CronJobSpec",
        "concurrencyPolicy",
        &["Allow", "Forbid", "Replace"],
    ),
    (
        "io.k8s.api.networking.v1.NetworkPolicySpec",
        "policyTypes",
        &["Egress", "Ingress"],
    ),
    (
        "io.k8s.api.networking.v1.HTTPIngressPath",
        "pathType",
        &["Exact", "ImplementationSpecific", "Prefix"],
    ),
    (
        "io.k8s.api.rbac.v1.Subject",
        "kind",
        &["Group", "ServiceAccount", "User"],
    ),
];

pub fn apply(
    version: &str,
    kinds: &Map<String, Value>,
    definitions: &mut Map<String, Value>,
) -> Result<(), String> {
    for (definition, body) in definitions.iter_mut() {
        match definition.as_str() {
            QUANTITY => *body = json!({ "type": ["string", "number"], "format": "quantity" }),
            INT_OR_STRING => *body = json!({ "type": ["integer", "string"] }),
            name if name.starts_with(CRD_PREFIX) => {
                crd_schema_types(&name[CRD_PREFIX.len()..], body)
            }
            _ => tighten(body),
        }
    }
    for (api_version, by_kind) in kinds {
        for (kind, definition) in by_kind.as_object().into_iter().flatten() {
            let name = definition.as_str().ok_or("kind without definition")?;
            let body = definitions
                .get_mut(name)
                .ok_or_else(|| format!("{version}: {name} is missing"))?;
            pin_identity(body, api_version, kind);
        }
    }
    for (definition, property, values) in ENUMS {
        let property_schema = definitions
            .get_mut(*definition)
            .and_then(|body| body.get_mut("properties"))
            .and_then(|properties| properties.get_mut(*property))
            .ok_or_else(|| {
                format!("{version}: enum for {definition}.{property}, which does not exist")
            })?;
        let target = match property_schema.get("type").and_then(Value::as_str) {
            Some("array") => property_schema
                .get_mut("items")
                .ok_or("array without items")?,
            _ => property_schema,
        };
        target
            .as_object_mut()
            .ok_or("enum target is not a schema")?
            .insert("enum".into(), json!(values));
    }
    Ok(())
}

/// The types a CRD's `openAPIV3Schema` is made of. `JSON` (an `enum` entry, a `default`)
/// is any JSON value, not the object k8s-openapi says. The `…Or…` unions are told apart by
/// JSON type, so they become if/then/else rather than oneOf: a mistake deep inside a schema
/// is then reported where it is, not as "matches none of the alternatives" at the top.
fn crd_schema_types(name: &str, body: &mut Value) {
    let props = json!({ "$ref": format!("#/$defs/{CRD_PREFIX}JSONSchemaProps") });
    let otherwise = match name {
        "JSON" => {
            *body = json!({});
            return;
        }
        "JSONSchemaPropsOrArray" => json!({ "type": "array", "items": props }),
        "JSONSchemaPropsOrBool" => json!({ "type": "boolean" }),
        "JSONSchemaPropsOrStringArray" => json!({ "type": "array", "items": { "type": "string" } }),
        _ => return tighten(body),
    };
    *body = json!({ "if": { "type": "object" }, "then": props, "else": otherwise });
}

/// A top-level kind names its own apiVersion and kind (not required: the definition is also
/// embedded, as a StatefulSet's PersistentVolumeClaim templates, where both are optional),
/// and does not require `metadata`: k8s-openapi marks it required for every kind only because
/// its Rust structs hold it by value, while the OpenAPI spec requires it for none (a missing
/// name is the API server's own check, and `generateName` may stand for it). `spec` stays
/// required where k8s-openapi says so: it holds `spec` by value exactly where the OpenAPI spec
/// requires it (a CustomResourceDefinition, a HorizontalPodAutoscaler from 1.36), and the API
/// server rejects those objects without one.
fn pin_identity(body: &mut Value, api_version: &str, kind: &str) {
    let Some(object) = body.as_object_mut() else {
        return;
    };
    if let Some(properties) = object.get_mut("properties").and_then(Value::as_object_mut) {
        properties.insert("apiVersion".into(), json!({ "const": api_version }));
        properties.insert("kind".into(), json!({ "const": kind }));
    }
    let required: Vec<Value> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter(|p| p.as_str() != Some("metadata"))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    if required.is_empty() {
        object.remove("required");
    } else {
        object.insert("required".into(), Value::Array(required));
    }
}

fn tighten(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    object.remove("description");
    if object.remove("x-kubernetes-int-or-string").is_some() {
        object.insert("type".into(), json!(["integer", "string"]));
    }
    match object.get("format").and_then(Value::as_str) {
        Some("int32") => {
            object.insert("minimum".into(), json!(i32::MIN));
            object.insert("maximum".into(), json!(i32::MAX));
            object.remove("format");
        }
        Some("int64") => {
            object.insert("minimum".into(), json!(i64::MIN));
            object.insert("maximum".into(), json!(i64::MAX));
            object.remove("format");
        }
        // Checked: base64 of Secret data, RFC 3339 times. Everything else is documentation.
        Some("byte" | "date-time") | None => {}
        Some(_) => {
            object.remove("format");
        }
    }
    let is_object = object.get("type").and_then(Value::as_str) == Some("object");
    if is_object
        && object.contains_key("properties")
        && !object.contains_key("additionalProperties")
    {
        object.insert("additionalProperties".into(), json!(false));
    }
    for key in ["properties", "patternProperties"] {
        if let Some(Value::Object(children)) = object.get_mut(key) {
            children.values_mut().for_each(tighten);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(child) = object.get_mut(key) {
            tighten(child);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(children)) = object.get_mut(key) {
            children.iter_mut().for_each(tighten);
        }
    }
}
