//! The parsed tree as JSON, through serde: one `Serialize` implementation that
//! `serde_json::to_value` turns into the custom resources' `Value`s and `serde_json::to_string`
//! into the leaves of the CRD schemas `crd` writes. (Built-in objects are validated in place
//! through `tree_json`, which reads a node the same way.)

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

use crate::parse::MAX_DEPTH;
use crate::parse::scalar::ScalarValue;
use crate::parse::tree::Node;

/// A node as the API server decodes it: a field set to `null` is the same as an absent one,
/// scalars resolve as the parser resolved them, `.inf` and `.nan` (which have no JSON form)
/// stay text, so they fail any numeric schema as they fail the API server's decoding, and a
/// node nested deeper than the parser allows (reachable only through aliases) is null.
#[derive(Clone, Copy)]
pub struct AsJson<'d> {
    node: Node<'d>,
    depth: usize,
}

impl<'d> AsJson<'d> {
    pub fn new(node: Node<'d>) -> Self {
        AsJson { node, depth: 0 }
    }

    fn child(&self, node: Node<'d>) -> Self {
        AsJson {
            node,
            depth: self.depth + 1,
        }
    }
}

impl Serialize for AsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let node = self.node;
        if self.depth > MAX_DEPTH {
            return serializer.serialize_unit();
        }
        if node.is_map() {
            let mut map = serializer.serialize_map(None)?;
            for (key, value) in node.entries().filter(|(_, v)| !v.is_null()) {
                map.serialize_entry(key.key_text().unwrap_or_default(), &self.child(value))?;
            }
            return map.end();
        }
        if node.is_seq() {
            let mut seq = serializer.serialize_seq(Some(node.items().len()))?;
            for item in node.items() {
                seq.serialize_element(&self.child(item))?;
            }
            return seq.end();
        }
        match node.scalar_value() {
            Some(ScalarValue::Null) | None => serializer.serialize_unit(),
            Some(ScalarValue::Bool(b)) => serializer.serialize_bool(b),
            Some(ScalarValue::Int(i)) => serializer.serialize_i64(i),
            Some(ScalarValue::Float(f)) if f.is_finite() => serializer.serialize_f64(f),
            Some(ScalarValue::Float(_) | ScalarValue::Str) => {
                serializer.serialize_str(node.raw().unwrap_or_default())
            }
        }
    }
}

/// The object as JSON, the way the API server decodes it (see `AsJson`).
pub fn to_json(node: Node<'_>) -> Value {
    serde_json::to_value(AsJson::new(node)).expect("string keys and finite numbers only")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::lines::LineIndex;
    use serde_json::json;

    #[test]
    fn nodes_read_as_the_api_server_decodes_them() {
        let yaml = concat!(
            "pattern: '^[a-z]\\d+\"q\"$'\n",
            "enum: [1, -2, 2.5, 1e3, .inf, .nan, true, ~, 'x\ty', \"tab\\there\\u0001\\b\", caf\u{e9}]\n",
            "maximum: 0x10\n",
            "mode: 0644\n",
            "nested: {a: null, b: [{c: 1}], '': x}\n",
        );
        let lines = LineIndex::new(yaml);
        let stream = crate::parse::parse_stream(yaml, &lines);
        let root = stream.documents[0].root();
        let expected = json!({
            "pattern": "^[a-z]\\d+\"q\"$",
            "enum": [1, -2, 2.5, 1000.0, ".inf", ".nan", true, null, "x\ty", "tab\there\u{1}\u{8}", "caf\u{e9}"],
            "maximum": 16,
            "mode": 420,
            "nested": {"b": [{"c": 1}], "": "x"},
        });
        assert_eq!(to_json(root), expected);
        // The text form is the same JSON.
        let text = serde_json::to_string(&AsJson::new(root)).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), expected);
    }

    /// Past the parser's depth limit (only aliases get there) a node reads as null.
    #[test]
    fn nodes_past_the_depth_limit_are_null() {
        // Six levels of 100 brackets, each holding the one before through an alias.
        let (open, close) = ("[".repeat(100), "]".repeat(100));
        let mut yaml = format!("a0: &a0 {open}1{close}\n");
        for i in 1..6 {
            yaml.push_str(&format!("a{i}: &a{i} {open}*a{}{close}\n", i - 1));
        }
        let lines = LineIndex::new(&yaml);
        let stream = crate::parse::parse_stream(&yaml, &lines);
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        let mut value = &to_json(stream.documents[0].root())["a5"];
        let mut levels = 1;
        while let Some(first) = value.as_array().and_then(|a| a.first()) {
            value = first;
            levels += 1;
        }
        assert_eq!(levels, MAX_DEPTH + 1);
        assert_eq!(*value, Value::Null);
    }
}
