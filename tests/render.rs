//! End-to-end: kustomizations and Helm charts rendered, and findings placed in the files a
//! person edits. Real `kubectl kustomize`/`kustomize` and `helm` are used when installed; the
//! Helm fixture also runs without helm, through a stand-in that prints its committed output.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kubelint(args: &[&str], path: Option<OsString>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kubelint"));
    command
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR");
    if let Some(path) = path {
        command.env("PATH", path);
    }
    command.output().expect("run kubelint")
}

fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|dir| dir.join(name).is_file()))
}

/// Whether `kubectl` or `kustomize` is on PATH; a test that needs one says it is skipped.
fn kustomize_installed() -> bool {
    let installed = on_path("kubectl") || on_path("kustomize");
    if !installed {
        eprintln!("skipped: neither kubectl nor kustomize is installed");
    }
    installed
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A directory for one test, removed when it ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("kubelint-render-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Scratch {
    /// Writes `text` to `relative` in the scratch directory, making its directories.
    fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A PATH that has only a directory with none of the renderers in it.
fn path_without_renderers(scratch: &Scratch) -> OsString {
    let empty = scratch.0.join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    empty.into_os_string()
}

#[test]
fn kustomize_overlays_are_built_and_findings_land_in_base_and_patch_files() {
    if !kustomize_installed() {
        return;
    }
    let out = kubelint(&["check", "fixtures/kustomize", "--color", "never"], None);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    // The base's comment silences the staging overlay's finding on its line; the prod overlay
    // patches that container, and its finding is on the base line too, silenced once.
    assert!(!stdout.contains("missing-liveness-probe"), "{stdout}");
    assert!(!stdout.contains("unused-suppression"), "{stdout}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn kustomize_output_as_json_names_the_base_files_and_their_pointers() {
    if !kustomize_installed() {
        return;
    }
    let out = kubelint(&["check", "fixtures/kustomize", "--format", "json"], None);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let places: Vec<String> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}:{} {}",
                d["rule"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
                d["line"],
                d["path"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            "image-tag-latest fixtures/kustomize/base/deployment.yaml:17 /spec/template/spec/containers/0/image",
            "shell-form-sigterm fixtures/kustomize/base/deployment.yaml:18 /spec/template/spec/containers/0/command/2",
            "missing-pod-anti-affinity fixtures/kustomize/overlays/prod/replicas.yaml:6 /spec/replicas",
            "privileged-container fixtures/kustomize/overlays/prod/security.yaml:4 /0/value/privileged",
            "image-tag-latest fixtures/kustomize/overlays/staging/kustomization.yaml:15 /patches/0/patch",
        ],
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn without_kustomize_or_kubectl_each_overlay_is_an_error_and_its_files_are_linted_plain() {
    let scratch = Scratch::new("no-kustomize");
    let out = kubelint(
        &["check", "fixtures/kustomize", "--color", "never"],
        Some(path_without_renderers(&scratch)),
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    for overlay in ["overlays/prod", "overlays/staging"] {
        assert!(
            stderr.contains(&format!(
                "error: fixtures/kustomize/{overlay}: a kustomization that kubelint would \
                 render, but neither `kustomize` nor `kubectl` is on PATH"
            )),
            "{stderr}"
        );
    }
    assert!(
        !stderr.contains("overlays/base"),
        "a base is no overlay: {stderr}"
    );
    assert!(
        stdout.contains("--> fixtures/kustomize/base/deployment.yaml:18:31"),
        "{stdout}"
    );
    assert!(!stdout.contains("kustomize build"), "{stdout}");
}

#[test]
fn kustomize_never_lints_the_files_as_they_are() {
    let out = kubelint(
        &[
            "check",
            "fixtures/kustomize",
            "--color",
            "never",
            "--kustomize",
            "never",
        ],
        None,
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(!stdout.contains("kustomize build"), "{stdout}");
    assert!(stdout.contains("base/deployment.yaml:18:31"), "{stdout}");
}

#[test]
fn a_kustomization_that_does_not_build_is_an_error_and_its_files_are_still_linted() {
    if !kustomize_installed() {
        return;
    }
    let scratch = Scratch::new("broken-kustomization");
    let dir = scratch.0.join("app");
    scratch.write(
        "app/kustomization.yaml",
        "resources: [pod.yaml, missing.yaml]\n",
    );
    scratch.write(
        "app/pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.25\n    command: [sh, -c, nginx]\n",
    );
    let out = kubelint(&["check", dir.to_str().unwrap(), "--color", "never"], None);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(
            "kustomize build failed, so its files that no other build read are linted as plain YAML"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("missing.yaml"), "{stderr}");
    assert!(stdout.contains("shell-form-sigterm"), "{stdout}");
    assert!(stdout.contains("pod.yaml:8:"), "{stdout}");
}

/// A stand-in for helm that prints the fixture chart's committed `helm template` output.
fn fake_helm(scratch: &Scratch) -> OsString {
    let bin = scratch.0.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let rendered = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/helm/demo.rendered.yaml");
    let script = bin.join("helm");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nexec cat '{}'\n", rendered.display()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut path = vec![bin];
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(path).unwrap()
}

#[test]
fn a_helm_chart_is_rendered_and_findings_land_in_its_templates() {
    let scratch = Scratch::new("fake-helm");
    let out = kubelint(
        &["check", "fixtures/helm/demo", "--color", "never"],
        Some(fake_helm(&scratch)),
    );
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    insta::assert_snapshot!(stdout);
}

#[test]
fn without_helm_a_chart_is_an_error_naming_what_to_do() {
    let scratch = Scratch::new("no-helm");
    let out = kubelint(
        &["check", "fixtures/helm/demo", "--color", "never"],
        Some(path_without_renderers(&scratch)),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: fixtures/helm/demo: a Helm chart, but helm is not installed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("helm template fixtures/helm/demo | kubelint check -"),
        "{stderr}"
    );
    let out = kubelint(
        &[
            "check",
            "fixtures/helm/demo",
            "--helm",
            "never",
            "--color",
            "never",
        ],
        Some(path_without_renderers(&scratch)),
    );
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("helm is not installed"), "{stderr}");
    assert!(stderr.contains("skipped the templates/"), "{stderr}");
}

#[test]
fn real_helm_places_the_findings_where_the_fixture_output_does() {
    if !on_path("helm") {
        eprintln!("skipped: helm is not installed");
        return;
    }
    let scratch = Scratch::new("real-helm");
    let places = |path: Option<OsString>| {
        let out = kubelint(&["check", "fixtures/helm/demo", "--format", "json"], path);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut places: Vec<String> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| format!("{} {}:{}", d["rule"], d["file"], d["line"]))
            .collect();
        places.sort();
        places
    };
    assert_eq!(places(None), places(Some(fake_helm(&scratch))));
}

#[test]
fn a_clean_overlay_passes_and_its_objects_are_counted_in_their_base_file() {
    if !kustomize_installed() {
        return;
    }
    let scratch = Scratch::new("clean");
    scratch.write(
        "base/settings.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n",
    );
    scratch.write("base/kustomization.yaml", "resources: [settings.yaml]\n");
    scratch.write(
        "overlay/kustomization.yaml",
        "resources: [../base]\nnamePrefix: prod-\n",
    );
    let dir = scratch.0.to_str().unwrap();
    let out = kubelint(&["check", dir, "--color", "never"], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let out = kubelint(&["check", dir, "--format", "json"], None);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["objects"], 1, "{json:#}");
    // JUnit: the built object is a passing test case of the file it came from.
    let out = kubelint(&["check", dir, "--format", "junit"], None);
    let junit = text(&out.stdout);
    let suite = junit
        .split("<testsuite ")
        .find(|s| s.contains("base/settings.yaml"))
        .unwrap_or_else(|| panic!("{junit}"));
    assert!(suite.contains("ConfigMap prod-settings"), "{junit}");
}
