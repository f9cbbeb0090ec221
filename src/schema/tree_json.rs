//! The parsed tree as a JSON instance `jsonschema` validates directly, read the way `to_json`
//! reads it: no `serde_json::Value` is built for an object unless it has an error to report.
//! Converting every object to JSON first was most of what schema validation cost, and most
//! objects are valid.

use std::borrow::Cow;

use jsonschema::json::{Array, Json, JsonNumber, Node as JsonNode, NodeIdentity, Object};
use jsonschema::types::JsonType;
use serde_json::{Number, Value};

use crate::parse::MAX_DEPTH;
use crate::parse::scalar::ScalarValue;
use crate::parse::tree::{self, Entries, Node};

/// The representation: instances are nodes of a parsed document.
pub struct TreeJson;

/// A node of the tree, or a bare string (`jsonschema` hands property names to `propertyNames`
/// as nodes of their own).
#[derive(Clone, Copy)]
pub enum Instance<'a> {
    Tree { node: Node<'a>, depth: usize },
    Name(&'a str),
}

impl<'a> Instance<'a> {
    pub fn root(node: Node<'a>) -> Self {
        Instance::Tree { node, depth: 0 }
    }

    /// What `to_json` makes of the node: scalars resolve as YAML 1.2 core schema, `.inf` and
    /// `.nan` stay text, and a node nested deeper than the parser allows reads as null.
    fn scalar(&self) -> Scalar<'a> {
        match *self {
            Instance::Name(name) => Scalar::Str(name),
            Instance::Tree { depth, .. } if depth > MAX_DEPTH => Scalar::Null,
            Instance::Tree { node, .. } => match node.scalar_value() {
                None => Scalar::Container,
                Some(ScalarValue::Null) => Scalar::Null,
                Some(ScalarValue::Bool(b)) => Scalar::Bool(b),
                Some(ScalarValue::Int(i)) => Scalar::Number(TreeNumber::Int(i)),
                Some(ScalarValue::Float(f)) if f.is_finite() => {
                    Scalar::Number(TreeNumber::Float(f))
                }
                Some(ScalarValue::Float(_) | ScalarValue::Str) => {
                    Scalar::Str(node.raw().unwrap_or_default())
                }
            },
        }
    }

    fn container(&self) -> Option<(Node<'a>, usize)> {
        match *self {
            Instance::Tree { node, depth } if depth <= MAX_DEPTH => Some((node, depth)),
            _ => None,
        }
    }
}

enum Scalar<'a> {
    Container,
    Null,
    Bool(bool),
    Number(TreeNumber),
    Str(&'a str),
}

impl Json for TreeJson {
    type Node<'a> = Instance<'a>;
    type PreparedKey = String;
    type StringBuffer = ();

    // A lookup scans the mapping's entries, so one pass over them beats a lookup per
    // `required` name unless the mapping is much larger than the list.
    const KEYS_PER_LOOKUP: usize = 8;

    fn prepare_key(key: &str) -> String {
        key.to_owned()
    }

    fn with_string_node<T>((): &mut (), string: &str, f: impl FnOnce(Instance<'_>) -> T) -> T {
        f(Instance::Name(string))
    }
}

impl<'a> JsonNode<'a, TreeJson> for Instance<'a> {
    type Object = Members<'a>;
    type Array = Items<'a>;
    type Number = TreeNumber;

    fn as_object(&self) -> Option<Members<'a>> {
        let (node, depth) = self.container()?;
        node.is_map().then_some(Members { node, depth })
    }

    fn as_array(&self) -> Option<Items<'a>> {
        let (node, depth) = self.container()?;
        node.is_seq().then_some(Items { node, depth })
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match self.scalar() {
            Scalar::Str(text) => Some(Cow::Borrowed(text)),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<TreeNumber> {
        match self.scalar() {
            Scalar::Number(number) => Some(number),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match self.scalar() {
            Scalar::Bool(b) => Some(b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self.scalar(), Scalar::Null)
    }

    fn json_type(&self) -> JsonType {
        match self.scalar() {
            Scalar::Container if self.as_object().is_some() => JsonType::Object,
            Scalar::Container => JsonType::Array,
            Scalar::Null => JsonType::Null,
            Scalar::Bool(_) => JsonType::Boolean,
            Scalar::Number(_) => JsonType::Number,
            Scalar::Str(_) => JsonType::String,
        }
    }

    fn equals_value(&self, expected: &Value) -> bool {
        // `enum` and `const` mostly list strings: compare those without building a value.
        match (self.scalar(), expected) {
            (Scalar::Str(text), Value::String(wanted)) => text == wanted,
            (Scalar::Str(_), _) | (_, Value::String(_)) => false,
            _ => jsonschema::json::cmp::equal(&self.to_value(), expected),
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(match *self {
            Instance::Name(name) => Value::String(name.to_owned()),
            Instance::Tree { depth, .. } if depth > MAX_DEPTH => Value::Null,
            Instance::Tree { node, .. } => super::to_json(node),
        })
    }

    /// One validation sees one document. A node reached through an alias is a different
    /// instance at each depth it is reached at (past `MAX_DEPTH` it reads as null).
    fn identity(&self) -> Option<NodeIdentity> {
        match *self {
            Instance::Tree { node, depth } => Some(NodeIdentity::tagged(depth, node.id())),
            Instance::Name(_) => None,
        }
    }
}

/// A mapping's entries; a `null` value counts as absent, as the API server decodes it.
#[derive(Clone, Copy)]
pub struct Members<'a> {
    node: Node<'a>,
    depth: usize,
}

impl<'a> Object<'a, TreeJson> for Members<'a> {
    type Node = Instance<'a>;
    type MemberName = &'a str;
    type MembersIter = MembersIter<'a>;

    fn len(&self) -> usize {
        self.node.entries().filter(|(_, v)| !v.is_null()).count()
    }

    fn get(&self, key: &String) -> Option<Instance<'a>> {
        let depth = self.depth + 1;
        self.node
            .entries()
            .find(|(k, _)| k.key_text().unwrap_or_default() == key)
            .filter(|(_, v)| !v.is_null())
            .map(|(_, node)| Instance::Tree { node, depth })
    }

    fn members(&self) -> MembersIter<'a> {
        MembersIter {
            entries: self.node.entries(),
            depth: self.depth + 1,
        }
    }
}

pub struct MembersIter<'a> {
    entries: Entries<'a>,
    depth: usize,
}

impl<'a> Iterator for MembersIter<'a> {
    type Item = (&'a str, Instance<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let (key, node) = self.entries.find(|(_, v)| !v.is_null())?;
        let depth = self.depth;
        Some((
            key.key_text().unwrap_or_default(),
            Instance::Tree { node, depth },
        ))
    }
}

#[derive(Clone, Copy)]
pub struct Items<'a> {
    node: Node<'a>,
    depth: usize,
}

impl<'a> Array<'a, TreeJson> for Items<'a> {
    type Node = Instance<'a>;
    type ElementsIter = ElementsIter<'a>;

    fn len(&self) -> usize {
        self.node.items().len()
    }

    fn elements(&self) -> ElementsIter<'a> {
        ElementsIter {
            items: self.node.items(),
            depth: self.depth + 1,
        }
    }
}

pub struct ElementsIter<'a> {
    items: tree::Items<'a>,
    depth: usize,
}

impl<'a> Iterator for ElementsIter<'a> {
    type Item = Instance<'a>;

    fn next(&mut self) -> Option<Instance<'a>> {
        let node = self.items.next()?;
        Some(Instance::Tree {
            node,
            depth: self.depth,
        })
    }
}

/// A YAML number, as `serde_json` would hold it.
#[derive(Clone, Copy)]
pub enum TreeNumber {
    Int(i64),
    Float(f64),
}

impl JsonNumber for TreeNumber {
    fn as_u64(&self) -> Option<u64> {
        match *self {
            TreeNumber::Int(i) => u64::try_from(i).ok(),
            TreeNumber::Float(_) => None,
        }
    }

    fn as_i64(&self) -> Option<i64> {
        match *self {
            TreeNumber::Int(i) => Some(i),
            TreeNumber::Float(_) => None,
        }
    }

    fn as_f64(&self) -> Option<f64> {
        Some(match *self {
            TreeNumber::Int(i) => i as f64,
            TreeNumber::Float(f) => f,
        })
    }

    fn as_str(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_number().to_string())
    }

    fn to_number(&self) -> Cow<'_, Number> {
        Cow::Owned(match *self {
            TreeNumber::Int(i) => Number::from(i),
            TreeNumber::Float(f) => Number::from_f64(f).unwrap_or_else(|| Number::from(0)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::lines::LineIndex;
    use serde_json::json;

    fn errors_both_ways(schema: &Value, yaml: &str) -> (Vec<String>, Vec<String>) {
        let lines = LineIndex::new(yaml);
        let stream = crate::parse::parse_stream(yaml, &lines);
        let root = stream.documents[0].root();
        let sorted = |mut errors: Vec<String>| {
            errors.sort();
            errors
        };
        let on_tree = jsonschema::options_for::<TreeJson>()
            .build(schema)
            .expect("compiles");
        let on_json = jsonschema::options().build(schema).expect("compiles");
        let value = super::super::to_json(root);
        (
            sorted(
                on_tree
                    .iter_errors(Instance::root(root))
                    .map(|e| format!("{} {}", e.instance_path(), e))
                    .collect(),
            ),
            sorted(
                on_json
                    .iter_errors(&value)
                    .map(|e| format!("{} {}", e.instance_path(), e))
                    .collect(),
            ),
        )
    }

    /// The tree validates exactly as its `to_json` copy does, error for error.
    #[test]
    fn tree_validates_as_its_json() {
        let schema = json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 5},
                "replicas": {"type": "integer", "minimum": 0, "maximum": 10},
                "ratio": {"type": "number", "exclusiveMaximum": 1},
                "policy": {"enum": ["Always", "Never", 3]},
                "flag": {"type": "boolean"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}, "propertyNames": {"maxLength": 3}, "maxProperties": 2},
                "ports": {"type": "array", "items": {"type": ["integer", "string"]}, "uniqueItems": true, "maxItems": 3},
                "absent": {"type": "string"},
                "fixed": {"const": {"a": [1, "b"]}},
            },
            "required": ["name", "absent"],
            "additionalProperties": false
        });
        for yaml in [
            "name: web\nreplicas: 3\nratio: 0.5\npolicy: Never\nflag: true\nlabels: {app: x}\nports: [80, http]\nabsent: x\nfixed: {a: [1, b]}\n",
            "name: Web-Server\nreplicas: 11\nratio: .inf\npolicy: Sometimes\nflag: 'yes'\nlabels: {application: x, b: 1, c: null, d: e}\nports: [80, 80, 1.5, ~]\nextra: 1\nfixed: {a: [2]}\n",
            "name: ~\nreplicas: -1.0\nratio: 1\npolicy: 3\nabsent: null\nlabels: null\nports: {}\n",
            "name: [a]\nreplicas: 1e3\nratio: .nan\npolicy: 3.0\nflag: null\nports: [[1], {a: 1}]\n",
        ] {
            let (tree, json) = errors_both_ways(&schema, yaml);
            assert_eq!(tree, json, "{yaml}");
        }
        let (tree, _) = errors_both_ways(&schema, "name: Web-Server\nextra: 1\n");
        assert!(tree.len() >= 3, "{tree:?}");
    }
}
