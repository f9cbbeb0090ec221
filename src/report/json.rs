//! `--format json`: one object with every diagnostic, the load errors and a summary.
//! The field names are a stable interface (documented in README.md); only additions are made.

use serde_json::{Value, json};

use crate::diagnostic::{Diagnostic, Location, Severity};
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
    Value::Object(m)
}

pub fn render(report: &RunReport) -> String {
    let diagnostics: Vec<Value> = report.diagnostics().map(diagnostic).collect();
    let errors: Vec<Value> = report
        .errors
        .iter()
        .map(|e| json!({"file": e.path, "message": e.message}))
        .collect();
    let value = json!({
        "version": env!("CARGO_PKG_VERSION"),
        "diagnostics": diagnostics,
        "errors": errors,
        "summary": {
            "files": report.linted_files(),
            "documents": report.files.iter().map(|f| f.documents).sum::<usize>(),
            "objects": report.files.iter().map(|f| f.objects).sum::<usize>(),
            "errors": report.count(Severity::Error),
            "warnings": report.count(Severity::Warning),
            "infos": report.count(Severity::Info),
        }
    });
    let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
    out.push('\n');
    out
}
