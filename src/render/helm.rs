//! Helm charts: rendering one with `helm template`, and mapping what is found in the rendered
//! stream back to the template it came from.
//!
//! - `render` runs the user's `helm` (found on `PATH`) as they would: release name, namespace,
//!   values files in order. Nothing here reimplements Helm.
//! - `sources` reads the `# Source: <chart>/templates/<file>` comment `helm template` writes
//!   before each document, so a finding in the rendered stream names its template.
//! - `locate` finds, in a template's text, the line a rendered field most plausibly comes from.
//!   Templates are Go templates, not YAML, so this is a line search guided by indentation: the
//!   literal YAML lines of a template keep their structure, while `{{ … }}` lines (control flow,
//!   `toYaml`, `include`) are skipped, or, when a field is not spelled out, are the answer
//!   themselves (with the `.Values` path they render).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use regex::Regex;

use crate::parse::lines::LineIndex;
use crate::parse::split_documents;

/// What `render` says when there is no `helm` to run.
pub const NOT_INSTALLED: &str = "helm is not installed (https://helm.sh/docs/intro/install/); \
     the chart's templates are not linted";

/// How many lines of helm's error output a failure message keeps.
const ERROR_LINES: usize = 3;
/// At most this many bytes of helm's error output are quoted.
const ERROR_BYTES: usize = 400;

/// Renders a chart with `helm template`, as a user would: release name, namespace, extra values
/// files in order. `Err` carries a one-line message naming what went wrong.
pub fn render(
    chart_dir: &Path,
    values: &[PathBuf],
    release: &str,
    namespace: Option<&str>,
) -> Result<String, String> {
    match find_helm() {
        Some(helm) => render_with(&helm, chart_dir, values, release, namespace),
        None => Err(NOT_INSTALLED.to_owned()),
    }
}

/// Whether `helm` is on `PATH`.
pub fn available() -> bool {
    find_helm().is_some()
}

fn find_helm() -> Option<PathBuf> {
    find_in_path(&std::env::var_os("PATH")?)
}

#[cfg(windows)]
const HELM_NAMES: &[&str] = &["helm.exe", "helm.cmd", "helm.bat"];
#[cfg(not(windows))]
const HELM_NAMES: &[&str] = &["helm"];

/// The first executable `helm` in the directories of a `PATH` value. An empty or relative
/// entry (the current directory, for a POSIX shell) is skipped: a linter run in a checked-out
/// repository must not execute a `helm` that repository ships.
fn find_in_path(path: &OsStr) -> Option<PathBuf> {
    super::process::in_path(path, HELM_NAMES)
}

fn render_with(
    helm: &Path,
    chart_dir: &Path,
    values: &[PathBuf],
    release: &str,
    namespace: Option<&str>,
) -> Result<String, String> {
    if !super::process::is_executable(helm) {
        return Err(NOT_INSTALLED.to_owned());
    }
    let mut command = Command::new(helm);
    command.arg("template");
    // `--flag=value` and `--` before the positional arguments: a release, a chart directory or a
    // values file whose name starts with `-` is never taken for a flag.
    if let Some(namespace) = namespace {
        command.arg(format!("--namespace={namespace}"));
    }
    for file in values {
        let mut arg = OsString::from("--values=");
        arg.push(file);
        command.arg(arg);
    }
    command.arg("--").arg(release).arg(chart_dir);
    let args: Vec<&OsStr> = command.get_args().collect();
    // Through the renderers' runner: a template that loops for ever is stopped, its output
    // capped, and a plugin it starts stopped with it.
    super::process::run(helm, &args, None, |stderr| {
        first_lines(stderr).unwrap_or_default()
    })
    .map_err(|e| {
        let e = e.strip_prefix("helm ").unwrap_or(&e);
        format!("helm template {} {e}", chart_dir.display())
    })
}

/// The first non-empty lines of an error output, joined into one line.
fn first_lines(text: &str) -> Option<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .take(ERROR_LINES)
        .collect();
    if lines.is_empty() {
        return None;
    }
    let mut joined = lines.join(" / ");
    if joined.len() > ERROR_BYTES {
        let mut cut = ERROR_BYTES;
        while !joined.is_char_boundary(cut) {
            cut -= 1;
        }
        joined.truncate(cut);
        joined.push('…');
    }
    Some(joined)
}

/// A document of a rendered stream and the template it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcedDocument {
    /// Byte range of the document in the stream, as `parse::split_documents` cuts it (from its
    /// `---` line to the next one), so every document `parse::parse_stream` builds from the
    /// stream lies inside exactly one range: match findings by offset.
    pub start: usize,
    pub end: usize,
    /// The template's path relative to the chart directory: `templates/deployment.yaml`, or
    /// `charts/<sub>/templates/<file>` for a subchart's.
    pub template: String,
}

/// For a rendered stream (`helm template` output), each document's byte range and the template
/// it came from, read from the `# Source: <chart>/templates/<file>` comment helm writes before
/// it. A document without one (or with no content) is left out.
pub fn sources(rendered: &str) -> Vec<SourcedDocument> {
    let lines = LineIndex::new(rendered);
    let mut out = Vec::new();
    for chunk in split_documents(rendered, &lines) {
        let Some(piece) = rendered.get(chunk.start..chunk.end) else {
            continue;
        };
        // The comments before the document's first content line; the last `# Source:` wins.
        // A document helm hides (`# HIDDEN: …` under its header) has no content: left out.
        let mut source = None;
        let mut has_content = false;
        for line in piece.split(['\n', '\r']) {
            let trimmed = line.trim();
            if trimmed.is_empty() || is_marker(line) {
                continue;
            }
            if let Some(comment) = trimmed.strip_prefix('#') {
                if let Some(path) = comment.trim_start().strip_prefix("Source:") {
                    source = Some(path.trim());
                }
                continue;
            }
            has_content = true;
            break;
        }
        let Some(path) = source.filter(|p| !p.is_empty()) else {
            continue;
        };
        if !has_content {
            continue;
        }
        // `<chart>/templates/x.yaml`: the chart's name is the first component.
        let template = path.split_once('/').map_or(path, |(_, rest)| rest);
        out.push(SourcedDocument {
            start: chunk.start,
            end: chunk.end,
            template: template.to_owned(),
        });
    }
    out
}

/// `---` or `...` at column 0, alone or followed by a space or tab.
fn is_marker(line: &str) -> bool {
    (line.starts_with("---") || line.starts_with("..."))
        && matches!(line.as_bytes().get(3), None | Some(b' ' | b'\t' | b'\r'))
}

/// Where in a template a rendered field most plausibly comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSpot {
    /// Byte range, in the template's text, of the key (of the `-` of a sequence item, or of the
    /// `{{ … }}` action, on its first line) — so a line and column can be shown.
    pub start: usize,
    pub end: usize,
    /// Whether every token of the pointer was found spelled out in the template.
    pub exact: bool,
    /// For a spot that is an action rendering values (`{{ toYaml .Values.resources | nindent
    /// 12 }}`, or `toYaml .` inside `{{ with .Values.nodeSelector }}`): the values path it names,
    /// dot-separated, without `.Values` (`resources`, `nodeSelector`).
    pub values_path: Option<String>,
}

/// Where in a template's text the field at `pointer` (JSON pointer tokens, already unescaped;
/// numeric tokens are sequence indices) most plausibly comes from.
///
/// Each key is looked for at the indentation of its parent's block (the first content line of
/// the block sets it), skipping lines that hold only `{{ … }}` actions, YAML comments and block
/// scalar text; a block ends at the first content line indented no deeper than its key (a
/// compact sequence, `- ` at the key's own indentation, stays in it). A sequence index is the
/// n-th `- ` line at the block's item indentation; a `{{ range }}` reached first gives its item
/// line (it renders every later item). A key or item that is not spelled out falls back to a
/// `toYaml`/`include`/`tpl` action of the block (`exact: false`, with its `values_path`), then
/// to a key that is itself an action (`{{ $k }}: …`), then to the deepest key found. An empty
/// pointer is the start of the template. Never panics.
pub fn locate(template: &str, pointer: &[&str]) -> TemplateSpot {
    Template::new(template).locate(pointer)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Blank,
    /// Only `{{ … }}` actions (or the inside of one spanning lines).
    Action,
    Comment,
    /// The text of a block scalar (`key: |`).
    Scalar,
    Content,
}

#[derive(Debug)]
struct Line {
    /// Byte range of the line's text, without its line break.
    start: usize,
    end: usize,
    indent: usize,
    kind: LineKind,
    /// A content line starting with `- `.
    item: bool,
    /// Column of the first node after the line's `- ` (if any): a key's column.
    col: usize,
    key: Option<Key>,
}

#[derive(Debug)]
struct Key {
    /// Byte range of the key (quotes included) in the template.
    start: usize,
    end: usize,
    /// The key's text; `None` when an action spells it (`{{ $name }}:`).
    text: Option<String>,
}

#[derive(Debug)]
struct Action {
    /// Byte range from `{{` to after `}}` (to the end of the text if unterminated).
    start: usize,
    end: usize,
    /// `toYaml`, `include`, `tpl`, …: renders YAML the template does not spell out.
    generating: bool,
    range: bool,
    /// The `n` of `nindent n`/`indent n`: the column the rendered YAML lands at.
    indent: Option<usize>,
    values_path: Option<String>,
}

struct Template<'a> {
    text: &'a str,
    lines: Vec<Line>,
    actions: Vec<Action>,
}

/// The part of a template a walk is in: a key's block, an item, or the whole template.
#[derive(Debug, Clone, Copy)]
struct Scope {
    /// The line of the key or item this is the block of.
    head: Option<usize>,
    /// The head is a `- ` item whose first key sits on the head line.
    item_head: bool,
    /// Where the head line's value is an action (`key: {{ toYaml . }}`, `- {{ include … }}`):
    /// its actions render the block. The line's end otherwise.
    head_from: usize,
    /// Lines of the block (after the head).
    first: usize,
    end: usize,
    /// The head's column (-1 for the whole template): the block's lines are deeper.
    parent_col: isize,
}

enum Found {
    Line(usize),
    Action(usize),
}

static VALUES_REF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\w.$])\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)*)").unwrap()
});
static GENERATING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\w.$])(?:toYaml|toJson|toPrettyJson|toToml|include|tpl|template)\b")
        .unwrap()
});
static DOT_ARGUMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\w.$])(?:toYaml|toJson|toPrettyJson|toToml|tpl)\s+\(?(\.[A-Za-z0-9_.]*)")
        .unwrap()
});
static INDENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^\w.$])n?indent\s+(\d{1,4})\b").unwrap());
static BLOCK_SCALAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[|>][0-9+-]*\s*(?:#.*)?$").unwrap());

/// What `.` is at a point of a template, for `toYaml .` inside `{{ with .Values.x }}`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Dot {
    Root,
    Values(String),
    Unknown,
}

impl<'a> Template<'a> {
    fn new(text: &'a str) -> Self {
        let actions = scan_actions(text);
        let mut template = Template {
            text,
            lines: Vec::new(),
            actions,
        };
        template.lines = template.split_lines();
        template
    }

    fn split_lines(&self) -> Vec<Line> {
        let bytes = self.text.as_bytes();
        let mut lines = Vec::new();
        let mut start = if self.text.starts_with('\u{feff}') {
            3
        } else {
            0
        };
        // Inside a block scalar whose key is at this column: deeper lines are its text.
        let mut scalar_col: Option<usize> = None;
        while start <= bytes.len() {
            let mut end = start;
            while end < bytes.len() && bytes[end] != b'\n' && bytes[end] != b'\r' {
                end += 1;
            }
            let next = match bytes.get(end) {
                Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => end + 2,
                Some(_) => end + 1,
                None => bytes.len() + 1,
            };
            let mut line = self.classify(start, end);
            if let Some(col) = scalar_col {
                match line.kind {
                    LineKind::Blank | LineKind::Action => {}
                    _ if line.indent > col => line.kind = LineKind::Scalar,
                    _ => scalar_col = None,
                }
            }
            if line.kind == LineKind::Content
                && let Some(col) = self.block_scalar_col(&line)
            {
                scalar_col = Some(col);
            }
            lines.push(line);
            start = next;
        }
        lines
    }

    /// The column a block scalar started on this line must be indented deeper than.
    fn block_scalar_col(&self, line: &Line) -> Option<usize> {
        let value_from = match &line.key {
            Some(key) => {
                let colon = self.text[key.end..line.end].find(':')?;
                key.end + colon + 1
            }
            None if line.item => line.start + line.col,
            None => return None,
        };
        let value = self.text[value_from..line.end].trim();
        BLOCK_SCALAR
            .is_match(value)
            .then_some(if line.key.is_some() {
                line.col
            } else {
                line.indent
            })
    }

    fn classify(&self, start: usize, end: usize) -> Line {
        let bytes = self.text.as_bytes();
        let mut indent = 0;
        while start + indent < end && matches!(bytes[start + indent], b' ' | b'\t') {
            indent += 1;
        }
        let mut line = Line {
            start,
            end,
            indent,
            kind: LineKind::Content,
            item: false,
            col: indent,
            key: None,
        };
        let first = start + indent;
        if first == end {
            line.kind = LineKind::Blank;
        } else if self.only_actions(first, end) {
            line.kind = LineKind::Action;
        } else if bytes[first] == b'#' {
            line.kind = LineKind::Comment;
        } else {
            self.parse_content(&mut line);
        }
        line
    }

    /// Whether every non-blank byte of `from..to` is inside an action.
    fn only_actions(&self, from: usize, to: usize) -> bool {
        let bytes = self.text.as_bytes();
        let mut p = from;
        while p < to {
            if matches!(bytes[p], b' ' | b'\t') {
                p += 1;
                continue;
            }
            match self.action_at(p) {
                Some(i) => p = self.actions[i].end,
                None => return false,
            }
        }
        true
    }

    /// The action covering byte `p`.
    fn action_at(&self, p: usize) -> Option<usize> {
        let i = self.actions.partition_point(|a| a.end <= p);
        (i < self.actions.len() && self.actions[i].start <= p).then_some(i)
    }

    fn parse_content(&self, line: &mut Line) {
        let bytes = self.text.as_bytes();
        let is_blank = |p: usize| p >= line.end || matches!(bytes[p], b' ' | b'\t');
        let mut p = line.start + line.indent;
        while p < line.end && bytes[p] == b'-' && is_blank(p + 1) {
            line.item = true;
            p += 1;
            while p < line.end && matches!(bytes[p], b' ' | b'\t') {
                p += 1;
            }
        }
        line.col = p - line.start;
        if p < line.end {
            line.key = self.parse_key(p, line.end);
        }
    }

    /// A mapping key starting at `p`: `key:`, `"key":` or `'key':`, followed by a blank or the
    /// end of the line.
    fn parse_key(&self, p: usize, end: usize) -> Option<Key> {
        let bytes = self.text.as_bytes();
        let colon_ends_key = |q: usize| {
            bytes.get(q) == Some(&b':') && (q + 1 >= end || matches!(bytes[q + 1], b' ' | b'\t'))
        };
        match bytes[p] {
            quote @ (b'"' | b'\'') => {
                let mut q = p + 1;
                let mut text = String::new();
                loop {
                    if q >= end {
                        return None;
                    }
                    let b = bytes[q];
                    if b == quote {
                        if quote == b'\'' && bytes.get(q + 1) == Some(&b'\'') && q + 1 < end {
                            text.push('\'');
                            q += 2;
                            continue;
                        }
                        break;
                    }
                    if quote == b'"' && b == b'\\' && q + 1 < end {
                        // Enough for keys: `\"` and `\\`; other escapes stay as written.
                        let escaped = bytes[q + 1];
                        if matches!(escaped, b'"' | b'\\') {
                            text.push(escaped as char);
                            q += 2;
                            continue;
                        }
                    }
                    let ch_end = next_char(self.text, q);
                    text.push_str(&self.text[q..ch_end]);
                    q = ch_end;
                }
                let key_end = q + 1;
                let mut c = key_end;
                while c < end && matches!(bytes[c], b' ' | b'\t') {
                    c += 1;
                }
                let literal = !text.contains("{{");
                colon_ends_key(c).then(|| Key {
                    start: p,
                    end: key_end,
                    text: literal.then_some(text),
                })
            }
            b'[' | b'{' if !self.text[p..end].starts_with("{{") => None,
            b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' | b',' => None,
            _ => {
                let mut q = p;
                let mut templated = false;
                while q < end {
                    if let Some(i) = self.action_at(q) {
                        templated = true;
                        q = self.actions[i].end.max(q + 1);
                        continue;
                    }
                    if colon_ends_key(q) {
                        break;
                    }
                    if bytes[q] == b'#' && q > p && matches!(bytes[q - 1], b' ' | b'\t') {
                        return None;
                    }
                    q = next_char(self.text, q);
                }
                if q >= end {
                    return None;
                }
                let raw = self.text[p..q].trim_end();
                Some(Key {
                    start: p,
                    end: p + raw.len(),
                    text: (!templated).then(|| raw.to_owned()),
                })
            }
        }
    }

    fn locate(&self, pointer: &[&str]) -> TemplateSpot {
        let mut scope = Scope {
            head: None,
            item_head: false,
            head_from: 0,
            first: 0,
            end: self.lines.len(),
            parent_col: -1,
        };
        let mut deepest = (0, 0);
        for token in pointer {
            let child = self.child_col(&scope);
            let found = match child {
                Some((col, true)) => match token.parse::<usize>() {
                    Ok(n) => self.find_item(&scope, col, n),
                    Err(_) => self.fallback(&scope, child),
                },
                _ => self.find_key(&scope, child, token),
            };
            match found {
                Some(Found::Line(i)) if self.lines[i].item && child.is_some_and(|c| c.1) => {
                    let line = &self.lines[i];
                    let dash = line.start + line.indent;
                    deepest = (dash, dash + 1);
                    // Actions after the item's first key render that key's value, not the item.
                    let head_from = if line.key.is_some() {
                        line.end
                    } else {
                        self.value_action(dash + 1, line.end)
                    };
                    scope = Scope {
                        head: Some(i),
                        item_head: true,
                        head_from,
                        first: i + 1,
                        end: self.block_end(i, line.indent, scope.end, false),
                        parent_col: line.indent as isize,
                    };
                }
                Some(Found::Line(i)) => {
                    let line = &self.lines[i];
                    let Some(key) = &line.key else {
                        return self.inexact(deepest);
                    };
                    if key.text.is_none() {
                        // A key an action spells: plausible, not exact; the walk cannot go on.
                        return TemplateSpot {
                            start: key.start,
                            end: key.end,
                            exact: false,
                            values_path: None,
                        };
                    }
                    deepest = (key.start, key.end);
                    scope = Scope {
                        head: Some(i),
                        item_head: false,
                        head_from: self.value_action(key.end, line.end),
                        first: i + 1,
                        end: self.block_end(i, line.col, scope.end, true),
                        parent_col: line.col as isize,
                    };
                }
                Some(Found::Action(a)) => {
                    let action = &self.actions[a];
                    let line_end = self.line_end_of(action.start);
                    return TemplateSpot {
                        start: action.start,
                        end: action.end.min(line_end).max(action.start),
                        exact: false,
                        values_path: action.values_path.clone(),
                    };
                }
                None => return self.inexact(deepest),
            }
        }
        TemplateSpot {
            start: deepest.0,
            end: deepest.1,
            exact: true,
            values_path: None,
        }
    }

    /// Where a value starting after `from` (past a key's `:`) is an action, else `end`: an
    /// action inside a quoted or flow value (`args: ['{{ include "x" . }}:80']`) renders part
    /// of a scalar, not the block.
    fn value_action(&self, from: usize, end: usize) -> usize {
        let rest = &self.text[from..end];
        let rest = rest.trim_start_matches([' ', '\t']);
        let rest = rest
            .strip_prefix(':')
            .unwrap_or(rest)
            .trim_start_matches([' ', '\t']);
        if rest.starts_with("{{") {
            end - rest.len()
        } else {
            end
        }
    }

    fn inexact(&self, (start, end): (usize, usize)) -> TemplateSpot {
        TemplateSpot {
            start,
            end,
            exact: false,
            values_path: None,
        }
    }

    fn line_end_of(&self, offset: usize) -> usize {
        let i = self.lines.partition_point(|l| l.start <= offset);
        self.lines
            .get(i.wrapping_sub(1))
            .map_or(self.text.len(), |l| l.end)
    }

    /// The column of a scope's children, and whether they are sequence items.
    fn child_col(&self, scope: &Scope) -> Option<(usize, bool)> {
        if scope.item_head
            && let Some(head) = scope.head.map(|h| &self.lines[h])
            && head.start + head.col < head.end
        {
            return Some((head.col, false));
        }
        self.lines[scope.first..scope.end]
            .iter()
            .find(|l| l.kind == LineKind::Content)
            .map(|l| (l.indent, l.item))
    }

    /// The end (exclusive line index) of the block of the node on line `head` at column `col`.
    fn block_end(&self, head: usize, col: usize, limit: usize, allow_compact: bool) -> usize {
        let mut compact = None;
        for i in head + 1..limit {
            let line = &self.lines[i];
            if line.kind != LineKind::Content {
                continue;
            }
            if line.indent > col {
                compact.get_or_insert(false);
                continue;
            }
            if allow_compact && line.indent == col && line.item && *compact.get_or_insert(true) {
                continue;
            }
            return i;
        }
        limit
    }

    fn find_key(&self, scope: &Scope, child: Option<(usize, bool)>, token: &str) -> Option<Found> {
        let matches =
            |line: &Line| line.key.as_ref().and_then(|k| k.text.as_deref()) == Some(token);
        if let Some((col, false)) = child {
            if scope.item_head
                && let Some(h) = scope.head
                && self.lines[h].col == col
                && matches(&self.lines[h])
            {
                return Some(Found::Line(h));
            }
            let hit = (scope.first..scope.end).find(|&i| {
                let line = &self.lines[i];
                line.kind == LineKind::Content && !line.item && line.indent == col && matches(line)
            });
            if let Some(i) = hit {
                return Some(Found::Line(i));
            }
        }
        self.fallback(scope, child)
    }

    /// What renders a field the block does not spell out: a `toYaml`/`include`/`tpl` action at
    /// the block's own level, else a key an action spells.
    fn fallback(&self, scope: &Scope, child: Option<(usize, bool)>) -> Option<Found> {
        if let Some(a) = self.generating_action(scope, child) {
            return Some(Found::Action(a));
        }
        let (col, false) = child? else {
            return None;
        };
        let head = scope.head.filter(|_| scope.item_head);
        head.into_iter()
            .chain(scope.first..scope.end)
            .find(|&i| {
                let line = &self.lines[i];
                let at_col = if Some(i) == head {
                    line.col == col
                } else {
                    line.kind == LineKind::Content && !line.item && line.indent == col
                };
                at_col && line.key.as_ref().is_some_and(|k| k.text.is_none())
            })
            .map(Found::Line)
    }

    /// The first rendering action of the block's own level: on the head line after its key, or
    /// alone on a line whose output (by its `nindent`, else by the line's indentation) lands at
    /// the children's column.
    fn generating_action(&self, scope: &Scope, child: Option<(usize, bool)>) -> Option<usize> {
        if let Some(h) = scope.head {
            let line = &self.lines[h];
            let on_head = self.actions_in(scope.head_from, line.end);
            if let Some(a) = on_head.into_iter().find(|&a| self.actions[a].generating) {
                return Some(a);
            }
        }
        (scope.first..scope.end).find_map(|i| {
            let line = &self.lines[i];
            if line.kind != LineKind::Action {
                return None;
            }
            self.actions_in(line.start, line.end)
                .into_iter()
                .find(|&a| {
                    let action = &self.actions[a];
                    action.generating && self.at_level(action, line, scope, child)
                })
        })
    }

    fn at_level(
        &self,
        action: &Action,
        line: &Line,
        scope: &Scope,
        child: Option<(usize, bool)>,
    ) -> bool {
        let indent = line.indent as isize;
        match (child, action.indent) {
            (Some((col, _)), Some(n)) => n == col,
            (Some((col, _)), None) => indent > scope.parent_col && line.indent <= col,
            (None, Some(n)) => n as isize > scope.parent_col,
            (None, None) => indent > scope.parent_col,
        }
    }

    /// The actions starting in `from..to`.
    fn actions_in(&self, from: usize, to: usize) -> Vec<usize> {
        let first = self.actions.partition_point(|a| a.start < from);
        (first..self.actions.len())
            .take_while(|&a| self.actions[a].start < to)
            .collect()
    }

    /// The n-th item of a sequence block whose items are at column `col`.
    fn find_item(&self, scope: &Scope, col: usize, n: usize) -> Option<Found> {
        let mut count = 0;
        let mut after_range = false;
        for i in scope.first..scope.end {
            let line = &self.lines[i];
            match line.kind {
                LineKind::Content if line.item && line.indent == col => {
                    if count == n || after_range {
                        return Some(Found::Line(i));
                    }
                    count += 1;
                }
                LineKind::Action => {
                    for a in self.actions_in(line.start, line.end) {
                        let action = &self.actions[a];
                        let level = match action.indent {
                            Some(indent) => indent == col,
                            None => line.indent <= col,
                        };
                        if !level {
                            continue;
                        }
                        if action.generating {
                            return Some(Found::Action(a));
                        }
                        if action.range {
                            // Its item line renders every item from here on.
                            after_range = true;
                        }
                    }
                }
                _ => {}
            }
        }
        None
    }
}

/// The byte after the character at `p`.
fn next_char(text: &str, p: usize) -> usize {
    text[p..].chars().next().map_or(p + 1, |c| p + c.len_utf8())
}

/// Every `{{ … }}` of a template, in order, with what `locate` needs to know of it.
fn scan_actions(text: &str) -> Vec<Action> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while let Some(offset) = find(bytes, i, b"{{") {
        let start = offset;
        let mut p = start + 2;
        if bytes.get(p) == Some(&b'-')
            && matches!(bytes.get(p + 1), Some(b' ' | b'\t' | b'\n' | b'\r'))
        {
            p += 2;
        }
        let (end, comment) = if bytes[p..].starts_with(b"/*") {
            let close = find(bytes, p + 2, b"*/").map_or(bytes.len(), |c| c + 2);
            (
                find(bytes, close, b"}}").map_or(bytes.len(), |c| c + 2),
                true,
            )
        } else {
            (action_end(bytes, p), false)
        };
        spans.push((start, end, comment));
        i = end.max(start + 2);
    }
    let mut dots: Vec<Dot> = Vec::new();
    spans
        .into_iter()
        .map(|(start, end, comment)| {
            let inner = if comment {
                ""
            } else {
                action_inner(text, start, end)
            };
            let keyword = inner.split_whitespace().next().unwrap_or("");
            let current = dots.last().cloned().unwrap_or(Dot::Root);
            let outer = || {
                dots.len()
                    .checked_sub(2)
                    .map_or(Dot::Root, |i| dots[i].clone())
            };
            match keyword {
                "if" => dots.push(current.clone()),
                "with" => dots.push(resolve(first_argument(inner), &current)),
                "range" | "define" | "block" => dots.push(Dot::Unknown),
                "end" => {
                    dots.pop();
                }
                "else" => {
                    let rest = inner
                        .trim_start()
                        .strip_prefix("else")
                        .unwrap_or("")
                        .trim_start();
                    let dot = match rest.strip_prefix("with") {
                        Some(expr) if expr.starts_with(char::is_whitespace) => {
                            resolve(first_argument(rest), &outer())
                        }
                        _ => outer(),
                    };
                    if let Some(top) = dots.last_mut() {
                        *top = dot;
                    }
                }
                _ => {}
            }
            let generating = !comment && GENERATING.is_match(inner);
            Action {
                start,
                end,
                generating,
                range: keyword == "range",
                indent: INDENT.captures(inner).and_then(|c| c[1].parse().ok()),
                values_path: if generating {
                    values_path(inner, &current)
                } else {
                    None
                },
            }
        })
        .collect()
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// After the `}}` that closes an action whose body starts at `p`: quoted strings, raw strings
/// and character constants may hold `}}`.
fn action_end(bytes: &[u8], mut p: usize) -> usize {
    while p < bytes.len() {
        match bytes[p] {
            b'}' if bytes.get(p + 1) == Some(&b'}') => return p + 2,
            b'"' | b'\'' => {
                let quote = bytes[p];
                p += 1;
                while p < bytes.len() && bytes[p] != quote && bytes[p] != b'\n' {
                    p += if bytes[p] == b'\\' { 2 } else { 1 };
                }
                p += 1;
            }
            b'`' => {
                p = find(bytes, p + 1, b"`").map_or(bytes.len(), |c| c + 1);
            }
            _ => p += 1,
        }
    }
    bytes.len()
}

/// An action's body, without `{{`, `}}` and trim markers.
fn action_inner(text: &str, start: usize, end: usize) -> &str {
    let body = text.get(start + 2..end).unwrap_or("");
    let body = body.strip_suffix("}}").unwrap_or(body);
    let body = body.strip_prefix('-').unwrap_or(body);
    let body = body.trim();
    body.strip_suffix('-').unwrap_or(body).trim_end()
}

/// The first argument of `with X`, `else with X`.
fn first_argument(inner: &str) -> &str {
    let mut words = inner.split_whitespace();
    while let Some(word) = words.next() {
        if word != "with" && word != "else" {
            return word.trim_start_matches('(').trim_end_matches(')');
        }
        if word == "with" {
            return words
                .next()
                .unwrap_or("")
                .trim_start_matches('(')
                .trim_end_matches(')');
        }
    }
    ""
}

/// What `.` becomes after `with <expr>`, given what it was.
fn resolve(expr: &str, current: &Dot) -> Dot {
    let expr = expr.strip_prefix('$').unwrap_or(expr);
    if let Some(rest) = expr.strip_prefix(".Values") {
        return match rest.strip_prefix('.') {
            Some(path) => Dot::Values(path.to_owned()),
            None if rest.is_empty() => Dot::Values(String::new()),
            None => Dot::Unknown,
        };
    }
    match (expr, current) {
        (".", _) => current.clone(),
        (field, Dot::Values(base)) if field.starts_with('.') => {
            let field = &field[1..];
            Dot::Values(if base.is_empty() {
                field.to_owned()
            } else {
                format!("{base}.{field}")
            })
        }
        _ => Dot::Unknown,
    }
}

/// The values a rendering action renders: `.Values.x.y` it names, or `.` (or `.field`) inside
/// `with .Values.x`.
fn values_path(inner: &str, dot: &Dot) -> Option<String> {
    let path = if let Some(c) = VALUES_REF.captures(inner) {
        c[1].trim_start_matches('.').to_owned()
    } else {
        let argument = DOT_ARGUMENT.captures(inner)?.get(1)?.as_str();
        let argument = match argument.trim_end_matches('.') {
            "" => ".",
            field => field,
        };
        match resolve(argument, dot) {
            Dot::Values(path) => path,
            _ => return None,
        }
    };
    (!path.is_empty()).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYMENT: &str = include_str!("../../fixtures/helm/demo/templates/deployment.yaml");
    const SERVICE: &str = include_str!("../../fixtures/helm/demo/templates/service.yaml");
    const TEST_POD: &str =
        include_str!("../../fixtures/helm/demo/templates/tests/test-connection.yaml");
    const RENDERED: &str = include_str!("../../fixtures/helm/demo.rendered.yaml");

    /// The text at a spot, and its 1-based line.
    fn at(template: &str, spot: &TemplateSpot) -> (String, usize) {
        let line = template[..spot.start].matches('\n').count() + 1;
        (template[spot.start..spot.end].to_owned(), line)
    }

    fn line_of(template: &str, needle: &str) -> usize {
        let offset = template
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in template"));
        template[..offset].matches('\n').count() + 1
    }

    /// The spot of a pointer written `/a/b/0` (no token holds a `/`), as text, line, exact
    /// and values path.
    fn spot(template: &str, pointer: &str) -> (String, usize, bool, Option<String>) {
        let tokens: Vec<&str> = pointer.split('/').filter(|t| !t.is_empty()).collect();
        spot_of(template, &tokens)
    }

    fn spot_of(template: &str, tokens: &[&str]) -> (String, usize, bool, Option<String>) {
        let spot = locate(template, tokens);
        let (text, line) = at(template, &spot);
        (text, line, spot.exact, spot.values_path)
    }

    #[test]
    fn sources_of_the_demo_chart() {
        let docs = sources(RENDERED);
        let templates: Vec<&str> = docs.iter().map(|d| d.template.as_str()).collect();
        assert_eq!(
            templates,
            [
                "templates/service.yaml",
                "templates/deployment.yaml",
                "templates/tests/test-connection.yaml"
            ]
        );
        // The ranges cover the stream, one after the other, and each holds its own document.
        assert_eq!(docs[0].start, 0);
        assert_eq!(docs.last().unwrap().end, RENDERED.len());
        for pair in docs.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
        }
        assert!(RENDERED[docs[1].start..docs[1].end].contains("kind: Deployment"));
        assert!(RENDERED[docs[2].start..docs[2].end].contains("kind: Pod"));
        // Every document parse_stream builds lies inside exactly one range.
        let lines = LineIndex::new(RENDERED);
        let parsed = crate::parse::parse_stream(RENDERED, &lines);
        assert_eq!(parsed.documents.len(), 3);
        assert!(parsed.errors.is_empty());
    }

    #[test]
    fn sources_of_subcharts_hidden_documents_and_crlf() {
        let stream = "---\r\n# Source: app/charts/redis/templates/svc.yaml\r\napiVersion: v1\r\nkind: Service\r\n\
                      ---\n# Source: app/templates/secret.yaml\n# HIDDEN: The Secret output has been suppressed\n\
                      ---\n# Source: app/templates/cm.yaml\nkind: ConfigMap\n\
                      ---\napiVersion: v1\nkind: NoSource\n";
        let docs = sources(stream);
        let templates: Vec<&str> = docs.iter().map(|d| d.template.as_str()).collect();
        assert_eq!(
            templates,
            ["charts/redis/templates/svc.yaml", "templates/cm.yaml"]
        );
        // The hidden document has no content: it is left out, and the next one's range is its own.
        assert_eq!(
            &stream[docs[1].start..docs[1].end],
            "---\n# Source: app/templates/cm.yaml\nkind: ConfigMap\n"
        );
        assert!(sources("").is_empty());
        assert!(sources("# Source: x/templates/a.yaml\n").is_empty());
        assert!(sources("\n\n---\n---\n").is_empty());
    }

    #[test]
    fn a_key_spelled_out_is_found_exactly() {
        assert_eq!(
            spot(DEPLOYMENT, "/spec/replicas"),
            (
                "replicas".into(),
                line_of(DEPLOYMENT, "replicas:"),
                true,
                None
            )
        );
        assert_eq!(
            spot(DEPLOYMENT, "/spec/template/spec/containers/0/command"),
            (
                "command".into(),
                line_of(DEPLOYMENT, "command:"),
                true,
                None
            )
        );
        // A container: the `-` of its item line.
        assert_eq!(
            spot(DEPLOYMENT, "/spec/template/spec/containers/0"),
            (
                "-".into(),
                line_of(DEPLOYMENT, "- name: {{ .Chart.Name }}"),
                true,
                None
            )
        );
        // The first key of an item sits on the item's line.
        assert_eq!(
            spot(DEPLOYMENT, "/spec/template/spec/containers/0/name"),
            (
                "name".into(),
                line_of(DEPLOYMENT, "- name: {{ .Chart.Name }}"),
                true,
                None
            )
        );
        // `metadata/name` is the top-level one, not the container's `name`.
        assert_eq!(
            spot(DEPLOYMENT, "/metadata/name").1,
            line_of(DEPLOYMENT, "  name: {{ include")
        );
        assert_eq!(spot(DEPLOYMENT, "/kind"), ("kind".into(), 2, true, None));
    }

    #[test]
    fn sequence_items_inside_if_blocks_and_ranges() {
        // ports/1 is the metrics port, inside `{{- if .Values.metrics.enabled }}`.
        assert_eq!(
            spot(
                DEPLOYMENT,
                "/spec/template/spec/containers/0/ports/1/containerPort"
            ),
            (
                "containerPort".into(),
                line_of(DEPLOYMENT, "containerPort: {{ .Values.metrics.port }}"),
                true,
                None
            )
        );
        assert_eq!(
            spot(DEPLOYMENT, "/spec/template/spec/containers/0/ports/0/name"),
            (
                "name".into(),
                line_of(DEPLOYMENT, "- name: http"),
                true,
                None
            )
        );
        // env is a `range`: every item comes from its one item line.
        assert_eq!(
            spot(DEPLOYMENT, "/spec/template/spec/containers/0/env/3/value"),
            (
                "value".into(),
                line_of(DEPLOYMENT, "value: {{ $value | quote }}"),
                true,
                None
            )
        );
        // An index past the literal items of a plain list stays on the list.
        assert_eq!(
            spot(SERVICE, "/spec/ports/5/port"),
            ("ports".into(), line_of(SERVICE, "ports:"), false, None)
        );
        assert_eq!(
            spot(SERVICE, "/spec/ports/1/targetPort"),
            (
                "targetPort".into(),
                line_of(SERVICE, "targetPort: metrics"),
                true,
                None
            )
        );
    }

    #[test]
    fn to_yaml_and_include_fallbacks_name_the_values() {
        let resources = "{{- toYaml .Values.resources | nindent 12 }}";
        assert_eq!(
            spot(
                DEPLOYMENT,
                "/spec/template/spec/containers/0/resources/requests/cpu"
            ),
            (
                resources.into(),
                line_of(DEPLOYMENT, resources),
                false,
                Some("resources".into())
            )
        );
        // `resources` itself is spelled out.
        assert!(spot(DEPLOYMENT, "/spec/template/spec/containers/0/resources").2);
        // `toYaml .` inside `with .Values.nodeSelector`.
        assert_eq!(
            spot_of(
                DEPLOYMENT,
                &[
                    "spec",
                    "template",
                    "spec",
                    "nodeSelector",
                    "kubernetes.io/os"
                ]
            ),
            (
                "{{- toYaml . | nindent 8 }}".into(),
                line_of(DEPLOYMENT, "nodeSelector:") + 1,
                false,
                Some("nodeSelector".into())
            )
        );
        let tolerations = spot(DEPLOYMENT, "/spec/template/spec/tolerations/0/key");
        assert_eq!(tolerations.1, line_of(DEPLOYMENT, "tolerations:") + 1);
        assert_eq!(tolerations.3.as_deref(), Some("tolerations"));
        // An include renders labels: no values path.
        let tokens = ["metadata", "labels", "app.kubernetes.io/name"];
        let found = locate(DEPLOYMENT, &tokens);
        assert_eq!(
            at(DEPLOYMENT, &found),
            (
                r#"{{- include "demo.labels" . | nindent 4 }}"#.to_owned(),
                line_of(DEPLOYMENT, r#"{{- include "demo.labels""#)
            )
        );
        assert!(!found.exact);
        assert_eq!(found.values_path, None);
        // The selector's labels come from the include at nindent 6, not the pod's at 8.
        let tokens = [
            "spec",
            "selector",
            "matchLabels",
            "app.kubernetes.io/instance",
        ];
        let found = locate(DEPLOYMENT, &tokens);
        assert_eq!(
            at(DEPLOYMENT, &found).1,
            line_of(DEPLOYMENT, "matchLabels:") + 1
        );
    }

    #[test]
    fn missing_keys_stay_on_the_deepest_key_found() {
        // No readinessProbe in the container, and no action that could render one.
        assert_eq!(
            spot(
                DEPLOYMENT,
                "/spec/template/spec/containers/0/readinessProbe"
            ),
            (
                "-".into(),
                line_of(DEPLOYMENT, "- name: {{ .Chart.Name }}"),
                false,
                None
            )
        );
        assert_eq!(
            spot(DEPLOYMENT, "/spec/strategy/type"),
            ("spec".into(), line_of(DEPLOYMENT, "spec:"), false, None)
        );
        assert_eq!(
            spot(DEPLOYMENT, "/nothing"),
            (String::new(), 1, false, None)
        );
        assert_eq!(spot(DEPLOYMENT, ""), (String::new(), 1, true, None));
        // Quoted keys.
        assert_eq!(
            spot_of(TEST_POD, &["metadata", "annotations", "helm.sh/hook"]),
            (
                "\"helm.sh/hook\"".into(),
                line_of(TEST_POD, "\"helm.sh/hook\""),
                true,
                None
            )
        );
    }

    #[test]
    fn compact_sequences_crlf_tabs_comments_and_block_scalars() {
        let template = "apiVersion: v1\r\nkind: ConfigMap\r\n{{/* a comment\r\nspec: over two lines */}}\r\n\
                        metadata:\r\n  name: x\r\ndata:\r\n  app.conf: |\r\n    spec:\r\n      name: y\r\n  other: 1\r\n\
                        spec:\r\n  list:\r\n  - a: 1\r\n  - a: 2\r\n    b: 3\r\n  after: true\r\n";
        let (text, line, exact, _) = spot(template, "/spec/list/1/b");
        assert_eq!((text.as_str(), line, exact), ("b", 16, true));
        assert_eq!(spot(template, "/spec/after").1, 17);
        // `spec:` in the comment and in the block scalar are not the document's.
        assert_eq!(spot(template, "/spec").1, 12);
        assert_eq!(spot(template, "/data/other").1, 11);
        let tabs = "a:\n\tb:\n\t\tc: 1\n";
        assert_eq!(spot(tabs, "/a/b/c").0, "c");
        // A multi-line action does not end a block, whatever its lines' indentation.
        let multi = "spec:\n  {{- $x := dict\n\"a\" 1\n}}\n  replicas: 1\n";
        assert_eq!(
            spot(multi, "/spec/replicas"),
            ("replicas".into(), 5, true, None)
        );
        // A key written by an action.
        let ranged = "metadata:\n  labels:\n    {{- range $k, $v := .Values.labels }}\n    {{ $k }}: {{ $v | quote }}\n    {{- end }}\n";
        let (text, line, exact, _) = spot(ranged, "/metadata/labels/team");
        assert_eq!((text.as_str(), line, exact), ("{{ $k }}", 4, false));
        // An action inside a flow or quoted value is not what renders the items.
        assert_eq!(
            spot(TEST_POD, "/spec/containers/0/args/0"),
            ("args".into(), line_of(TEST_POD, "args:"), false, None)
        );
        // An inline toYaml on the key's line.
        let inline = "spec:\n  resources: {{ toYaml .Values.res | nindent 4 }}\n";
        assert_eq!(
            spot(inline, "/spec/resources/limits").3.as_deref(),
            Some("res")
        );
        // `with` nested in `with`, and `else`.
        let nested = "{{- with .Values.pod }}\nspec:\n  {{- with .security }}\n  securityContext:\n    {{- toYaml . | nindent 4 }}\n  {{- end }}\n{{- end }}\n";
        assert_eq!(
            spot(nested, "/spec/securityContext/runAsUser").3.as_deref(),
            Some("pod.security")
        );
    }

    #[test]
    fn garbage_never_panics() {
        let pointers: [&[&str]; 6] = [
            &[],
            &[
                "spec",
                "template",
                "spec",
                "containers",
                "0",
                "resources",
                "limits",
            ],
            &["0", "0", "a"],
            &["metadata", "labels", "x"],
            &["spec", "ports", "1", "name"],
            &["", "~", "18446744073709551616"],
        ];
        let weird = [
            "",
            "\n",
            "\r",
            "\r\n\r\n",
            "{{",
            "}}",
            "{{-",
            "-}}",
            "{{/*",
            "*/}}",
            "{{ \"}}\" }}: x",
            "- ",
            "-",
            "- - -",
            ":",
            "::\n:",
            "\"",
            "'",
            "\"a\\",
            "'a''",
            "é: ü\n  ß: 1",
            "\u{feff}a: 1",
            "a: |\n",
            "a: >-\n b",
            "{{ `}}` }}x: 1",
            "\t-\t{{",
            "a:\n- \n-",
            "key: {{ toYaml",
            "#",
            "{{ else }}{{ end }}{{ end }}",
            "{{- with }}{{ toYaml . }}",
            "[a: 1]",
            "{a: 1}",
        ];
        let mut texts: Vec<String> = weird.iter().map(|s| s.to_string()).collect();
        for base in [DEPLOYMENT, SERVICE, TEST_POD, RENDERED] {
            for cut in (0..=base.len())
                .filter(|&c| base.is_char_boundary(c))
                .step_by(3)
            {
                texts.push(base[..cut].to_owned());
            }
            texts.push(base.replace('\n', "\r\n"));
            texts.push(base.replace("  ", "\t"));
            texts.push(base.replace("}}", ""));
            texts.push(base.replace("{{", ""));
        }
        for text in &texts {
            for pointer in pointers {
                let spot = locate(text, pointer);
                assert!(
                    spot.start <= spot.end && spot.end <= text.len(),
                    "{text:?} {pointer:?}"
                );
                assert!(text.is_char_boundary(spot.start) && text.is_char_boundary(spot.end));
            }
            sources(text);
        }
    }

    #[test]
    fn path_search_and_command_line() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(find_in_path(dir.path().as_os_str()), None);
        assert_eq!(find_in_path(OsStr::new("")), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let helm = dir.path().join("helm");
            // A stand-in helm: prints its arguments, or fails as helm does.
            std::fs::write(
                &helm,
                "#!/bin/sh\nfor last; do :; done\nif [ \"$last\" = bad ]; then echo 'Error: chart not found' >&2; echo 'more' >&2; exit 1; fi\n\
                 for a in \"$@\"; do echo \"$a\"; done\n",
            )
            .unwrap();
            std::fs::set_permissions(&helm, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert_eq!(find_in_path(dir.path().as_os_str()), None, "not executable");
            std::fs::set_permissions(&helm, std::fs::Permissions::from_mode(0o755)).unwrap();
            let path = std::env::join_paths([Path::new("/nonexistent"), dir.path()]).unwrap();
            assert_eq!(find_in_path(&path), Some(helm.clone()));
            // Another test's child may still hold the script open for writing for a moment
            // after a fork (ETXTBSY): try again then.
            let run = |chart: &str, values: &[PathBuf], namespace: Option<&str>| {
                for _ in 0..100 {
                    match render_with(&helm, Path::new(chart), values, "demo", namespace) {
                        Err(e) if e.contains("Text file busy") => {
                            std::thread::sleep(std::time::Duration::from_millis(20));
                        }
                        result => return result,
                    }
                }
                Err("the stand-in helm stayed busy".to_owned())
            };
            let values = [PathBuf::from("a.yaml"), PathBuf::from("-b.yaml")];
            let out = run("charts/demo", &values, Some("prod")).unwrap();
            assert_eq!(
                out,
                "template\n--namespace=prod\n--values=a.yaml\n--values=-b.yaml\n--\ndemo\ncharts/demo\n"
            );
            let plain = run("x", &[], None);
            assert_eq!(plain.as_deref(), Ok("template\n--\ndemo\nx\n"));
            let failed = run("bad", &[], None).unwrap_err();
            assert_eq!(
                failed,
                "helm template bad failed: Error: chart not found / more"
            );
            let missing = render_with(&dir.path().join("nope"), Path::new("x"), &[], "demo", None);
            assert_eq!(missing.unwrap_err(), NOT_INSTALLED);
        }
    }
}
