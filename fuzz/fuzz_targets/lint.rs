//! The whole pipeline on one file, every rule on, with a second file as `--context`: loading,
//! parsing, modelling, the index, every rule and every reporter must never panic.
//!
//! The input is split at its first NUL byte: what comes before is the target file, what comes
//! after the context file (NUL is not valid in YAML, so the split never hides a case).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use kubelint::lint::{RunOptions, run};
use kubelint::load::Input;
use kubelint::report::{Format, render};
use kubelint::rules::RuleSet;
use libfuzzer_sys::fuzz_target;

fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("kubelint-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        dir
    })
}

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(RuleSet::all)
}

fn input(name: &str, bytes: &[u8]) -> Input {
    let path = scratch().join(name);
    std::fs::write(&path, bytes).expect("a scratch file");
    Input::File {
        path,
        display: name.to_owned(),
        explicit: true,
    }
}

fuzz_target!(|data: &[u8]| {
    let (target, context) = match data.iter().position(|&b| b == 0) {
        Some(nul) => (&data[..nul], Some(&data[nul + 1..])),
        None => (data, None),
    };
    let targets = [input("target.yaml", target)];
    let context: Vec<Input> = context
        .map(|c| input("context.yaml", c))
        .into_iter()
        .collect();
    let report = run(&targets, &context, rules(), &RunOptions::default());
    for format in [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Junit,
        Format::Markdown,
    ] {
        let _ = render(format, &report, false);
    }
});
