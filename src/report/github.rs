//! `--format github`: workflow commands, so findings appear as annotations on the pull request.
//! https://docs.github.com/actions/reference/workflow-commands-for-github-actions

use std::fmt::Write;

use crate::diagnostic::Severity;
use crate::run_report::RunReport;

/// Escapes a command's message (data).
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &RunReport) -> String {
    let mut out = String::new();
    for d in report.diagnostics() {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(
            out,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&d.file),
            d.location.start.line,
            d.location.start.column,
            d.location.end.line,
            d.location.end.column,
            property(&format!("kubelint {}", d.rule)),
            data(&message)
        );
    }
    for e in &report.errors {
        let _ = writeln!(
            out,
            "::error file={}::{}",
            property(&e.path),
            data(&e.message)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_as_the_runner_expects() {
        assert_eq!(super::data("50%\nnext"), "50%25%0Anext");
        assert_eq!(super::property("a:b,c"), "a%3Ab%2Cc");
    }
}
