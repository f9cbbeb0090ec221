//! `--new-from-rev`: real git repositories in temporary directories, committed, changed and
//! committed again, linted by the binary.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .stdin(Stdio::null())
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn kubelint_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubelint"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run kubelint")
}

fn diagnostics(out: &Output) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    v["diagnostics"].as_array().unwrap().clone()
}

fn repository() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "-q", "-b", "main"]);
    repo
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

/// A Deployment with no probes (and resources): two findings (readiness, liveness) per container.
fn deployment(name: &str, image: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
        - name: main
          image: {image}
          resources: {{limits: {{cpu: 100m, memory: 64Mi}}}}
"
    )
}

#[test]
fn only_the_finding_the_change_introduced_is_reported() {
    let repo = repository();
    let dir = repo.path();
    let legacy: String = (0..50)
        .map(|i| deployment(&format!("legacy-{i}"), "example/app:1"))
        .collect::<Vec<_>>()
        .join("---\n");
    write(dir, "deploy/legacy.yaml", &legacy);
    commit(dir, "legacy");
    let plain = kubelint_in(dir, &["check", "deploy", "--format", "json"]);
    assert_eq!(
        diagnostics(&plain).len(),
        100,
        "two findings per legacy Deployment"
    );

    // One new finding: a shell-form entrypoint in a legacy Deployment; the rest is moved
    // around (a comment above shifts every line) but unchanged.
    let changed = format!(
        "# reordered\n{}",
        legacy.replacen(
            "image: example/app:1\n",
            "image: example/app:1\n          command: [\"sh\", \"-c\", \"python app.py\"]\n",
            1
        )
    );
    write(dir, "deploy/legacy.yaml", &changed);
    commit(dir, "change");
    let out = kubelint_in(
        dir,
        &[
            "check",
            "deploy",
            "--format",
            "json",
            "--new-from-rev",
            "HEAD~1",
        ],
    );
    let found = diagnostics(&out);
    assert_eq!(
        found.len(),
        1,
        "{found:#?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(found[0]["rule"], "shell-form-sigterm");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("100 findings already at HEAD~1"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_renamed_file_and_a_moved_object_keep_their_findings_known() {
    let repo = repository();
    let dir = repo.path();
    // A finding outside any object (a syntax error) is known by its file: the rename must be
    // followed. A finding of an object is known by the object, whatever its file.
    let broken = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken\ndata: {}\n";
    write(dir, "old/broken.yaml", broken);
    write(dir, "old/web.yaml", &deployment("web", "nginx:1.27"));
    commit(dir, "one");
    write(
        dir,
        "new/all.yaml",
        &format!("# moved here\n{}", deployment("web", "nginx:1.27")),
    );
    git(dir, &["mv", "old/broken.yaml", "new/broken.yaml"]);
    std::fs::remove_file(dir.join("old/web.yaml")).unwrap();
    commit(dir, "two");
    let plain = kubelint_in(dir, &["check", "new", "--format", "json"]);
    assert_eq!(diagnostics(&plain).len(), 3);
    let out = kubelint_in(
        dir,
        &["check", ".", "--format", "json", "--new-from-rev", "HEAD~1"],
    );
    assert!(diagnostics(&out).is_empty());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_immutable_change_is_an_error_only_with_the_flag() {
    let repo = repository();
    let dir = repo.path();
    write(dir, "app.yaml", &deployment("web", "nginx:1.27"));
    commit(dir, "one");
    write(
        dir,
        "app.yaml",
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
      tier: front
  template:
    metadata:
      labels:
        app: web
        tier: front
    spec:
      containers:
        - name: main
          image: nginx:1.27
          resources: {limits: {cpu: 100m, memory: 64Mi}}
",
    );
    let out = kubelint_in(
        dir,
        &[
            "check",
            "app.yaml",
            "--format",
            "json",
            "--new-from-rev",
            "HEAD",
        ],
    );
    let found = diagnostics(&out);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["rule"], "immutable-field-changed");
    assert_eq!(found[0]["severity"], "error");
    assert_eq!(found[0]["line"], 6);
    let plain = kubelint_in(dir, &["check", "app.yaml", "--format", "json"]);
    assert!(
        diagnostics(&plain)
            .iter()
            .all(|d| d["rule"] != "immutable-field-changed")
    );
}

#[test]
fn clear_errors_for_a_bad_revision_a_shallow_clone_and_no_repository() {
    let repo = repository();
    let dir = repo.path();
    write(dir, "app.yaml", &deployment("web", "nginx:1.27"));
    commit(dir, "one");
    write(dir, "app.yaml", &deployment("web", "nginx:1.28"));
    commit(dir, "two");

    let out = kubelint_in(
        dir,
        &["check", "app.yaml", "--new-from-rev", "no-such-branch"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no-such-branch: unknown revision"),
        "{stderr}"
    );

    let shallow = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.display());
    let clone = shallow.path().join("clone");
    git(
        shallow.path(),
        &["clone", "-q", "--depth", "1", &url, clone.to_str().unwrap()],
    );
    let out = kubelint_in(&clone, &["check", "app.yaml", "--new-from-rev", "HEAD~1"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("shallow clone") && stderr.contains("fetch"),
        "{stderr}"
    );

    let elsewhere = tempfile::tempdir().unwrap();
    write(
        elsewhere.path(),
        "app.yaml",
        &deployment("web", "nginx:1.27"),
    );
    let out = kubelint_in(
        elsewhere.path(),
        &["check", "app.yaml", "--new-from-rev", "HEAD"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not in a git repository"), "{stderr}");

    let out = kubelint_in(dir, &["check", "-", "--new-from-rev", "HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("standard input has no revisions"));
}
