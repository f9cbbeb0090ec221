//! `--format markdown`: a summary table, for `$GITHUB_STEP_SUMMARY` and pull-request comments.

use std::fmt::Write;

use crate::diagnostic::Severity;
use crate::run_report::RunReport;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(report: &RunReport) -> String {
    let mut out = String::from("## kubelint\n\n");
    let (errors, warnings, infos) = (
        report.count(Severity::Error),
        report.count(Severity::Warning),
        report.count(Severity::Info),
    );
    let _ = writeln!(
        out,
        "{} file(s) checked: **{errors}** error(s), **{warnings}** warning(s), **{infos}** info(s).\n",
        report.linted_files()
    );
    if errors + warnings + infos > 0 {
        out.push_str("| Severity | Rule | Location | Object | Message |\n|---|---|---|---|---|\n");
        for d in report.diagnostics() {
            let _ = writeln!(
                out,
                "| {} | `{}` | `{}:{}:{}` | {} | {} |",
                d.severity.as_str(),
                d.rule,
                cell(&d.file),
                d.location.start.line,
                d.location.start.column,
                d.object
                    .as_ref()
                    .map(|o| cell(&o.to_string()))
                    .unwrap_or_default(),
                cell(&d.message)
            );
        }
    }
    for e in &report.errors {
        let _ = writeln!(
            out,
            "\n**error:** `{}`: {}",
            cell(&e.path),
            cell(&e.message)
        );
    }
    out
}
