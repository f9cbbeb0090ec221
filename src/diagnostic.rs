//! The one diagnostic type every stage after the rules speaks.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::k8s::pod_security::PolicyGate;
use crate::model::ObjectId;
use crate::parse::lines::{LineIndex, Position, floor_char_boundary};
use crate::parse::tree::ByteSpan;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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

/// A place in a file: a range, plus an excerpt of the line it starts on (and, for a range over
/// several lines, of the last one; so reporters never reread files) and the JSON pointer of the
/// node within its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub start: Position,
    pub end: Position,
    pub path: String,
    pub excerpt: Excerpt,
}

impl Location {
    /// The location of `span` in `text`, whose JSON pointer is `pointer`.
    pub fn of_span(text: &str, lines: &LineIndex, span: ByteSpan, pointer: String) -> Location {
        let start = lines.position(text, span.start);
        let end = lines.position(text, span.end.max(span.start));
        Location {
            start,
            end,
            path: pointer,
            excerpt: Excerpt::of(text, lines, start, end),
        }
    }

    /// A location one character wide (a parse error has a position, not a node).
    pub fn point(text: &str, lines: &LineIndex, offset: u32) -> Location {
        let start = lines.position(text, offset);
        let line = lines.line_text(text, start.line as usize - 1);
        let mut end = start;
        // A position past the line's last character (an error at its end) is zero-wide.
        let line_end = lines.line_start(start.line as usize - 1) as usize + line.len();
        if let Some(c) = text
            .get(offset as usize..line_end)
            .and_then(|t| t.chars().next())
        {
            end.column += 1;
            end.offset += c.len_utf8() as u32;
        }
        Location {
            start,
            end,
            path: String::new(),
            excerpt: Excerpt::of(text, lines, start, end),
        }
    }
}

/// Lines up to this many characters are kept whole; longer ones (minified JSON, a
/// `kubectl get -o json` dump on one line) are cut to a window around the location, so a
/// finding costs the same memory and output whatever the length of its line.
const WHOLE_LINE_CHARS: usize = 200;
/// Characters kept on either side of the location when a line is cut.
const WINDOW_CONTEXT_CHARS: usize = 60;
/// At most this much of the location itself is kept when a line is cut.
const WINDOW_SPAN_CHARS: usize = 120;

/// The part of a location's first line that reporters show: the whole line, or a window of a
/// long one. Control characters are replaced (one character for one, so columns still line up)
/// so that a binary file never writes raw bytes to a terminal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Excerpt {
    pub text: String,
    /// The 1-based column of the line where `text` starts.
    pub first_column: u32,
    /// Whether the line goes on before `text` or after it.
    pub cut_before: bool,
    pub cut_after: bool,
    /// For a location over several lines, the last line with any of it, so that the span can be
    /// drawn as one; `None` for a location on one line.
    pub last: Option<Box<LastLine>>,
}

/// The last line of a location over several lines: a span that ends with line breaks or
/// indentation (a block scalar, a block mapping) ends where its last text does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastLine {
    pub line: u32,
    /// The 1-based column after the span's last character on that line.
    pub end_column: u32,
    /// That line, cut like any excerpt (to a window ending at `end_column` if it is long).
    pub excerpt: Excerpt,
}

impl Excerpt {
    /// The excerpt of the line a location from `start` to `end` of `text` begins on (and of
    /// its last line, if it spans several).
    pub fn of(text: &str, lines: &LineIndex, start: Position, end: Position) -> Excerpt {
        let line_start = lines.line_start(start.line as usize - 1);
        let line = lines.line_text(text, start.line as usize - 1);
        let in_line = |p: Position| (p.offset - line_start) as usize;
        let mut excerpt = Excerpt::of_line(
            line,
            in_line(start),
            start.column,
            (end.line == start.line).then(|| in_line(end)),
        );
        if end.line > start.line {
            excerpt.last = last_line(text, lines, start, end).map(Box::new);
        }
        excerpt
    }

    /// The excerpt of `line` for a location starting at byte `start` of the line, in 1-based
    /// column `start_column`, and ending at byte `end` of the line (`None` when it goes on past
    /// the line). Costs time in the window's length, not the line's.
    pub fn of_line(line: &str, start: usize, start_column: u32, end: Option<usize>) -> Excerpt {
        // Short lines are the common case; a line of more bytes than four times the limit has
        // more characters than the limit, so long lines are never counted.
        let short = line.len() <= WHOLE_LINE_CHARS
            || (line.len() <= 4 * WHOLE_LINE_CHARS && line.chars().count() <= WHOLE_LINE_CHARS);
        if short {
            return Excerpt {
                text: sanitize(line),
                first_column: 1,
                cut_before: false,
                cut_after: false,
                last: None,
            };
        }
        let start = floor_char_boundary(line, start);
        let before = &line[..start];
        let first = before
            .char_indices()
            .rev()
            .take(WINDOW_CONTEXT_CHARS)
            .last()
            .map_or(start, |(at, _)| at);
        let skipped_before = before[first..].chars().count() as u32;
        let span_end =
            floor_char_boundary(line, end.unwrap_or(line.len()).clamp(start, line.len()));
        let span_kept = line[start..span_end]
            .char_indices()
            .nth(WINDOW_SPAN_CHARS)
            .map_or(span_end, |(at, _)| start + at);
        let last = line[span_kept..]
            .char_indices()
            .nth(WINDOW_CONTEXT_CHARS)
            .map_or(line.len(), |(at, _)| span_kept + at);
        Excerpt {
            text: line[first..last].chars().map(sanitize_char).collect(),
            first_column: start_column.saturating_sub(skipped_before).max(1),
            cut_before: first > 0,
            cut_after: last < line.len(),
            last: None,
        }
    }

    /// The 1-based column after the excerpt's last character.
    pub fn end_column(&self) -> u32 {
        self.first_column + self.text.chars().count() as u32
    }

    /// Whether the excerpt is the whole line.
    pub fn is_whole_line(&self) -> bool {
        !self.cut_before && !self.cut_after
    }
}

/// The last line with any text of a location over several lines: trailing line breaks and
/// indentation (a block scalar's, a block mapping's) do not count.
fn last_line(text: &str, lines: &LineIndex, start: Position, end: Position) -> Option<LastLine> {
    let span = text.get(start.offset as usize..end.offset as usize)?;
    let end = lines.position(text, start.offset + span.trim_end().len() as u32);
    if end.line == start.line {
        return None;
    }
    let index = end.line as usize - 1;
    let line = lines.line_text(text, index);
    let at = (end.offset - lines.line_start(index)) as usize;
    Some(LastLine {
        line: end.line,
        end_column: end.column,
        excerpt: Excerpt::of_line(line, at, end.column, Some(at)),
    })
}

fn sanitize_char(c: char) -> char {
    if c.is_control() && c != '\t' {
        '\u{fffd}'
    } else {
        c
    }
}

fn sanitize(line: &str) -> String {
    if line.chars().any(|c| c.is_control() && c != '\t') {
        line.chars().map(sanitize_char).collect()
    } else {
        line.to_owned()
    }
}

/// Whether a fix may be applied without a human reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Changes behaviour (a security setting the workload may depend on): `--unsafe-fixes`.
    Unsafe,
    /// Keeps the manifest's meaning, apart from what the finding is about: `--fix`.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// One replacement of a range of the file's bytes (empty for an insertion).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub start: Position,
    pub end: Position,
    pub replacement: String,
}

/// What would make a finding go away: edits of the file it is in, all or none applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, in the imperative ("insert `exec` before `gunicorn app:wsgi`").
    pub message: String,
    pub applicability: Applicability,
    /// Sorted by position, none overlapping.
    pub edits: Vec<Edit>,
    /// Why the fix cannot be written in this file (a value shared through a YAML anchor, a
    /// folded scalar), in which case `edits` is empty: `--fix` says so instead of fixing.
    pub refused: Option<String>,
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
    /// A Pod Security Standards violation's control level and versions, until the run has
    /// graded it against its namespace's admission policy.
    pub policy: Option<PolicyGate>,
    /// The edits that fix it, when they can be known from the file alone.
    pub fix: Option<Box<Fix>>,
}

/// Every diagnostic is made here, whichever stage reports it (the rules through the engine,
/// syntax errors, suppressions that suppress nothing), so a field added later is set once.
impl Diagnostic {
    /// `rule` is the rule's `ID` constant, never a string literal.
    pub fn new(
        rule: &'static str,
        severity: Severity,
        file: Arc<str>,
        location: Location,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            rule,
            severity,
            message: message.into(),
            help: None,
            file,
            location,
            labels: Vec::new(),
            object: None,
            container: None,
            policy: None,
            fix: None,
        }
    }

    pub fn with_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix.map(Box::new);
        self
    }

    pub fn with_policy(mut self, policy: Option<PolicyGate>) -> Self {
        self.policy = policy;
        self
    }

    pub fn with_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub fn with_labels(mut self, labels: Vec<Label>) -> Self {
        self.labels = labels;
        self
    }

    /// The object the finding is about (baseline fingerprints, `suppress:` entries by kind
    /// and name, JUnit test cases).
    pub fn in_object(mut self, object: Option<ObjectId>) -> Self {
        self.object = object;
        self
    }

    pub fn in_container(mut self, container: Option<String>) -> Self {
        self.container = container;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excerpt_of(line: &str, needle: &str) -> Excerpt {
        let start = line.find(needle).unwrap();
        let column = line[..start].chars().count() as u32 + 1;
        Excerpt::of_line(line, start, column, Some(start + needle.len()))
    }

    #[test]
    fn short_lines_are_kept_whole() {
        let e = excerpt_of("  command: [\"sh\", \"-c\", \"run\"]", "\"run\"");
        assert_eq!(e.text, "  command: [\"sh\", \"-c\", \"run\"]");
        assert_eq!(
            (e.first_column, e.cut_before, e.cut_after),
            (1, false, false)
        );
    }

    #[test]
    fn long_lines_are_cut_to_a_window_around_the_location() {
        let line = format!("{}\"needle\"{}", "x".repeat(10_000), "é".repeat(10_000));
        let e = excerpt_of(&line, "\"needle\"");
        assert!(e.cut_before && e.cut_after);
        assert_eq!(e.first_column, 10_001 - WINDOW_CONTEXT_CHARS as u32);
        assert_eq!(
            e.text,
            format!(
                "{}\"needle\"{}",
                "x".repeat(WINDOW_CONTEXT_CHARS),
                "é".repeat(WINDOW_CONTEXT_CHARS)
            )
        );
        // A long location keeps its start and a bounded part of itself.
        let line = "y".repeat(50_000);
        let e = Excerpt::of_line(&line, 100, 101, None);
        assert_eq!(
            e.text.len(),
            2 * WINDOW_CONTEXT_CHARS + WINDOW_SPAN_CHARS,
            "{e:?}"
        );
        assert_eq!(
            e.end_column(),
            101 + (WINDOW_SPAN_CHARS + WINDOW_CONTEXT_CHARS) as u32
        );
    }

    #[test]
    fn control_characters_never_reach_the_excerpt() {
        let e = excerpt_of("a: \u{1b}[31mred\u{0}\tb", "red");
        assert_eq!(e.text, "a: \u{fffd}[31mred\u{fffd}\tb");
        assert_eq!(
            e.text.chars().count(),
            "a: \u{1b}[31mred\u{0}\tb".chars().count()
        );
    }
}
