//! What a run produced, as every later stage reads it: the filter, the baseline, the
//! configuration's `--report-unused-config` and the reporters. It is plain data, so none of
//! them depends on the engine that made it.

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Severity};
use crate::load::LoadError;
use crate::model::ObjectId;

#[derive(Debug, Default, Clone)]
pub struct FileReport {
    pub path: Arc<str>,
    pub diagnostics: Vec<Diagnostic>,
    pub bytes: usize,
    pub documents: usize,
    pub objects: usize,
    /// Found by walking and holding no Kubernetes object: not linted.
    pub skipped: bool,
    /// The objects linted, in file order (JUnit reports each as a testcase).
    pub object_ids: Vec<ObjectId>,
}

impl FileReport {
    /// Orders the file's diagnostics by position, then rule, then message, so that output
    /// never depends on the order rules ran in or threads finished in.
    pub fn sort(&mut self) {
        self.diagnostics.sort_by(|a, b| {
            (a.location.start.offset, a.rule, &a.message).cmp(&(
                b.location.start.offset,
                b.rule,
                &b.message,
            ))
        });
    }
}

#[derive(Debug, Default)]
pub struct RunReport {
    pub files: Vec<FileReport>,
    pub errors: Vec<LoadError>,
    /// The policies the run evaluated: rules known only at run time, which reports that list
    /// rules (SARIF) describe beside the built-in ones.
    pub policies: Vec<PolicyDescriptor>,
}

/// What a report needs to describe a policy as a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDescriptor {
    pub id: &'static str,
    pub summary: String,
    pub help: Option<String>,
    /// The file that declares it.
    pub file: String,
    pub severity: Severity,
}

impl RunReport {
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.files.iter().flat_map(|f| f.diagnostics.iter())
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics()
            .filter(|d| d.severity == severity)
            .count()
    }

    pub fn linted_files(&self) -> usize {
        self.files.iter().filter(|f| !f.skipped).count()
    }
}
