//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning and editors consume it.

use serde_json::{Value, json};

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::rules::{self, RuleEntry};
use crate::run_report::PolicyDescriptor;
use crate::run_report::RunReport;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// What a URI path may hold as is (RFC 3986 unreserved characters and `/`); the rest is
/// percent-encoded, byte by byte of its UTF-8.
const URI_PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

fn encode_uri_path(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, URI_PATH).to_string()
}

/// A reference relative to `%SRCROOT%`, the working directory (what GitHub matches against
/// the repository), or an absolute `file://` URI, without a base, for a file outside it.
fn artifact_location(file: &str) -> Value {
    match artifact_uri(file) {
        ArtifactUri::Relative(uri) => json!({ "uri": uri, "uriBaseId": "%SRCROOT%" }),
        ArtifactUri::Absolute(uri) => json!({ "uri": uri }),
    }
}

enum ArtifactUri {
    Relative(String),
    Absolute(String),
}

fn artifact_uri(file: &str) -> ArtifactUri {
    let path = std::path::Path::new(file);
    let cwd = std::env::current_dir().ok();
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else if file.split(['/', '\\']).any(|part| part == "..") {
        // `../x.yaml` climbs out of the source root: a relative URI may not.
        match cwd.as_ref() {
            Some(cwd) => normalize(&cwd.join(path)),
            None => path.to_path_buf(),
        }
    } else {
        return ArtifactUri::Relative(encode_uri_path(file.strip_prefix("./").unwrap_or(file)));
    };
    if let Some(cwd) = cwd
        && let Ok(rel) = absolute.strip_prefix(&cwd)
    {
        return ArtifactUri::Relative(encode_uri_path(&rel.to_string_lossy()));
    }
    ArtifactUri::Absolute(format!(
        "file://{}",
        encode_uri_path(&absolute.to_string_lossy())
    ))
}

/// `a/b/../c` → `a/c`, lexically (the file may be gone by the time the report is read).
fn normalize(path: &std::path::Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Whether the location is on one line and all of it is in its excerpt (a long minified line
/// is cut around the location, and a cut location has no snippet).
fn in_excerpt(l: &Location) -> bool {
    l.end.line == l.start.line
        && l.end.column >= l.start.column
        && l.start.column >= l.excerpt.first_column
        && l.end.column <= l.excerpt.end_column()
}

fn region(l: &Location) -> Value {
    let mut region = json!({
        "startLine": l.start.line,
        "startColumn": l.start.column,
        "endLine": l.end.line,
        "endColumn": l.end.column.max(if l.end.line == l.start.line { l.start.column } else { 1 }),
    });
    // The text of a one-line region, so viewers can show it without the file.
    let excerpt = &l.excerpt;
    if in_excerpt(l) {
        let text: String = excerpt
            .text
            .chars()
            .skip((l.start.column - excerpt.first_column) as usize)
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
        "artifactLocation": artifact_location(file),
        "region": region(l),
    });
    // The text around a one-line region: the whole line, or the window of a long line kept
    // around it (SARIF wants a context region to be a proper superset of the region).
    let excerpt = &l.excerpt;
    if in_excerpt(l) && excerpt.end_column() - excerpt.first_column > l.end.column - l.start.column
    {
        physical["contextRegion"] = if excerpt.is_whole_line() {
            json!({
                "startLine": l.start.line,
                "endLine": l.start.line,
                "snippet": { "text": excerpt.text },
            })
        } else {
            json!({
                "startLine": l.start.line,
                "startColumn": excerpt.first_column,
                "endLine": l.start.line,
                "endColumn": excerpt.end_column(),
                "snippet": { "text": excerpt.text },
            })
        };
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
        "defaultConfiguration": {
            "level": level(entry.meta.severity),
            "enabled": entry.meta.enabled,
        },
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
    // SARIF's fixes are proposals a viewer may apply: only those kubelint would apply with
    // --fix (safe), or with --unsafe-fixes, each saying which.
    if let Some(fix) = d.fix.as_deref().filter(|f| f.refused.is_none()) {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| {
                json!({
                    "deletedRegion": {
                        "startLine": e.start.line,
                        "startColumn": e.start.column,
                        "endLine": e.end.line,
                        "endColumn": e.end.column,
                    },
                    "insertedContent": { "text": e.replacement },
                })
            })
            .collect();
        r["fixes"] = json!([{
            "description": { "text": fix.message },
            "artifactChanges": [{
                "artifactLocation": artifact_location(&d.file),
                "replacements": replacements,
            }],
            "properties": { "applicability": fix.applicability },
        }]);
    }
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

/// A policy of the run (an admission policy, a policy file) as a SARIF rule.
fn policy_descriptor(policy: &PolicyDescriptor) -> Value {
    let text = format!(
        "{}\n\nDeclared in `{}`.{}",
        policy.summary,
        policy.file,
        policy
            .help
            .as_deref()
            .map(|h| format!("\n\n{h}"))
            .unwrap_or_default()
    );
    json!({
        "id": policy.id,
        "name": pascal_case(&policy.id.replace(['/', '.'], "-")),
        "shortDescription": { "text": policy.summary },
        "fullDescription": { "text": policy.summary },
        "help": { "text": text, "markdown": text },
        // The policy's own text is its file; how policies are evaluated is the README's.
        "helpUri": format!("{}/blob/main/README.md#your-own-policies", crate::HOMEPAGE),
        "defaultConfiguration": { "level": level(policy.severity), "enabled": true },
        "properties": { "tags": [rules::POLICY_CATEGORY] },
    })
}

pub fn render(report: &RunReport) -> String {
    let registry = rules::registry();
    let mut ids: Vec<&str> = registry.iter().map(|e| e.id()).collect();
    let mut descriptors: Vec<Value> = registry.iter().map(rule_descriptor).collect();
    for policy in &report.policies {
        if !ids.contains(&policy.id) {
            ids.push(policy.id);
            descriptors.push(policy_descriptor(policy));
        }
    }
    let results: Vec<Value> = report
        .diagnostics()
        .map(|d| {
            let index = ids.iter().position(|id| *id == d.rule).unwrap_or(0);
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

#[cfg(test)]
mod tests {
    use super::encode_uri_path;

    #[test]
    fn uri_paths_keep_unreserved_characters_and_slashes() {
        assert_eq!(
            encode_uri_path("deploy/web-1_a.b~c.yaml"),
            "deploy/web-1_a.b~c.yaml"
        );
        assert_eq!(
            encode_uri_path("my dir/a#b%c?d+e:f@g.yaml"),
            "my%20dir/a%23b%25c%3Fd%2Be%3Af%40g.yaml"
        );
        assert_eq!(encode_uri_path("café\\x.yaml"), "caf%C3%A9%5Cx.yaml");
    }
}
