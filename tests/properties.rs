//! Properties of the whole pipeline, over documents drawn from the rule fixtures:
//! - the same objects give the same findings whether each is alone in its file, all are in
//!   one multi-document stream, in a `kind: List`, or in a JSON `List`;
//! - a suppression comment on one finding's line silences it and changes nothing on other
//!   lines;
//! - a baseline written from a run, read back, silences exactly that run's findings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use kubelint::baseline::{self, Baseline};
use kubelint::diagnostic::Diagnostic;
use kubelint::lint::{RunOptions, run};
use kubelint::load::Input;
use kubelint::parse::lines::LineIndex;
use kubelint::parse::{de, parse_stream};
use kubelint::rules::RuleSet;
use kubelint::run_report::RunReport;
use proptest::prelude::*;

/// Every single object of the fixtures that survives each shape unchanged: a block mapping
/// at column 0 with `kind` and `apiVersion`, no comments (JSON has none, and a comment may be
/// a suppression), no anchors or merge keys (JSON expands them), no duplicate keys (JSON
/// keeps one) and no integer too long for JSON's numbers.
fn documents() -> &'static [String] {
    static DOCUMENTS: OnceLock<Vec<String>> = OnceLock::new();
    DOCUMENTS.get_or_init(|| {
        let mut files = Vec::new();
        collect(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
            &mut files,
        );
        files.sort();
        let mut documents = Vec::new();
        for file in files {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            let long_integer = text
                .split(|c: char| !c.is_ascii_digit())
                .any(|digits| digits.len() > 15);
            if text.contains(['#', '&', '\t']) || text.contains("<<:") || long_integer {
                continue;
            }
            let lines = LineIndex::new(&text);
            let parsed = parse_stream(&text, &lines);
            for document in &parsed.documents {
                if !document.duplicate_keys.is_empty() {
                    continue;
                }
                let root = document.root();
                let kind = root.get("kind").and_then(|k| k.as_str());
                let is_object = root.get("apiVersion").and_then(|v| v.as_str()).is_some()
                    && kind.is_some_and(|k| !k.ends_with("List"));
                let span = root.span();
                let (start, end) = (span.start as usize, span.end as usize);
                let at_line_start = start == 0 || text.as_bytes()[start - 1] == b'\n';
                if is_object && at_line_start && !text[start..end].starts_with('{') {
                    documents.push(text[start..end].trim_end().to_owned());
                }
            }
        }
        documents
    })
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("kubelint-properties-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn lint(files: &[(PathBuf, String)]) -> RunReport {
    let inputs: Vec<Input> = files
        .iter()
        .map(|(path, text)| {
            std::fs::write(path, text).unwrap();
            Input::File {
                path: path.clone(),
                display: path.file_name().unwrap().to_string_lossy().into_owned(),
                explicit: true,
            }
        })
        .collect();
    run(&inputs, &[], &RuleSet::all(), &RunOptions::default())
}

/// What a finding says, without where: a line number in a message or a file name differs
/// between shapes by design.
fn gist(d: &Diagnostic) -> String {
    let mut message = String::new();
    let mut rest = d.message.as_str();
    while let Some(at) = rest.find("line ") {
        message.push_str(&rest[..at + 5]);
        rest = rest[at + 5..].trim_start_matches(|c: char| c.is_ascii_digit());
        message.push('N');
    }
    message.push_str(rest);
    format!(
        "{} {:?} {} | {}",
        d.rule,
        d.severity,
        d.object
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        message
    )
}

fn gists(report: &RunReport) -> Vec<String> {
    let mut all: Vec<String> = report.diagnostics().map(gist).collect();
    all.sort();
    all
}

fn as_list(documents: &[&str]) -> String {
    let mut list = String::from("apiVersion: v1\nkind: List\nitems:\n");
    for document in documents {
        for (i, line) in document.lines().enumerate() {
            let indent = if i == 0 {
                "  - "
            } else if line.is_empty() {
                ""
            } else {
                "    "
            };
            list.push_str(indent);
            list.push_str(line);
            list.push('\n');
        }
    }
    list
}

fn as_json_list(documents: &[&str]) -> String {
    let items: Vec<serde_json::Value> = documents
        .iter()
        .map(|d| {
            let lines = LineIndex::new(d);
            let parsed = parse_stream(d, &lines);
            de::from_node(parsed.documents[0].root()).expect("a fixture document converts to JSON")
        })
        .collect();
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
    serde_json::to_string_pretty(&list).unwrap()
}

fn picks() -> impl Strategy<Value = Vec<usize>> {
    let count = documents().len();
    prop::collection::vec(0..count, 1..4)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn findings_do_not_depend_on_how_the_objects_are_packaged(picked in picks()) {
        let chosen: Vec<&str> = picked.iter().map(|&i| documents()[i].as_str()).collect();

        let alone_dir = scratch("alone");
        let alone: Vec<(PathBuf, String)> = chosen
            .iter()
            .enumerate()
            .map(|(i, d)| (alone_dir.join(format!("object-{i}.yaml")), format!("{d}\n")))
            .collect();
        let expected = gists(&lint(&alone));

        let stream = chosen.join("\n---\n") + "\n";
        let stream_report = lint(&[(scratch("stream").join("stream.yaml"), stream)]);
        prop_assert_eq!(&gists(&stream_report), &expected, "as one stream");

        let list_report = lint(&[(scratch("list").join("list.yaml"), as_list(&chosen))]);
        prop_assert_eq!(&gists(&list_report), &expected, "as a kind: List");

        let json_report = lint(&[(scratch("json").join("list.json"), as_json_list(&chosen))]);
        prop_assert_eq!(&gists(&json_report), &expected, "as a JSON List");
    }

    #[test]
    fn a_suppression_comment_silences_its_line_and_nothing_else(picked in picks(), which in any::<prop::sample::Index>()) {
        let chosen: Vec<&str> = picked.iter().map(|&i| documents()[i].as_str()).collect();
        let text = chosen.join("\n---\n") + "\n";
        let path = scratch("suppress").join("stream.yaml");
        let before = lint(&[(path.clone(), text.clone())]);
        // Only a finding on a line that ends in a plain value or a key can take a trailing
        // comment without changing the YAML (not inside a block scalar or a quoted string).
        let lines: Vec<&str> = text.lines().collect();
        let candidates: Vec<&Diagnostic> = before
            .diagnostics()
            .filter(|d| {
                let line = lines.get(d.location.start.line as usize - 1).copied().unwrap_or("");
                let trimmed = line.trim_start().trim_start_matches("- ");
                !text.contains(": |") && !text.contains(": >") && !line.contains(['"', '\''])
                    && trimmed.split_once(':').is_some_and(|(key, _)| !key.is_empty() && !key.contains(' '))
            })
            .collect();
        prop_assume!(!candidates.is_empty());
        let target = candidates[which.index(candidates.len())];
        let line = target.location.start.line;
        let mut suppressed = String::new();
        for (i, l) in text.lines().enumerate() {
            suppressed.push_str(l);
            if i + 1 == line as usize {
                suppressed.push_str(&format!("  # kubelint-ignore: {} -- property test", target.rule));
            }
            suppressed.push('\n');
        }
        let after = lint(&[(path, suppressed)]);

        let key = |d: &Diagnostic| (d.location.start.line, d.location.start.column, gist(d));
        let mut expected: Vec<_> = before
            .diagnostics()
            .filter(|d| !(d.rule == target.rule && d.location.start.line == line))
            .map(key)
            .collect();
        expected.sort();
        let mut actual: Vec<_> = after.diagnostics().map(key).collect();
        actual.sort();
        prop_assert_eq!(actual, expected);
    }

    #[test]
    fn a_baseline_read_back_silences_exactly_its_run(picked in picks()) {
        let chosen: Vec<&str> = picked.iter().map(|&i| documents()[i].as_str()).collect();
        let dir = scratch("baseline");
        let files: Vec<(PathBuf, String)> = chosen
            .iter()
            .enumerate()
            .map(|(i, d)| (dir.join(format!("object-{i}.yaml")), format!("{d}\n")))
            .collect();
        let report = lint(&files);
        let written = baseline::render(&report);
        let baseline_path = scratch("baseline-file").join("baseline.json");
        std::fs::write(&baseline_path, &written).unwrap();

        let mut again = lint(&files);
        let total = again.diagnostics().count();
        let removed = Baseline::load(&baseline_path).unwrap().filter(&mut again);
        prop_assert_eq!(removed, total);
        prop_assert_eq!(again.diagnostics().count(), 0);
        prop_assert_eq!(baseline::render(&lint(&files)), written, "a second run writes the same baseline");
    }
}

#[test]
fn the_fixtures_give_the_properties_enough_documents() {
    let count = documents().len();
    let kinds: BTreeMap<&str, usize> = documents().iter().fold(BTreeMap::new(), |mut m, d| {
        let kind = d
            .lines()
            .find_map(|l| l.strip_prefix("kind: "))
            .unwrap_or("?");
        *m.entry(kind).or_default() += 1;
        m
    });
    assert!(
        count >= 100 && kinds.len() >= 10,
        "{count} documents of kinds {kinds:?}"
    );
}
