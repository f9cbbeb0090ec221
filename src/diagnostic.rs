//! The one diagnostic type every stage after the rules speaks.

use std::sync::Arc;

use serde::Serialize;

use crate::model::ObjectId;
use crate::parse::lines::Position;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// A place in a file: a range, plus the source line it starts on (so reporters never reread
/// files) and the JSON pointer of the node within its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub start: Position,
    pub end: Position,
    pub path: String,
    pub source_line: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub location: Location,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub file: Arc<str>,
    pub location: Location,
    pub labels: Vec<Label>,
    pub object: Option<ObjectId>,
    /// The container the finding is inside, if any (config suppressions match on it).
    pub container: Option<String>,
}
