//! YAML (and JSON) text → spanned documents.
//!
//! The stream is cut at document markers before saphyr sees it, so a syntax error ends only the
//! document it is in: the others of the file are still built and linted. Each piece is parsed
//! with saphyr-parser's event API straight into our arena tree (no intermediate saphyr tree).

pub mod de;
pub mod emit;
pub mod hints;
pub mod lines;
pub mod scalar;
pub mod tree;

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle};

use lines::LineIndex;
use scalar::{ScalarValue, resolve_plain, resolve_tagged};
use tree::{ByteSpan, Document, DuplicateKey, NodeData, NodeId, NodeKind};

/// Deeper nesting than this is refused: no Kubernetes object comes near it, and it bounds the
/// recursion of everything that walks a tree.
pub const MAX_DEPTH: usize = 512;
/// A document may expand (through aliases) to at most this many nodes, or this many times the
/// nodes it spells out, whichever is larger; "billion laughs" documents are refused early.
pub const MAX_EXPANDED_NODES: u64 = 1_000_000;
const MAX_EXPANSION_RATIO: u64 = 10;

/// A document that could not be parsed. `offset` is a byte offset in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub offset: u32,
    pub message: String,
    /// Where the document the error is in starts (after its `---`, as the stream was cut).
    pub document_start: u32,
}

impl SyntaxError {
    fn new(offset: u32, message: String) -> SyntaxError {
        // The document's start is filled in by `parse_chunk`, which knows the chunk.
        SyntaxError {
            offset,
            message,
            document_start: 0,
        }
    }
}

#[derive(Debug, Default)]
pub struct ParsedStream<'a> {
    pub documents: Vec<Document<'a>>,
    pub errors: Vec<SyntaxError>,
}

/// Parses every document of `text`. Never panics; every failure is a `SyntaxError`.
pub fn parse_stream<'a>(text: &'a str, lines: &LineIndex) -> ParsedStream<'a> {
    parse_chunks(text, lines, &split_documents(text, lines), 0)
}

/// Parses the documents of `chunks` (consecutive, from `split_documents`), at their real
/// positions in `text`; `first_index` is the stream index of the first one. A large stream
/// is parsed a batch of chunks at a time, in parallel, and each batch's trees dropped before
/// the file ends.
pub fn parse_chunks<'a>(
    text: &'a str,
    lines: &LineIndex,
    chunks: &[Chunk],
    first_index: usize,
) -> ParsedStream<'a> {
    let mut out = ParsedStream::default();
    let mut doc_index = first_index;
    for chunk in chunks {
        let piece = &text[chunk.start..chunk.end];
        parse_chunk(piece, chunk, text, lines, &mut doc_index, &mut out);
    }
    out
}

/// Parses only the documents whose byte range `keep` accepts, at their real positions in
/// `text`.
pub fn parse_stream_where<'a>(
    text: &'a str,
    lines: &LineIndex,
    keep: impl Fn(std::ops::Range<usize>) -> bool,
) -> ParsedStream<'a> {
    let mut out = ParsedStream::default();
    let mut doc_index = 0;
    for chunk in split_documents(text, lines) {
        if keep(chunk.start..chunk.end) {
            let piece = &text[chunk.start..chunk.end];
            parse_chunk(piece, &chunk, text, lines, &mut doc_index, &mut out);
        }
    }
    out
}

/// A run of lines holding (at most, if the input is well formed) one document.
#[derive(Debug, Clone, Copy)]
pub struct Chunk {
    /// Byte range in the file's text.
    pub start: usize,
    pub end: usize,
    first_line: usize,
}

/// Cuts the stream before every `---` and after every `...` at column 0. YAML forbids those
/// markers inside a document's content, so this never cuts a valid document in two.
pub fn split_documents(text: &str, lines: &LineIndex) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut start = lines.line_start(0) as usize;
    let mut first_line = 0;
    let mut has_content = false;
    for line in 0..lines.line_count() {
        let ls = lines.line_start(line) as usize;
        let line_text = lines.line_text(text, line);
        let is_marker = |m: &str| {
            line_text.starts_with(m)
                && matches!(line_text.as_bytes().get(3), None | Some(b' ' | b'\t'))
        };
        if is_marker("---") || (line_text.starts_with('%') && has_content) {
            if has_content {
                chunks.push(Chunk {
                    start,
                    end: ls,
                    first_line,
                });
                start = ls;
                first_line = line;
            }
            has_content = !line_text.starts_with('%');
        } else if is_marker("...") {
            let next = lines.line_start(line + 1) as usize;
            chunks.push(Chunk {
                start,
                end: next,
                first_line,
            });
            start = next;
            first_line = line + 1;
            has_content = false;
        } else if !has_content {
            let t = line_text.trim_start();
            if !t.is_empty() && !t.starts_with('#') && !line_text.starts_with('%') {
                has_content = true;
            }
        }
    }
    if start < text.len() {
        chunks.push(Chunk {
            start,
            end: text.len(),
            first_line,
        });
    }
    chunks
}

fn parse_chunk<'a>(
    piece: &'a str,
    chunk: &Chunk,
    text: &str,
    lines: &LineIndex,
    doc_index: &mut usize,
    out: &mut ParsedStream<'a>,
) {
    let first_index = *doc_index;
    let no_shifts = Vec::new();
    let (mut result, mut failure) =
        run_parser(piece, &|raw| raw, &no_shifts, chunk, text, lines, doc_index);
    if failure.is_some() {
        let end_index = *doc_index;
        let mut repair = Repair::new(piece);
        let mut repaired = None;
        for _ in 0..MAX_REPAIRS {
            let Some(error) = &failure else { break };
            if !repair.apply(error) {
                break;
            }
            *doc_index = first_index;
            let owned = |raw: Cow<'_, str>| Cow::Owned(raw.into_owned());
            let (r, f) = run_parser(
                &repair.text,
                &owned,
                &repair.shifts,
                chunk,
                text,
                lines,
                doc_index,
            );
            failure = f;
            repaired = Some(r);
        }
        match repaired {
            // Keep a repair only if it removed every error; otherwise report the original one.
            Some(r) if failure.is_none() => result = r,
            _ => *doc_index = end_index,
        }
    }
    out.documents.extend(result.documents);
    out.errors
        .extend(result.errors.into_iter().map(|error| SyntaxError {
            document_start: chunk.start as u32,
            ..error
        }));
}

const MAX_REPAIRS: usize = 200;

/// Where, in the text saphyr read, it gave up (0-based line within the chunk).
struct Failure {
    message: String,
    line: usize,
    col: usize,
}

/// saphyr 0.3 is stricter than go-yaml (which Kubernetes uses) in three places that real
/// manifests hit: a tab right after a mapping colon, continuation lines of a multi-line quoted
/// scalar indented less than the block around it, and a flow collection whose lines (often
/// its closing bracket) sit at the block's indentation. Each is repaired in a copy of the
/// chunk — a tab read as a space, or spaces inserted at a line start — and parsed again. The
/// values do not change (that whitespace is insignificant), and `shifts` records the inserted
/// spaces per line so every position still maps to the user's text.
struct Repair {
    text: String,
    shifts: Vec<usize>,
}

impl Repair {
    fn new(piece: &str) -> Self {
        Repair {
            text: piece.to_owned(),
            shifts: Vec::new(),
        }
    }

    fn line_start(&self, line: usize) -> Option<usize> {
        if line == 0 {
            return Some(0);
        }
        self.text
            .match_indices('\n')
            .nth(line - 1)
            .map(|(i, _)| i + 1)
    }

    fn indent(&mut self, line: usize, spaces: usize) -> bool {
        let Some(at) = self.line_start(line) else {
            return false;
        };
        self.text.insert_str(at, &" ".repeat(spaces));
        if self.shifts.len() <= line {
            self.shifts.resize(line + 1, 0);
        }
        self.shifts[line] += spaces;
        true
    }

    fn line_text(&self, line: usize) -> &str {
        let start = self.line_start(line).unwrap_or(self.text.len());
        let rest = &self.text[start..];
        rest.split('\n').next().unwrap_or("")
    }

    fn apply(&mut self, failure: &Failure) -> bool {
        match failure.message.as_str() {
            "':' must be followed by a valid YAML whitespace" => {
                // saphyr reports the position just past the tab.
                let Some(start) = self.line_start(failure.line) else {
                    return false;
                };
                let line = self.line_text(failure.line);
                let Some((at, _)) = line.char_indices().nth(failure.col.wrapping_sub(1)) else {
                    return false;
                };
                if !line[at..].starts_with('\t') {
                    return false;
                }
                self.text.replace_range(start + at..start + at + 1, " ");
                true
            }
            "invalid indentation in quoted scalar" => {
                // The position is the scalar's start: indent its continuation lines to it.
                let target = failure.col;
                let Some(end_line) = self.quoted_scalar_end(failure.line, failure.col) else {
                    return false;
                };
                let mut changed = false;
                for line in failure.line + 1..=end_line {
                    let text = self.line_text(line);
                    let current = text.len() - text.trim_start_matches(' ').len();
                    if current < target && !text.trim().is_empty() {
                        changed |= self.indent(line, target - current);
                    }
                }
                changed
            }
            "invalid indentation" | "invalid indentation in flow construct" => {
                let trimmed = self.line_text(failure.line).trim_start();
                let in_flow = failure.message.ends_with("flow construct")
                    || trimmed.starts_with([']', '}', ',']);
                in_flow && self.indent(failure.line, 2)
            }
            _ => false,
        }
    }

    /// The line on which the quoted scalar starting at (line, col) closes.
    fn quoted_scalar_end(&self, line: usize, col: usize) -> Option<usize> {
        let start = self.line_start(line)?;
        let rest = &self.text[start..];
        let (offset, quote) = rest.char_indices().nth(col)?;
        if quote != '\'' && quote != '"' {
            return None;
        }
        let body = &rest[offset + 1..];
        let mut chars = body.char_indices();
        let mut newlines = 0;
        while let Some((_, c)) = chars.next() {
            match c {
                '\n' => newlines += 1,
                // An escaped character is skipped, and an escaped line break still counts.
                '\\' if quote == '"' => {
                    newlines += usize::from(chars.next().is_some_and(|(_, n)| n == '\n'));
                }
                c if c == quote => {
                    // `''` is an escaped quote inside a single-quoted scalar.
                    if quote == '\'' && chars.clone().next().is_some_and(|(_, n)| n == '\'') {
                        chars.next();
                        continue;
                    }
                    return Some(line + newlines);
                }
                _ => {}
            }
        }
        None
    }
}

fn run_parser<'a, 's>(
    piece: &'s str,
    convert: &dyn Fn(Cow<'s, str>) -> Cow<'a, str>,
    shifts: &[usize],
    chunk: &Chunk,
    text: &str,
    lines: &LineIndex,
    doc_index: &mut usize,
) -> (ParsedStream<'a>, Option<Failure>) {
    let mut out = ParsedStream::default();
    let mut failure = None;
    let to_offset = |m: &Marker| -> u32 {
        let chunk_line = m.line().saturating_sub(1);
        let shift = shifts.get(chunk_line).copied().unwrap_or(0);
        lines
            .offset_of(
                text,
                chunk.first_line + chunk_line,
                m.col().saturating_sub(shift),
            )
            .min(chunk.end as u32)
    };
    let mut parser = Parser::new_from_str(piece);
    let mut builder: Option<Builder<'a>> = None;
    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Ok(ev)) => ev,
            Some(Err(e)) => {
                out.errors
                    .push(SyntaxError::new(to_offset(e.marker()), e.info().to_owned()));
                failure = Some(Failure {
                    message: e.info().to_owned(),
                    line: e.marker().line().saturating_sub(1),
                    col: e.marker().col(),
                });
                if builder.is_some() {
                    *doc_index += 1;
                }
                break;
            }
        };
        let span = ByteSpan {
            start: to_offset(&span.start),
            end: to_offset(&span.end),
        };
        match event {
            Event::StreamStart | Event::Nothing => {}
            Event::StreamEnd => break,
            Event::DocumentStart(_) => builder = Some(Builder::default()),
            Event::DocumentEnd => {
                if let Some(b) = builder.take() {
                    match b.finish(*doc_index) {
                        Ok(Some(doc)) => out.documents.push(doc),
                        Ok(None) => {}
                        Err(e) => out.errors.push(e),
                    }
                    *doc_index += 1;
                }
            }
            other => {
                let Some(b) = builder.as_mut() else { continue };
                if let Err(e) = b.event(other, span, convert) {
                    out.errors.push(e);
                    *doc_index += 1;
                    break;
                }
            }
        }
    }
    (out, failure)
}

enum Frame {
    Seq {
        start: ByteSpan,
        anchor: usize,
        items: Vec<NodeId>,
        /// Where the last child ends in the text: for an alias, the alias itself, not its
        /// anchor (whose node it shares), so the collection's span never ends before it starts.
        written_end: u32,
    },
    Map {
        start: ByteSpan,
        anchor: usize,
        entries: Vec<(NodeId, NodeId)>,
        pending_key: Option<NodeId>,
        merges: Vec<NodeId>,
        written_end: u32,
    },
}

#[derive(Default)]
struct Builder<'a> {
    nodes: Vec<NodeData<'a>>,
    /// Size of each node's subtree with aliases expanded, to refuse alias bombs.
    expanded: Vec<u64>,
    items: Vec<NodeId>,
    entries: Vec<(NodeId, NodeId)>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, NodeId>,
    /// The anchored nodes an alias (or a merge key through one) uses again.
    aliased: Vec<NodeId>,
    duplicate_keys: Vec<DuplicateKey>,
    root: Option<NodeId>,
    /// Scalars written `<<` (the merge key) that are pending in open mappings.
    merge_key_nodes: Vec<NodeId>,
}

impl<'a> Builder<'a> {
    fn event<'s>(
        &mut self,
        event: Event<'s>,
        span: ByteSpan,
        convert: &dyn Fn(Cow<'s, str>) -> Cow<'a, str>,
    ) -> Result<(), SyntaxError> {
        match event {
            Event::Scalar(raw, style, anchor, tag) => {
                let raw = convert(raw);
                let quoted = !matches!(style, ScalarStyle::Plain);
                let value = match &tag {
                    Some(t) if t.is_yaml_core_schema() => resolve_tagged(&raw, &t.suffix),
                    Some(_) => ScalarValue::Str,
                    None if quoted => ScalarValue::Str,
                    None => resolve_plain(&raw),
                };
                let is_merge_key = !quoted && tag.is_none() && raw == "<<";
                let id = self.push(NodeKind::Scalar { raw, value, quoted }, span, 1)?;
                if is_merge_key {
                    self.merge_key_nodes.push(id);
                }
                self.complete(id, anchor, span)
            }
            Event::Alias(anchor) => {
                let Some(&id) = self.anchors.get(&anchor) else {
                    return Err(SyntaxError::new(
                        span.start,
                        "alias refers to an unknown anchor".into(),
                    ));
                };
                if !self.aliased.contains(&id) {
                    self.aliased.push(id);
                }
                self.attach(id, span, span.end)
            }
            Event::SequenceStart(anchor, _) => self.open(
                Frame::Seq {
                    start: span,
                    anchor,
                    items: Vec::new(),
                    written_end: span.end,
                },
                span,
            ),
            Event::MappingStart(anchor, _) => self.open(
                Frame::Map {
                    start: span,
                    anchor,
                    entries: Vec::new(),
                    pending_key: None,
                    merges: Vec::new(),
                    written_end: span.end,
                },
                span,
            ),
            Event::SequenceEnd => {
                let Some(Frame::Seq {
                    start,
                    anchor,
                    items,
                    written_end,
                }) = self.stack.pop()
                else {
                    return Err(unbalanced(span));
                };
                let end = end_of(written_end, span);
                let size = 1 + items
                    .iter()
                    .map(|&i| self.expanded[i as usize])
                    .sum::<u64>();
                let first = self.items.len() as u32;
                let len = items.len() as u32;
                self.items.extend(items);
                let node_span = ByteSpan {
                    start: start.start,
                    end,
                };
                let id = self.push(NodeKind::Seq { start: first, len }, node_span, size)?;
                self.complete(id, anchor, span)
            }
            Event::MappingEnd => {
                let Some(Frame::Map {
                    start,
                    anchor,
                    entries,
                    merges,
                    written_end,
                    ..
                }) = self.stack.pop()
                else {
                    return Err(unbalanced(span));
                };
                let end = end_of(written_end, span);
                let entries = self.merge(entries, &merges, span)?;
                let size = 1 + entries
                    .iter()
                    .map(|&(k, v)| self.expanded[k as usize] + self.expanded[v as usize])
                    .sum::<u64>();
                let first = self.entries.len() as u32;
                let len = entries.len() as u32;
                self.entries.extend(entries);
                let node_span = ByteSpan {
                    start: start.start,
                    end,
                };
                let id = self.push(NodeKind::Map { start: first, len }, node_span, size)?;
                self.complete(id, anchor, span)
            }
            _ => Ok(()),
        }
    }

    fn open(&mut self, frame: Frame, span: ByteSpan) -> Result<(), SyntaxError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(SyntaxError::new(
                span.start,
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn push(
        &mut self,
        kind: NodeKind<'a>,
        span: ByteSpan,
        expanded: u64,
    ) -> Result<NodeId, SyntaxError> {
        let limit = MAX_EXPANDED_NODES.max(self.nodes.len() as u64 * MAX_EXPANSION_RATIO);
        if expanded > limit {
            return Err(SyntaxError::new(
                span.start,
                format!(
                    "aliases expand this document to more than {limit} nodes; refusing it (alias bomb?)"
                ),
            ));
        }
        let id = self.nodes.len() as NodeId;
        self.nodes.push(NodeData { kind, span });
        self.expanded.push(expanded);
        Ok(id)
    }

    fn complete(&mut self, id: NodeId, anchor: usize, span: ByteSpan) -> Result<(), SyntaxError> {
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
        let end = self.nodes[id as usize].span.end;
        self.attach(id, span, end)
    }

    /// Hands a finished node to the collection that contains it.
    fn attach(&mut self, id: NodeId, span: ByteSpan, written_end: u32) -> Result<(), SyntaxError> {
        match self.stack.last_mut() {
            None => {
                self.root = Some(id);
                Ok(())
            }
            Some(Frame::Seq {
                items,
                written_end: end,
                ..
            }) => {
                items.push(id);
                *end = written_end;
                Ok(())
            }
            Some(Frame::Map {
                entries,
                pending_key,
                merges,
                written_end: end,
                ..
            }) => {
                *end = written_end;
                match pending_key.take() {
                    None => *pending_key = Some(id),
                    Some(key) if self.merge_key_nodes.last() == Some(&key) => {
                        self.merge_key_nodes.pop();
                        match &self.nodes[id as usize].kind {
                            NodeKind::Map { .. } => merges.push(id),
                            NodeKind::Seq { start, len } => {
                                let ids = &self.items[*start as usize..(*start + *len) as usize];
                                for &m in ids {
                                    if !matches!(self.nodes[m as usize].kind, NodeKind::Map { .. })
                                    {
                                        return Err(SyntaxError::new(span.start, "a merge key (<<) takes a mapping or a list of mappings".into()));
                                    }
                                    merges.push(m);
                                }
                            }
                            _ => {
                                return Err(SyntaxError::new(
                                    self.nodes[id as usize].span.start,
                                    "a merge key (<<) takes a mapping or a list of mappings".into(),
                                ));
                            }
                        }
                    }
                    Some(key) => entries.push((key, id)),
                }
                Ok(())
            }
        }
    }

    /// Applies merge keys and drops overridden duplicates. Keys written in the mapping win
    /// over merged ones; among merged mappings the first wins (YAML merge key spec).
    fn merge(
        &mut self,
        own: Vec<(NodeId, NodeId)>,
        merges: &[NodeId],
        _span: ByteSpan,
    ) -> Result<Vec<(NodeId, NodeId)>, SyntaxError> {
        let key_of = |nodes: &[NodeData<'a>], id: NodeId| match &nodes[id as usize].kind {
            NodeKind::Scalar { raw, .. } => Some(raw.clone()),
            _ => None,
        };
        let mut result: Vec<(NodeId, NodeId)> = Vec::with_capacity(own.len());
        let mut seen: HashMap<Cow<'a, str>, usize> = HashMap::with_capacity(own.len());
        for (k, v) in own {
            match key_of(&self.nodes, k) {
                Some(text) => {
                    if let Some(&at) = seen.get(&text) {
                        self.duplicate_keys.push(DuplicateKey {
                            first: result[at].0,
                            again: k,
                        });
                        result[at] = (k, v);
                    } else {
                        seen.insert(text, result.len());
                        result.push((k, v));
                    }
                }
                None => result.push((k, v)),
            }
        }
        for &m in merges {
            let NodeKind::Map { start, len } = self.nodes[m as usize].kind else {
                continue;
            };
            for i in start..start + len {
                let (k, v) = self.entries[i as usize];
                if let Some(text) = key_of(&self.nodes, k)
                    && let std::collections::hash_map::Entry::Vacant(slot) = seen.entry(text)
                {
                    slot.insert(result.len());
                    result.push((k, v));
                }
            }
        }
        Ok(result)
    }

    fn finish(self, index: usize) -> Result<Option<Document<'a>>, SyntaxError> {
        let Some(root) = self.root else {
            return Ok(None);
        };
        // An empty document (`---` alone, or only comments) is no object.
        if matches!(
            self.nodes[root as usize].kind,
            NodeKind::Scalar {
                value: ScalarValue::Null,
                quoted: false,
                ..
            }
        ) {
            return Ok(None);
        }
        let mut document = Document::new(
            self.nodes,
            self.items,
            self.entries,
            root,
            self.duplicate_keys,
            index,
        );
        document.anchored = self.aliased;
        Ok(Some(document))
    }
}

fn unbalanced(span: ByteSpan) -> SyntaxError {
    SyntaxError::new(span.start, "unbalanced collection events".into())
}

/// A block collection ends with its last child; a flow one with its closing bracket.
fn end_of(child_end: u32, end_event: ByteSpan) -> u32 {
    if end_event.end > end_event.start {
        child_end.max(end_event.end)
    } else {
        child_end
    }
}

#[cfg(test)]
mod tests;

/// The byte offset in the file of the `column`-th character of a scalar's value: exact for a
/// plain or quoted scalar on one line and for a literal block (`|`); the scalar's start for a
/// folded one.
pub fn offset_in_scalar(text: &str, node: tree::Node<'_>, column: usize) -> u32 {
    exact_offset_in_scalar(text, node, column).unwrap_or(node.span().start)
}

/// The byte offset in the file of the `column`-th character of a scalar's value, where the
/// value's characters are the file's (a plain or quoted scalar on one line without escapes
/// before it, a literal block); `None` where they are not (folded lines, escapes).
pub fn exact_offset_in_scalar(text: &str, node: tree::Node<'_>, column: usize) -> Option<u32> {
    let ByteSpan { start, end } = node.span();
    let raw = text.get(start as usize..end as usize)?;
    let at_char = |s: &str, n: usize| s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
    // A block scalar's span starts at its content; its header (`|`, `>-`) ends the text before.
    let header = text.get(..start as usize)?.trim_end();
    let block = header
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '+')
        .chars()
        .last()
        .filter(|c| matches!(c, '|' | '>'));
    match block {
        Some('|') => {
            // Literal: each line of the value is a line of the file, after the indentation.
            let line_start = text[..start as usize].rfind('\n').map_or(0, |i| i + 1);
            let indent = start as usize - line_start;
            let mut remaining = column;
            let mut offset = start as usize;
            let mut first = true;
            for line in raw.split_inclusive('\n') {
                let skip = if first { 0 } else { indent.min(line.len()) };
                first = false;
                // Indentation is spaces; anything else there is not this scalar's layout.
                let content = line.get(skip..)?;
                // A CRLF line break is one break of the value, as LF is.
                let chars = content.trim_end_matches(['\r', '\n']).chars().count();
                if remaining <= chars {
                    return Some((offset + skip + at_char(content, remaining)) as u32);
                }
                remaining -= chars + 1;
                offset += line.len();
            }
            None
        }
        // Folded: lines are joined with spaces, so a column is not a place.
        Some(_) => None,
        None if raw.contains('\n') => None,
        None => {
            let quote = usize::from(raw.starts_with('"') || raw.starts_with('\''));
            let body = &raw[quote..];
            let prefix_end = at_char(body, column);
            // An escape before the column shifts it.
            if quote == 1
                && (body[..prefix_end].contains('\\') || body[..prefix_end].contains("''"))
            {
                return None;
            }
            Some(start + (quote + prefix_end) as u32)
        }
    }
}
