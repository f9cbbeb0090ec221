//! Reporters: pure functions from a run's diagnostics to bytes. They know no rule.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;

use crate::diagnostic::Diagnostic;
use crate::run_report::RunReport;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
    Junit,
    Markdown,
}

pub fn render(format: Format, report: &RunReport, color: bool) -> String {
    match format {
        Format::Human => human::render(report, color),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
        Format::Junit => junit::render(report),
        Format::Markdown => markdown::render(report),
    }
}

/// `apps/v1 Deployment shop/web`, or nothing for findings outside any object.
pub(crate) fn object_label(d: &Diagnostic) -> Option<String> {
    d.object.as_ref().map(ToString::to_string)
}
