//! Bytes → documents: the parser and the position index must never panic, and every node's
//! span must be a position inside the text.
#![no_main]

use kubelint::parse::lines::LineIndex;
use kubelint::parse::parse_stream;
use kubelint::parse::tree::Node;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = LineIndex::new(&text);
    let parsed = parse_stream(&text, &lines);
    for document in &parsed.documents {
        visit(document.root(), &text, &lines, 0);
    }
    for error in &parsed.errors {
        assert!(
            error.offset as usize <= text.len(),
            "error offset {} outside the text",
            error.offset
        );
        let _ = lines.position(&text, error.offset);
    }
});

fn visit(node: Node<'_>, text: &str, lines: &LineIndex, depth: usize) {
    // Aliases can make the tree a DAG many times larger than the text; the spans are what
    // matter, and a bounded walk sees every node a small input has.
    if depth > 64 {
        return;
    }
    let span = node.span();
    assert!(
        span.start <= span.end && span.end as usize <= text.len(),
        "span {span:?} outside the text"
    );
    let _ = lines.position(text, span.start);
    let _ = lines.position(text, span.end);
    for item in node.items() {
        visit(item, text, lines, depth + 1);
    }
    for (key, value) in node.entries() {
        visit(key, text, lines, depth + 1);
        visit(value, text, lines, depth + 1);
    }
}
