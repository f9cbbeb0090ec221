//! Code actions (a finding's fix, every safe fix of the file, a suppression comment) and
//! hover (a rule's documentation).

use std::collections::HashMap;
use std::sync::Arc;

use lsp_types as lsp;

use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::fix::{self, Wanted};
use crate::parse::{self, lines::LineIndex};
use crate::rules::{self, RuleSet};
use crate::suppress::{self, Scope};

use super::convert::{self, Text};

/// The kind editors run on save to apply every safe fix ("editor.codeActionsOnSave").
pub const FIX_ALL: &str = "source.fixAll.kubelint";

/// The document the actions are for, with the findings last published for it.
pub struct Target<'a> {
    pub uri: &'a lsp::Uri,
    pub display: &'a str,
    pub text: &'a str,
    pub json: bool,
    pub diagnostics: &'a [Diagnostic],
}

pub fn code_actions(
    target: &Target<'_>,
    range: lsp::Range,
    only: Option<&[lsp::CodeActionKind]>,
    rules: &RuleSet,
) -> Vec<lsp::CodeActionOrCommand> {
    let wants = |kind: &lsp::CodeActionKind| {
        only.is_none_or(|only| {
            only.iter().any(|o| {
                kind.as_str() == o.as_str()
                    || kind.as_str().starts_with(&format!("{}.", o.as_str()))
            })
        })
    };
    let text = Text::new(target.text);
    let (start, end) = (text.offset(range.start), text.offset(range.end));
    let mut actions = Vec::new();
    let under = target.diagnostics.iter().filter(|d| {
        d.location.start.offset as usize <= end && d.location.end.offset as usize >= start
    });
    for d in under {
        let published = convert::diagnostic(d, &text, target.uri);
        if wants(&lsp::CodeActionKind::QUICKFIX) {
            if let Some(fix) = d.fix.as_deref().filter(|f| !f.edits.is_empty()) {
                actions.push(quick_fix(target.uri, &text, fix, &published));
            }
            if !target.json
                && let Some(edit) = suppression(&text, d)
            {
                actions.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: format!("Suppress `{}` on this line", d.rule),
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![published]),
                    edit: Some(single_edit(target.uri, edit)),
                    ..lsp::CodeAction::default()
                }));
            }
        }
    }
    let fix_all = lsp::CodeActionKind::from(FIX_ALL);
    if wants(&fix_all)
        && let Some(edit) = fix_all_edit(target, &text, rules)
    {
        actions.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
            title: "kubelint: fix all safe findings".to_owned(),
            kind: Some(fix_all),
            edit: Some(single_edit(target.uri, edit)),
            ..lsp::CodeAction::default()
        }));
    }
    actions
}

fn quick_fix(
    uri: &lsp::Uri,
    text: &Text<'_>,
    fix: &Fix,
    published: &lsp::Diagnostic,
) -> lsp::CodeActionOrCommand {
    let safe = fix.applicability == Applicability::Safe;
    let title = if safe {
        fix.message.clone()
    } else {
        format!("{} (unsafe: changes behaviour)", fix.message)
    };
    let edits = fix
        .edits
        .iter()
        .map(|e| lsp::TextEdit {
            range: text.range(e.start.offset, e.end.offset),
            new_text: e.replacement.clone(),
        })
        .collect();
    lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title,
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![published.clone()]),
        edit: Some(lsp::WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..lsp::WorkspaceEdit::default()
        }),
        is_preferred: Some(safe),
        ..lsp::CodeAction::default()
    })
}

fn single_edit(uri: &lsp::Uri, edit: lsp::TextEdit) -> lsp::WorkspaceEdit {
    lsp::WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
        ..lsp::WorkspaceEdit::default()
    }
}

/// A `# kubelint-ignore: RULE` comment on its own line above the finding's line, offered only
/// when the file means the same with it and the comment covers that line: a line inside a
/// block scalar or a multi-line flow collection would take the comment as content.
fn suppression(text: &Text<'_>, d: &Diagnostic) -> Option<lsp::TextEdit> {
    let offset = d.location.start.offset as usize;
    let (line_start, indent) = text.line_indent(offset);
    let crlf = text.text[line_start..]
        .find('\n')
        .is_some_and(|i| text.text[..line_start + i].ends_with('\r'));
    let newline = if crlf { "\r\n" } else { "\n" };
    let comment = format!(
        "{indent}# kubelint-ignore: {} -- TODO: say why{newline}",
        d.rule
    );
    let mut changed = String::with_capacity(text.text.len() + comment.len());
    changed.push_str(&text.text[..line_start]);
    changed.push_str(&comment);
    changed.push_str(&text.text[line_start..]);
    let covered = d.location.start.line + 1;
    let lines = LineIndex::new(&changed);
    let comments = suppress::inline(&changed, &lines);
    let covers = comments
        .iter()
        .any(|s| s.scope == Scope::Line(covered) && s.rules.iter().any(|r| r == d.rule));
    (covers && same_data(text.text, &changed)).then(|| lsp::TextEdit {
        range: text.range(line_start as u32, line_start as u32),
        new_text: comment,
    })
}

fn same_data(before: &str, after: &str) -> bool {
    let (lines_before, lines_after) = (LineIndex::new(before), LineIndex::new(after));
    let (a, b) = (
        parse::parse_stream(before, &lines_before),
        parse::parse_stream(after, &lines_after),
    );
    a.errors.len() == b.errors.len()
        && a.documents.len() == b.documents.len()
        && a.documents
            .iter()
            .zip(&b.documents)
            .all(|(x, y)| x.root().same_value(&y.root()))
}

/// Every safe fix of the file at once, proved as `check --fix` proves it, as one edit of the
/// part of the file that changes.
fn fix_all_edit(target: &Target<'_>, text: &Text<'_>, rules: &RuleSet) -> Option<lsp::TextEdit> {
    let path: Arc<str> = Arc::from(target.display);
    let wanted = Wanted {
        unsafe_fixes: false,
    };
    let fixed = fix::fix_file(&path, target.text, target.diagnostics, wanted, rules)
        .ok()
        .flatten()?;
    let (before, after) = (target.text, fixed.text.as_str());
    let prefix = common_prefix(before, after);
    let suffix = common_suffix(&before[prefix..], &after[prefix..]);
    Some(lsp::TextEdit {
        range: text.range(prefix as u32, (before.len() - suffix) as u32),
        new_text: after[prefix..after.len() - suffix].to_owned(),
    })
}

fn common_prefix(a: &str, b: &str) -> usize {
    let n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    parse::lines::floor_char_boundary(a, n)
}

fn common_suffix(a: &str, b: &str) -> usize {
    let n = a
        .bytes()
        .rev()
        .zip(b.bytes().rev())
        .take_while(|(x, y)| x == y)
        .count();
    // Back off to a character boundary of both.
    let mut n = n;
    while n > 0 && !(a.is_char_boundary(a.len() - n) && b.is_char_boundary(b.len() - n)) {
        n -= 1;
    }
    n
}

/// The documentation of the rules of the findings under the cursor, or of the rule id under
/// it in a `kubelint-ignore` comment.
pub fn hover(
    text: &str,
    diagnostics: &[Diagnostic],
    position: lsp::Position,
) -> Option<lsp::Hover> {
    let text = Text::new(text);
    let offset = text.offset(position);
    let mut ids: Vec<&str> = Vec::new();
    for d in diagnostics {
        let (start, end) = (
            d.location.start.offset as usize,
            d.location.end.offset as usize,
        );
        if start <= offset && offset <= end.max(start + 1) && !ids.contains(&d.rule) {
            ids.push(d.rule);
        }
    }
    if ids.is_empty() {
        ids.extend(rule_in_comment(&text, offset));
    }
    let docs: Vec<String> = ids
        .iter()
        .filter_map(|id| rules::find(id))
        .map(|entry| entry.explanation())
        .collect();
    (!docs.is_empty()).then(|| lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: docs.join("\n---\n\n"),
        }),
        range: None,
    })
}

/// The rule id under `offset` when the line holds a `kubelint-ignore` comment.
fn rule_in_comment<'t>(text: &Text<'t>, offset: usize) -> Option<&'t str> {
    let (line_start, _) = text.line_indent(offset);
    let line = text
        .lines
        .line_text(text.text, text.lines.line_of(line_start as u32));
    let comment = line.find("kubelint-ignore")?;
    let at = offset - line_start;
    if at < comment {
        return None;
    }
    let is_id = |c: char| c.is_ascii_alphanumeric() || c == '-';
    let start = line[..at].rfind(|c: char| !is_id(c)).map_or(0, |i| i + 1);
    let end = line[at..]
        .find(|c: char| !is_id(c))
        .map_or(line.len(), |i| at + i);
    let word = &line[start..end];
    rules::find(word).map(|_| word)
}
