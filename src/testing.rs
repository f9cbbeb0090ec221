//! Fixture-driven rule tests. In `fixtures/<rule>/`, every `fail-*` entry must trigger the
//! rule and every `pass-*` entry must not; the rendered diagnostics of each failing entry are
//! pinned with insta. An entry is a file, or a directory whose files are linted together in
//! one run (cross-object rules), with its `context/` subdirectory passed as `--context` and
//! its `before/` subdirectory linted first as the revision `--new-from-rev` compares with.
//!
//! One test, `rules::tests::every_rule_passes_its_fixtures`, runs the fixtures of every rule of
//! the registry: a rule cannot be added without them.

use std::path::{Path, PathBuf};

use crate::lint::{self, RunOptions};
use crate::load;
use crate::report::{human, json};
use crate::rules;
use crate::rules::RuleSet;

/// Directories of `fixtures/` that belong to no rule: the README's example, and the
/// scenarios of admission policies and policy files (`policy::tests`).
const NOT_RULES: &[&str] = &["examples", "helm", "kustomize", "policies"];

/// Runs the fixtures of every registered rule, each to the end, and fails naming every rule
/// whose fixtures failed (or are missing), and every fixture directory that names no rule.
pub fn assert_every_rule_fixtures() {
    let mut failed = Vec::new();
    for entry in rules::registry() {
        let rule = entry.id();
        if let Err(panic) = std::panic::catch_unwind(|| assert_rule_fixtures(rule)) {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("panicked");
            failed.push(format!("{rule}: {message}"));
        }
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut strays: Vec<String> = std::fs::read_dir(&fixtures)
        .unwrap_or_else(|e| panic!("{}: {e}", fixtures.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !NOT_RULES.contains(&name.as_str()) && rules::find(name).is_none())
        .collect();
    strays.sort();
    for name in strays {
        failed.push(format!("fixtures/{name}/ names no rule"));
    }
    assert!(
        failed.is_empty(),
        "fixtures failed for {} rule(s):\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// The fixtures of one rule; panics at the first failure.
pub fn assert_rule_fixtures(rule: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("fixtures").join(rule);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (every rule needs fail-*.yaml and pass-*.yaml fixtures there)",
                dir.display()
            )
        })
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    let (mut fails, mut passes) = (0, 0);
    let rules = RuleSet::all();
    for name in entries {
        let relative = PathBuf::from("fixtures").join(rule).join(&name);
        let full = root.join(&relative);
        let (inputs, errors, context, before) = if full.is_dir() {
            // Walk the entry (as `kubelint check DIR` would), its `context/` and `before/` aside.
            let load::Discovered {
                inputs: all,
                errors,
                ..
            } = load::discover(std::slice::from_ref(&full), None, load::Named::Explicit);
            let under = |dir: &Path, input: &load::Input| match input {
                load::Input::File { path, .. } | load::Input::Buffer { path, .. } => {
                    path.starts_with(dir)
                }
                load::Input::Stdin { .. } | load::Input::Rendered { .. } => false,
            };
            let (context_dir, before_dir) = (full.join("context"), full.join("before"));
            let (context, rest): (Vec<_>, Vec<_>) =
                all.into_iter().partition(|i| under(&context_dir, i));
            let (before, targets): (Vec<_>, Vec<_>) =
                rest.into_iter().partition(|i| under(&before_dir, i));
            (targets, errors, context, before)
        } else {
            let found = load::discover(std::slice::from_ref(&full), None, load::Named::Explicit);
            (found.inputs, found.errors, Vec::new(), Vec::new())
        };
        // Files are read by their absolute paths (tests run in parallel: no working directory
        // is set) and shown as a user in the crate root would type them.
        let (inputs, context) = (as_typed_in(root, inputs), as_typed_in(root, context));
        assert!(errors.is_empty(), "{errors:?}");
        let previous = (!before.is_empty()).then(|| {
            let before = as_typed_in(root, before);
            let options = RunOptions::default();
            let mut snapshot = lint::run_recording(&before, &[], &rules, &options).1;
            snapshot.revision = "before".to_owned();
            std::sync::Arc::new(snapshot)
        });
        let options = RunOptions {
            previous,
            ..RunOptions::default()
        };
        let report = lint::run(&inputs, &context, &rules, &options);
        let own: Vec<_> = report.diagnostics().filter(|d| d.rule == rule).collect();
        let shown = relative.display();
        if name.starts_with("fail") {
            fails += 1;
            assert!(!own.is_empty(), "{shown} should trigger {rule}");
            let mut rendered = String::new();
            for d in &own {
                rendered.push_str(&human::render_one(d, false));
                rendered.push('\n');
            }
            let as_json: Vec<_> = own.iter().map(|d| json::diagnostic(d)).collect();
            rendered.push_str(&serde_json::to_string_pretty(&as_json).unwrap());
            rendered.push_str(&fixed_diff(&full, &shown.to_string(), &own, &rules));
            let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
            insta::with_settings!({
                snapshot_path => "rules/snapshots",
                prepend_module_to_snapshot => false,
                omit_expression => true,
            }, {
                insta::assert_snapshot!(format!("{rule}@{stem}"), rendered);
            });
        } else if name.starts_with("pass") {
            passes += 1;
            assert!(
                own.is_empty(),
                "{shown} must not trigger {rule}, got:\n{}",
                own.iter()
                    .map(|d| human::render_one(d, false))
                    .collect::<String>()
            );
        }
    }
    assert!(
        fails > 0 && passes > 0,
        "{rule} needs fail-* and pass-* fixtures"
    );
}

/// What the rule's fixes (safe and unsafe) make of a single-file fixture, as a diff, pinned
/// with its findings; or why they are not written.
fn fixed_diff(
    full: &Path,
    shown: &str,
    own: &[&crate::diagnostic::Diagnostic],
    rules: &RuleSet,
) -> String {
    let fixable = own.iter().any(|d| d.fix.is_some());
    if !full.is_file() || !fixable {
        return String::new();
    }
    let text = std::fs::read_to_string(full).unwrap();
    let own: Vec<_> = own.iter().map(|d| (*d).clone()).collect();
    let wanted = crate::fix::Wanted { unsafe_fixes: true };
    match crate::fix::fix_file(&std::sync::Arc::from(shown), &text, &own, wanted, rules) {
        Ok(Some(fixed)) => format!(
            "\n\n--fix --unsafe-fixes fixes {}:\n{}{}",
            fixed.fixed,
            crate::fix::unified_diff(shown, &text, &fixed.text),
            fixed
                .refused
                .iter()
                .map(|r| format!("\n{r}"))
                .collect::<String>()
        ),
        Ok(None) => "\n\n--fix --unsafe-fixes: nothing to apply".to_owned(),
        Err(reason) => format!("\n\n--fix --unsafe-fixes: not fixed: {reason}"),
    }
}

/// The inputs, shown by their paths relative to `root`.
pub fn as_typed_in(root: &Path, inputs: Vec<load::Input>) -> Vec<load::Input> {
    inputs
        .into_iter()
        .map(|input| match input {
            load::Input::File { path, explicit, .. } => load::Input::File {
                display: path
                    .strip_prefix(root)
                    .expect("fixtures lie under the crate root")
                    .to_string_lossy()
                    .into_owned(),
                path,
                explicit,
            },
            stdin => stdin,
        })
        .collect()
}
