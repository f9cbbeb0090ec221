//! A `serde::Deserializer` over our span tree, so configuration-like data (`.kubelint.yaml`,
//! `rules/rules.yaml`, data tables) is read into plain `#[derive(Deserialize)]` structs while
//! every error still knows the node it is about.
//!
//! ```ignore
//! let config: MyConfig = crate::parse::de::from_str(text)?;          // first document
//! let table: Vec<Row> = crate::parse::de::from_node(document.root())?; // any node
//! ```
//!
//! # Errors carry the offending node's offset
//! [`Error`] holds a message and the byte offset (in the parsed text) of the node where it
//! happened; callers turn it into `file:line:column` with their `LineIndex`
//! ([`Error::position`]). Every `deserialize_*` call stamps its node's offset on an error
//! that does not have one yet, and the innermost call runs first, so:
//! - a wrong type, or an error a `Deserialize` impl raises with `de::Error::custom` while
//!   reading a value (a newtype that validates a glob, a rule id, a version), points at that
//!   value — validation written as a `Deserialize` impl needs no position bookkeeping;
//! - `deny_unknown_fields` points at the unknown *key*, with "did you mean" from the list of
//!   fields serde passes to `unknown_field` (the list is kept in [`Error::unknown_field`] so
//!   callers can rephrase it);
//! - a missing field points at the mapping that lacks it.
//!
//! For checks that can only run after deserialising, [`Spanned<T>`] keeps a value's span
//! (like `toml::Spanned`).
//!
//! # What a scalar reads as
//! - strings: any scalar that is not null, as its text after YAML unescaping (`0644` reads
//!   as the string `0644`, `yes` as `yes`): configuration values are names, globs and
//!   versions, and the text the user wrote is what they mean;
//! - booleans: what [`Node::as_bool`] accepts, i.e. YAML 1.1 as go-yaml v2 reads it (`true`,
//!   `yes`, `on`, …), so `strict-kinds: yes` means what it means in a manifest;
//! - integers and floats: the resolved value (hex, octal, `_` separators as in manifests);
//! - `Option`: null (`~`, `null`, empty) is `None`; a quoted `'null'` is a string;
//! - enums: unit variants only, named by a string scalar;
//! - `deserialize_any`: by the resolved value, so untyped consumers see YAML 1.1 types.
//!
//! [`OneOrMany`] is read from a list or a single scalar (`ignore: rule` = `ignore: [rule]`),
//! with positions kept for the scalar case too.

use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::lines::{LineIndex, Position};
use super::scalar::ScalarValue;
use super::tree::{ByteSpan, Node};

/// A deserialisation error at a node: its byte offset and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    offset: Option<u32>,
    message: String,
    unknown_field: Option<(String, &'static [&'static str])>,
}

impl Error {
    pub fn new(offset: u32, message: impl Into<String>) -> Error {
        Error {
            offset: Some(offset),
            message: message.into(),
            unknown_field: None,
        }
    }

    /// Byte offset, in the text the document was parsed from, of the node the error is about.
    pub fn offset(&self) -> u32 {
        self.offset.unwrap_or(0)
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// For a `deny_unknown_fields` error: the unknown key and the fields the struct has.
    pub fn unknown_field(&self) -> Option<(&str, &'static [&'static str])> {
        self.unknown_field.as_ref().map(|(f, e)| (f.as_str(), *e))
    }

    /// The 1-based line and column of the error in `text`, which `lines` indexes.
    pub fn position(&self, text: &str, lines: &LineIndex) -> Position {
        lines.position(text, self.offset())
    }

    /// The same error with another message (the position and unknown field are kept).
    pub fn with_message(mut self, message: impl Into<String>) -> Error {
        self.message = message.into();
        self
    }

    fn or_at(mut self, offset: u32) -> Error {
        self.offset.get_or_insert(offset);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// "`a`", "`a` or `b`", "`a`, `b` or `c`".
fn one_of(names: &[&str]) -> String {
    match names {
        [] => "nothing".to_owned(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

fn did_you_mean(word: &str, candidates: &[&'static str]) -> String {
    crate::text::closest_name(word, candidates.iter().copied())
        .map(|near| format!("; did you mean `{near}`?"))
        .unwrap_or_default()
}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error {
            offset: None,
            message: msg.to_string(),
            unknown_field: None,
        }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        let known = if expected.is_empty() {
            " (none is allowed here)".to_owned()
        } else {
            format!(" (known: {})", expected.join(", "))
        };
        Error {
            offset: None,
            message: format!(
                "unknown key `{field}`{}{known}",
                did_you_mean(field, expected)
            ),
            unknown_field: Some((field.to_owned(), expected)),
        }
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        de::Error::custom(format!(
            "`{variant}` is not {}{}",
            one_of(expected),
            did_you_mean(variant, expected)
        ))
    }

    fn missing_field(field: &'static str) -> Self {
        de::Error::custom(format!("missing key `{field}`"))
    }

    fn duplicate_field(field: &'static str) -> Self {
        de::Error::custom(format!("`{field}` is given twice"))
    }
}

/// Reads `T` from a node of a parsed document; strings may borrow from the document.
pub fn from_node<'de, T: Deserialize<'de>>(node: Node<'de>) -> Result<T, Error> {
    T::deserialize(Deserializer::new(node)).map_err(|e| e.or_at(node.span().start))
}

/// Parses `text` and reads `T` from its first document. A syntax error is an [`Error`] at its
/// offset; an empty text reads as null (so a struct whose fields all have defaults, wrapped in
/// `Option` or not, can come from an empty file only if `T` accepts null).
pub fn from_str<T: de::DeserializeOwned>(text: &str) -> Result<T, Error> {
    let lines = LineIndex::new(text);
    let stream = super::parse_stream(text, &lines);
    if let Some(e) = stream.errors.first() {
        return Err(Error::new(e.offset, format!("invalid YAML: {}", e.message)));
    }
    match stream.documents.first() {
        Some(doc) => from_node(doc.root()),
        None => T::deserialize(().into_deserializer()).map_err(|e: Error| e.or_at(0)),
    }
}

/// The field names of a struct that derives `Deserialize` (what `deny_unknown_fields`
/// accepts), or none for anything else. Used to check that a rule documents every option.
pub fn struct_fields<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    struct Fields;
    impl<'de> de::Deserializer<'de> for &mut Fields {
        type Error = Captured;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Captured> {
            Err(Captured(&[]))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Captured> {
            Err(Captured(fields))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
    #[derive(Debug)]
    struct Captured(&'static [&'static str]);
    impl fmt::Display for Captured {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("captured")
        }
    }
    impl std::error::Error for Captured {}
    impl de::Error for Captured {
        fn custom<M: fmt::Display>(_: M) -> Self {
            Captured(&[])
        }
    }
    match T::deserialize(&mut Fields) {
        Err(Captured(fields)) => fields,
        Ok(_) => &[],
    }
}

const SPANNED: &str = "$kubelint::de::Spanned";
const SPANNED_START: &str = "$kubelint::de::Spanned::start";
const SPANNED_END: &str = "$kubelint::de::Spanned::end";
const SPANNED_VALUE: &str = "$kubelint::de::Spanned::value";
const SPANNED_FIELDS: &[&str] = &[SPANNED_START, SPANNED_END, SPANNED_VALUE];
const ONE_OR_MANY: &str = "$kubelint::de::OneOrMany";

/// A value with the span of the node it was read from, for checks made after deserialising
/// (read through this deserializer only; serialises as the bare value).
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    pub span: ByteSpan,
    pub value: T,
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    /// Positions are where a value came from, not part of it.
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Spanned<T> {}

impl<T> Spanned<T> {
    pub fn new(value: T) -> Spanned<T> {
        Spanned {
            span: ByteSpan::default(),
            value,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SpannedVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for SpannedVisitor<T> {
            type Value = Spanned<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value read by kubelint's YAML deserializer")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Spanned<T>, A::Error> {
                let mut start = None;
                let mut end = None;
                let mut value = None;
                while let Some(key) = map.next_key::<&str>()? {
                    match key {
                        SPANNED_START => start = Some(map.next_value()?),
                        SPANNED_END => end = Some(map.next_value()?),
                        _ => value = Some(map.next_value()?),
                    }
                }
                match (start, end, value) {
                    (Some(start), Some(end), Some(value)) => Ok(Spanned {
                        span: ByteSpan { start, end },
                        value,
                    }),
                    _ => Err(de::Error::custom(
                        "Spanned needs kubelint's YAML deserializer",
                    )),
                }
            }
        }
        deserializer.deserialize_struct(
            SPANNED,
            SPANNED_FIELDS,
            SpannedVisitor(std::marker::PhantomData),
        )
    }
}

impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

/// A list that may also be written as its single item (`ignore: rule`). Serialises as a list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OneOrMany<T>(pub Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ManyVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ManyVisitor<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list or a single item")
            }
            fn visit_newtype_struct<D: de::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<OneOrMany<T>, D::Error> {
                Vec::<T>::deserialize(d).map(OneOrMany)
            }
        }
        deserializer.deserialize_newtype_struct(ONE_OR_MANY, ManyVisitor(std::marker::PhantomData))
    }
}

impl<T: Serialize> Serialize for OneOrMany<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// The deserializer for one node (see the module docs for what each type accepts).
#[derive(Clone, Copy)]
pub struct Deserializer<'de> {
    node: Node<'de>,
    /// Present a non-null scalar as a one-item list ([`OneOrMany`]).
    single_as_list: bool,
}

impl<'de> Deserializer<'de> {
    pub fn new(node: Node<'de>) -> Self {
        Deserializer {
            node,
            single_as_list: false,
        }
    }

    fn offset(&self) -> u32 {
        self.node.span().start
    }

    fn error(&self, message: &str) -> Error {
        Error::new(self.offset(), message)
    }

    fn string(&self) -> Result<&'de str, Error> {
        self.node
            .raw()
            .filter(|_| !self.node.is_null())
            .ok_or_else(|| self.error("expected a string"))
    }
}

macro_rules! integer {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let at = self.offset();
            match self.node.as_i64() {
                Some(i) => visitor.visit_i64(i),
                None => Err(self.error("expected an integer")),
            }
            .map_err(|e| e.or_at(at))
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Deserializer<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let at = self.offset();
        let node = self.node;
        match node.scalar_value() {
            Some(ScalarValue::Null) => visitor.visit_unit(),
            Some(ScalarValue::Bool(b)) => visitor.visit_bool(b),
            Some(ScalarValue::Int(i)) => visitor.visit_i64(i),
            Some(ScalarValue::Float(f)) => visitor.visit_f64(f),
            Some(ScalarValue::Str) => visitor.visit_borrowed_str(node.raw().unwrap_or("")),
            None if node.is_seq() => self.deserialize_seq(visitor),
            None => self.deserialize_map(visitor),
        }
        .map_err(|e| e.or_at(at))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let at = self.offset();
        match self.node.as_bool() {
            Some(b) => visitor.visit_bool(b),
            None => Err(self.error("expected true or false")),
        }
        .map_err(|e| e.or_at(at))
    }

    integer!(deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
             deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let at = self.offset();
        match self.node.scalar_value() {
            Some(ScalarValue::Float(f)) => visitor.visit_f64(f),
            Some(ScalarValue::Int(i)) => visitor.visit_f64(i as f64),
            _ => Err(self.error("expected a number")),
        }
        .map_err(|e| e.or_at(at))
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let at = self.offset();
        self.string()
            .and_then(|s| visitor.visit_borrowed_str(s))
            .map_err(|e| e.or_at(at))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Error> {
        Err(self.error("bytes are not supported"))
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Error> {
        Err(self.error("bytes are not supported"))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let at = self.offset();
        if self.node.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
        .map_err(|e| e.or_at(at))
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let at = self.offset();
        if self.node.is_null() {
            visitor.visit_unit()
        } else {
            Err(self.error("expected null"))
        }
        .map_err(|e| e.or_at(at))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let at = self.offset();
        let inner = Deserializer {
            node: self.node,
            single_as_list: name == ONE_OR_MANY && self.node.is_scalar() && !self.node.is_null(),
        };
        visitor.visit_newtype_struct(inner).map_err(|e| e.or_at(at))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let at = self.offset();
        if self.single_as_list {
            let one = Deserializer::new(self.node);
            return visitor
                .visit_seq(Items {
                    items: vec![one].into_iter(),
                })
                .map_err(|e| e.or_at(at));
        }
        if !self.node.is_seq() {
            return Err(self.error("expected a list"));
        }
        let items: Vec<_> = self.node.items().map(Deserializer::new).collect();
        visitor
            .visit_seq(Items {
                items: items.into_iter(),
            })
            .map_err(|e| e.or_at(at))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let at = self.offset();
        if !self.node.is_map() {
            return Err(self.error("expected a mapping"));
        }
        visitor
            .visit_map(Entries {
                entries: self.node.entries(),
                value: None,
            })
            .map_err(|e| e.or_at(at))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == SPANNED {
            let span = self.node.span();
            return visitor.visit_map(SpannedAccess {
                span,
                value: Some(self),
                step: 0,
            });
        }
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let at = self.offset();
        self.string()
            .and_then(|s| visitor.visit_enum(de::value::BorrowedStrDeserializer::<Error>::new(s)))
            .map_err(|e| e.or_at(at))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

struct Items<'de> {
    items: std::vec::IntoIter<Deserializer<'de>>,
}

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.items.next() {
            Some(item) => {
                let at = item.offset();
                seed.deserialize(item).map(Some).map_err(|e| e.or_at(at))
            }
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Entries<'de> {
    entries: super::tree::Entries<'de>,
    value: Option<Node<'de>>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                let at = key.span().start;
                seed.deserialize(Deserializer::new(key))
                    .map(Some)
                    .map_err(|e| e.or_at(at))
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("a value was read before its key"))?;
        let at = value.span().start;
        seed.deserialize(Deserializer::new(value))
            .map_err(|e| e.or_at(at))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// The three fields `Spanned` reads: start, end, then the value itself.
struct SpannedAccess<'de> {
    span: ByteSpan,
    value: Option<Deserializer<'de>>,
    step: u8,
}

impl<'de> MapAccess<'de> for SpannedAccess<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(&key) = SPANNED_FIELDS.get(usize::from(self.step)) else {
            return Ok(None);
        };
        seed.deserialize(de::value::BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        self.step += 1;
        match self.step {
            1 => seed.deserialize(self.span.start.into_deserializer()),
            2 => seed.deserialize(self.span.end.into_deserializer()),
            _ => match self.value.take() {
                Some(value) => {
                    let at = value.offset();
                    seed.deserialize(value).map_err(|e| e.or_at(at))
                }
                None => Err(de::Error::custom("Spanned read twice")),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize, PartialEq, Default)]
    #[serde(deny_unknown_fields, rename_all = "kebab-case")]
    struct Sample {
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        strict: bool,
        #[serde(default)]
        count: u8,
        #[serde(default)]
        list: OneOrMany<String>,
        #[serde(default)]
        map: BTreeMap<String, Spanned<String>>,
    }

    fn read(text: &str) -> Result<Sample, (u32, String)> {
        from_str(text).map_err(|e: Error| (e.offset(), e.message().to_owned()))
    }

    #[test]
    fn reads_scalars_as_written() {
        let s = read("name: 0644\nstrict: yes\ncount: 0x10\nlist: one\nmap: {a: b}\n").unwrap();
        assert_eq!(s.name.as_deref(), Some("0644"));
        assert!(s.strict);
        assert_eq!(s.count, 16);
        assert_eq!(s.list.0, ["one"]);
        assert_eq!(s.map["a"].span.start, 54);
        assert_eq!(
            read("list: [a, 'b']\nname: ~\n").unwrap().list.0,
            ["a", "b"]
        );
        assert_eq!(
            read("").unwrap_err().1,
            "invalid type: unit value, expected struct Sample"
        );
        assert_eq!(read("{}\n").unwrap(), Sample::default());
    }

    #[test]
    fn errors_point_at_the_node() {
        assert_eq!(
            read("name: a\nnmae: b\n").unwrap_err(),
            (
                8,
                "unknown key `nmae`; did you mean `name`? (known: name, strict, count, list, map)"
                    .to_owned()
            )
        );
        assert_eq!(
            read("strict: maybe\n").unwrap_err(),
            (8, "expected true or false".into())
        );
        assert_eq!(
            read("count: 300\n").unwrap_err(),
            (7, "invalid value: integer `300`, expected u8".into())
        );
        assert_eq!(
            read("list: [a, [b]]\n").unwrap_err(),
            (10, "expected a string".into())
        );
        assert_eq!(
            read("map: [a]\n").unwrap_err(),
            (5, "expected a mapping".into())
        );
        assert!(
            read(
                "name: [
"
            )
            .unwrap_err()
            .1
            .starts_with("invalid YAML")
        );
    }

    #[test]
    fn unit_enums_and_struct_fields() {
        #[derive(Debug, Deserialize, PartialEq)]
        #[serde(rename_all = "lowercase")]
        enum Level {
            Info,
            Warning,
            Error,
        }
        assert_eq!(from_str::<Level>("warning\n"), Ok(Level::Warning));
        let e = from_str::<Vec<Level>>("- info\n- eror\n").unwrap_err();
        assert_eq!(e.offset(), 9);
        assert_eq!(
            e.message(),
            "`eror` is not info, warning or error; did you mean `error`?"
        );
        assert_eq!(
            struct_fields::<Sample>(),
            ["name", "strict", "count", "list", "map"]
        );
        assert!(struct_fields::<String>().is_empty());
    }
}
