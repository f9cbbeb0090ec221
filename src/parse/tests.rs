use super::lines::LineIndex;
use super::*;

fn parse(text: &str) -> ParsedStream<'_> {
    let lines = LineIndex::new(text);
    parse_stream(text, &lines)
}

fn pos(text: &str, offset: u32) -> (u32, u32) {
    let p = LineIndex::new(text).position(text, offset);
    (p.line, p.column)
}

#[test]
fn error_in_one_document_keeps_the_others() {
    let text = "a: 1\n---\nb: [1\n---\nc: 3\n";
    let s = parse(text);
    assert_eq!(s.documents.len(), 2);
    assert_eq!(s.errors.len(), 1);
    assert_eq!(pos(text, s.errors[0].offset).0, 4);
    assert_eq!(s.documents[1].root().get("c").unwrap().as_i64(), Some(3));
    assert_eq!(s.documents[1].index, 2);
}

#[test]
fn spans_are_absolute_and_in_characters() {
    let text = "# c\n---\nmetadata:\n  name: \"é\"\n  x: héllo\n";
    let s = parse(text);
    let doc = &s.documents[0];
    let x = doc.root().path(&["metadata", "x"]).unwrap();
    assert_eq!(pos(text, x.span().start), (5, 6));
    assert_eq!(
        &text[x.span().start as usize..x.span().end as usize],
        "héllo"
    );
    let name = doc.root().path(&["metadata", "name"]).unwrap();
    assert_eq!(
        &text[name.span().start as usize..name.span().end as usize],
        "\"é\""
    );
}

#[test]
fn aliases_share_the_anchor_and_merge_keys_resolve() {
    let text = "base: &b\n  image: nginx\n  port: 80\nuse:\n  <<: *b\n  port: 8080\nagain: *b\n";
    let s = parse(text);
    let root = s.documents[0].root();
    let used = root.get("use").unwrap();
    assert_eq!(used.get("port").unwrap().as_i64(), Some(8080));
    let image = used.get("image").unwrap();
    assert_eq!(image.as_str(), Some("nginx"));
    assert_eq!(pos(text, image.span().start), (2, 10));
    assert_eq!(image.pointer(), "/base/image");
    assert_eq!(used.entries().len(), 2);
    assert_eq!(
        root.get("again").unwrap().get("port").unwrap().as_i64(),
        Some(80)
    );
}

#[test]
fn a_collection_ending_in_an_alias_or_merge_ends_where_the_alias_is_written() {
    // Found by the `parse` fuzz target: the container's span ended where the anchored probe
    // ends, before the container starts.
    let text = "a:\n  probe: &p\n    port: 1\nb:\n  name: x\n  probe: *p\nc:\n  <<: *p\nd: [*p]\n";
    let s = parse(text);
    let root = s.documents[0].root();
    for key in ["b", "c", "d"] {
        let span = root.get(key).unwrap().span();
        assert!(span.start < span.end, "{key}: {span:?}");
    }
    let b = root.get("b").unwrap().span();
    assert_eq!(
        &text[b.start as usize..b.end as usize],
        "name: x\n  probe: *p"
    );
    let c = root.get("c").unwrap().span();
    assert_eq!(&text[c.start as usize..c.end as usize], "<<: *p");
    assert_eq!(root.span().end as usize, text.len() - 1);
}

#[test]
fn duplicate_keys_are_recorded_and_the_last_wins() {
    let text = "a: 1\nb: 2\na: 3\n";
    let s = parse(text);
    let doc = &s.documents[0];
    assert_eq!(doc.root().get("a").unwrap().as_i64(), Some(3));
    assert_eq!(doc.duplicate_keys.len(), 1);
    let again = doc.node(doc.duplicate_keys[0].again);
    assert_eq!(pos(text, again.span().start), (3, 1));
}

#[test]
fn alias_bomb_is_refused() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = format!("*a{}", i - 1);
        text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
    }
    let started = std::time::Instant::now();
    let s = parse(&text);
    assert!(s.documents.is_empty());
    assert!(s.errors[0].message.contains("alias bomb"), "{:?}", s.errors);
    assert!(started.elapsed().as_secs() < 2);
}

#[test]
fn crlf_bom_tabs_and_json() {
    let text = "\u{feff}kind: Pod\r\nmetadata:\r\n  name:\tweb\r\n";
    let s = parse(text);
    let name = s.documents[0].root().path(&["metadata", "name"]).unwrap();
    assert_eq!(name.as_str(), Some("web"));
    assert_eq!(pos(text, name.span().start), (3, 9));

    let json = "{\n  \"kind\": \"Pod\",\n  \"spec\": {\"x\": 0644}\n}\n";
    let s = parse(json);
    let x = s.documents[0].root().path(&["spec", "x"]).unwrap();
    assert_eq!(pos(json, x.span().start), (3, 17));
}

#[test]
fn empty_and_comment_only_streams_have_no_documents() {
    for text in ["", "# only a comment\n", "---\n---\n", "\n\n", "...\n"] {
        let s = parse(text);
        assert!(s.documents.is_empty() && s.errors.is_empty(), "{text:?}");
    }
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let text = "[".repeat(100_000);
    let s = parse(&text);
    assert!(s.documents.is_empty());
    assert_eq!(s.errors.len(), 1);
}

#[test]
fn pointers_escape_keys() {
    let text = "metadata:\n  annotations:\n    a/b~c: x\n";
    let s = parse(text);
    let v = s.documents[0]
        .root()
        .path(&["metadata", "annotations", "a/b~c"])
        .unwrap();
    assert_eq!(v.pointer(), "/metadata/annotations/a~1b~0c");
}

#[test]
fn repairs_what_go_yaml_accepts_and_keeps_positions() {
    let text = "status:\n  conditions:\n    - message: 'The schema\n      applied'\n      z: end\nspec:\n  args: [\n      \"-a\", \"b\",\n  ]\n  t:\tv\n  after: 1\n";
    let s = parse(text);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let root = s.documents[0].root();
    let cond = root
        .path(&["status", "conditions"])
        .unwrap()
        .items()
        .next()
        .unwrap();
    assert_eq!(cond.get_str("message"), Some("The schema applied"));
    let z = cond.get("z").unwrap();
    assert_eq!(pos(text, z.span().start), (5, 10));
    let args = root.path(&["spec", "args"]).unwrap();
    assert_eq!(args.items().len(), 2);
    let b = args.items().nth(1).unwrap();
    assert_eq!(pos(text, b.span().start), (8, 13));
    assert_eq!(root.path(&["spec", "t"]).unwrap().as_str(), Some("v"));
    let after = root.path(&["spec", "after"]).unwrap();
    assert_eq!(pos(text, after.span().start), (11, 10));
}

#[test]
fn a_repair_that_does_not_fix_everything_reports_the_original_error() {
    let text = "a: 'x\n  y'\nb: [\n1\n";
    let s = parse(text);
    assert_eq!(s.errors.len(), 1);
    assert!(s.documents.is_empty());
}
