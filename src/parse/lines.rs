//! Byte offsets ↔ (line, column) for one source file.
//!
//! saphyr reports character indices, editors and SARIF want 1-based lines and columns in
//! characters, and we slice the source by byte. One index per file converts between them.

/// A position in a source file. `line` and `column` are 1-based; `column` counts Unicode
/// scalar values (SARIF `unicodeCodePoints`), `offset` is a byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    pub offset: u32,
}

#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of the first character of every line. Line 0 starts after a BOM.
    starts: Vec<u32>,
    /// Whether each line is pure ASCII, so char columns equal byte columns.
    ascii: Vec<bool>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let first = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let mut starts = vec![first as u32];
        let mut ascii = Vec::new();
        let mut line_ascii = true;
        let mut i = first;
        while i < bytes.len() {
            let b = bytes[i];
            // YAML line breaks are \n, \r\n and a lone \r; count them as saphyr does.
            if b == b'\n' || b == b'\r' {
                if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                ascii.push(line_ascii);
                line_ascii = true;
                starts.push((i + 1) as u32);
            } else if b >= 0x80 {
                line_ascii = false;
            }
            i += 1;
        }
        ascii.push(line_ascii);
        LineIndex {
            starts,
            ascii,
            len: bytes.len() as u32,
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset where 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> u32 {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    /// Byte offset of the character at 0-based `line` and 0-based character `col`.
    pub fn offset_of(&self, text: &str, line: usize, col: usize) -> u32 {
        let start = self.line_start(line) as usize;
        if self.ascii.get(line).copied().unwrap_or(true) {
            return (start + col).min(text.len()) as u32;
        }
        let rest = &text[start..];
        let bytes = rest.char_indices().nth(col).map_or(rest.len(), |(b, _)| b);
        (start + bytes) as u32
    }

    /// 0-based line containing byte `offset`.
    pub fn line_of(&self, offset: u32) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(l) => l,
            Err(l) => l.saturating_sub(1),
        }
    }

    pub fn position(&self, text: &str, offset: u32) -> Position {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let column = if self.ascii.get(line).copied().unwrap_or(true) {
            offset.saturating_sub(start)
        } else {
            let s = start as usize;
            let mut end = offset as usize;
            while end > s && !text.is_char_boundary(end) {
                end -= 1;
            }
            text.get(s..end).map_or(0, |t| t.chars().count() as u32)
        };
        Position {
            line: line as u32 + 1,
            column: column + 1,
            offset,
        }
    }

    /// Text of 0-based `line` without its line break.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let start = self.line_start(line) as usize;
        let end = self.line_start(line + 1) as usize;
        let raw = text.get(start..end.max(start)).unwrap_or("");
        raw.trim_end_matches(['\n', '\r'])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_all_line_breaks() {
        let text = "a: 1\r\nb: é2\rc: 3\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        let c = text.find('c').unwrap() as u32;
        assert_eq!(idx.position(text, c).line, 3);
        let two = text.find('2').unwrap() as u32;
        let p = idx.position(text, two);
        assert_eq!((p.line, p.column), (2, 5));
        assert_eq!(idx.offset_of(text, 1, 4), two);
        assert_eq!(idx.line_text(text, 1), "b: é2");
    }

    #[test]
    fn bom_is_not_a_column() {
        let text = "\u{feff}kind: Pod\n";
        let idx = LineIndex::new(text);
        let p = idx.position(text, text.find('k').unwrap() as u32);
        assert_eq!((p.line, p.column), (1, 1));
    }
}
