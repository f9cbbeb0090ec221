//! Between kubelint's positions (byte offsets, 1-based lines) and the protocol's (0-based
//! lines, UTF-16 code units), and between file URIs and paths.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types as lsp;
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use crate::diagnostic::{Diagnostic, Severity};
use crate::parse::lines::{LineIndex, floor_char_boundary};
use crate::rules;

/// A document's text with its line starts, for converting positions both ways.
pub struct Text<'t> {
    pub text: &'t str,
    pub lines: LineIndex,
}

impl<'t> Text<'t> {
    pub fn new(text: &'t str) -> Text<'t> {
        Text {
            text,
            lines: LineIndex::new(text),
        }
    }

    /// The protocol position of byte `offset`.
    pub fn position(&self, offset: u32) -> lsp::Position {
        let offset = floor_char_boundary(self.text, (offset as usize).min(self.text.len()));
        let line = self.lines.line_of(offset as u32);
        let start = self.lines.line_start(line) as usize;
        let character = self.text[start.min(offset)..offset]
            .chars()
            .map(char::len_utf16)
            .sum::<usize>();
        lsp::Position::new(line as u32, character as u32)
    }

    /// The byte offset of a protocol position. A line past the end is the end of the text; a
    /// character past the end of its line is the line's end; one inside a surrogate pair is
    /// the character it belongs to (clients do send these, and a position is never an error).
    pub fn offset(&self, position: lsp::Position) -> usize {
        let line = position.line as usize;
        if line >= self.lines.line_count() {
            return self.text.len();
        }
        let start = self.lines.line_start(line) as usize;
        let line_text = self.lines.line_text(self.text, line);
        let mut units = 0usize;
        for (i, c) in line_text.char_indices() {
            if units + c.len_utf16() > position.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + line_text.len()
    }

    pub fn range(&self, start: u32, end: u32) -> lsp::Range {
        lsp::Range::new(self.position(start), self.position(end.max(start)))
    }

    /// The start of the line that holds `offset`, and its leading whitespace.
    pub fn line_indent(&self, offset: usize) -> (usize, &'t str) {
        let line = self.lines.line_of(offset.min(self.text.len()) as u32);
        let start = self.lines.line_start(line) as usize;
        let text = self.lines.line_text(self.text, line);
        let indent = &text[..text.len() - text.trim_start().len()];
        (start, indent)
    }
}

/// The diagnostic as the protocol carries it: the rule id as its code, a link to the rule's
/// documentation, secondary labels as related information (they are in the same file).
pub fn diagnostic(d: &Diagnostic, text: &Text<'_>, uri: &lsp::Uri) -> lsp::Diagnostic {
    let entry = rules::find(d.rule);
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .map(|label| lsp::DiagnosticRelatedInformation {
            location: lsp::Location::new(
                uri.clone(),
                text.range(label.location.start.offset, label.location.end.offset),
            ),
            message: label.message.clone(),
        })
        .collect();
    let deprecated = matches!(d.rule, "deprecated-api-version" | "removed-api-version");
    lsp::Diagnostic {
        range: text.range(d.location.start.offset, d.location.end.offset),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        }),
        code: Some(lsp::NumberOrString::String(d.rule.to_owned())),
        code_description: entry
            .and_then(|e| lsp::Uri::from_str(&e.help_uri()).ok())
            .map(|href| lsp::CodeDescription { href }),
        source: Some("kubelint".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: deprecated.then(|| vec![lsp::DiagnosticTag::DEPRECATED]),
        data: None,
    }
}

/// What RFC 8089 leaves unescaped in a path, besides the separators.
const PATH_SET: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The path of a `file:` URI; `None` for other schemes (an editor's unsaved `untitled:` buffer).
pub fn path_of(uri: &lsp::Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file:///x` has an empty authority; `file://localhost/x` names this machine.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let decoded = percent_decode_str(rest).decode_utf8().ok()?;
    Some(PathBuf::from(decoded.as_ref()))
}

pub fn uri_of(path: &Path) -> Option<lsp::Uri> {
    let text = path.to_str()?;
    lsp::Uri::from_str(&format!("file://{}", utf8_percent_encode(text, PATH_SET))).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_positions_round_trip_and_clamp() {
        let text = Text::new("a: é😀x\nb: 1\n");
        // `x` is after `a: ` (3), `é` (1 unit) and the emoji (2 units).
        let x = text.text.find('x').unwrap();
        assert_eq!(text.position(x as u32), lsp::Position::new(0, 6));
        assert_eq!(text.offset(lsp::Position::new(0, 6)), x);
        // Inside the surrogate pair: the emoji's start.
        let emoji = text.text.find('😀').unwrap();
        assert_eq!(text.offset(lsp::Position::new(0, 5)), emoji);
        // Past the line's end, past the last line.
        assert_eq!(text.offset(lsp::Position::new(1, 99)), text.text.len() - 1);
        assert_eq!(text.offset(lsp::Position::new(7, 0)), text.text.len());
    }

    #[test]
    fn file_uris_round_trip_with_escapes() {
        let path = Path::new("/tmp/my dir/a#b%.yaml");
        let uri = uri_of(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/my%20dir/a%23b%25.yaml");
        assert_eq!(path_of(&uri).unwrap(), path);
        let untitled = lsp::Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(path_of(&untitled), None);
    }
}
