//! What validating an object against its schema found, as data: what failed, where, and the
//! facts a message is made of. `crate::schema` finds violations, the four schema rules
//! (`crate::rules::schema`) word them. They live here, with the object they are kept on
//! (`Object::schema_violations`), so that the model does not depend on the schema stage.

use serde_json::Value;

use crate::k8s::KubeVersion;
use crate::parse::tree::Node;

/// One thing an object's schema (or the lack of one) does not accept.
#[derive(Debug, Clone)]
pub struct Violation<'d> {
    /// Where it is shown: the key of an unknown field, the invalid value, the key of the
    /// mapping that lacks a required field (for a list item or the object itself, its first
    /// key), the `apiVersion` or `kind` of an unknown kind.
    pub node: Node<'d>,
    /// What it is about when that is not `node` (the list item that lacks a field): the
    /// node the JSON pointer names.
    pub subject: Option<Node<'d>>,
    /// The keyword of the schema that failed, as a JSON pointer into the schema
    /// (`/$defs/io.k8s.api.apps.v1.DeploymentSpec/properties/replicas/type`); none for an
    /// unknown kind, which has no schema.
    pub schema_path: Option<String>,
    pub kind: ViolationKind,
}

/// What failed, with what the message about it needs.
#[derive(Debug, Clone, PartialEq)]
pub enum ViolationKind {
    UnknownField(UnknownField),
    InvalidValue(InvalidValue),
    MissingRequiredField(MissingRequiredField),
    UnknownKind(UnknownKind),
}

/// The schema an object was validated against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaSource {
    /// The built-in schemas of a Kubernetes version.
    Builtin(KubeVersion),
    /// The `openAPIV3Schema` of the object's CustomResourceDefinition.
    Crd,
}

/// A key the schema of its mapping does not have.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownField {
    pub name: String,
    /// The type of the mapping: the last definition on the way (`Container`), or for a CRD's
    /// schema the path and the kind (`` `spec.pod` of Widget ``).
    pub type_name: String,
    /// The fields the mapping's schema has, in the schema's order.
    pub allowed: Vec<String>,
    pub schema: SchemaSource,
}

/// A mapping without a field its schema requires.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingRequiredField {
    pub field: String,
    /// The type of the mapping, as for `UnknownField`.
    pub type_name: String,
    /// The field is there with a null value, which the API server reads as absent.
    pub set_to_null: bool,
}

/// A value its schema does not accept.
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidValue {
    /// The field the value belongs to: the last key on its path (none for the object itself
    /// or an item of a top-level list).
    pub field: Option<String>,
    /// The value as the schema saw it (JSON).
    pub actual: Value,
    pub expected: Expected,
}

/// What the schema expected instead.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    /// One of these JSON types (`object`, `array`, `string`, `integer`, …).
    Type(Vec<&'static str>),
    /// One of these values (`enum`).
    OneOf(Vec<Value>),
    /// A string of this format (`quantity`, `byte`, `date-time`, …).
    Format(String),
    Minimum(Value),
    Maximum(Value),
    /// Exactly this value (`const`).
    Constant(Value),
    /// What only CRD schemas constrain (patterns, lengths, …): the validator's own message.
    Other(String),
}

/// An object whose apiVersion/kind nothing in the run serves.
#[derive(Debug, Clone, PartialEq)]
pub enum UnknownKind {
    /// A custom resource that no CRD of the run defines (reported under `--strict-kinds`).
    NoCrd,
    /// A custom resource whose CRD does not serve its version; the apiVersions it serves.
    VersionNotServedByCrd { served: Vec<String> },
    /// A built-in apiVersion/kind that `target` does not serve yet: `first` is the first
    /// version kubelint knows to serve it.
    NotServedYet {
        target: KubeVersion,
        first: KubeVersion,
    },
    /// A built-in apiVersion/kind that `target` does not serve, which some version kubelint
    /// knows does; `newest` is the newest of them.
    NotServed {
        target: KubeVersion,
        newest: KubeVersion,
    },
    /// A built-in kind that its group serves under other apiVersions only.
    OtherApiVersions { served_as: Vec<&'static str> },
    /// A kind that the built-in group does not have at all; the kinds it has.
    NoSuchKind {
        group: String,
        kinds: Vec<&'static str>,
    },
}
