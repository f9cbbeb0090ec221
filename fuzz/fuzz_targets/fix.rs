//! Fixes on any input: applying every fix (safe and unsafe) never panics, never leaves a file
//! that parses worse than before (`fix_file` proves that, and this checks it again), and fixing
//! the fixed text again changes nothing.
#![no_main]

use std::sync::{Arc, OnceLock};

use kubelint::fix::{Wanted, fix_file};
use kubelint::lint::lint_text;
use kubelint::rules::RuleSet;
use libfuzzer_sys::fuzz_target;

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(RuleSet::all)
}

fn syntax_errors(text: &str, path: &Arc<str>) -> usize {
    lint_text(path.clone(), text, true, rules())
        .diagnostics
        .iter()
        .filter(|d| d.rule == "invalid-yaml" || d.rule == "invalid-manifest")
        .count()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path: Arc<str> = Arc::from("target.yaml");
    let wanted = Wanted { unsafe_fixes: true };
    let report = lint_text(path.clone(), text, true, rules());
    let Ok(Some(fixed)) = fix_file(&path, text, &report.diagnostics, wanted, rules()) else {
        return;
    };
    assert!(
        syntax_errors(&fixed.text, &path) <= syntax_errors(text, &path),
        "a fix made the file parse worse"
    );
    if fixed.refused.iter().any(|r| r.contains("did not settle")) {
        return;
    }
    let again = lint_text(path.clone(), &fixed.text, true, rules());
    let second = fix_file(&path, &fixed.text, &again.diagnostics, wanted, rules());
    assert!(
        !matches!(second, Ok(Some(_))),
        "a second fix changed the fixed text"
    );
});
