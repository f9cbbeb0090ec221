//! rustc-style text: a header, the source lines, and carets under the exact node.

use std::fmt::Write;

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::run_report::RunReport;

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn severity_code(s: Severity) -> &'static str {
        match s {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;36",
        }
    }
}

pub fn render(report: &RunReport, color: bool) -> String {
    let style = Style { color };
    let mut out = String::new();
    for d in report.diagnostics() {
        render_diagnostic(&mut out, d, &style);
        out.push('\n');
    }
    let (errors, warnings, infos) = (
        report.count(Severity::Error),
        report.count(Severity::Warning),
        report.count(Severity::Info),
    );
    let noun = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    let files = noun(report.linted_files(), "file");
    // Inputs that could not be read or held nothing to lint are not a clean run: no
    // reassurance then, only what was and was not linted.
    let failed = match report.errors.len() {
        0 => String::new(),
        n => format!("; {} could not be linted (errors above)", noun(n, "input")),
    };
    if errors + warnings + infos == 0 {
        if failed.is_empty() {
            let _ = writeln!(out, "No problems found in {files}.");
        } else {
            let _ = writeln!(out, "Linted {files}{failed}.");
        }
    } else {
        let _ = writeln!(
            out,
            "Found {}, {} and {} in {files}{failed}.",
            noun(errors, "error"),
            noun(warnings, "warning"),
            noun(infos, "info"),
        );
    }
    out
}

/// One diagnostic, for reporters and tests that render a single finding.
pub fn render_one(d: &Diagnostic, color: bool) -> String {
    let mut out = String::new();
    render_diagnostic(&mut out, d, &Style { color });
    out
}

fn render_diagnostic(out: &mut String, d: &Diagnostic, style: &Style) {
    let sev = Style::severity_code(d.severity);
    let _ = writeln!(
        out,
        "{}{} {}",
        style.paint(sev, &format!("{}[{}]", d.severity.as_str(), d.rule)),
        style.paint("1", ":"),
        style.paint("1", &d.message)
    );
    let width = std::iter::once(&d.location)
        .chain(d.labels.iter().map(|l| &l.location))
        .map(|l| l.start.line.to_string().len())
        .max()
        .unwrap_or(1);
    let pad = " ".repeat(width);
    let gutter = |s: &str| style.paint("1;34", s);
    let _ = writeln!(
        out,
        "{pad}{} {}:{}:{}",
        gutter("-->"),
        d.file,
        d.location.start.line,
        d.location.start.column
    );
    let _ = writeln!(out, "{pad} {}", gutter("|"));
    // The primary location and the labels, in line order; `None` marks the primary.
    let mut marks: Vec<(&Location, Option<&str>)> = vec![(&d.location, None)];
    marks.extend(
        d.labels
            .iter()
            .map(|l| (&l.location, Some(l.message.as_str()))),
    );
    marks.sort_by_key(|(l, _)| (l.start.line, l.start.column));
    let mut previous_line = None;
    let mut shown = &d.location.excerpt;
    for (location, label) in marks {
        let line = location.start.line;
        if let Some(prev) = previous_line
            && line > prev + 1
        {
            let _ = writeln!(out, "{}", gutter("..."));
        }
        // A cut line is shown with an ellipsis on each cut side; carets are placed relative to
        // the excerpt shown for the line (the first mark's), one column per character.
        if previous_line != Some(line) {
            shown = &location.excerpt;
            let _ = writeln!(
                out,
                "{} {} {}{}{}",
                gutter(&format!("{line:>width$}")),
                gutter("|"),
                if shown.cut_before { "…" } else { "" },
                shown.text.replace('\t', " "),
                if shown.cut_after { "…" } else { "" },
            );
        }
        previous_line = Some(line);
        let lead = u32::from(shown.cut_before);
        let excerpt_end = shown.end_column();
        let start_column = location.start.column.clamp(shown.first_column, excerpt_end);
        let end_column = if location.end.line == line {
            location.end.column.min(excerpt_end)
        } else {
            excerpt_end
        };
        let start = start_column - shown.first_column + lead;
        let len = end_column.saturating_sub(start_column).max(1) as usize;
        let (marker, code, text) = match label {
            None => ("^", sev, ""),
            Some(t) => ("-", "1;34", t),
        };
        let underline = marker.repeat(len);
        let tail = if text.is_empty() {
            String::new()
        } else {
            format!(" {text}")
        };
        let _ = writeln!(
            out,
            "{pad} {} {}{}",
            gutter("|"),
            " ".repeat(start as usize),
            style.paint(code, &format!("{underline}{tail}"))
        );
    }
    let _ = writeln!(out, "{pad} {}", gutter("|"));
    if let Some(object) = super::object_label(d) {
        let _ = writeln!(out, "{pad} {} in {object}", gutter("="));
    }
    if let Some(help) = &d.help {
        let _ = writeln!(
            out,
            "{pad} {} {}: {help}",
            gutter("="),
            style.paint("1", "help")
        );
    }
}
