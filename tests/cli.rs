//! End-to-end: the `kubelint` binary, its exit codes, formats and behaviour on bad input.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn kubelint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubelint"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .output()
        .expect("run kubelint")
}

/// Every fixture in one run, in `format`. The rules' kustomize patch fixtures are read as
/// files (some name a remote base: building them would reach the network); tests/render.rs
/// covers rendering.
fn all_fixtures(format: &str) -> Output {
    kubelint(&[
        "check",
        "fixtures",
        "--kustomize",
        "never",
        "--helm",
        "never",
        "--format",
        format,
    ])
}

fn kubelint_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubelint"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kubelint");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// Whether `kubectl kustomize` or `kustomize build` can run here.
fn kustomize_installed() -> bool {
    std::env::var_os("PATH").is_some_and(|p| {
        std::env::split_paths(&p)
            .any(|d| d.join("kubectl").is_file() || d.join("kustomize").is_file())
    })
}

fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn rules_of(v: &serde_json::Value) -> Vec<String> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_owned())
        .collect()
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("kubelint-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn write(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path.to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const CLEAN: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: \"0644\"\n";

#[test]
fn example_human_output() {
    let out = kubelint(&["check", "fixtures/examples", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn example_json_output() {
    let out = kubelint(&["check", "fixtures/examples/shop.yaml", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_json_snapshot!(json_of(&out));
}

#[test]
fn exit_codes_follow_the_threshold() {
    let dir = TempDir::new("exit");
    let clean = dir.write("clean.yaml", CLEAN.as_bytes());
    assert_eq!(kubelint(&["check", &clean]).status.code(), Some(0));
    // The example has one error and warnings.
    let example = "fixtures/examples/shop.yaml";
    assert_eq!(kubelint(&["check", example]).status.code(), Some(1));
    assert_eq!(
        kubelint(&["check", example, "--fail-on", "error"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        kubelint(&["check", example, "--fail-on", "never"])
            .status
            .code(),
        Some(0)
    );
    let only_warnings = "fixtures/missing-readiness-probe/fail-deployment.yaml";
    assert_eq!(
        kubelint(&["check", only_warnings, "--fail-on", "error"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(kubelint(&["check", only_warnings]).status.code(), Some(1));
    let only_info = "fixtures/missing-liveness-probe/fail-deployment.yaml";
    assert_eq!(
        kubelint(&["check", only_info, "--ignore", "missing-resources"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        kubelint(&["check", only_info, "--fail-on", "info"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn usage_and_io_errors_exit_2_and_the_rest_is_still_linted() {
    assert_eq!(
        kubelint(&["check", "--format", "yaml"]).status.code(),
        Some(2)
    );
    assert_eq!(
        kubelint(&["explain", "no-such-rule"]).status.code(),
        Some(2)
    );
    let out = kubelint(&[
        "check",
        "does/not/exist.yaml",
        "fixtures/examples/shop.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let v = json_of(&out);
    assert!(rules_of(&v).contains(&"probe-unknown-port".to_owned()));
    assert_eq!(v["errors"][0]["file"], "does/not/exist.yaml");
    assert!(String::from_utf8_lossy(&out.stderr).contains("does/not/exist.yaml"));
}

#[test]
fn stdin_is_named_by_stdin_filename() {
    let text = std::fs::read("fixtures/probe-unknown-port/fail-named-ports.yaml").unwrap();
    let out = kubelint_stdin(
        &[
            "check",
            "-",
            "--stdin-filename",
            "deploy/web.yaml",
            "--select",
            "probe-unknown-port",
            "--format",
            "json",
        ],
        &text,
    );
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    let first = &v["diagnostics"][0];
    assert_eq!(first["file"], "deploy/web.yaml");
    assert_eq!(first["line"], 23);
    assert_eq!(first["column"], 21);
}

#[test]
fn output_file_is_written_whole() {
    let dir = TempDir::new("output");
    let target = dir.0.join("report.sarif");
    let out = kubelint(&[
        "check",
        "fixtures/examples",
        "--format",
        "sarif",
        "--output",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(written["version"], "2.1.0");
    let leftovers: Vec<_> = std::fs::read_dir(&dir.0).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file may remain");
    // As readable as any file the user writes, not private like a temporary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let ordinary = dir.write("ordinary", b"");
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode();
        assert_eq!(mode(&target), mode(std::path::Path::new(&ordinary)));
    }
}

/// `--output` into a pipe or a device writes into it: renaming a temporary file over
/// `/dev/null` or a FIFO would replace it with a regular file. A symbolic link is written
/// through and stays a link.
#[cfg(unix)]
#[test]
fn output_into_a_pipe_or_through_a_link_keeps_it() {
    use std::os::unix::fs::FileTypeExt;
    let dir = TempDir::new("output-special");
    let fifo = dir.0.join("report.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let args = |output: &std::path::Path| {
        kubelint(&[
            "check",
            "fixtures/examples",
            "--format",
            "json",
            "--output",
            output.to_str().unwrap(),
        ])
    };
    assert_eq!(args(&fifo).status.code(), Some(1));
    let read: serde_json::Value = serde_json::from_slice(&reader.join().unwrap()).unwrap();
    assert!(
        read["diagnostics"]
            .as_array()
            .is_some_and(|d| !d.is_empty())
    );
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );

    let real = dir.write("real.json", b"old");
    let link = dir.0.join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    assert_eq!(args(&link).status.code(), Some(1));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&real).unwrap()).unwrap();
    assert!(written["diagnostics"].is_array());

    // A link to a file that does not exist yet creates it, and stays a link.
    let dangling = dir.0.join("dangling.json");
    std::os::unix::fs::symlink("created.json", &dangling).unwrap();
    assert_eq!(args(&dangling).status.code(), Some(1));
    assert!(
        std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(dir.0.join("created.json").is_file());

    // `--output /dev/stdout` with stdout appended to a file (`>> log`) appends to it.
    let log = dir.write("log.txt", b"previous line\n");
    let appended = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_kubelint"))
        .args([
            "check",
            "fixtures/examples",
            "--format",
            "json",
            "--output",
            "/dev/stdout",
        ])
        .stdout(appended)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.starts_with("previous line\n{"),
        "{}",
        &text[..40.min(text.len())]
    );
}

/// A custom resource nested deeper than serde_json reads by default (128 levels) is still
/// validated against its CRD.
#[test]
fn a_deeply_nested_custom_resource_is_validated() {
    let dir = TempDir::new("deep-cr");
    let crd = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: deeps.example.com}
spec:
  group: example.com
  names: {kind: Deep, plural: deeps, singular: deep, listKind: DeepList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                tree:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
"#;
    let mut tree = String::from("leaf");
    for _ in 0..200 {
        tree = format!("{{a: {tree}}}");
    }
    let resource = format!(
        "apiVersion: example.com/v1\nkind: Deep\nmetadata: {{name: deep}}\nspec:\n  typo: 1\n  tree: {tree}\n"
    );
    dir.write("crd.yaml", crd.as_bytes());
    let path = dir.write("deep.yaml", resource.as_bytes());
    let out = kubelint(&[
        "check",
        &path,
        &dir.0.join("crd.yaml").to_string_lossy(),
        "--select",
        "unknown-field",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pointers: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["path"].as_str())
        .collect();
    assert_eq!(pointers, ["/spec/typo"], "{report}");
}

#[test]
fn sarif_is_valid_against_the_sarif_2_1_0_schema() {
    // tests/data/sarif-schema-2.1.0.json is the OASIS schema as published (shipped by the
    // serde-sarif crate). Its `run.language` pattern has a stray `]` that strict ECMA-262 regex
    // compilers reject; we never emit `language`, so the test uses the pattern's evident intent.
    let text = include_str!("data/sarif-schema-2.1.0.json").replace(
        "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
        "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$",
    );
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::draft7::new(&schema).expect("schema compiles");
    // Every fixture: all rules, labels, syntax errors and files without findings.
    let out = all_fixtures("sarif");
    let sarif = json_of(&out);
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &sarif["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for result in run["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            uri.starts_with("fixtures/"),
            "{uri} is relative to the working directory"
        );
        assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join(uri).exists());
    }
    // Files outside the working directory (absolute, or reached through `..`) get an absolute
    // `file://` URI and no `uriBaseId` (SARIF §3.4.4: a base is only for relative references);
    // stdin keeps the relative name it is given.
    let dir = TempDir::new("sarif-outside");
    let outside = dir.write("app.yaml", CLEAN.replace("ConfigMap", "Pod").as_bytes());
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let runs = [
        Command::new(env!("CARGO_BIN_EXE_kubelint"))
            .args(["check", &outside, "--format", "sarif"])
            .output()
            .unwrap(),
        Command::new(env!("CARGO_BIN_EXE_kubelint"))
            .args([
                "check",
                "../fixtures/examples/shop.yaml",
                "--format",
                "sarif",
            ])
            .current_dir(&src)
            .output()
            .unwrap(),
        kubelint_stdin(&["check", "-", "--format", "sarif"], b"kind: Pod\n"),
    ];
    let mut uris = Vec::new();
    for out in &runs {
        let sarif = json_of(out);
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let result = &sarif["runs"][0]["results"][0];
        let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        let uri = artifact["uri"].as_str().unwrap().to_owned();
        assert_eq!(
            artifact["uriBaseId"].is_null(),
            uri.starts_with("file:///"),
            "{artifact}"
        );
        uris.push(uri);
    }
    assert!(uris[0].ends_with("/app.yaml"), "{}", uris[0]);
    let shop = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/examples/shop.yaml");
    assert_eq!(uris[1], format!("file://{}", shop.display()));
    assert_eq!(uris[2], "%3Cstdin%3E");
    for rule in rules {
        for field in [
            "shortDescription",
            "fullDescription",
            "help",
            "helpUri",
            "defaultConfiguration",
        ] {
            assert!(!rule[field].is_null(), "rule {} lacks {field}", rule["id"]);
        }
    }
}

#[test]
fn rules_and_explain() {
    let out = kubelint(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for id in [
        "shell-form-sigterm",
        "qos-intent-mismatch",
        "missing-readiness-probe",
    ] {
        assert!(text.contains(id), "{id} missing from `kubelint rules`");
    }
    // Columns line up: the summary starts at the same column on every line.
    let starts: std::collections::BTreeSet<usize> = text
        .lines()
        .map(|l| l.find(|c: char| c.is_ascii_uppercase()).unwrap())
        .collect();
    assert_eq!(starts.len(), 1, "{text}");
    let out = kubelint(&["explain", "shell-form-sigterm"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("## Why is this bad") && text.contains("exec gunicorn"));
    // A category lists its rules.
    let out = kubelint(&["explain", "probes"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("# probes: 4 rules"), "{text}");
    assert!(text.contains("\nprobe-unknown-port "), "{text}");
    // A misspelt rule or category gets the closest name, wherever it is given.
    for args in [
        &["explain", "shell-form-sigtrem"][..],
        &[
            "check",
            "fixtures/examples",
            "--select",
            "shell-form-sigtrem",
        ],
        &[
            "check",
            "fixtures/examples",
            "--ignore",
            "shell-form-sigtrem",
        ],
        &[
            "check",
            "fixtures/examples",
            "--severity",
            "shell-form-sigtrem=info",
        ],
    ] {
        let out = kubelint(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("did you mean `shell-form-sigterm`?"),
            "{args:?}: {stderr}"
        );
    }
    let out = kubelint(&["explain", "prbes"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `probes`?"));
}

/// Bad input of every kind: reported or skipped, never a crash, and quickly.
#[test]
fn bad_input_never_crashes() {
    let dir = TempDir::new("bad");
    let mut big = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n");
    while big.len() < 10 * 1024 * 1024 {
        let n = big.len();
        big.push_str(&format!("  key{n}: \"{}\"\n", "x".repeat(80)));
    }
    let mut bomb = String::from(
        "apiVersion: v1\nkind: ConfigMap\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 9].join(", ")
        ));
    }
    let cases: Vec<(&str, Vec<u8>, Option<&str>)> = vec![
        ("invalid.yaml", b"apiVersion: v1\nkind: Pod\nspec: [unclosed\n".to_vec(), Some("invalid-yaml")),
        ("latin1.yaml", b"apiVersion: v1\nkind: ConfigMap\ndata: {a: \"caf\xe9\"}\n".to_vec(), Some("invalid-yaml")),
        ("empty.yaml", Vec::new(), None),
        ("binary.yaml", vec![0u8, 159, 146, 150, 0, 1, 2, 3, 255], Some("invalid-yaml")),
        ("nul.yaml", b"apiVersion: v1\nkind: Pod\x00\n".to_vec(), Some("invalid-yaml")),
        ("list.yaml", b"- a\n- b\n".to_vec(), Some("invalid-manifest")),
        ("scalar.yaml", b"just text\n".to_vec(), Some("invalid-manifest")),
        ("no-api-version.yaml", b"kind: Pod\nmetadata: {name: x}\n".to_vec(), Some("invalid-manifest")),
        ("comments.yaml", b"# nothing here\n---\n# or here\n".to_vec(), None),
        ("bom-crlf.yaml", b"\xef\xbb\xbfapiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: x\r\n".to_vec(), None),
        ("deep.yaml", "[".repeat(200_000).into_bytes(), Some("invalid-yaml")),
        ("big.yaml", big.into_bytes(), None),
        ("bomb.yaml", bomb.into_bytes(), Some("invalid-yaml")),
        ("weird-types.yaml", b"apiVersion: 1\nkind: [Pod]\nmetadata: 3\nspec: {containers: 7}\n".to_vec(), Some("invalid-manifest")),
        ("pod-odd-shapes.yaml", b"apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n    - name: a\n      command: sh\n      args: {x: 1}\n      ports: 3\n      readinessProbe: [1]\n      livenessProbe: {httpGet: {port: [1]}}\n      resources: {limits: {cpu: [1], memory: {a: b}}, requests: 7}\n    - 5\n    - null\n".to_vec(), None),
    ];
    for (name, bytes, expected) in cases {
        let path = dir.write(name, &bytes);
        let started = Instant::now();
        let out = kubelint(&["check", &path, "--format", "json"]);
        let elapsed = started.elapsed();
        let code = out.status.code();
        let stderr = String::from_utf8_lossy(&out.stderr);
        // A file with no document at all is linted and said to hold nothing (exit 2).
        let holds_nothing = code == Some(2) && stderr.contains("holds no Kubernetes object");
        assert!(
            matches!(code, Some(0 | 1)) || holds_nothing,
            "{name}: exit {code:?}\n{stderr}"
        );
        assert!(elapsed < Duration::from_secs(20), "{name} took {elapsed:?}");
        let v = json_of(&out);
        let rules = rules_of(&v);
        match expected {
            Some(rule) => assert!(
                rules.iter().any(|r| r == rule),
                "{name}: expected {rule}, got {rules:?}"
            ),
            None => assert!(
                !rules
                    .iter()
                    .any(|r| r == "invalid-yaml" || r == "invalid-manifest"),
                "{name}: unexpected {rules:?}"
            ),
        }
        for d in v["diagnostics"].as_array().unwrap() {
            assert!(d["line"].as_u64().unwrap() >= 1 && d["column"].as_u64().unwrap() >= 1);
        }
        // Snippets never write control characters (a terminal would act on them).
        let human = kubelint(&["check", &path, "--color", "never"]);
        let shown = String::from_utf8_lossy(&human.stdout);
        assert!(
            !shown.chars().any(|c| c.is_control() && c != '\n'),
            "{name}: {shown:?}"
        );
    }
}

#[test]
fn walking_skips_non_manifests_hidden_dirs_and_helm_templates() {
    let dir = TempDir::new("walk");
    let root = &dir.0;
    std::fs::create_dir_all(root.join(".hidden")).unwrap();
    std::fs::create_dir_all(root.join("chart/templates")).unwrap();
    std::fs::write(
        root.join("chart/Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 1.0.0\n",
    )
    .unwrap();
    std::fs::write(
        root.join("chart/templates/bad.yaml"),
        "apiVersion: v1\nkind: {{ .Values.kind }}\n",
    )
    .unwrap();
    std::fs::write(root.join(".hidden/bad.yaml"), "kind: [\n").unwrap();
    std::fs::write(root.join("values.yaml"), "replicas: 3\nimage: x\n").unwrap();
    std::fs::write(root.join("notes.txt"), "kind: [\n").unwrap();
    std::fs::write(
        root.join("broken.yaml"),
        "apiVersion: v1\nkind: Pod\n  bad: indent\n",
    )
    .unwrap();
    let out = kubelint(&["check", root.to_str().unwrap(), "--format", "json"]);
    let v = json_of(&out);
    let files: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(files.len(), 1, "{v:#}");
    assert!(files[0].ends_with("broken.yaml"));
    assert_eq!(v["diagnostics"][0]["rule"], "invalid-yaml");
    // Named explicitly, a non-manifest is linted and reported.
    let values = root.join("values.yaml");
    let out = kubelint(&["check", values.to_str().unwrap(), "--format", "json"]);
    assert_eq!(rules_of(&json_of(&out)), vec!["invalid-manifest"]);
}

#[test]
fn no_color_when_piped_and_color_when_asked() {
    let out = kubelint(&["check", "fixtures/examples"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\x1b'));
    let out = kubelint(&["check", "fixtures/examples", "--color", "always"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains('\x1b'));
}

#[test]
fn context_resolves_references_and_is_never_reported() {
    let dir = TempDir::new("context");
    dir.write(
        "deploy.yaml",
        b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: example/web:1\n",
    );
    let bad = dir.write(
        "svc-bad.yaml",
        b"apiVersion: v1\nkind: Service\nmetadata: {name: bad, namespace: shop}\nspec:\n  selector: {app: wbe}\n  ports: [{port: 80}]\n",
    );
    let good = dir.write(
        "svc-good.yaml",
        b"apiVersion: v1\nkind: Service\nmetadata: {name: good, namespace: shop}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n",
    );
    let root = dir.0.to_str().unwrap();
    // Alone, the Service cannot be judged: the namespace's workloads are elsewhere.
    let alone = json_of(&kubelint(&["check", &bad, "--format", "json"]));
    assert!(rules_of(&alone).is_empty(), "{alone:#}");
    // With the repository as context, it can; the context's own findings stay silent.
    let out = kubelint(&["check", &bad, "--context", root, "--format", "json"]);
    let v = json_of(&out);
    assert_eq!(rules_of(&v), vec!["dangling-service-selector"]);
    assert_eq!(v["diagnostics"][0]["file"], bad.as_str());
    assert_eq!(v["diagnostics"][0]["line"], 5);
    assert_eq!(v["summary"]["files"], 1);
    let out = kubelint(&["check", &good, "--context", root, "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn namespace_flag_places_objects_without_one() {
    let dir = TempDir::new("namespace");
    dir.write(
        "deploy.yaml",
        b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - {name: web, image: example/web:1}\n",
    );
    dir.write(
        "svc.yaml",
        b"apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: wbe}\n  ports: [{port: 80}]\n",
    );
    let root = dir.0.to_str().unwrap();
    let dangling =
        |v: &serde_json::Value| rules_of(v).iter().any(|r| r == "dangling-service-selector");
    assert!(!dangling(&json_of(&kubelint(&[
        "check", root, "--format", "json"
    ]))));
    assert!(dangling(&json_of(&kubelint(&[
        "check",
        root,
        "--namespace",
        "shop",
        "--format",
        "json"
    ]))));
}

#[test]
fn configuration_file_selects_rules_severities_and_exclusions() {
    let dir = TempDir::new("config");
    std::fs::create_dir_all(dir.0.join("apps/vendor")).unwrap();
    let pod = b"apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: web\n      image: example/web:1\n";
    dir.write("apps/web.yaml", pod);
    dir.write("apps/vendor/chart.yaml", pod);
    dir.write(
        "apps/helm-test.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations: {helm.sh/hook: test-success}\nspec:\n  containers:\n    - {name: t, image: busybox:1.36}\n",
    );
    dir.write(
        ".kubelint.yaml",
        b"ignore: [missing-liveness-probe, missing-resources]\nseverity:\n  missing-readiness-probe: error\nexclude: ['apps/vendor/**']\nskip-helm-tests: true\nfail-on: error\n",
    );
    let apps = dir.0.join("apps");
    let out = kubelint(&["check", apps.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    let found: Vec<(String, String, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["severity"].as_str().unwrap().to_owned(),
                d["file"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![(
            "missing-readiness-probe".into(),
            "error".into(),
            "web.yaml".into()
        )]
    );
    // Flags override the file.
    let out = kubelint(&[
        "check",
        apps.to_str().unwrap(),
        "--select",
        "probes",
        "--severity",
        "missing-readiness-probe=info",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "info is below the configured fail-on: error"
    );
    // The effective configuration can be printed, and read back.
    let out = kubelint(&["config", apps.to_str().unwrap()]);
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        printed.contains("missing-readiness-probe: error"),
        "{printed}"
    );
    assert!(!printed.contains("missing-liveness-probe:"), "{printed}");
    let again = dir.write("printed.yaml", printed.as_bytes());
    assert_eq!(
        kubelint(&["config", "--config", &again]).status.code(),
        Some(0)
    );
}

#[test]
fn kubernetes_version_flag_and_configuration_agree() {
    // `--kubernetes-version v1.33` and `kubernetes-version: v1.33` are the same target, and
    // `kubelint config` prints the same configuration for both.
    let from_file = TempDir::new("version-file");
    from_file.write(".kubelint.yaml", b"kubernetes-version: v1.33\n");
    let from_flag = TempDir::new("version-flag");
    from_flag.write(".kubelint.yaml", b"{}\n");
    let body = |out: std::process::Output| {
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        // Past the `# from FILE` line.
        text.split_once('\n').unwrap().1.to_owned()
    };
    let file = body(kubelint(&["config", from_file.0.to_str().unwrap()]));
    let flag = body(kubelint(&[
        "config",
        from_flag.0.to_str().unwrap(),
        "--kubernetes-version",
        "v1.33",
    ]));
    assert_eq!(file, flag);
    assert!(file.contains("kubernetes-version: '1.33'\n"), "{file}");
    let manifest = from_flag.write(
        "deploy.yaml",
        b"apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: d}\nspec: {}\n",
    );
    let check = |dir: &TempDir, flag: &[&str]| {
        let config = dir.0.join(".kubelint.yaml");
        let mut args = vec![
            "check",
            manifest.as_str(),
            "--config",
            config.to_str().unwrap(),
            "--select",
            "api",
            "--format",
            "json",
        ];
        args.extend(flag);
        json_of(&kubelint(&args))["diagnostics"].clone()
    };
    let diagnostics = check(&from_file, &[]);
    assert_eq!(diagnostics.as_array().map(Vec::len), Some(1));
    assert_eq!(
        diagnostics,
        check(&from_flag, &["--kubernetes-version", "v1.33"])
    );
}

#[test]
fn configuration_errors_name_the_file_and_line() {
    let dir = TempDir::new("config-error");
    dir.write(
        ".kubelint.yaml",
        b"select: [probes]\nignroe: [shell-form-sigterm]\n",
    );
    let file = dir.write("a.yaml", CLEAN.as_bytes());
    let out = kubelint(&["check", &file]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(".kubelint.yaml:2:1: unknown key `ignroe`; did you mean `ignore`?"),
        "{stderr}"
    );
    let out = kubelint(&["check", "fixtures/examples", "--select", "no-such-rule"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn github_junit_and_markdown_formats() {
    let github = kubelint(&["check", "fixtures/examples", "--format", "github"]);
    assert_eq!(github.status.code(), Some(1));
    insta::assert_snapshot!("github", String::from_utf8_lossy(&github.stdout));
    let markdown = kubelint(&["check", "fixtures/examples", "--format", "markdown"]);
    insta::assert_snapshot!("markdown", String::from_utf8_lossy(&markdown.stdout));

    let junit = all_fixtures("junit");
    let text = String::from_utf8(junit.stdout).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let mut failures = 0;
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        let cases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(suite.attribute("tests").unwrap(), cases.len().to_string());
        let failed = cases
            .iter()
            .filter(|c| c.children().any(|f| f.has_tag_name("failure")))
            .count();
        assert_eq!(suite.attribute("failures").unwrap(), failed.to_string());
        failures += failed;
    }
    assert_eq!(root.attribute("failures").unwrap(), failures.to_string());
    let shop = root
        .children()
        .find(|n| n.attribute("name") == Some("fixtures/examples/shop.yaml"))
        .unwrap();
    let names: Vec<_> = shop
        .children()
        .filter_map(|c| c.attribute("name"))
        .collect();
    assert_eq!(
        names,
        ["Deployment shop/storefront", "Service shop/storefront"]
    );
    // Infos are advice: a testcase with only infos passes, and lists them in system-out.
    let dir = TempDir::new("junit-info");
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: x:1\n      readinessProbe: {tcpSocket: {port: 80}}\n      ports: [{containerPort: 80}]\n      resources: {limits: {cpu: 100m, memory: 64Mi}}\n";
    let file = dir.write("pod.yaml", pod.as_bytes());
    let out = kubelint(&["check", &file, "--format", "junit"]);
    assert_eq!(out.status.code(), Some(0), "only infos");
    let text = String::from_utf8(out.stdout).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    assert_eq!(
        doc.root_element().attribute("failures"),
        Some("0"),
        "{text}"
    );
    let out_text = doc
        .descendants()
        .find(|n| n.has_tag_name("system-out"))
        .and_then(|n| n.text())
        .unwrap_or_default();
    assert!(out_text.contains("info[missing-liveness-probe]"), "{text}");
}

#[test]
fn baseline_reports_only_new_findings_and_survives_moved_lines() {
    let dir = TempDir::new("baseline");
    let original = std::fs::read_to_string("fixtures/examples/shop.yaml").unwrap();
    let manifest = dir.write("shop.yaml", original.as_bytes());
    let baseline = dir.0.join("baseline.json");
    let baseline = baseline.to_str().unwrap();
    let out = kubelint(&["check", &manifest, "--write-baseline", baseline]);
    assert_eq!(out.status.code(), Some(0));
    let recorded: serde_json::Value =
        serde_json::from_slice(&std::fs::read(baseline).unwrap()).unwrap();
    assert_eq!(recorded["findings"].as_array().unwrap().len(), 5);
    // Unrelated edits move every finding down; none is new.
    let shifted = format!("# owned by the shop team\n# reviewed 2026-11\n{original}");
    std::fs::write(&manifest, &shifted).unwrap();
    let out = kubelint(&[
        "check",
        &manifest,
        "--baseline",
        baseline,
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A new finding is reported, the known ones are not.
    let worse = shifted.replace(
        "port: http}\n            periodSeconds: 20",
        "port: admin}\n            periodSeconds: 20",
    );
    assert_ne!(worse, shifted);
    std::fs::write(&manifest, &worse).unwrap();
    let out = kubelint(&[
        "check",
        &manifest,
        "--baseline",
        baseline,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    assert_eq!(rules_of(&v), vec!["probe-unknown-port"]);
    assert_eq!(
        v["diagnostics"][0]["path"],
        "/spec/template/spec/containers/0/livenessProbe/httpGet/port"
    );
    // A file that is no baseline is a usage error.
    let out = kubelint(&["check", &manifest, "--baseline", &manifest]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn configuration_suppresses_by_path_namespace_object_and_container() {
    let dir = TempDir::new("config-suppress");
    std::fs::create_dir_all(dir.0.join("charts/mesh")).unwrap();
    let deployment = |name: &str, ns: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n        - name: app\n          image: example/app:1\n          readinessProbe: {{tcpSocket: {{port: 80}}}}\n        - name: istio-proxy\n          image: istio/proxyv2:1.24\n"
        )
    };
    dir.write("web.yaml", deployment("web", "shop").as_bytes());
    dir.write(
        "charts/mesh/gateway.yaml",
        deployment("gateway", "mesh").as_bytes(),
    );
    dir.write(
        ".kubelint.yaml",
        b"ignore: [missing-liveness-probe, missing-resources]\nsuppress:\n  - rules: [missing-readiness-probe]\n    container: istio-proxy\n    reason: injected by the mesh\n  - paths: ['charts/**']\n",
    );
    let out = kubelint(&["check", dir.0.to_str().unwrap(), "--format", "json"]);
    let v = json_of(&out);
    assert!(rules_of(&v).is_empty(), "{v:#}");
    assert_eq!(out.status.code(), Some(0));
    // An entry that suppresses nothing is reported, in the configuration file, when asked.
    dir.write(
        ".kubelint.yaml",
        b"ignore: [missing-liveness-probe, missing-resources]\nsuppress:\n  - rules: [missing-readiness-probe]\n    container: istio-proxy\n    reason: injected by the mesh\n  - paths: ['charts/**']\n  - rules: [shell-form-sigterm]\n    kind: CronJob\n",
    );
    let out = kubelint(&["check", dir.0.to_str().unwrap(), "--format", "json"]);
    assert!(rules_of(&json_of(&out)).is_empty());
    let out = kubelint(&[
        "check",
        dir.0.to_str().unwrap(),
        "--format",
        "json",
        "--report-unused-config",
    ]);
    let v = json_of(&out);
    assert_eq!(rules_of(&v), ["unused-suppression"], "{v:#}");
    let d = &v["diagnostics"][0];
    assert!(
        d["file"].as_str().unwrap().ends_with(".kubelint.yaml"),
        "{d}"
    );
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(7), Some(5)),
        "{d}"
    );
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("entry 3 (shell-form-sigterm)"),
        "{d}"
    );
    // Without the configuration, both sidecars and the chart are reported.
    std::fs::remove_file(dir.0.join(".kubelint.yaml")).unwrap();
    let out = kubelint(&[
        "check",
        dir.0.to_str().unwrap(),
        "--ignore",
        "missing-liveness-probe,missing-resources",
        "--format",
        "json",
    ]);
    assert_eq!(rules_of(&json_of(&out)).len(), 2);
}

#[test]
fn rule_options_come_from_the_configuration() {
    let dir = TempDir::new("options");
    dir.write(
        "job.yaml",
        b"apiVersion: batch/v1\nkind: Job\nmetadata: {name: export}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: export\n          image: example/export:1\n          command: [sh, -c, 'prepare && run-export']\n          resources: {limits: {cpu: 100m, memory: 64Mi}}\n",
    );
    let root = dir.0.to_str().unwrap();
    assert!(rules_of(&json_of(&kubelint(&["check", root, "--format", "json"]))).is_empty());
    dir.write(
        ".kubelint.yaml",
        b"rules:\n  shell-form-sigterm: {jobs: true}\n",
    );
    let v = json_of(&kubelint(&["check", root, "--format", "json"]));
    assert_eq!(rules_of(&v), vec!["shell-form-sigterm"]);
    let explain = kubelint(&["explain", "shell-form-sigterm"]);
    assert!(String::from_utf8_lossy(&explain.stdout).contains("## Options\n- `jobs`"));
}

#[test]
fn removed_api_versions_depend_on_the_target_version() {
    let file = "fixtures/removed-api-version/fail-removed.yaml";
    let count = |version: &str, rule: &str| {
        let v = json_of(&kubelint(&[
            "check",
            file,
            "--kubernetes-version",
            version,
            "--select",
            "api",
            "--format",
            "json",
        ]));
        rules_of(&v).iter().filter(|r| *r == rule).count()
    };
    let removed = |version: &str| count(version, "removed-api-version");
    assert_eq!(removed("1.15"), 0, "1.15 still serves every one of them");
    // ... and each is deprecated there: a later release removes it.
    assert_eq!(count("1.15", "deprecated-api-version"), 4);
    assert_eq!(
        removed("1.24"),
        1,
        "only extensions/v1beta1 Deployment is gone"
    );
    assert_eq!(removed("1.25"), 3);
    assert_eq!(removed("1.33"), 4);
    assert_eq!(
        kubelint(&["check", file, "--kubernetes-version", "latest"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn a_deprecated_api_version_warns_until_the_target_removes_it() {
    let dir = tempfile_dir("deprecated");
    let file = dir.join("cidr.yaml");
    std::fs::write(
        &file,
        "apiVersion: networking.k8s.io/v1beta1\nkind: ServiceCIDR\nmetadata:\n  name: extra\nspec:\n  cidrs: [10.96.0.0/16]\n",
    )
    .unwrap();
    let findings = |version: &str| {
        let v = json_of(&kubelint(&[
            "check",
            file.to_str().unwrap(),
            "--kubernetes-version",
            version,
            "--format",
            "json",
        ]));
        rules_of(&v)
    };
    assert_eq!(findings("1.35"), ["deprecated-api-version"]);
    assert_eq!(findings("1.36"), ["deprecated-api-version"]);
    assert_eq!(findings("1.37"), ["removed-api-version"]);
}

#[test]
fn custom_resources_are_checked_against_crds_given_with_crds() {
    let dir = tempfile_dir("crds");
    std::fs::create_dir_all(dir.join("crds")).unwrap();
    std::fs::copy(
        "fixtures/unknown-field/fail-crd-same-directory/crd.yaml",
        dir.join("crds/backup.yaml"),
    )
    .unwrap();
    let resource = dir.join("backup.yaml");
    std::fs::write(
        &resource,
        "apiVersion: example.com/v1\nkind: Backup\nmetadata:\n  name: nightly\nspec:\n  retentionDays: 0\n",
    )
    .unwrap();
    let resource = resource.to_str().unwrap();
    // Without the CRD: skipped, or unknown-kind when asked to be strict.
    let alone = json_of(&kubelint(&["check", resource, "--format", "json"]));
    assert!(rules_of(&alone).is_empty(), "{alone}");
    let strict = json_of(&kubelint(&[
        "check",
        resource,
        "--strict-kinds",
        "--format",
        "json",
    ]));
    assert_eq!(rules_of(&strict), ["unknown-kind"]);
    // With it: the missing `schedule` and the out-of-range retention, at their lines.
    let crds = dir.join("crds");
    let checked = json_of(&kubelint(&[
        "check",
        resource,
        "--crds",
        crds.to_str().unwrap(),
        "--strict-kinds",
        "--format",
        "json",
    ]));
    let found: Vec<(String, u64)> = checked["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("missing-required-field".to_owned(), 5),
            ("invalid-value".to_owned(), 6)
        ],
        "{checked}"
    );
    // The same from the configuration file, its paths relative to it.
    std::fs::write(
        dir.join(".kubelint.yaml"),
        "crds: [crds]\nstrict-kinds: true\n",
    )
    .unwrap();
    let configured = json_of(&kubelint(&["check", resource, "--format", "json"]));
    assert_eq!(configured["diagnostics"], checked["diagnostics"]);
}

/// Custom resources are validated from the JSON the first pass kept, with one validator per
/// kind cut down to the fields the run's resources use: each file still gets exactly its own
/// findings, at their lines, and a valid file none.
#[test]
fn custom_resources_of_one_kind_across_files_each_get_their_own_findings() {
    let dir = tempfile_dir("crd-batch");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        "fixtures/unknown-field/fail-crd-same-directory/crd.yaml",
        dir.join("crd.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.join("good.yaml"),
        "apiVersion: example.com/v1\nkind: Backup\nmetadata:\n  name: nightly\nspec:\n  schedule: '0 3 * * *'\n  retentionDays: 3\n  target:\n    bucket: backups\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("bad.yaml"),
        concat!(
            "apiVersion: example.com/v1\nkind: Backup\nmetadata:\n  name: weekly\nspec:\n  schedule: '0 4 * * 0'\n",
            "---\n",
            "apiVersion: example.com/v1\nkind: Backup\nmetadata:\n  name: monthly\nspec:\n  schedule: '0 5 1 * *'\n  target:\n    bucket: 5\n    region: eu\n",
        ),
    )
    .unwrap();
    let checked = json_of(&kubelint(&[
        "check",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]));
    let found: Vec<(String, String, u64)> = checked["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] != "missing-namespace")
        .map(|d| {
            let file = d["file"].as_str().unwrap();
            (
                file.rsplit('/').next().unwrap().to_owned(),
                d["rule"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("bad.yaml".to_owned(), "invalid-value".to_owned(), 15),
            ("bad.yaml".to_owned(), "unknown-field".to_owned(), 16),
        ],
        "{checked}"
    );
}

/// `helm template . | kubelint check - --crds crds/`: custom resources on standard input are
/// checked against the CRDs too, at their lines.
#[test]
fn custom_resources_on_standard_input_are_checked_against_crds() {
    let out = kubelint_stdin(
        &[
            "check",
            "-",
            "--crds",
            "fixtures/unknown-field/fail-crd-same-directory/crd.yaml",
            "--format",
            "json",
        ],
        b"apiVersion: example.com/v1\nkind: Backup\nmetadata:\n  name: nightly\nspec:\n  retentionDays: 0\n",
    );
    let checked = json_of(&out);
    let found: Vec<(&str, u64)> = checked["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] != "missing-namespace")
        .map(|d| (d["rule"].as_str().unwrap(), d["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        found,
        [("missing-required-field", 5), ("invalid-value", 6)],
        "{checked}"
    );
}

/// A `kind: List` holding a CRD and a custom resource of it: the resource is checked too.
#[test]
fn custom_resource_beside_its_crd_in_a_list_is_checked() {
    let dir = tempfile_dir("crd-list");
    std::fs::create_dir_all(&dir).unwrap();
    let crd =
        std::fs::read_to_string("fixtures/unknown-field/fail-crd-same-directory/crd.yaml").unwrap();
    let item: String = crd.lines().map(|l| format!("    {l}\n")).collect();
    let list = format!(
        "apiVersion: v1\nkind: List\nitems:\n  - \n{item}  - apiVersion: example.com/v1\n    kind: Backup\n    metadata: {{name: nightly}}\n    spec: {{schedule: daily, retentionDays: 0}}\n"
    );
    let file = dir.join("list.yaml");
    std::fs::write(&file, list).unwrap();
    let checked = json_of(&kubelint(&[
        "check",
        file.to_str().unwrap(),
        "--select",
        "schema",
        "--format",
        "json",
    ]));
    let found: Vec<&str> = checked["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(found, ["invalid-value"], "{checked}");
}

/// A CRD whose schema is broken is reported itself; its custom resources are not called
/// kinds without a CRD, even under `--strict-kinds`.
#[test]
fn custom_resource_of_a_crd_with_a_broken_schema_is_not_an_unknown_kind() {
    let out = kubelint_stdin(
        &["check", "-", "--strict-kinds", "--select", "schema", "--format", "json"],
        concat!(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\n",
            "spec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets}\n  versions:\n",
            "    - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, properties: {size: {type: integer, minimum: x}}}}}\n",
            "---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nsize: 3\n",
            "---\napiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\n",
        )
        .as_bytes(),
    );
    let checked = json_of(&out);
    let found: Vec<(&str, u64)> = checked["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["rule"].as_str().unwrap(), d["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        found,
        [("invalid-value", 9), ("unknown-kind", 17)],
        "{checked}"
    );
}

fn tempfile_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kubelint-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A minified manifest (`kubectl get deploy -A -o json`): one line of megabytes. Each finding
/// used to copy its whole line and human output printed it whole, so memory and output grew
/// with findings × line length; and columns on a non-ASCII line were counted from its start.
#[test]
fn a_minified_multi_megabyte_manifest_lints_in_linear_memory_and_output() {
    let dir = TempDir::new("minified");
    let deployment = |i: usize| {
        format!(
            r#"{{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"web-{i}","annotations":{{"owner":"équipe-{i}"}}}},"spec":{{"selector":{{"matchLabels":{{"app":"web-{i}"}}}},"template":{{"metadata":{{"labels":{{"app":"web-{i}"}}}},"spec":{{"containers":[{{"name":"web","image":"example/web:1","command":["sh","-c","run"],"resources":{{"limits":{{"cpu":"1","memory":"1Gi"}}}}}}]}}}}}}}}"#
        )
    };
    let items: Vec<String> = (0..12_000).map(deployment).collect();
    let text = format!(
        r#"{{"apiVersion":"v1","kind":"List","items":[{}]}}"#,
        items.join(",")
    );
    assert!(text.len() > 3_000_000 && !text.contains('\n'));
    let file = dir.write("deployments.json", text.as_bytes());
    // 1.5 GB of address space: the run before the fix needed tens of GB for this input.
    let out = Command::new("sh")
        .args([
            "-c",
            "ulimit -v 1500000 && exec timeout 120 \"$0\" check \"$1\" --color never",
        ])
        .arg(env!("CARGO_BIN_EXE_kubelint"))
        .arg(&file)
        .output()
        .expect("run kubelint under ulimit");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let findings = stdout.matches("\n  = in Deployment ").count();
    assert_eq!(
        findings,
        12_000 * 3,
        "missing probes and shell-form-sigterm on each"
    );
    // Every snippet is a window of the line: output per finding is bounded.
    assert!(
        stdout.len() < findings * 1000,
        "{} bytes of output",
        stdout.len()
    );
    let snippet = stdout.lines().find(|l| l.starts_with("1 | ")).unwrap();
    assert!(
        snippet.starts_with("1 | ...") && snippet.ends_with("..."),
        "{snippet}"
    );
}

/// What pre-commit passes: every staged YAML/JSON file. With `--only-manifests` (the hook's
/// flag) files that hold no Kubernetes object and Helm templates are skipped, kubelint's own
/// files included; without it, a named file is linted and a non-object reported.
#[test]
fn only_manifests_skips_what_pre_commit_names_that_is_not_a_manifest() {
    let dir = TempDir::new("only-manifests");
    let root = &dir.0;
    std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
    std::fs::create_dir_all(root.join("chart/templates")).unwrap();
    let files = [
        (
            ".github/workflows/ci.yml",
            "name: ci\non: [push]\njobs: {}\n",
        ),
        ("docker-compose.yml", "services:\n  web: {image: x}\n"),
        ("package.json", "{\"name\": \"web\"}\n"),
        (".pre-commit-config.yaml", "repos: []\n"),
        (
            "chart/Chart.yaml",
            "apiVersion: v2\nname: c\nversion: 1.0.0\n",
        ),
        ("chart/values.yaml", "replicas: 2\n"),
        (
            "chart/templates/svc.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n",
        ),
        (".kubelint.yaml", "fail-on: error\n"),
        (
            "baseline.json",
            "{\"kubelint_baseline\": 1, \"findings\": []}\n",
        ),
    ];
    let mut paths = Vec::new();
    for (name, text) in files {
        std::fs::write(root.join(name), text).unwrap();
        paths.push(root.join(name).to_string_lossy().into_owned());
    }
    let args = |extra: &[&str], paths: &[String]| -> Vec<String> {
        let mut args = vec!["check".to_owned(), "--format".into(), "json".into()];
        args.extend(extra.iter().map(|s| s.to_string()));
        args.extend(paths.iter().cloned());
        args
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        kubelint(&args)
    };
    // Only non-manifests: nothing reported, and nothing to lint is not a failure for the hook.
    let out = run(args(&["--only-manifests"], &paths));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v = json_of(&out);
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["errors"].as_array().unwrap().len(), 0, "{v}");
    // Beside a manifest with a finding, only that finding.
    paths.push("fixtures/examples/shop.yaml".into());
    let v = json_of(&run(args(&["--only-manifests"], &paths)));
    let files: std::collections::BTreeSet<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files.into_iter().collect::<Vec<_>>(),
        ["fixtures/examples/shop.yaml"]
    );
    // Typed by a person, each named file is linted.
    paths.pop();
    let v = json_of(&run(args(&[], &paths)));
    assert!(rules_of(&v).contains(&"invalid-manifest".to_owned()), "{v}");
}

/// A run that lints nothing says so and fails: a Helm chart (its templates are skipped), an
/// empty standard input (the command before the pipe failed), inputs without an object.
#[test]
fn runs_that_lint_nothing_are_not_green() {
    let dir = TempDir::new("nothing");
    let chart = dir.0.join("chart");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 1.0.0\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("templates/svc.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n",
    )
    .unwrap();
    let chart = chart.to_string_lossy().into_owned();
    // Not rendered (tests/render.rs covers rendering, and helm missing).
    let out = kubelint(&["check", &chart, "--color", "never", "--helm", "never"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("skipped the templates/ of the Helm chart"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("helm template {chart} | kubelint check -")),
        "{stderr}"
    );
    assert!(stderr.contains("holds no Kubernetes object"), "{stderr}");
    assert!(!stdout.contains("No problems found"), "{stdout}");

    for input in [&b""[..], b"\n\n", b"# only a comment\n"] {
        let out = kubelint_stdin(&["check", "-", "--color", "never"], input);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("standard input is empty"), "{stderr}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains("No problems found"));
    }

    let out = kubelint(&["check", "does/not/exist/", "--color", "never"]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("No problems found"), "{stdout}");
    assert!(stdout.contains("1 input could not be linted"), "{stdout}");
}

#[test]
fn target_versions_kubelint_cannot_know_are_refused_and_older_ones_warned() {
    for version in ["1.38", "2.0", "1.99", "v2.1"] {
        let out = kubelint(&[
            "check",
            "fixtures/examples",
            "--kubernetes-version",
            version,
        ]);
        assert_eq!(out.status.code(), Some(2), "{version}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("unknown to this kubelint"),
            "{version}: {stderr}"
        );
    }
    let out = kubelint(&["check", "fixtures/examples", "--kubernetes-version", "1.29"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("validated against 1.33's"), "{stderr}");
    // `v1.33` and `1.33.4` name 1.33, on the command line and in the configuration.
    for version in ["v1.33", "1.33.4"] {
        let out = kubelint(&[
            "check",
            "fixtures/examples",
            "--kubernetes-version",
            version,
        ]);
        assert_eq!(out.status.code(), Some(1), "{version}");
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_missing_field_of_a_list_item_points_at_the_item() {
    let out = kubelint(&[
        "check",
        "fixtures/missing-required-field/fail-list-item.yaml",
        "--select",
        "missing-required-field",
        "--format",
        "json",
    ]);
    let v = json_of(&out);
    let found: Vec<(String, u64, u64)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    // The pointer names the mapping that lacks the field; the position stays on its first key.
    assert_eq!(
        found,
        vec![
            ("/spec/rules/0/http/paths/0".to_owned(), 12, 13),
            ("/subjects/0".to_owned(), 25, 5),
            ("/items/1".to_owned(), 36, 5),
        ],
        "{v:#}"
    );
}

#[test]
fn a_duplicate_key_belongs_to_its_object_in_every_format() {
    let file = "fixtures/duplicate-key/fail-in-list-item.yaml";
    let v = json_of(&kubelint(&[
        "check",
        file,
        "--select",
        "duplicate-key",
        "--format",
        "json",
    ]));
    let objects: Vec<&serde_json::Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["object"])
        .collect();
    assert_eq!(
        objects,
        vec![
            &serde_json::Value::Null,
            &serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "namespace": "shop", "name": "second"}),
        ]
    );
    let human = kubelint(&["check", file, "--select", "duplicate-key"]);
    assert!(
        String::from_utf8_lossy(&human.stdout).contains("= in ConfigMap shop/second"),
        "{}",
        String::from_utf8_lossy(&human.stdout)
    );
    let sarif = json_of(&kubelint(&[
        "check",
        file,
        "--select",
        "duplicate-key",
        "--format",
        "sarif",
    ]));
    let logical = &sarif["runs"][0]["results"][1]["locations"][0]["logicalLocations"];
    assert_eq!(logical[0]["fullyQualifiedName"], "ConfigMap shop/second");
    assert_eq!(logical[1]["fullyQualifiedName"], "/items/1/data");
}

/// `missing-readiness-probe` grades pods that no Service selects as info, unless the user set
/// the rule's severity, and only where the inputs know the namespace's Services.
#[test]
fn readiness_probe_findings_on_unserved_pods_are_info_unless_configured() {
    let dir = TempDir::new("readiness-unserved");
    let deployment = |name: &str, labels: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: shop}}\nspec:\n  selector:\n    matchLabels: {labels}\n  template:\n    metadata:\n      labels: {labels}\n    spec:\n      containers:\n        - name: {name}\n          image: example/{name}:1\n          livenessProbe: {{tcpSocket: {{port: 80}}}}\n---\n"
        )
    };
    let service = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    let text = format!(
        "{}{}{}{service}",
        deployment("web", "{app: web}"),
        deployment("worker", "{app: worker}"),
        deployment("templated", "{app: '${APP}'}"),
    );
    dir.write("app.yaml", text.as_bytes());
    let severities = |out: &Output| -> Vec<(String, String)> {
        let v = json_of(out);
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["object"]["name"].as_str().unwrap().to_owned(),
                    d["severity"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let pair = |name: &str, severity: &str| (name.to_owned(), severity.to_owned());
    let path = dir.0.to_str().unwrap();
    let run = |extra: &[&str]| {
        let args = [
            "check",
            path,
            "--format",
            "json",
            "--select",
            "missing-readiness-probe",
        ];
        kubelint(&[&args[..], extra].concat())
    };
    let out = run(&[]);
    assert_eq!(
        severities(&out),
        [
            pair("web", "warning"),
            pair("worker", "info"),
            pair("templated", "warning")
        ]
    );
    // Only the unserved worker: info does not fail the run.
    assert_eq!(run(&["--fail-on", "warning"]).status.code(), Some(1));
    dir.write(
        "app.yaml",
        format!("{}{service}", deployment("worker", "{app: worker}")).as_bytes(),
    );
    let out = run(&[]);
    assert_eq!(severities(&out), [pair("worker", "info")]);
    assert_eq!(out.status.code(), Some(0));
    // A severity the user sets applies to every finding, from the flag or the configuration.
    let out = run(&["--severity", "missing-readiness-probe=error"]);
    assert_eq!(severities(&out), [pair("worker", "error")]);
    dir.write(
        ".kubelint.yaml",
        b"severity:\n  missing-readiness-probe: warning\n",
    );
    let out = run(&[]);
    assert_eq!(severities(&out), [pair("worker", "warning")]);
    assert_eq!(out.status.code(), Some(1));
    std::fs::remove_file(dir.0.join(".kubelint.yaml")).unwrap();
    // A Service without a selector (a kustomize base, manual endpoints): the namespace's
    // Services are not all known, so the finding stays a warning.
    dir.write(
        "app.yaml",
        format!(
            "{}{service}---\napiVersion: v1\nkind: Service\nmetadata: {{name: base, namespace: shop}}\nspec:\n  ports: [{{port: 443}}]\n",
            deployment("worker", "{app: worker}")
        )
        .as_bytes(),
    );
    let out = run(&[]);
    assert_eq!(severities(&out), [pair("worker", "warning")]);
}

/// One list of built-in API groups: a removed built-in (`extensions/v1beta1`) is not a custom
/// resource without a CRD under `--strict-kinds`.
#[test]
fn a_removed_builtin_is_not_a_custom_resource_without_a_crd() {
    let deployment = b"apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: x:1}]\n";
    let out = kubelint_stdin(
        &[
            "check",
            "-",
            "--strict-kinds",
            "--select",
            "api,schema",
            "--format",
            "json",
        ],
        deployment,
    );
    assert_eq!(rules_of(&json_of(&out)), ["removed-api-version"]);
}

/// Targets older than the embedded schemas still learn what the removal table knows.
#[test]
fn deprecated_api_versions_are_found_for_targets_older_than_the_schemas() {
    let cronjob = b"apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  schedule: '* * * * *'\n  jobTemplate: {spec: {template: {spec: {restartPolicy: OnFailure, containers: [{name: c, image: x:1}]}}}}\n";
    for (target, expected) in [
        ("1.21", "deprecated-api-version"),
        ("1.24", "deprecated-api-version"),
        ("1.25", "removed-api-version"),
    ] {
        let out = kubelint_stdin(
            &[
                "check",
                "-",
                "--select",
                "api",
                "--format",
                "json",
                "--kubernetes-version",
                target,
            ],
            cronjob,
        );
        let v = json_of(&out);
        assert_eq!(rules_of(&v), [expected], "{target}");
        if expected == "deprecated-api-version" {
            let help = v["diagnostics"][0]["help"].as_str().unwrap();
            assert!(help.contains("batch/v1") && help.contains("1.25"), "{help}");
        }
    }
}

/// A rule off by default stays silent until `--enable` (or `--select` by id) names it, and
/// `kubelint rules` and SARIF say it is off.
#[test]
fn rules_off_by_default_run_when_enabled() {
    let dir = TempDir::new("off-by-default");
    let manifest = dir.write(
        "pod.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:1.27\n      imagePullPolicy: IfNotPresent\n",
    );
    let fires = |out: &Output| String::from_utf8_lossy(&out.stdout).contains("image-pull-policy");
    let out = kubelint(&["check", &manifest, "--fail-on", "never"]);
    assert!(!fires(&out), "{}", String::from_utf8_lossy(&out.stdout));
    let out = kubelint(&[
        "check",
        &manifest,
        "--fail-on",
        "never",
        "--enable",
        "image-pull-policy",
    ]);
    assert!(fires(&out), "{}", String::from_utf8_lossy(&out.stdout));
    let out = kubelint(&[
        "check",
        &manifest,
        "--fail-on",
        "never",
        "--select",
        "image-pull-policy",
    ]);
    assert!(fires(&out));
    // A category in --select runs only its rules that are on by default.
    let out = kubelint(&[
        "check",
        &manifest,
        "--fail-on",
        "never",
        "--select",
        "reliability",
    ]);
    assert!(!fires(&out));

    let listed = String::from_utf8_lossy(&kubelint(&["rules"]).stdout).into_owned();
    let line = listed
        .lines()
        .find(|l| l.starts_with("image-pull-policy "))
        .unwrap();
    assert!(line.ends_with("(off by default)"), "{line}");
    let json: serde_json::Value =
        serde_json::from_slice(&kubelint(&["rules", "--format", "json"]).stdout).unwrap();
    let rule = |id: &str| {
        json.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(rule("image-pull-policy")["enabled"], false);
    assert_eq!(rule("missing-resources")["enabled"], true);
    let out = kubelint(&[
        "check",
        &manifest,
        "--format",
        "sarif",
        "--fail-on",
        "never",
    ]);
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let descriptor = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "image-pull-policy")
        .unwrap()
        .clone();
    assert_eq!(descriptor["defaultConfiguration"]["enabled"], false);
}

/// PodSecurity admission, predicted from the run's Namespaces: a namespace that enforces a
/// level turns a violation of it into an error that says the pods are refused, one that warns
/// into a warning, and an unlabelled namespace keeps the rule's own severity.
#[test]
fn pod_security_findings_are_graded_by_their_namespace() {
    let dir = TempDir::new("pod-security-admission");
    dir.write(
        "namespaces.yaml",
        b"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: tools\n  labels:\n    pod-security.kubernetes.io/warn: restricted\n    pod-security.kubernetes.io/warn-version: v1.30\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: lab\n",
    );
    let privileged = |kind: &str, ns: &str| {
        let spec = "containers:\n  - name: app\n    image: example/app:1.0\n    securityContext: {privileged: true}\n";
        match kind {
            "Pod" => format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: {ns}}}\nspec:\n{}",
                indent(spec, 2)
            ),
            _ => format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d, namespace: {ns}}}\nspec:\n  selector: {{matchLabels: {{app: a}}}}\n  template:\n    metadata: {{labels: {{app: a}}}}\n    spec:\n{}",
                indent(spec, 6)
            ),
        }
    };
    fn indent(text: &str, by: usize) -> String {
        text.lines()
            .map(|l| format!("{}{l}\n", " ".repeat(by)))
            .collect()
    }
    let docs = [
        privileged("Deployment", "shop"),
        privileged("Pod", "shop"),
        privileged("Pod", "tools"),
        privileged("Pod", "lab"),
        privileged("Pod", "elsewhere"),
    ]
    .join("---\n");
    let manifest = dir.write("pods.yaml", docs.as_bytes());
    let graded = |extra: &[&str]| -> Vec<(String, String, String)> {
        let mut args = vec![
            "check",
            dir.0.to_str().unwrap(),
            "--select",
            "privileged-container",
            "--format",
            "json",
            "--fail-on",
            "never",
        ];
        args.extend_from_slice(extra);
        let v = json_of(&kubelint(&args));
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["object"]["namespace"].as_str().unwrap().to_owned(),
                    d["severity"].as_str().unwrap().to_owned(),
                    d["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let found = graded(&[]);
    assert_eq!(found.len(), 5, "{found:#?}");
    let (ns, severity, message) = &found[0];
    assert_eq!((ns.as_str(), severity.as_str()), ("shop", "error"));
    assert!(
        message.ends_with(
            "namespace `shop` enforces Pod Security `baseline` (latest), so the API server \
             refuses the Deployment's pods: it is accepted, but its pods are never created \
             (`FailedCreate` events) and the rollout stalls"
        ),
        "{message}"
    );
    assert!(found[1].2.ends_with("so the API server rejects this pod"));
    assert_eq!(found[1].1, "error");
    // Warn covers baseline too (restricted includes it), at the pinned version.
    assert_eq!(found[2].1, "warning");
    assert!(
        found[2]
            .2
            .contains("namespace `tools` warns at Pod Security `restricted` (v1.30)")
    );
    // A Namespace without labels, and one the run does not hold: the rule's own severity.
    for unlabelled in &found[3..] {
        assert_eq!(unlabelled.1, "warning");
        assert!(!unlabelled.2.contains("Pod Security"), "{}", unlabelled.2);
    }

    // The cluster's defaults cover namespaces without a label for the mode; exemptions win.
    let config = dir.write(
        ".kubelint.yaml",
        b"pod-security:\n  enforce: baseline\n  exempt-namespaces: [lab]\n",
    );
    let found = graded(&["--config", &config]);
    assert_eq!(found[3].1, "warning", "lab is exempt: {:?}", found[3]);
    assert_eq!(found[4].1, "error");
    assert!(found[4].2.contains(
        "the cluster's default policy (configuration `pod-security`) for namespace `elsewhere` \
         enforces Pod Security `baseline` (latest)"
    ));
    // tools has a warn label and no enforce label: the default enforce applies there.
    assert_eq!(found[2].1, "error");

    // A severity the user sets wins; the message still says what admission does.
    let found = graded(&["--severity", "privileged-container=info"]);
    assert_eq!(found[0].1, "info");
    assert!(found[0].2.contains("enforces Pod Security"));
    let _ = manifest;
}

/// The issue's acceptance case: a Deployment without `runAsNonRoot` in a namespace that enforces
/// `restricted` is an error saying its pods will be refused, although `run-as-root` is off by
/// default; the same Deployment in an unlabelled namespace, with the rule selected, stays at the
/// rule's default severity, and without selecting it reports nothing.
#[test]
fn enforced_restricted_namespace_refuses_a_deployment_that_may_run_as_root() {
    let dir = TempDir::new("pod-security-restricted");
    let deployment = |ns: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: {ns}}}\nspec:\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers:\n        - name: web\n          image: example/web:1.0\n"
        )
    };
    dir.write(
        "shop.yaml",
        format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n---\n{}",
            deployment("shop")
        )
        .as_bytes(),
    );
    dir.write("lab.yaml", deployment("lab").as_bytes());
    let run_as_root = |extra: &[&str]| -> Vec<(String, String, String, u64)> {
        let mut args = vec![
            "check",
            dir.0.to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "never",
        ];
        args.extend_from_slice(extra);
        let v = json_of(&kubelint(&args));
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == "run-as-root")
            .map(|d| {
                (
                    d["object"]["namespace"].as_str().unwrap().to_owned(),
                    d["severity"].as_str().unwrap().to_owned(),
                    d["message"].as_str().unwrap().to_owned(),
                    d["line"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let default_run = run_as_root(&[]);
    assert_eq!(default_run.len(), 1, "{default_run:#?}");
    let (ns, severity, message, line) = &default_run[0];
    assert_eq!(
        (ns.as_str(), severity.as_str(), *line),
        ("shop", "error", 17)
    );
    assert!(
        message.contains("namespace `shop` enforces Pod Security `restricted` (latest), so the API server refuses the Deployment's pods"),
        "{message}"
    );
    assert!(message.contains("the rollout stalls"), "{message}");

    let selected = run_as_root(&["--select", "run-as-root"]);
    assert_eq!(selected.len(), 2, "{selected:#?}");
    let lab = selected.iter().find(|d| d.0 == "lab").unwrap();
    assert_eq!(lab.1, "warning");
    assert!(!lab.2.contains("Pod Security"), "{}", lab.2);
    assert_eq!(selected.iter().find(|d| d.0 == "shop").unwrap().1, "error");
}

/// Where the run cannot tell the pod the API server admits, admission is not predicted: two
/// Namespace objects of one name that disagree (a base and an overlay), or a workload a
/// kustomize patch of the run changes.
#[test]
fn admission_is_not_predicted_where_the_run_cannot_tell() {
    let dir = TempDir::new("pod-security-unknown");
    let namespace = |enforce: &str| {
        format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: {enforce}\n"
        )
    };
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  containers:\n    - name: app\n      image: example/app:1.0\n      securityContext: {privileged: true}\n";
    dir.write("base/namespace.yaml", namespace("restricted").as_bytes());
    dir.write("overlay/namespace.yaml", namespace("privileged").as_bytes());
    dir.write("base/pod.yaml", pod.as_bytes());
    let severities = |dir: &TempDir| -> Vec<String> {
        let v = json_of(&kubelint(&[
            "check",
            dir.0.to_str().unwrap(),
            "--select",
            "privileged-container",
            "--format",
            "json",
            "--fail-on",
            "never",
            // The files as they are: what a run that cannot build them sees.
            "--kustomize",
            "never",
        ]));
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["severity"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(severities(&dir), ["warning"]);

    let patched = TempDir::new("pod-security-patched");
    patched.write("namespace.yaml", namespace("baseline").as_bytes());
    patched.write(
        "deployment.yaml",
        b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: web\n          image: example/web:1.0\n          securityContext: {privileged: true}\n",
    );
    patched.write(
        "kustomization.yaml",
        b"resources: [namespace.yaml, deployment.yaml]\npatches:\n  - path: unprivileged.yaml\n",
    );
    patched.write(
        "unprivileged.yaml",
        b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          securityContext: {privileged: false}\n",
    );
    assert_eq!(severities(&patched), ["warning"]);
    // Built, the kustomization's patch makes the container unprivileged: nothing to report.
    if kustomize_installed() {
        let v = json_of(&kubelint(&[
            "check",
            patched.0.to_str().unwrap(),
            "--select",
            "privileged-container",
            "--format",
            "json",
        ]));
        assert_eq!(v["diagnostics"], serde_json::json!([]), "{v}");
    }
    // Without the patch, the namespace's enforce label grades the same finding.
    std::fs::remove_file(patched.0.join("unprivileged.yaml")).unwrap();
    patched.write(
        "kustomization.yaml",
        b"resources: [namespace.yaml, deployment.yaml]\n",
    );
    assert_eq!(severities(&patched), ["error"]);
}

/// The README's "Your own policies" example: a repository that deploys a ValidatingAdmissionPolicy
/// and its binding gets the policy's errors on its Deployments, with no configuration.
#[test]
fn admission_policies_among_the_inputs_are_evaluated() {
    let out = kubelint(&[
        "check",
        "fixtures/policies/run-as-non-root",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report = json_of(&out);
    let found: Vec<(String, u64, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "vap/require-run-as-non-root")
        .map(|d| {
            (
                d["severity"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [("error".to_owned(), 12, 5), ("error".to_owned(), 29, 23)]
    );
}

/// `--policies` brings policies kept elsewhere to the inputs; `--ignore policies` turns every
/// policy off; a policy is selected by its id.
#[test]
fn policies_are_passed_selected_and_ignored_like_rules() {
    let dir = TempDir::new("policies-flag");
    let policy = std::fs::read_to_string("fixtures/policies/run-as-non-root/policy.yaml").unwrap();
    let policy_file = dir.write("platform/policy.yaml", policy.as_bytes());
    let app = std::fs::read_to_string("fixtures/policies/run-as-non-root/app.yaml").unwrap();
    let app_file = dir.write("app/app.yaml", app.as_bytes());
    let rules = |extra: &[&str]| {
        let mut args = vec!["check", app_file.as_str(), "--format", "json"];
        args.extend_from_slice(extra);
        rules_of(&json_of(&kubelint(&args)))
    };
    let policy_findings =
        |rules: Vec<String>| rules.iter().filter(|r| r.starts_with("vap/")).count();
    assert_eq!(policy_findings(rules(&[])), 0);
    assert_eq!(policy_findings(rules(&["--policies", &policy_file])), 2);
    assert_eq!(
        policy_findings(rules(&["--policies", &policy_file, "--ignore", "policies"])),
        0
    );
    assert_eq!(
        rules(&[
            "--policies",
            &policy_file,
            "--select",
            "vap/require-run-as-non-root"
        ]),
        ["vap/require-run-as-non-root", "vap/require-run-as-non-root"]
    );
}

/// Policy files beside the configuration: found without flags, listed by `kubelint rules`, and
/// their inline tests run by `kubelint policy test` (exit 1 when one fails).
#[test]
fn policy_files_are_found_listed_and_tested() {
    let dir = TempDir::new("policy-files");
    let policies =
        std::fs::read_to_string("fixtures/policies/own-policies/.kubelint/policies/workloads.yaml")
            .unwrap();
    dir.write(".kubelint/policies/workloads.yaml", policies.as_bytes());
    dir.write(".kubelint.yaml", b"fail-on: error\n");
    let app = std::fs::read_to_string("fixtures/policies/own-policies/app.yaml").unwrap();
    dir.write("app.yaml", app.as_bytes());
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_kubelint"))
            .args(args)
            .current_dir(&dir.0)
            .output()
            .unwrap()
    };
    let out = run(&["check", ".", "--select", "policies", "--format", "json"]);
    assert_eq!(
        rules_of(&json_of(&out)),
        ["acme/memory-limit", "acme/team-label"]
    );
    let listed = String::from_utf8(run(&["rules"]).stdout).unwrap();
    assert!(
        listed.contains("acme/team-label") && listed.contains(".kubelint/policies/workloads.yaml"),
        "{listed}"
    );
    let explained = String::from_utf8(run(&["explain", "acme/team-label"]).stdout).unwrap();
    assert!(
        explained.starts_with("# acme/team-label (policies, warning)\n\nWorkloads name the team"),
        "{explained}"
    );
    let tested = run(&["policy", "test"]);
    let stdout = String::from_utf8_lossy(&tested.stdout);
    assert_eq!(tested.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.ends_with("4 tests, 4 passed, 0 failed\n"),
        "{stdout}"
    );
    // A test that no longer holds fails the command.
    dir.write(
        ".kubelint/policies/workloads.yaml",
        policies.replace("expect: fail", "expect: pass").as_bytes(),
    );
    let tested = run(&["policy", "test"]);
    let stdout = String::from_utf8_lossy(&tested.stdout);
    assert_eq!(tested.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL  .kubelint/policies/workloads.yaml:21 acme/team-label"),
        "{stdout}"
    );
}

/// A policy file with an error is reported with its position, and the run goes on.
#[test]
fn a_broken_policy_file_is_an_error_of_the_run_not_a_crash() {
    let dir = TempDir::new("policy-broken");
    dir.write(
        ".kubelint/policies/bad.yaml",
        b"id: acme/bad\nvalidations:\n- expression: object.spec.replicas <=\n",
    );
    let app = dir.write(
        "app.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_kubelint"))
        .args(["check", &app])
        .current_dir(&dir.0)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(".kubelint/policies/bad.yaml: 3:38: CEL: Syntax error"),
        "{stderr}"
    );
}
