//! The second pass: custom resources judged by the schema rules against the CRDs of the
//! whole run, which are only known once every file is parsed.
//!
//! The first pass keeps each custom resource's JSON; here one validator per kind is compiled
//! for all of them, and only the files where one fails (or may lack its CRD, or sets a key to
//! null) are read and parsed again, to place the findings.

use std::borrow::Cow;
use std::collections::HashMap;

use rayon::prelude::*;

use super::emit::Emitter;
use super::{RunOptions, is_helm_test};
use crate::diagnostic::Severity;
use crate::k8s;
use crate::load::{self, Content, Input};
use crate::model::{self, Modeled};
use crate::parse::lines::LineIndex;
use crate::parse::tree::Document;
use crate::parse::{self};
use crate::rules::schema::{
    invalid_value::InvalidValue, missing_required_field::MissingRequiredField,
    unknown_field::UnknownField, unknown_kind::UnknownKind,
};
use crate::rules::{RuleEntry, RuleSet};
use crate::run_report::FileReport;
use crate::schema;

/// The schema rules, which need the CRDs of the whole run before any file is linted.
pub(super) const SCHEMA_RULES: [&str; 4] = [
    UnknownField::ID,
    InvalidValue::ID,
    MissingRequiredField::ID,
    UnknownKind::ID,
];

/// A custom resource as the first pass leaves it for the second: enough to validate it
/// without reading its file again, which is only needed to place the findings.
#[derive(Debug, Clone)]
pub(super) struct CustomResource {
    api_version: String,
    kind: String,
    /// Where its object starts in the file: the second pass parses only the documents that
    /// hold one, and finds each by it.
    offset: u32,
    /// Its JSON, as compact text (a `Value` is several times larger, and most custom
    /// resources of a run have no CRD in it); none for a strategic-merge patch, which is not
    /// validated.
    instance: Option<Box<str>>,
    /// Whether it sets a key to null: the JSON leaves those out (null is absent), so whether
    /// such a key is known is only seen on the tree.
    has_null_value: bool,
}

impl CustomResource {
    pub(super) fn of(object: &model::Object<'_>) -> CustomResource {
        CustomResource {
            api_version: object.api_version.to_owned(),
            kind: object.kind.to_owned(),
            offset: object.root.span().start,
            instance: schema::instance_text(object),
            has_null_value: schema::has_null_value(object.root, 0),
        }
    }
}

/// The JSON `CustomResource::of` kept, read back. `AsJson` writes as deep as the parser
/// nests (`parse::MAX_DEPTH`), deeper than serde_json reads by default (128 levels).
fn parse_instance(text: &str) -> Option<serde_json::Value> {
    use serde::Deserialize;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    deserializer.disable_recursion_limit();
    serde_json::Value::deserialize(&mut deserializer).ok()
}

/// A custom resource of the run: its file's index, and its own among that file's.
type Member = (usize, usize);

/// Where the second pass reads a file again from: its input, or (standard input, which
/// cannot be read twice) the text the first pass kept.
pub(super) enum Source<'i> {
    Input(&'i Input),
    Kept(String),
}

/// Calls `f` on each custom resource of `stream` that the schema rules judge, always in the
/// same order.
fn for_each_custom_resource<'d>(
    stream: &'d parse::ParsedStream<'_>,
    options: &RunOptions,
    mut f: impl FnMut(&'d Document<'d>, &model::Object<'d>),
) {
    for document in &stream.documents {
        let Modeled::Objects(objects) = model::objects_of(document) else {
            continue;
        };
        for object in &objects {
            if k8s::is_builtin_group(k8s::group_of(object.api_version))
                || (options.skip_helm_tests && is_helm_test(object))
            {
                continue;
            }
            f(document, object);
        }
    }
}

/// The second pass: the schema rules over the custom resources, now that the run's CRDs are
/// known. They are validated from the JSON the first pass kept; only the files where one fails
/// (or may lack its CRD) are read and parsed again, to place the findings.
pub(super) fn judge(
    files: &mut [FileReport],
    resources_of: Vec<Vec<CustomResource>>,
    sources: &[Source<'_>],
    rules: &RuleSet,
    options: &RunOptions,
) {
    let catalog = &rules.defaults.catalog;
    if catalog.is_empty() && !catalog.strict_kinds() {
        return;
    }
    let schema_rules: Vec<&(&RuleEntry, Severity)> = rules
        .rules
        .iter()
        .filter(|(e, _)| SCHEMA_RULES.contains(&e.id()))
        .collect();
    let keys: Vec<Vec<Option<schema::crd::BatchKey>>> = resources_of
        .iter()
        .map(|resources| {
            resources
                .iter()
                .map(|r| catalog.batch_key(&r.api_version, &r.kind))
                .collect()
        })
        .collect();
    // Kind by kind (two at a time on two cores): parse the JSON of its custom resources,
    // compile one validator cut down to the fields they use, note which fail, and drop the
    // JSON. Only the files with one that fails are read again below, and only there is a
    // resource's JSON parsed a second time.
    let mut kinds: HashMap<(&str, &str), (&schema::crd::BatchKey, Vec<Member>)> = HashMap::new();
    for (file, keys) in keys.iter().enumerate() {
        for (at, key) in keys.iter().enumerate() {
            if let Some(key) = key
                && resources_of[file][at].instance.is_some()
            {
                kinds
                    .entry((
                        &resources_of[file][at].api_version,
                        &resources_of[file][at].kind,
                    ))
                    .or_insert_with(|| (key, Vec::new()))
                    .1
                    .push((file, at));
            }
        }
    }
    let kinds: Vec<_> = kinds.into_values().collect();
    let judged: Vec<(schema::crd::BatchKey, Option<schema::Compiled>, Vec<Member>)> = kinds
        .into_par_iter()
        .map(|(key, members)| {
            let parsed: Vec<(usize, usize, serde_json::Value)> = members
                .iter()
                .filter_map(|&(file, at)| {
                    let text = resources_of[file][at].instance.as_deref()?;
                    Some((file, at, parse_instance(text)?))
                })
                .collect();
            let values: Vec<&serde_json::Value> = parsed.iter().map(|(_, _, v)| v).collect();
            let compiled = schema::crd::Batch::compile_kind(key, &values);
            let failing = parsed
                .iter()
                .filter(|(file, at, value)| {
                    compiled.as_ref().is_some_and(|c| {
                        resources_of[*file][*at].has_null_value || !c.is_valid(value)
                    })
                })
                .map(|&(file, at, _)| (file, at))
                .collect();
            (key.clone(), compiled, failing)
        })
        .collect();
    let mut looked_at: Vec<bool> = resources_of
        .iter()
        .zip(&keys)
        .map(|(resources, keys)| {
            // No schema to validate against: a finding only if the kind must have one, or its
            // CRD does not serve this version.
            resources.iter().zip(keys).any(|(resource, key)| {
                key.is_none()
                    && (catalog.strict_kinds()
                        || catalog.defines(k8s::group_of(&resource.api_version), &resource.kind))
            })
        })
        .collect();
    let mut compiled = Vec::new();
    for (key, validator, failing) in judged {
        for (file, _) in failing {
            looked_at[file] = true;
        }
        if let Some(validator) = validator {
            compiled.push((key, validator));
        }
    }
    let batch = schema::crd::Batch::from_compiled(compiled);
    files
        .par_iter_mut()
        .zip(resources_of.par_iter())
        .zip(sources.par_iter())
        .zip(keys.par_iter())
        .zip(looked_at.par_iter())
        .filter(|(_, look)| **look)
        .for_each(|((((file, resources), source), keys), _)| {
            let text = match source {
                Source::Kept(text) => Cow::Borrowed(text.as_str()),
                Source::Input(input) => match load::read(input) {
                    Ok(Content::Text(text)) => Cow::Owned(text),
                    _ => return,
                },
            };
            let lines = LineIndex::new(&text);
            // Only the documents holding custom resources: the others were judged in the
            // first pass, and in a file that bundles CRDs with custom resources they are the bulk.
            let stream = parse::parse_stream_where(&text, &lines, |range| {
                resources
                    .iter()
                    .any(|r| range.contains(&(r.offset as usize)))
            });
            let emitter = Emitter {
                policies: None,
                text: &text,
                lines: &lines,
                file: file.path.clone(),
                rules,
            };
            let mut findings = Vec::new();
            for_each_custom_resource(&stream, options, |document, object| {
                // The batch was compiled for the JSON the first pass kept of this very object.
                let offset = object.root.span().start;
                if let Some((resource, Some(key))) =
                    resources.iter().zip(keys).find(|(r, _)| r.offset == offset)
                    && let Some(compiled) = batch.get(key)
                    && let Some(instance) = resource.instance.as_deref().and_then(parse_instance)
                {
                    schema::check_in_batch(object, compiled, &instance);
                }
                emitter.check_object(
                    schema_rules.iter().map(|(e, _)| *e),
                    document,
                    object,
                    &mut findings,
                    &mut file.diagnostics,
                );
            });
            file.sort();
        });
}
