//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning and editors consume it.

use serde_json::{Value, json};

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::lint::RunReport;
use crate::rules::{self, RuleEntry};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Percent-encodes what may not appear in a URI path, keeping `/`.
fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A relative reference from the working directory (what GitHub matches against the
/// repository), or a `file://` URI for a file outside it.
fn artifact_uri(file: &str) -> String {
    let path = std::path::Path::new(file);
    if path.is_absolute() {
        if let Ok(cwd) = std::env::current_dir()
            && let Ok(rel) = path.strip_prefix(&cwd)
        {
            return encode_uri_path(&rel.to_string_lossy());
        }
        return format!("file://{}", encode_uri_path(file));
    }
    encode_uri_path(file.strip_prefix("./").unwrap_or(file))
}

fn region(l: &Location) -> Value {
    let mut region = json!({
        "startLine": l.start.line,
        "startColumn": l.start.column,
        "endLine": l.end.line,
        "endColumn": l.end.column.max(if l.end.line == l.start.line { l.start.column } else { 1 }),
    });
    // The text of a one-line region, so viewers can show it without the file.
    if l.end.line == l.start.line {
        let text: String = l
            .source_line
            .chars()
            .skip(l.start.column as usize - 1)
            .take(l.end.column.saturating_sub(l.start.column) as usize)
            .collect();
        if !text.is_empty() {
            region["snippet"] = json!({ "text": text });
        }
    }
    region
}

fn physical(file: &str, l: &Location) -> Value {
    let mut physical = json!({
        "artifactLocation": { "uri": artifact_uri(file), "uriBaseId": "%SRCROOT%" },
        "region": region(l),
    });
    // The line around a one-line region (SARIF wants a context region to be a proper superset).
    if l.end.line == l.start.line
        && l.source_line.chars().count() > (l.end.column - l.start.column) as usize
    {
        physical["contextRegion"] = json!({
            "startLine": l.start.line,
            "endLine": l.start.line,
            "snippet": { "text": l.source_line },
        });
    }
    physical
}

fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn rule_descriptor(entry: &RuleEntry) -> Value {
    let doc = entry.doc();
    json!({
        "id": entry.id(),
        "name": pascal_case(entry.id()),
        "shortDescription": { "text": entry.meta.summary },
        "fullDescription": { "text": first_section(&doc) },
        "help": { "text": doc, "markdown": doc },
        "helpUri": entry.help_uri(),
        "defaultConfiguration": { "level": level(entry.meta.severity) },
        "properties": { "tags": [entry.meta.category] },
    })
}

/// The text of the doc's "What it does" section.
fn first_section(doc: &str) -> String {
    doc.split("## ")
        .find(|s| s.starts_with("What it does"))
        .map(|s| s.trim_start_matches("What it does").trim().to_owned())
        .unwrap_or_else(|| doc.to_owned())
}

fn result(d: &Diagnostic, rule_index: usize) -> Value {
    let mut logical = Vec::new();
    if let Some(object) = &d.object {
        logical.push(json!({
            "name": object.name,
            "fullyQualifiedName": object.to_string(),
            "kind": "resource",
        }));
    }
    if !d.location.path.is_empty() {
        logical.push(json!({
            "name": d.location.path.rsplit('/').next().unwrap_or(""),
            "fullyQualifiedName": d.location.path,
            "kind": "property",
        }));
    }
    let mut location = json!({ "physicalLocation": physical(&d.file, &d.location) });
    if !logical.is_empty() {
        location["logicalLocations"] = Value::Array(logical);
    }
    let mut r = json!({
        "ruleId": d.rule,
        "ruleIndex": rule_index,
        "level": level(d.severity),
        "message": { "text": match &d.help {
            Some(h) => format!("{}\nhelp: {h}", d.message),
            None => d.message.clone(),
        }},
        "locations": [location],
    });
    if !d.labels.is_empty() {
        r["relatedLocations"] = Value::Array(
            d.labels
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    json!({
                        "id": i,
                        "physicalLocation": physical(&d.file, &l.location),
                        "message": { "text": l.message },
                    })
                })
                .collect(),
        );
    }
    r
}

pub fn render(report: &RunReport) -> String {
    let registry = rules::registry();
    let descriptors: Vec<Value> = registry.iter().map(rule_descriptor).collect();
    let results: Vec<Value> = report
        .diagnostics()
        .map(|d| {
            let index = registry.iter().position(|e| e.id() == d.rule).unwrap_or(0);
            result(d, index)
        })
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": { "text": format!("{}: {}", e.path, e.message) },
            })
        })
        .collect();
    let root = std::env::current_dir()
        .map(|p| {
            format!(
                "file://{}/",
                encode_uri_path(&p.to_string_lossy()).trim_end_matches('/')
            )
        })
        .unwrap_or_else(|_| "file:///".into());
    let value = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "kubelint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": crate::HOMEPAGE,
                "rules": descriptors,
            }},
            "originalUriBaseIds": { "%SRCROOT%": { "uri": root } },
            "columnKind": "unicodeCodePoints",
            "results": results,
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
        }],
    });
    let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
    out.push('\n');
    out
}
