//! `--format junit`: JUnit XML as GitLab and Jenkins read it — a testsuite per file, a
//! testcase per object, a failure per error or warning. Infos are advice, not failures (as
//! they do not fail the run under the default `--fail-on warning`): they are listed in the
//! testcase's `system-out`, which GitLab and Jenkins show beside a passing test.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::diagnostic::{Diagnostic, Severity};
use crate::run_report::RunReport;

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry most control characters at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn describe(d: &Diagnostic) -> String {
    let mut body = format!(
        "{}:{}:{}: {}[{}] {}",
        d.file,
        d.location.start.line,
        d.location.start.column,
        d.severity.as_str(),
        d.rule,
        d.message
    );
    if let Some(help) = &d.help {
        body.push_str("\nhelp: ");
        body.push_str(help);
    }
    body
}

fn failure(d: &Diagnostic) -> String {
    format!(
        "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
        xml(d.rule),
        xml(&d.message),
        xml(&describe(d))
    )
}

fn is_failure(d: &Diagnostic) -> bool {
    d.severity > Severity::Info
}

pub fn render(report: &RunReport) -> String {
    let mut suites = String::new();
    let (mut total_tests, mut total_failures, mut total_errors) = (0, 0, 0);
    for file in report.files.iter().filter(|f| !f.skipped) {
        // Testcases: every object of the file, plus one for findings outside any object.
        let mut cases: BTreeMap<String, Vec<&Diagnostic>> = BTreeMap::new();
        for id in &file.object_ids {
            cases.entry(id.to_string()).or_default();
        }
        for d in &file.diagnostics {
            let name = d
                .object
                .as_ref()
                .map_or_else(|| "(file)".to_owned(), ToString::to_string);
            cases.entry(name).or_default().push(d);
        }
        let failed = cases
            .values()
            .filter(|f| f.iter().any(|d| is_failure(d)))
            .count();
        total_tests += cases.len();
        total_failures += failed;
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\">",
            xml(&file.path),
            cases.len()
        );
        for (name, findings) in &cases {
            let _ = write!(
                suites,
                "    <testcase name=\"{}\" classname=\"{}\"",
                xml(name),
                xml(&file.path)
            );
            if findings.is_empty() {
                suites.push_str("/>\n");
                continue;
            }
            suites.push_str(">\n");
            for d in findings.iter().filter(|d| is_failure(d)) {
                suites.push_str(&failure(d));
            }
            let advice: Vec<String> = findings
                .iter()
                .filter(|d| !is_failure(d))
                .map(|d| describe(d))
                .collect();
            if !advice.is_empty() {
                let _ = writeln!(
                    suites,
                    "      <system-out>{}</system-out>",
                    xml(&advice.join("\n"))
                );
            }
            suites.push_str("    </testcase>\n");
        }
        suites.push_str("  </testsuite>\n");
    }
    for e in &report.errors {
        total_tests += 1;
        total_errors += 1;
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{0}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n    <testcase name=\"read\" classname=\"{0}\">\n      <error message=\"{1}\">{1}</error>\n    </testcase>\n  </testsuite>",
            xml(&e.path),
            xml(&e.message)
        );
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kubelint\" tests=\"{total_tests}\" failures=\"{total_failures}\" errors=\"{total_errors}\">\n{suites}</testsuites>\n"
    )
}
