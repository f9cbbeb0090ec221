//! rustc-style text: a header, the source lines, and carets under the exact node, drawn by
//! `annotate-snippets` (the renderer of rustc and ruff) from the excerpts the diagnostics carry.

use std::collections::BTreeMap;
use std::fmt::Write;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

use crate::diagnostic::{Diagnostic, Excerpt, Location, Severity};
use crate::run_report::RunReport;

/// The width source lines are cut to, around their carets (rustc's default). Fixed rather than
/// the terminal's, so that output does not depend on where it is shown.
const WIDTH: usize = 140;

/// What a cut excerpt shows on its cut side; the renderer marks its own cuts the same way.
const CUT: &str = "...";

/// The text of a line that lies between two shown lines but is not kept in any excerpt: the
/// renderer prints a single such line instead of eliding it.
const UNKNOWN_LINE: &str = "...";

pub fn render(report: &RunReport, color: bool) -> String {
    let renderer = renderer(color);
    let mut out = String::new();
    for d in report.diagnostics() {
        out.push_str(&render_diagnostic(d, &renderer));
        out.push_str("\n\n");
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
    let mut out = render_diagnostic(d, &renderer(color));
    out.push('\n');
    out
}

fn renderer(color: bool) -> Renderer {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    renderer.term_width(WIDTH)
}

/// One line of the snippet: the excerpt shown for it, with the cut marker that precedes it.
struct Shown<'e> {
    excerpt: &'e Excerpt,
    /// Bytes of the snippet before this line's text (its cut marker included).
    text_at: usize,
}

impl Shown<'_> {
    /// The byte of the snippet at 1-based `column` of the line: a column before the excerpt
    /// is its cut marker, one past its end is its end.
    fn byte(&self, column: u32) -> usize {
        let e = self.excerpt;
        if column < e.first_column && e.cut_before {
            return self.text_at - CUT.len();
        }
        let skip = column.saturating_sub(e.first_column) as usize;
        self.text_at
            + e.text
                .char_indices()
                .nth(skip)
                .map_or(e.text.len(), |(at, _)| at)
    }
}

/// Marks further apart than this many lines are drawn in snippets of their own: the renderer
/// walks every line of a snippet, elided or not, so one snippet from a key to its duplicate
/// 40,000 lines below would cost that much per finding (quadratic on a large mapping).
const JOIN_WITHIN_LINES: u32 = 100;

/// A place a diagnostic marks: its primary location (`None`) or a label's.
type Mark<'d> = (&'d Location, Option<&'d str>);

/// The lines one snippet draws, with the excerpt shown for each of those kept.
struct Part<'d> {
    first_line: u32,
    source: String,
    shown: BTreeMap<u32, Shown<'d>>,
}

/// The snippet text from `first` to `last`: the kept lines' excerpts, lines no excerpt holds
/// empty (the renderer elides them) or, alone between two kept lines, marked as unknown.
fn part<'d>(excerpts: &BTreeMap<u32, &'d Excerpt>, first: u32, last: u32) -> Part<'d> {
    let mut source = String::new();
    let mut shown = BTreeMap::new();
    for line in first..=last {
        if line > first {
            source.push('\n');
        }
        match excerpts.get(&line) {
            Some(excerpt) => {
                if excerpt.cut_before {
                    source.push_str(CUT);
                }
                shown.insert(
                    line,
                    Shown {
                        excerpt,
                        text_at: source.len(),
                    },
                );
                source.push_str(&excerpt.text);
                if excerpt.cut_after {
                    source.push_str(CUT);
                }
            }
            None if excerpts.contains_key(&(line - 1)) && excerpts.contains_key(&(line + 1)) => {
                source.push_str(UNKNOWN_LINE);
            }
            None => {}
        }
    }
    Part {
        first_line: first,
        source,
        shown,
    }
}

fn render_diagnostic(d: &Diagnostic, renderer: &Renderer) -> String {
    // The primary location and the labels; `None` marks the primary.
    let mut marks: Vec<Mark<'_>> = vec![(&d.location, None)];
    marks.extend(
        d.labels
            .iter()
            .map(|l| (&l.location, Some(l.message.as_str()))),
    );
    marks.sort_by_key(|(l, _)| (l.start.line, l.start.column));
    // The excerpt shown for each line: the first mark's on it (marks on one line of a long,
    // cut line may carry different windows; later marks are placed in the first one's).
    let mut excerpts: BTreeMap<u32, &Excerpt> = BTreeMap::new();
    for (location, _) in &marks {
        excerpts
            .entry(location.start.line)
            .or_insert(&location.excerpt);
        if let Some(last) = &location.excerpt.last {
            excerpts.entry(last.line).or_insert(&last.excerpt);
        }
    }
    // Marks (a span whose ends are both kept counts as one) within `JOIN_WITHIN_LINES` of each
    // other share a snippet; each range is (first line, last line, the marks in it).
    let mut ranges: Vec<(u32, u32, Vec<&Mark<'_>>)> = Vec::new();
    for mark in &marks {
        let start = mark.0.start.line;
        let end = mark.0.excerpt.last.as_ref().map_or(start, |l| l.line);
        match ranges.last_mut() {
            Some((_, last, members)) if start <= last.saturating_add(JOIN_WITHIN_LINES) => {
                *last = (*last).max(end);
                members.push(mark);
            }
            _ => ranges.push((start, end, vec![mark])),
        }
    }
    // The primary's snippet first: it carries the `-->` header, the others `:::`.
    ranges.sort_by_key(|(_, _, members)| members.iter().all(|(_, label)| label.is_some()));
    let parts: Vec<Part<'_>> = ranges
        .iter()
        .map(|(first, last, _)| part(&excerpts, *first, *last))
        .collect();
    let snippets = ranges.iter().zip(&parts).map(|((_, _, members), part)| {
        let annotations = members.iter().map(|(location, label)| {
            let start_line = &part.shown[&location.start.line];
            let start = start_line.byte(location.start.column);
            let end = match &location.excerpt.last {
                Some(last) => part.shown[&last.line].byte(last.end_column),
                // A span on one line, or going on past a line whose rest is not kept: up to
                // the end of what is shown of its line.
                None => start_line.byte(if location.end.line == location.start.line {
                    location.end.column
                } else {
                    u32::MAX
                }),
            };
            match label {
                None => AnnotationKind::Primary.span(start..end.max(start)),
                Some(text) => AnnotationKind::Context
                    .span(start..end.max(start))
                    .label(*text),
            }
        });
        Snippet::source(part.source.as_str())
            .path(&*d.file)
            .line_start(part.first_line as usize)
            .annotations(annotations)
    });
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    };
    let mut group = level
        .primary_title(d.message.as_str())
        .id(d.rule)
        .elements(snippets);
    if let Some(object) = super::object_label(d) {
        group = group.element(Level::NOTE.no_name().message(format!("in {object}")));
    }
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    if let Some(fix) = d.fix.as_deref().filter(|f| f.refused.is_none()) {
        let how = match fix.applicability {
            crate::diagnostic::Applicability::Safe => "--fix",
            crate::diagnostic::Applicability::Unsafe => "--fix --unsafe-fixes",
        };
        group = group.element(
            Level::HELP
                .with_name("fix")
                .message(format!("{} (kubelint check {how})", fix.message)),
        );
    }
    let rendered = renderer.render(&[group]);
    // The renderer counts the header's column from the start of the snippet's line, which for a
    // cut line is not the start of the line in the file.
    let primary_part = &parts[0];
    let (source, primary) = (
        &primary_part.source,
        &primary_part.shown[&d.location.start.line],
    );
    let shown_column = source[source[..primary.text_at].rfind('\n').map_or(0, |at| at + 1)
        ..primary.byte(d.location.start.column)]
        .chars()
        .count()
        + 1;
    if shown_column == d.location.start.column as usize {
        return rendered;
    }
    let line = d.location.start.line;
    let (title, rest) = rendered.split_once('\n').unwrap_or((&rendered, ""));
    let wrong = format!("{}:{line}:{shown_column}", d.file);
    let right = format!("{}:{line}:{}", d.file, d.location.start.column);
    format!("{title}\n{}", rest.replacen(&wrong, &right, 1))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::diagnostic::{Label, LastLine};
    use crate::parse::lines::Position;
    use crate::rules::RuleSet;

    /// The diagnostics of `rule` for `text`, rendered without colour.
    fn rendered(text: &str, rule: &str) -> Vec<String> {
        let file = crate::lint::lint_text(Arc::from("m.yaml"), text, true, &RuleSet::all());
        let found: Vec<String> = file
            .diagnostics
            .iter()
            .filter(|d| d.rule == rule)
            .map(|d| render_one(d, false))
            .collect();
        assert!(!found.is_empty(), "no {rule} in {:#?}", file.diagnostics);
        found
    }

    /// Terminal columns of `text` as the test writes it: the CJK characters and the emoji it
    /// uses are two columns wide, everything else one.
    fn columns(text: &str) -> usize {
        text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
    }

    /// The source line numbered `line` and the caret line under it, with the gutter removed.
    fn snippet_and_carets<'r>(out: &'r str, line: &str, caret: char) -> (&'r str, &'r str) {
        let lines: Vec<&str> = out.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.trim_start().starts_with(&format!("{line} | ")))
            .unwrap_or_else(|| panic!("no line {line} in\n{out}"));
        let gutter = lines[at].find(" | ").unwrap() + 3;
        let carets = lines[at + 1..]
            .iter()
            .find(|l| l.contains(caret))
            .unwrap_or_else(|| panic!("no {caret} in\n{out}"));
        (&lines[at][gutter..], &carets[gutter..])
    }

    #[test]
    fn a_long_line_is_cut_around_the_caret() {
        // A `kubectl get -o json` dump: one line of 10,000 characters, the finding in its middle.
        let pad = |n: usize| format!("\"{}\"", "x".repeat(n));
        let text = format!(
            r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"web","annotations":{{"a":{}}}}},"spec":{{"containers":[{{"name":"web","image":"web:1","imagePullPolicy":"Sometimes"}}],"x":{}}}}}"#,
            pad(5_000),
            pad(4_800)
        );
        assert!(text.len() > 9_900 && text.len() < 10_100, "{}", text.len());
        let out = &rendered(&text, "invalid-value")[0];
        let column = text.find("\"Sometimes\"").unwrap() + 1;
        assert!(out.contains(&format!("--> m.yaml:1:{column}\n")), "{out}");
        assert!(out.lines().all(|l| l.chars().count() <= WIDTH), "{out}");
        let (line, carets) = snippet_and_carets(out, "1", '^');
        assert!(line.starts_with(CUT) && line.ends_with(CUT), "{out}");
        let at = carets.find('^').unwrap();
        let length = carets.trim().len();
        assert_eq!(&line[at..at + length], "\"Sometimes\"", "{out}");
    }

    #[test]
    fn wide_characters_keep_the_caret_under_its_node() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - {name: web, image: web:1, env: [{name: 名前, value: 🎉🎉}], imagePullPolicy: \"Sometimes\"}\n";
        let out = &rendered(text, "invalid-value")[0];
        let (line, carets) = snippet_and_carets(out, "6", '^');
        let node = line.find("\"Sometimes\"").unwrap();
        assert_eq!(columns(&line[..node]), carets.find('^').unwrap(), "{out}");
        assert_eq!(carets.trim(), "^".repeat("\"Sometimes\"".len()), "{out}");
        // The header counts characters, as every position kubelint reports does.
        let column = text.lines().nth(5).unwrap()[..]
            .find("\"Sometimes\"")
            .unwrap();
        let column = text.lines().nth(5).unwrap()[..column].chars().count() + 1;
        assert!(out.contains(&format!("--> m.yaml:6:{column}\n")), "{out}");
    }

    #[test]
    fn a_span_over_several_lines_is_drawn_as_one() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: web\n      image: web:1\n      command: [sh, -c]\n      args:\n        - |\n          echo \"ソ starting\"\n          sleep 1\n          server --port 80\n    - name: other\n      image: web:1\n";
        let out = &rendered(text, "shell-form-sigterm")[0];
        // Line 12 is in no excerpt: it is shown as elided.
        let expected = [
            "  --> m.yaml:11:11",
            "   |",
            "11 | /           echo \"ソ starting\"",
            "12 | | ...",
            "13 | |           server --port 80",
            "   | |__________________________^",
        ];
        assert!(out.contains(&expected.join("\n")), "{out}");
    }

    fn location(line: u32, column: u32, end_line: u32, end_column: u32, text: &str) -> Location {
        let position = |line, column| Position {
            line,
            column,
            offset: 0,
        };
        Location {
            start: position(line, column),
            end: position(end_line, end_column),
            path: String::new(),
            excerpt: Excerpt {
                text: text.to_owned(),
                first_column: 1,
                ..Excerpt::default()
            },
        }
    }

    fn diagnostic(location: Location, labels: Vec<Label>) -> Diagnostic {
        Diagnostic {
            rule: "test-rule",
            severity: Severity::Warning,
            message: "a message".into(),
            help: Some("a help".into()),
            file: Arc::from("f.yaml"),
            location,
            labels,
            object: None,
            container: None,
            policy: None,
            fix: None,
        }
    }

    #[test]
    fn a_span_whose_last_line_is_far_and_long_is_drawn_with_both_ends() {
        let mut primary = location(3, 3, 40, 1, "  resources:");
        let end = format!("{}end", "y".repeat(300));
        primary.excerpt.last = Some(Box::new(LastLine {
            line: 39,
            end_column: 304,
            excerpt: Excerpt {
                text: end[240..].to_owned(),
                first_column: 241,
                cut_before: true,
                ..Excerpt::default()
            },
        }));
        let label = Label {
            location: location(20, 5, 20, 8, "    cpu: 1"),
            message: "this one".into(),
        };
        let out = render_one(&diagnostic(primary, vec![label]), false);
        let expected = "warning[test-rule]: a message
  --> f.yaml:3:3
   |
 3 | /   resources:
...  |
20 | |     cpu: 1
   | |     --- this one
...  |
39 | | ...yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyend
   | |__________________________________________________________________^
   |
   = help: a help
";
        // The caret is under the span's last character.
        let (line, carets) = snippet_and_carets(&out, "39", '^');
        assert_eq!(carets.find('^'), line.find("end").map(|at| at + 2));
        assert_eq!(out, expected);
    }

    #[test]
    fn a_far_label_gets_a_snippet_of_its_own() {
        // A duplicate key 40,000 lines below its first definition: one snippet would make the
        // renderer walk every line between them, for every such finding.
        let label = Label {
            location: location(6, 3, 6, 5, "  k0: \"v\""),
            message: "first defined here".into(),
        };
        let primary = location(40_006, 3, 40_006, 5, "  k0: \"w\"");
        let out = render_one(&diagnostic(primary, vec![label]), false);
        let expected = "warning[test-rule]: a message
     --> f.yaml:40006:3
      |
40006 |   k0: \"w\"
      |   ^^
      |
     ::: f.yaml:6:3
      |
    6 |   k0: \"v\"
      |   -- first defined here
      |
      = help: a help
";
        assert_eq!(out, expected);
        // Near each other, the two stay in one snippet, as before.
        let label = Label {
            location: location(6, 3, 6, 5, "  k0: \"v\""),
            message: "first defined here".into(),
        };
        let primary = location(56, 3, 56, 5, "  k0: \"w\"");
        let out = render_one(&diagnostic(primary, vec![label]), false);
        assert!(!out.contains(":::"), "{out}");
        assert!(out.contains("...\n56 |"), "{out}");
    }

    #[test]
    fn colour_only_when_asked() {
        let d = diagnostic(location(1, 1, 1, 5, "kind: Pod"), Vec::new());
        assert!(!render_one(&d, false).contains('\x1b'));
        assert!(render_one(&d, true).contains('\x1b'));
    }
}
