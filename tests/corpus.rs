//! kubelint over the real-world corpora in ../shared/corpus: no crash, every position inside its
//! file, every broken file reported. Ignored by a plain `cargo test` (the corpora live outside
//! the repository); `.ci/run` runs them with `cargo test --test corpus --test peers -- --ignored`,
//! and there a missing corpus fails the test.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(name);
    assert!(
        dir.is_dir(),
        "{} is missing: this test needs the corpora of ../shared/corpus",
        dir.display()
    );
    dir
}

fn check_json(dir: &Path) -> (Option<i32>, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_kubelint"))
        .args(["check", dir.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    (out.status.code(), value)
}

#[test]
#[ignore = "needs ../shared/corpus; .ci/run runs it with --ignored"]
fn real_corpus_positions_lie_inside_their_files() {
    let dir = corpus("real");
    let (code, report) = check_json(&dir);
    assert!(matches!(code, Some(0 | 1)), "exit {code:?}");
    assert!(report["errors"].as_array().unwrap().is_empty());
    assert!(report["summary"]["files"].as_u64().unwrap() > 4000);
    let mut lines_of: HashMap<String, Vec<String>> = HashMap::new();
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert!(!diagnostics.is_empty());
    for d in diagnostics {
        let file = d["file"].as_str().unwrap().to_owned();
        let lines = lines_of.entry(file.clone()).or_insert_with(|| {
            let text = std::fs::read_to_string(&file).unwrap();
            text.trim_start_matches('\u{feff}')
                .split('\n')
                .map(|l| l.trim_end_matches('\r').to_owned())
                .collect()
        });
        let mut spots = vec![d];
        spots.extend(d["labels"].as_array().unwrap());
        for spot in spots {
            let at = |k: &str| spot[k].as_u64().unwrap() as usize;
            let (line, column, end_line, end_column) =
                (at("line"), at("column"), at("end_line"), at("end_column"));
            assert!(
                line >= 1 && line <= lines.len(),
                "{file}:{line} outside the file"
            );
            assert!(
                end_line >= line && end_line <= lines.len() + 1,
                "{file}: end {end_line}"
            );
            let width = lines[line - 1].chars().count();
            assert!(
                column >= 1 && column <= width + 1,
                "{file}:{line}:{column} past the line"
            );
            if end_line == line {
                assert!(end_column >= column, "{file}:{line}: end before start");
            }
        }
    }
}

#[test]
#[ignore = "needs ../shared/corpus; .ci/run runs it with --ignored"]
fn every_broken_file_is_reported_with_a_position() {
    let dir = corpus("real-invalid");
    let (code, report) = check_json(&dir);
    assert_eq!(code, Some(1));
    let mut files = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(!files.is_empty());
    for file in files {
        let shown = file.to_string_lossy().into_owned();
        let found = report["diagnostics"].as_array().unwrap().iter().any(|d| {
            d["file"] == shown.as_str()
                && d["rule"] == "invalid-yaml"
                && d["line"].as_u64() > Some(0)
        });
        assert!(found, "{shown} is not reported as invalid-yaml");
    }
}

/// Copies a directory tree (files only; links and specials are skipped).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn findings(report: &serde_json::Value) -> HashMap<(String, String, String), usize> {
    let mut counts = HashMap::new();
    for d in report["diagnostics"].as_array().unwrap() {
        let key = |k: &str| d[k].as_str().unwrap_or_default().to_owned();
        *counts
            .entry((key("file"), key("rule"), key("message")))
            .or_default() += 1;
    }
    counts
}

/// Every safe fix on a copy of the real corpus: afterwards no finding is new, no file fails to
/// parse, only what was fixed is gone, and a second `--fix` has nothing left to do.
#[test]
#[ignore = "needs ../shared/corpus; .ci/run runs it with --ignored"]
fn safe_fixes_on_the_real_corpus_add_nothing_and_settle() {
    let copy = std::env::temp_dir().join(format!("kubelint-fix-corpus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&copy);
    copy_tree(&corpus("real"), &copy);
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_kubelint"))
            .current_dir(&copy)
            .args(args)
            .output()
            .unwrap()
    };
    let json = |out: std::process::Output| -> serde_json::Value {
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    };
    let before = findings(&json(run(&["check", ".", "--format", "json"])));
    let fixed = run(&["check", ".", "--fix", "--format", "json"]);
    let stderr = String::from_utf8_lossy(&fixed.stderr).into_owned();
    let after = findings(&json(fixed));
    let second = run(&["check", ".", "--diff"]);
    let _ = std::fs::remove_dir_all(&copy);
    assert_eq!(
        second.status.code(),
        Some(0),
        "a second --fix would change: {}",
        String::from_utf8_lossy(&second.stdout)
    );
    assert!(stderr.contains("kubelint: fixed "), "{stderr}");
    assert!(!stderr.contains("not fixed: its fixes"), "{stderr}");
    let new: Vec<_> = after
        .iter()
        .filter(|(k, n)| before.get(*k).is_none_or(|b| *n > b))
        .collect();
    assert!(new.is_empty(), "new findings after --fix: {new:#?}");
    assert!(
        !after.keys().any(|(_, rule, _)| rule == "invalid-yaml"),
        "a fixed file does not parse"
    );
    let gone: usize = before
        .iter()
        .map(|(k, n)| n - after.get(k).copied().unwrap_or(0).min(*n))
        .sum();
    assert!(gone >= 10, "only {gone} findings fixed");
    let gone_rules: std::collections::HashSet<&str> = before
        .keys()
        .filter(|k| after.get(*k).copied().unwrap_or(0) < before[*k])
        .map(|(_, rule, _)| rule.as_str())
        .collect();
    assert!(
        gone_rules.is_subset(
            &[
                "shell-form-sigterm",
                "unknown-field",
                "duplicate-env-var",
                "removed-api-version",
                "deprecated-api-version",
            ]
            .into()
        ),
        "{gone_rules:?}"
    );
}
