//! Fixture-driven rule tests: every `fixtures/<rule>/fail-*` file must trigger the rule, every
//! `pass-*` file must not, and the rendered diagnostics of each failing file are pinned with insta.

use std::path::Path;
use std::sync::Arc;

use crate::lint::{RuleSet, lint_text};
use crate::report::{human, json};

pub fn assert_rule_fixtures(rule: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rule);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let (mut fails, mut passes) = (0, 0);
    let rules = RuleSet::all();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let shown = format!("fixtures/{rule}/{name}");
        let report = lint_text(Arc::from(shown.as_str()), &text, true, &rules);
        let own: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.rule == rule)
            .collect();
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
