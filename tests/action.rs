//! The GitHub Action (action.yml), executed the way the runner executes its composite steps:
//! `${{ inputs.* }}` expressions replaced, the step's `env` set, GITHUB_* files provided, and the
//! `run` script given to bash. Checks the annotations, the job summary and the SARIF file.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use kubelint::parse::{lines::LineIndex, parse_stream};

/// The expressions of the runner's contexts the step uses, as on a push event (there is no
/// pull request).
fn substitute(text: &str, inputs: &HashMap<&str, String>) -> String {
    let mut out = text.replace("${{ github.event.pull_request.base.sha }}", "");
    for (name, value) in inputs {
        out = out.replace(&format!("${{{{ inputs.{name} }}}}"), value);
    }
    out
}

#[test]
fn the_action_annotates_summarises_and_writes_sarif() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("action.yml")).unwrap();
    let lines = LineIndex::new(&text);
    let stream = parse_stream(&text, &lines);
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    let action = stream.documents[0].root();

    // Every input the issue names, with its default.
    let mut inputs: HashMap<&str, String> = HashMap::new();
    for name in [
        "path",
        "format",
        "config",
        "kubernetes-version",
        "fail-on",
        "sarif-file",
        "new-from-rev",
    ] {
        let input = action
            .path(&["inputs", name])
            .unwrap_or_else(|| panic!("input {name}"));
        inputs.insert(
            name,
            input
                .get("default")
                .and_then(|d| d.raw())
                .unwrap_or("")
                .to_owned(),
        );
    }
    assert_eq!(
        action.path(&["runs", "using"]).unwrap().as_str(),
        Some("composite")
    );
    let steps: Vec<_> = action.path(&["runs", "steps"]).unwrap().items().collect();
    assert!(steps.iter().any(|s| {
        s.get_str("uses")
            .is_some_and(|u| u.starts_with("actions/cache@"))
    }));
    let install = steps
        .iter()
        .find_map(|s| s.get_str("run").filter(|r| r.contains("cargo install")))
        .expect("an install step");
    assert!(
        install.contains("--path \"$GITHUB_ACTION_PATH\""),
        "installs from the action's own source"
    );
    let lint = steps
        .iter()
        .find(|s| s.get_str("id") == Some("lint"))
        .expect("the lint step");

    let work = std::env::temp_dir().join(format!("kubelint-action-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.join("deploy")).unwrap();
    std::fs::copy(
        root.join("fixtures/examples/shop.yaml"),
        work.join("deploy/shop.yaml"),
    )
    .unwrap();
    let summary = work.join("summary.md");
    let output = work.join("output.txt");
    inputs.insert("path", "deploy".into());
    inputs.insert("kubernetes-version", "1.33".into());

    let mut command = Command::new("bash");
    command
        .arg("-e")
        .arg("-c")
        .arg(substitute(lint.get_str("run").unwrap(), &inputs))
        .current_dir(&work)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_ACTION_PATH", root)
        .env("GITHUB_WORKSPACE", &work)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output)
        .env("RUNNER_TEMP", &work)
        .env("KUBELINT_BIN", env!("CARGO_BIN_EXE_kubelint"));
    for (k, v) in lint.get("env").unwrap().entries() {
        command.env(k.key_text().unwrap(), substitute(v.raw().unwrap(), &inputs));
    }
    let out = command.output().unwrap();
    let log = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "findings fail the step\n{log}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Annotations on the diff: workflow commands with file, position and rule.
    assert!(
        log.lines().any(|l| l.starts_with("::error file=deploy/shop.yaml,line=27,col=45,endLine=27,endColumn=50,title=kubelint probe-unknown-port::")),
        "{log}"
    );
    assert_eq!(
        log.lines()
            .filter(|l| l.starts_with("::warning file=deploy/shop.yaml"))
            .count(),
        4
    );
    // The job summary.
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.contains("| error | `probe-unknown-port` | `deploy/shop.yaml:27:45` |"),
        "{summary}"
    );
    // The SARIF file for upload-sarif, and the step output naming it.
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(work.join("kubelint.sarif")).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "deploy/shop.yaml"
    );
    assert!(
        std::fs::read_to_string(&output)
            .unwrap()
            .contains("sarif-file=kubelint.sarif")
    );

    // On a pull request, `new-from-rev: auto` compares with the base commit: the findings the
    // base already had are not annotated, a new one is.
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(args)
            .current_dir(&work)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(status.status.success(), "git {args:?}");
        String::from_utf8_lossy(&status.stdout).trim().to_owned()
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "deploy"]);
    git(&["commit", "-q", "-m", "base"]);
    let base = git(&["rev-parse", "HEAD"]);
    let shop = std::fs::read_to_string(work.join("deploy/shop.yaml")).unwrap();
    std::fs::write(
        work.join("deploy/new.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: worker\nspec:\n  containers:\n    - name: worker\n      image: example/worker:1\n      command: [sh, -c, python worker.py]\n",
    )
    .unwrap();
    assert!(shop.contains("kind: Deployment"));
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(substitute(lint.get_str("run").unwrap(), &inputs))
        .current_dir(&work)
        .env("GITHUB_ACTION_PATH", root)
        .env("KUBELINT_BIN", env!("CARGO_BIN_EXE_kubelint"));
    for (k, v) in lint.get("env").unwrap().entries() {
        command.env(k.key_text().unwrap(), substitute(v.raw().unwrap(), &inputs));
    }
    command
        .env("PULL_REQUEST_BASE_SHA", &base)
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("INPUT_SARIF_FILE", "");
    let out = command.output().unwrap();
    let log = String::from_utf8_lossy(&out.stdout);
    let annotated: Vec<&str> = log.lines().filter(|l| l.starts_with("::")).collect();
    assert!(
        !annotated.is_empty() && annotated.iter().all(|l| l.contains("file=deploy/new.yaml")),
        "{log}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        annotated.iter().any(|l| l.contains("shell-form-sigterm")),
        "{log}"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already at"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&work);
}
