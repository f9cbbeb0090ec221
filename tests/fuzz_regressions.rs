//! Every input the fuzzers (`fuzz/`, run by `scripts/fuzz.sh`) ever crashed on, replayed
//! through the real binary with every rule on and every output format: none may panic again.
//!
//! A regression file holds what the fuzz target got: for `lint`, the target file and, after
//! the first NUL byte, the `--context` file; for `parse`, one file.

use std::path::{Path, PathBuf};
use std::process::Command;

fn every_rule() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_kubelint"))
        .args(["rules", "--format", "json"])
        .output()
        .expect("kubelint runs");
    let rules: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("the rule list is JSON");
    let ids: Vec<&str> = rules
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    ids.join(",")
}

fn regressions() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut files = Vec::new();
    // A `fix` regression is a target file too: replaying it lints it, and tests/fix.rs
    // applies its fixes as the `fix` target does.
    for target in ["parse", "lint", "fix"] {
        let Ok(dir) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        files.extend(
            dir.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file()),
        );
    }
    files.sort();
    files
}

#[test]
fn no_input_a_fuzzer_crashed_on_crashes_kubelint_again() {
    let rules = every_rule();
    let scratch =
        std::env::temp_dir().join(format!("kubelint-fuzz-regressions-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    for file in regressions() {
        let data = std::fs::read(&file).unwrap();
        let (target, context) = match data.iter().position(|&b| b == 0) {
            Some(nul) => (&data[..nul], Some(&data[nul + 1..])),
            None => (&data[..], None),
        };
        let target_path = scratch.join("target.yaml");
        std::fs::write(&target_path, target).unwrap();
        let context_path = scratch.join("context.yaml");
        if let Some(context) = context {
            std::fs::write(&context_path, context).unwrap();
        }
        for format in ["human", "json", "sarif", "github", "junit", "markdown"] {
            let mut command = Command::new(env!("CARGO_BIN_EXE_kubelint"));
            command
                .args([
                    "check",
                    "--enable",
                    &rules,
                    "--format",
                    format,
                    "--fail-on",
                    "never",
                ])
                .arg(&target_path);
            if context.is_some() {
                command.arg("--context").arg(&context_path);
            }
            let out = command.output().expect("kubelint runs");
            assert!(
                matches!(out.status.code(), Some(0..=2)),
                "{} ({format}) ended with {:?}:\n{}",
                file.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
}
