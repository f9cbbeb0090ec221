//! `check --fix`, `--unsafe-fixes` and `--diff` end to end: what is written, what is not, and
//! that a fixed file is otherwise byte for byte what it was.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A directory for one test, removed when it ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("kubelint-fix-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// Copies a file of the repository in, by its name.
    fn copy(&self, fixture: &str) -> PathBuf {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture);
        let to = self.0.join(from.file_name().unwrap());
        std::fs::copy(&from, &to).unwrap();
        to
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_kubelint"))
            .current_dir(&self.0)
            .args(args)
            .arg("--color")
            .arg("never")
            .output()
            .unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn fix_inserts_exec_in_the_readme_example_and_changes_nothing_else() {
    let scratch = Scratch::new("readme");
    let file = scratch.copy("fixtures/examples/shop.yaml");
    let original = std::fs::read_to_string(&file).unwrap();

    let diff = scratch.run(&["check", "shop.yaml", "--diff"]);
    assert_eq!(diff.status.code(), Some(1), "{}", text(&diff.stderr));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        original,
        "--diff wrote"
    );
    insta::assert_snapshot!("readme_diff", text(&diff.stdout));
    assert!(text(&diff.stderr).contains("would fix 1 finding in 1 file"));

    let fixed = scratch.run(&["check", "shop.yaml", "--fix"]);
    let stderr = text(&fixed.stderr);
    assert!(stderr.contains("fixed 1 finding in 1 file"), "{stderr}");
    let stdout = text(&fixed.stdout);
    // What remains is reported, from the fixed file.
    assert!(stdout.contains("probe-unknown-port"), "{stdout}");
    assert!(!stdout.contains("shell-form-sigterm"), "{stdout}");
    assert_eq!(fixed.status.code(), Some(1));
    let after = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        after,
        original.replace("--noinput && gunicorn", "--noinput && exec gunicorn")
    );

    let again = scratch.run(&["check", "shop.yaml", "--diff"]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "a second fix would change something"
    );
    assert!(again.stdout.is_empty());
}

#[test]
fn unsafe_fixes_only_when_asked_and_layout_is_kept() {
    let scratch = Scratch::new("unsafe");
    let yaml = "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: p   # keep me\r\nspec:\r\n  \
                containers:\r\n    - name: c\r\n      image: 'x:1'\r\n      securityContext: \
                {privileged: true}\r\n";
    std::fs::write(scratch.0.join("pod.yaml"), yaml).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            scratch.0.join("pod.yaml"),
            std::fs::Permissions::from_mode(0o640),
        )
        .unwrap();
    }
    let safe = scratch.run(&[
        "check",
        "pod.yaml",
        "--select",
        "privileged-container",
        "--fix",
    ]);
    assert_eq!(safe.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(scratch.0.join("pod.yaml")).unwrap(),
        yaml
    );

    let fixed = scratch.run(&[
        "check",
        "pod.yaml",
        "--select",
        "privileged-container,privilege-escalation-allowed",
        "--fix",
        "--unsafe-fixes",
    ]);
    assert_eq!(fixed.status.code(), Some(0), "{}", text(&fixed.stderr));
    let after = std::fs::read_to_string(scratch.0.join("pod.yaml")).unwrap();
    // The flow mapping stays one, CRLF stays, the comment and the quotes stay; escalation is
    // turned off in a second pass, once `privileged: true` is gone.
    assert_eq!(
        after,
        yaml.replace(
            "{privileged: true}",
            "{privileged: false, allowPrivilegeEscalation: false}"
        )
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(scratch.0.join("pod.yaml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
    }
}

#[test]
fn a_fix_through_an_alias_is_refused_with_the_reason_and_the_file_left_alone() {
    let scratch = Scratch::new("alias");
    let file = scratch.copy("fixtures/shell-form-sigterm/fail-fix-alias.yaml");
    let original = std::fs::read_to_string(&file).unwrap();
    let out = scratch.run(&["check", "fail-fix-alias.yaml", "--fix"]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "fail-fix-alias.yaml:11:36: shell-form-sigterm not fixed: the value is shared \
             through a YAML anchor"
        ),
        "{stderr}"
    );
    assert_eq!(stderr.matches("not fixed").count(), 1, "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
}

#[test]
fn standard_input_is_not_fixed_and_json_output_carries_the_fix() {
    let scratch = Scratch::new("stdin");
    let input =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/examples/shop.yaml"))
            .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubelint"))
        .current_dir(&scratch.0)
        .args(["check", "-", "--fix"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("<stdin> not fixed: it is not a file"),
        "{stderr}"
    );

    let file = scratch.copy("fixtures/examples/shop.yaml");
    let out = scratch.run(&["check", file.to_str().unwrap(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fix = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "shell-form-sigterm")
        .map(|d| d["fix"].clone())
        .unwrap();
    assert_eq!(fix["applicability"], "safe");
    assert_eq!(fix["edits"][0]["replacement"], "exec ");
    assert_eq!(fix["edits"][0]["line"], 22);
    assert!(fix["refused"].is_null());
}

/// Found by the `fix` fuzz target: renaming `meta!data` gave the object its name, and the
/// fixes of its other findings were then not recognised as the run's until a second `--fix`.
#[test]
fn a_fix_that_names_the_object_leaves_nothing_for_a_second_fix() {
    let scratch = Scratch::new("renamed-object");
    let input = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions/fix/crash-bafa65c9630362947cb48350019448ccc7257d89");
    std::fs::copy(&input, scratch.0.join("pod.yaml")).unwrap();
    let enable = "unknown-field,privilege-escalation-allowed,writable-root-filesystem";
    let fixed = scratch.run(&[
        "check",
        "pod.yaml",
        "--enable",
        enable,
        "--fix",
        "--unsafe-fixes",
    ]);
    assert!(
        text(&fixed.stderr).contains("kubelint: fixed"),
        "{}",
        text(&fixed.stderr)
    );
    let again = scratch.run(&[
        "check",
        "pod.yaml",
        "--enable",
        enable,
        "--diff",
        "--unsafe-fixes",
    ]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stdout));
}

/// Every input the `fix` fuzz target found, checked as the target checks it, with every rule
/// and unsafe fixes: fixing does not make it parse worse, and fixing the result changes
/// nothing. crash-542695ab: the fix of a misspelt `selector` was set aside while the template
/// it selects had a misspelt `metadata`, and was not tried again once that was renamed.
#[test]
fn every_fix_fuzz_regression_settles_in_one_run() {
    use kubelint::fix::{Wanted, fix_file};
    use kubelint::lint::lint_text;
    use kubelint::rules::RuleSet;
    use std::sync::Arc;

    let rules = RuleSet::all();
    let path: Arc<str> = Arc::from("target.yaml");
    let wanted = Wanted { unsafe_fixes: true };
    let syntax_errors = |text: &str| {
        lint_text(path.clone(), text, true, &rules)
            .diagnostics
            .iter()
            .filter(|d| d.rule == "invalid-yaml" || d.rule == "invalid-manifest")
            .count()
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/fix");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 2, "{inputs:?}");
    for input in inputs {
        let text = std::fs::read_to_string(&input).unwrap();
        let report = lint_text(path.clone(), &text, true, &rules);
        let fixed = fix_file(&path, &text, &report.diagnostics, wanted, &rules)
            .unwrap_or_else(|e| panic!("{}: {e}", input.display()))
            .unwrap_or_else(|| panic!("{}: nothing fixed", input.display()));
        assert!(syntax_errors(&fixed.text) <= syntax_errors(&text));
        let again = lint_text(path.clone(), &fixed.text, true, &rules);
        let second = fix_file(&path, &fixed.text, &again.diagnostics, wanted, &rules);
        assert!(
            !matches!(second, Ok(Some(_))),
            "{}: a second fix changed the fixed text",
            input.display()
        );
    }
}
