//! What a YAML syntax error needs besides the parser's message to be fixed quickly: where the
//! flow collection or quoted scalar it happened in was opened, a content line to point at
//! instead of the blank line or end of file the parser stopped on, and a help line for the
//! mistakes people make most (tabs).

use super::lines::floor_char_boundary;

/// The hints for a syntax error at `offset` of `text`, in the document starting at
/// `document_start`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// Where to point: the parser's offset, or the end of the last content line before it
    /// when the parser stopped on a blank line or at the end of the input.
    pub primary: u32,
    /// The `[`, `{`, `"` or `'` still open at the error, innermost first, and its offset.
    pub opened: Option<(u32, char)>,
    pub help: Option<&'static str>,
}

pub fn hint(text: &str, document_start: u32, offset: u32, message: &str) -> Hint {
    let offset = floor_char_boundary(text, offset as usize);
    let document_start = (document_start as usize).min(offset);
    let help = if message.contains("tab") {
        Some(
            "YAML does not allow tabs for indentation (and in some places after `:`): indent with spaces",
        )
    } else {
        None
    };
    Hint {
        primary: last_content_before(text, offset) as u32,
        opened: open_at(text, document_start, offset).map(|(at, c)| (at as u32, c)),
        help,
    }
}

/// `offset`, unless its line is blank or the next document's marker: then the end of the last
/// line before it that has content (comments count as content: that is what the user sees
/// last).
fn last_content_before(text: &str, offset: usize) -> usize {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    // The parser of one document stops at the next one's `---` as at the end of the input.
    let next_document =
        offset == line_start && (line.starts_with("---") || line.starts_with("..."));
    if !line.trim().is_empty() && !next_document {
        return offset;
    }
    let content = text[..line_start].trim_end();
    if content.is_empty()
        || content.ends_with("---") && content[..content.len() - 3].ends_with('\n')
    {
        return offset;
    }
    content.len()
}

/// The innermost flow collection or quoted scalar open at `offset`, scanning from the start
/// of its document. A scan of the text, not a parse: quotes and brackets count only where a
/// YAML token can start, comments and block scalars are skipped.
fn open_at(text: &str, doc_start: usize, offset: usize) -> Option<(usize, char)> {
    let mut stack: Vec<(usize, char)> = Vec::new();
    let mut quote: Option<(usize, char)> = None;
    // Indentation of the line that opened a block scalar: deeper lines are its content.
    let mut block_scalar: Option<usize> = None;
    let bytes = text.as_bytes();
    let mut i = doc_start;
    let mut line_start = true;
    let mut indent = 0;
    // Whether the previous significant character lets a token start here.
    let mut token_start = true;
    while i < offset {
        let c = bytes[i];
        if line_start {
            indent = bytes[i..offset].iter().take_while(|&&b| b == b' ').count();
            let rest = &text[i + indent..offset.max(i + indent)];
            let blank = rest.trim().is_empty() || rest.starts_with('\n');
            if let Some(parent) = block_scalar {
                if blank || indent > parent {
                    i = skip_line(text, i, offset);
                    continue;
                }
                block_scalar = None;
            }
            line_start = false;
            token_start = true;
            i += indent;
            continue;
        }
        if let Some((_, q)) = quote {
            match c {
                b'\\' if q == '"' => i += 1,
                b'\'' if q == '\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
                _ if c as char == q => {
                    quote = None;
                    token_start = false;
                }
                _ => {}
            }
            if c == b'\n' {
                line_start = true;
            }
            i += 1;
            continue;
        }
        match c {
            b'\n' => {
                line_start = true;
                i += 1;
                continue;
            }
            b'#' if token_start || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t' => {
                i = skip_line(text, i, offset);
                line_start = true;
                continue;
            }
            b'"' | b'\'' if token_start => quote = Some((i, c as char)),
            b'[' | b'{' if token_start => stack.push((i, c as char)),
            b']' | b'}' if !stack.is_empty() => {
                stack.pop();
            }
            b'|' | b'>' if token_start && stack.is_empty() => block_scalar = Some(indent),
            _ => {}
        }
        // A token can start after an indicator and the blanks that follow it, not after a
        // blank inside a plain scalar (`a: it's [fine` is one scalar).
        let followed_by_blank =
            matches!(bytes.get(i + 1), Some(b' ' | b'\t' | b'\n' | b'\r') | None);
        token_start = match c {
            b' ' | b'\t' => token_start,
            b'[' | b'{' => true,
            b',' => !stack.is_empty(),
            // JSON writes `"a":{` with no space: in flow context a value starts after `:`.
            b':' => followed_by_blank || !stack.is_empty(),
            b'-' | b'?' => token_start && followed_by_blank,
            _ => false,
        };
        i += 1;
    }
    quote.or_else(|| stack.last().copied())
}

/// The start of the line after the one holding `from` (or `limit`).
fn skip_line(text: &str, from: usize, limit: usize) -> usize {
    text[from..limit].find('\n').map_or(limit, |i| from + i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, needle: &str) -> u32 {
        text.find(needle).unwrap() as u32
    }

    #[test]
    fn an_unclosed_flow_sequence_is_shown_where_it_opened() {
        let text = "kind: ConfigMap\ndata:\n  a: [1, 2\n  b: \"3\"\n";
        let h = hint(
            text,
            0,
            at(text, ": \"3"),
            "illegal placement of ':' indicator",
        );
        assert_eq!(h.opened, Some((at(text, "[1"), '[')));
        assert_eq!(h.primary, at(text, ": \"3"));
    }

    #[test]
    fn an_error_at_the_end_points_at_the_last_content_line() {
        let text = "---\nkind: ConfigMap\nmetadata: {name: x,\n  labels: {a: b}\n\n\n";
        let h = hint(
            text,
            0,
            text.len() as u32,
            "did not find expected ',' or '}'",
        );
        assert_eq!(h.primary, at(text, "}\n\n") + 1);
        assert_eq!(h.opened, Some((at(text, "{name"), '{')));
    }

    #[test]
    fn quotes_comments_and_block_scalars_do_not_count() {
        let text = "a: it's [fine\nb: \"x [ y\" # also { fine\nc: |\n  [ {\n  '\nd: [ok]\ne: {\n";
        let h = hint(
            text,
            0,
            text.len() as u32,
            "did not find expected ',' or '}'",
        );
        assert_eq!(h.opened, Some((text.rfind("{\n").unwrap() as u32, '{')));
        let h = hint(text, 0, at(text, "e:"), "x");
        assert_eq!(h.opened, None);
    }

    #[test]
    fn an_unclosed_quote_is_shown_where_it_opened() {
        let text = "data:\n  a: \"open\n  b: 3\n";
        let h = hint(text, 0, text.len() as u32, "unexpected end of stream");
        assert_eq!(h.opened, Some((at(text, "\"open"), '"')));
    }

    #[test]
    fn the_scan_starts_at_its_document() {
        // The previous document ends with `...`, without a `---` for the next one.
        let text = "a: [1\n...\nb: 2\n";
        let start = at(text, "b:");
        assert_eq!(hint(text, start, text.len() as u32, "x").opened, None);
        assert!(hint(text, 0, text.len() as u32, "x").opened.is_some());
    }

    #[test]
    fn tabs_get_help() {
        let h = hint("a:\n\tb: 1\n", 0, 4, "tabs disallowed within this context");
        assert!(h.help.is_some_and(|h| h.contains("indent with spaces")));
    }
}
