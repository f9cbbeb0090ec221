//! `--format json`: one object with every diagnostic, the load errors and a summary.
//! The field names are a stable interface (documented in README.md); only additions are made.

use serde_json::{Value, json};

use crate::diagnostic::{Diagnostic, Fix, Location, Severity};
use crate::run_report::RunReport;

fn position(l: &Location) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("line".into(), json!(l.start.line));
    m.insert("column".into(), json!(l.start.column));
    m.insert("end_line".into(), json!(l.end.line));
    m.insert("end_column".into(), json!(l.end.column));
    m.insert("path".into(), json!(l.path));
    m
}

pub fn diagnostic(d: &Diagnostic) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("rule".into(), json!(d.rule));
    m.insert("severity".into(), json!(d.severity));
    m.insert("message".into(), json!(d.message));
    m.insert("file".into(), json!(&*d.file));
    m.extend(position(&d.location));
    m.insert("object".into(), json!(d.object));
    m.insert("help".into(), json!(d.help));
    let labels: Vec<Value> = d
        .labels
        .iter()
        .map(|l| {
            let mut lm = position(&l.location);
            lm.insert("message".into(), json!(l.message));
            Value::Object(lm)
        })
        .collect();
    m.insert("labels".into(), Value::Array(labels));
    if let Some(fix) = d.fix.as_deref() {
        m.insert("fix".into(), fix_json(fix));
    }
    Value::Object(m)
}

/// A fix: its edits in positions and byte offsets of the file, or why it cannot be written.
fn fix_json(fix: &Fix) -> Value {
    let edits: Vec<Value> = fix
        .edits
        .iter()
        .map(|e| {
            json!({
                "line": e.start.line,
                "column": e.start.column,
                "end_line": e.end.line,
                "end_column": e.end.column,
                "offset": e.start.offset,
                "end_offset": e.end.offset,
                "replacement": e.replacement,
            })
        })
        .collect();
    json!({
        "message": fix.message,
        "applicability": fix.applicability,
        "edits": edits,
        "refused": fix.refused,
    })
}

/// The diagnostics serialized one at a time: the report of a big run never exists as one
/// `Value` tree (about 5 KB per diagnostic), only as its text.
struct Diagnostics<'r>(&'r RunReport);

impl serde::Serialize for Diagnostics<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.diagnostics().map(diagnostic))
    }
}

pub fn render(report: &RunReport) -> String {
    let errors: Vec<Value> = report
        .errors
        .iter()
        .map(|e| json!({"file": e.path, "message": e.message}))
        .collect();
    let summary = json!({
        "files": report.linted_files(),
        "documents": report.files.iter().map(|f| f.documents).sum::<usize>(),
        "objects": report.files.iter().map(|f| f.objects).sum::<usize>(),
        "errors": report.count(Severity::Error),
        "warnings": report.count(Severity::Warning),
        "infos": report.count(Severity::Info),
    });
    // Keys in the order a `json!` object has them (sorted), as before.
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::pretty(&mut out);
    let written = {
        use serde::ser::{SerializeMap, Serializer};
        (&mut serializer)
            .serialize_map(Some(4))
            .and_then(|mut map| {
                map.serialize_entry("diagnostics", &Diagnostics(report))?;
                map.serialize_entry("errors", &errors)?;
                map.serialize_entry("summary", &summary)?;
                map.serialize_entry("version", env!("CARGO_PKG_VERSION"))?;
                map.end()
            })
    };
    let mut out = match written {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(_) => String::new(),
    };
    out.push('\n');
    out
}
