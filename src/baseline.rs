//! Baselines: record today's findings, then report only new ones.
//!
//! A finding is known by its rule, file, object and JSON pointer — not its line — so edits
//! that only move it (a comment added above, a document inserted before) keep it known.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::diagnostic::Diagnostic;
use crate::run_report::RunReport;

/// What identifies a finding across edits.
fn fingerprint(d: &Diagnostic) -> String {
    match &d.object {
        Some(object) => format!(
            "{}\u{1f}{}\u{1f}{object}\u{1f}{}",
            d.rule, d.file, d.location.path
        ),
        // Outside any object (syntax errors, stale comments), the message is all there is.
        None => format!("{}\u{1f}{}\u{1f}\u{1f}{}", d.rule, d.file, d.message),
    }
}

fn entry_fingerprint(entry: &Value) -> Option<String> {
    let field = |k: &str| entry.get(k).and_then(Value::as_str);
    let (rule, file) = (field("rule")?, field("file")?);
    Some(match field("object") {
        Some(object) => format!(
            "{rule}\u{1f}{file}\u{1f}{object}\u{1f}{}",
            field("path").unwrap_or("")
        ),
        None => format!(
            "{rule}\u{1f}{file}\u{1f}\u{1f}{}",
            field("message").unwrap_or("")
        ),
    })
}

pub fn render(report: &RunReport) -> String {
    let findings: Vec<Value> = report
        .diagnostics()
        .map(|d| {
            json!({
                "rule": d.rule,
                "file": &*d.file,
                "object": d.object.as_ref().map(ToString::to_string),
                "path": d.location.path,
                "message": d.message,
            })
        })
        .collect();
    let value = json!({ "kubelint_baseline": 1, "findings": findings });
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

/// What identifies a finding across revisions (`--new-from-rev`): an object's finding by the
/// object, not its file, since an object moved to another file is the same object.
fn revision_fingerprint(d: &Diagnostic) -> String {
    match &d.object {
        Some(object) => format!("{}\u{1f}\u{1f}{object}\u{1f}{}", d.rule, d.location.path),
        None => fingerprint(d),
    }
}

/// Known findings, counted: two identical findings need two entries.
pub struct Baseline {
    known: HashMap<String, usize>,
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a kubelint baseline: {e}", path.display()))?;
        let findings = value
            .get("findings")
            .and_then(Value::as_array)
            .filter(|_| value.get("kubelint_baseline").is_some())
            .ok_or_else(|| {
                format!(
                    "{}: not a kubelint baseline (write one with --write-baseline)",
                    path.display()
                )
            })?;
        let mut known = HashMap::new();
        for entry in findings {
            let fp = entry_fingerprint(entry)
                .ok_or_else(|| format!("{}: a finding lacks `rule` or `file`", path.display()))?;
            *known.entry(fp).or_insert(0) += 1;
        }
        Ok(Baseline { known })
    }

    /// The findings of a run at another revision, to report only what is new since.
    pub fn of_revision(earlier: &RunReport) -> Baseline {
        let mut known = HashMap::new();
        for d in earlier.diagnostics() {
            *known.entry(revision_fingerprint(d)).or_insert(0) += 1;
        }
        Baseline { known }
    }

    /// Removes the findings the baseline knows; returns how many were removed.
    pub fn filter(&mut self, report: &mut RunReport) -> usize {
        self.filter_by(report, fingerprint)
    }

    /// `filter` for a baseline made by `of_revision`.
    pub fn filter_revision(&mut self, report: &mut RunReport) -> usize {
        self.filter_by(report, revision_fingerprint)
    }

    fn filter_by(&mut self, report: &mut RunReport, key: fn(&Diagnostic) -> String) -> usize {
        let mut removed = 0;
        for file in &mut report.files {
            file.diagnostics
                .retain(|d| match self.known.get_mut(&key(d)) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        removed += 1;
                        false
                    }
                    _ => true,
                });
        }
        removed
    }
}
