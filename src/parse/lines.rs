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

/// On a long line that is not pure ASCII, the byte offset of every `CHECKPOINT_CHARS`-th
/// character is kept, so converting between columns and offsets costs at most that many
/// characters of counting instead of the line's length (a minified JSON file is one line, and
/// every node's position is converted).
const CHECKPOINT_CHARS: usize = 256;

#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of the first character of every line. Line 0 starts after a BOM.
    starts: Vec<u32>,
    /// Whether each line is pure ASCII, so char columns equal byte columns.
    ascii: Vec<bool>,
    /// For long non-ASCII lines, by 0-based line: the byte offset of characters
    /// 0, CHECKPOINT_CHARS, 2 × CHECKPOINT_CHARS, … of the line.
    checkpoints: Vec<(usize, Vec<u32>)>,
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
        let mut index = LineIndex {
            starts,
            ascii,
            checkpoints: Vec::new(),
            len: bytes.len() as u32,
        };
        for line in 0..index.ascii.len() {
            let start = index.line_start(line) as usize;
            let end = index.line_start(line + 1) as usize;
            if index.ascii[line] || end - start <= CHECKPOINT_CHARS {
                continue;
            }
            let marks = text[start..end]
                .char_indices()
                .step_by(CHECKPOINT_CHARS)
                .map(|(at, _)| (start + at) as u32)
                .collect();
            index.checkpoints.push((line, marks));
        }
        index
    }

    /// The checkpoint at or before byte `offset` (or character `col`) of a long non-ASCII
    /// line: (byte offset, 0-based character column) to count on from.
    fn checkpoint(&self, line: usize, at: Checkpoint) -> (usize, usize) {
        let start = self.line_start(line) as usize;
        let Ok(found) = self.checkpoints.binary_search_by_key(&line, |(l, _)| *l) else {
            return (start, 0);
        };
        let marks = &self.checkpoints[found].1;
        let k = match at {
            Checkpoint::Offset(offset) => {
                marks.partition_point(|&m| m as usize <= offset).max(1) - 1
            }
            Checkpoint::Column(col) => (col / CHECKPOINT_CHARS).min(marks.len() - 1),
        };
        (marks[k] as usize, k * CHECKPOINT_CHARS)
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
        let (from, from_col) = self.checkpoint(line, Checkpoint::Column(col));
        let rest = &text[from.max(start)..];
        let bytes = rest
            .char_indices()
            .nth(col - from_col)
            .map_or(rest.len(), |(b, _)| b);
        (from.max(start) + bytes) as u32
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
            let (s, from_col) = self.checkpoint(line, Checkpoint::Offset(offset as usize));
            let end = floor_char_boundary(text, offset as usize).max(s);
            from_col as u32 + text.get(s..end).map_or(0, |t| t.chars().count() as u32)
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

/// The largest character boundary of `text` at or before byte `at` (at most its length).
/// (`str::floor_char_boundary` is not stable in the project's minimum Rust.)
pub fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

enum Checkpoint {
    Offset(usize),
    Column(usize),
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

    #[test]
    fn long_non_ascii_lines_convert_like_counting_from_the_start() {
        let text: String = (0..3000)
            .map(|i| if i % 7 == 0 { 'é' } else { 'a' })
            .collect();
        let text = format!("x: 1\n{text}\n");
        let idx = LineIndex::new(&text);
        let line_start = idx.line_start(1) as usize;
        for (col, (at, _)) in text[line_start..].char_indices().enumerate().step_by(97) {
            let offset = (line_start + at) as u32;
            assert_eq!(idx.offset_of(&text, 1, col), offset, "column {col}");
            let p = idx.position(&text, offset);
            assert_eq!((p.line, p.column), (2, col as u32 + 1), "offset {offset}");
        }
    }
}
