//! Suppressions: where a user says "not here" — an inline comment, a file-wide comment, or an
//! annotation on the object — and the report of suppressions that no longer suppress anything.

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::model::{Object, ObjectId};
use crate::parse::lines::LineIndex;
use crate::parse::tree::{ByteSpan, Node};
use crate::rules::meta::unused_suppression::UnusedSuppression;

pub const IGNORE_ANNOTATION: &str = "kubelint.io/ignore";
pub const REASON_ANNOTATION: &str = "kubelint.io/ignore-reason";
const LINE_DIRECTIVE: &str = "kubelint-ignore:";
const FILE_DIRECTIVE: &str = "kubelint-ignore-file:";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Diagnostics starting on this 1-based line.
    Line(u32),
    /// Every diagnostic of the file.
    File,
    /// Every diagnostic on these 1-based lines (inclusive): a file-wide comment in a stream
    /// of several files (Helm's output, where each template's part starts with `# Source:`)
    /// covers its own file's part.
    Lines(u32, u32),
    /// Every diagnostic of this object.
    Object(ObjectId),
}

#[derive(Debug, Clone)]
pub struct Suppression {
    pub scope: Scope,
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// Where the suppression is written, for reporting it when it is unused.
    pub location: Location,
    /// Per rule of `rules`: whether it suppressed at least one diagnostic.
    used: Vec<bool>,
}

impl Suppression {
    fn new(scope: Scope, rules: Vec<String>, reason: Option<String>, location: Location) -> Self {
        let used = vec![false; rules.len()];
        Suppression {
            scope,
            rules,
            reason,
            location,
            used,
        }
    }

    fn describe(&self, rule: &str) -> String {
        match &self.scope {
            Scope::Line(_) => format!("`# {LINE_DIRECTIVE} {rule}`"),
            Scope::File | Scope::Lines(..) => format!("`# {FILE_DIRECTIVE} {rule}`"),
            Scope::Object(_) => format!("the annotation `{IGNORE_ANNOTATION}: {rule}`"),
        }
    }
}

/// `rule-a, rule-b -- reason` → (["rule-a", "rule-b"], Some("reason")).
fn parse_list(text: &str) -> (Vec<String>, Option<String>) {
    let (list, reason) = match text.split_once("--") {
        Some((l, r)) => (l, Some(r.trim().to_owned()).filter(|r| !r.is_empty())),
        None => (text, None),
    };
    let rules = list
        .split([',', ' '])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect();
    (rules, reason)
}

/// The `# kubelint-ignore…` comments of a file. A comment alone on its line covers the line
/// below it; a comment after content covers its own line.
pub fn inline(text: &str, lines: &LineIndex) -> Vec<Suppression> {
    if !text.contains("kubelint-ignore") {
        return Vec::new();
    }
    let mut out = Vec::new();
    // The 1-based first lines of the parts of a stream of templates' output.
    let sources: Vec<u32> = (0..lines.line_count())
        .filter(|&line| lines.line_text(text, line).starts_with("# Source: "))
        .map(|line| line as u32 + 1)
        .collect();
    let source_of = |line: u32| lines.line_text(text, line as usize - 1);
    let file_scope = |line: u32| match sources.iter().rposition(|&s| s <= line) {
        Some(at) if sources.len() > 1 => {
            // A template that writes several documents has a `# Source:` line before each.
            let first = sources[..=at]
                .iter()
                .rev()
                .take_while(|&&s| source_of(s) == source_of(sources[at]))
                .last()
                .copied()
                .unwrap_or(sources[at]);
            let last = sources[at..]
                .iter()
                .find(|&&s| source_of(s) != source_of(sources[at]))
                .map_or(u32::MAX, |next| next - 1);
            Scope::Lines(first, last)
        }
        _ => Scope::File,
    };
    for line in 0..lines.line_count() {
        let line_text = lines.line_text(text, line);
        let Some(at) = comment_start(line_text) else {
            continue;
        };
        let comment = line_text[at + 1..].trim_start();
        let (scope, rest) = if let Some(rest) = comment.strip_prefix(FILE_DIRECTIVE) {
            (file_scope(line as u32 + 1), rest)
        } else if let Some(rest) = comment.strip_prefix(LINE_DIRECTIVE) {
            let own_line = line_text[..at].trim().is_empty();
            let target = line as u32 + if own_line { 2 } else { 1 };
            (Scope::Line(target), rest)
        } else {
            continue;
        };
        let (rules, reason) = parse_list(rest);
        let start_offset = lines.line_start(line) + line_text[..at].len() as u32;
        let end_offset = lines.line_start(line) + line_text.len() as u32;
        let location = Location::of_span(
            text,
            lines,
            ByteSpan {
                start: start_offset,
                end: end_offset,
            },
            String::new(),
        );
        out.push(Suppression::new(scope, rules, reason, location));
    }
    out
}

/// Where a YAML comment starts on a line: a `#` at the start or after whitespace, outside
/// quotes.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    for (i, &b) in bytes.iter().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            // A quote opens a string only where a scalar can start.
            None if (b == b'"' || b == b'\'')
                && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'[' | b'{' | b',' | b':')) =>
            {
                quote = Some(b);
            }
            None if b == b'#' && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t')) => {
                return Some(i);
            }
            None => {}
        }
    }
    None
}

/// The `kubelint.io/ignore` annotations of an object and of its pod template.
pub fn annotations<'d>(
    object: &Object<'d>,
    location_of: &dyn Fn(Node<'d>) -> Location,
) -> Vec<Suppression> {
    let own = object.metadata();
    let mut metadatas = vec![own];
    // A bare Pod's template metadata is its own metadata: read it once.
    if let Some(pod) = &object.pod
        && pod.metadata.map(|m| m.id()) != own.map(|m| m.id())
    {
        metadatas.push(pod.metadata);
    }
    let mut out = Vec::new();
    for metadata in metadatas.into_iter().flatten() {
        let Some(annotations) = metadata.get("annotations") else {
            continue;
        };
        let Some(value) = annotations.get(IGNORE_ANNOTATION) else {
            continue;
        };
        let (rules, _) = parse_list(value.raw().unwrap_or(""));
        let reason = annotations.get_str(REASON_ANNOTATION).map(str::to_owned);
        out.push(Suppression::new(
            Scope::Object(object.id()),
            rules,
            reason,
            location_of(value),
        ));
    }
    out
}

fn covers(s: &Suppression, d: &Diagnostic) -> bool {
    match &s.scope {
        Scope::Line(line) => d.location.start.line == *line,
        Scope::File => true,
        Scope::Lines(first, last) => (*first..=*last).contains(&d.location.start.line),
        Scope::Object(id) => d.object.as_ref() == Some(id),
    }
}

/// `apply` for one file of a run: the rules that ran are the rule set's (and the policies it
/// selects), and stale suppressions are reported at `unused-suppression`'s severity.
pub fn apply_to_report(
    file: &mut crate::run_report::FileReport,
    suppressions: &mut [Suppression],
    rules: &crate::rules::RuleSet,
) {
    if suppressions.is_empty() {
        return;
    }
    let enabled = |id: &str| {
        rules.severity(id).is_some()
            || (crate::rules::is_policy_id(id) && rules.policy_selection.selects(id))
    };
    apply(
        &file.path,
        &mut file.diagnostics,
        suppressions,
        &enabled,
        rules.severity(UnusedSuppression::ID),
    );
    file.sort();
}

/// Removes suppressed diagnostics and reports (as `unused-suppression`, at `unused_severity`)
/// each named rule that suppressed nothing. `enabled` tells which rules ran: a suppression of a
/// rule that did not run is not stale.
pub fn apply(
    file: &Arc<str>,
    diagnostics: &mut Vec<Diagnostic>,
    suppressions: &mut [Suppression],
    enabled: &dyn Fn(&str) -> bool,
    unused_severity: Option<Severity>,
) {
    if suppressions.is_empty() {
        return;
    }
    diagnostics.retain(|d| {
        let mut suppressed = false;
        for s in suppressions.iter_mut() {
            if !covers(s, d) {
                continue;
            }
            if let Some(i) = s.rules.iter().position(|r| r == d.rule) {
                s.used[i] = true;
                suppressed = true;
            }
        }
        !suppressed
    });
    let Some(severity) = unused_severity else {
        return;
    };
    for s in suppressions.iter() {
        for (rule, used) in s.rules.iter().zip(&s.used) {
            if *used {
                continue;
            }
            // A policy's id is known as a rule's is: a suppression of a policy that ran and
            // found nothing suppresses nothing.
            let known = crate::rules::find(rule).is_some() || crate::rules::is_policy_id(rule);
            if known && !enabled(rule) {
                continue;
            }
            let message = if known {
                format!("{} suppresses nothing", s.describe(rule))
            } else {
                format!("{} names no kubelint rule", s.describe(rule))
            };
            let help = if known {
                "the finding it silenced is gone: remove the suppression (or the rule from its list)"
            } else {
                "`kubelint rules` lists the rule ids"
            };
            let object = match &s.scope {
                Scope::Object(id) => Some(id.clone()),
                _ => None,
            };
            diagnostics.push(
                Diagnostic::new(
                    UnusedSuppression::ID,
                    severity,
                    file.clone(),
                    s.location.clone(),
                    message,
                )
                .with_help(Some(help.to_owned()))
                .in_object(object),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_found_outside_quotes() {
        assert_eq!(comment_start("# kubelint-ignore: a"), Some(0));
        assert_eq!(comment_start("  image: x # kubelint-ignore: a"), Some(11));
        assert_eq!(comment_start("  cmd: \"echo # not a comment\""), None);
        assert_eq!(comment_start("  url: http://x#frag"), None);
    }

    #[test]
    fn lists_and_reasons() {
        assert_eq!(
            parse_list(" rule-a, rule-b -- the vendor chart injects it"),
            (
                vec!["rule-a".to_owned(), "rule-b".to_owned()],
                Some("the vendor chart injects it".to_owned())
            )
        );
        assert_eq!(parse_list("rule-a"), (vec!["rule-a".to_owned()], None));
    }

    #[test]
    fn own_line_comments_cover_the_next_line_and_trailing_ones_their_own() {
        let text = "a: 1\n# kubelint-ignore: x -- why\nb: 2 # kubelint-ignore-file: y\nc: 3 # kubelint-ignore: z\n";
        let lines = LineIndex::new(text);
        let found = inline(text, &lines);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].scope, Scope::Line(3));
        assert_eq!(found[0].reason.as_deref(), Some("why"));
        assert_eq!(found[1].scope, Scope::File);
        assert_eq!(found[2].scope, Scope::Line(4));
        assert_eq!(found[2].location.start.column, 6);
    }

    #[test]
    fn in_helm_output_a_file_comment_covers_its_own_template() {
        let text = "---\n# Source: c/templates/a.yaml\na: 1\n---\n# Source: c/templates/b.yaml\n\
                    # kubelint-ignore-file: x\nb: 1\n---\n# Source: c/templates/b.yaml\nb: 2\n\
                    ---\n# Source: c/templates/c.yaml\nc: 1\n";
        let lines = LineIndex::new(text);
        let found = inline(text, &lines);
        assert_eq!(found.len(), 1);
        // From b.yaml's first `# Source:` (line 5) to the line before c.yaml's (line 12).
        assert_eq!(found[0].scope, Scope::Lines(5, 11));
    }
}
