//! Agreement with kubeconform and kubeval on their own test fixtures
//! (../shared/corpus/peer-tests/{yannh__kubeconform,instrumenta__kubeval}/fixtures).
//!
//! Each file is pinned valid or invalid for kubelint's schema and syntax rules. kubelint
//! always validates strictly (kubeconform `-strict`, kubeval `--strict`: unknown fields are
//! errors) and skips custom resources whose CRD the run lacks (kubeconform
//! `-ignore-missing-schemas`; `--strict-kinds` turns that off). Where the projects' own tests
//! expect something else, the row says why.
//!
//! The fixtures live outside the repository: these tests are ignored by a plain `cargo test`
//! and run by `.ci/run` with `--ignored`, where a missing corpus fails them.

use std::path::Path;
use std::process::Command;

/// The rules this comparison is about: what kubeconform and kubeval check.
const RULES: &str = "syntax,schema";

enum Verdict {
    Valid,
    Invalid,
}
use Verdict::{Invalid, Valid};

const KUBECONFORM: &[(&str, Verdict)] = &[
    ("blank.yaml", Valid),
    ("comment.yaml", Valid),
    // A v1beta1 CRD: valid as schema; removed-api-version (not part of this comparison)
    // reports that Kubernetes no longer serves apiextensions.k8s.io/v1beta1.
    ("crd_schema.yaml", Valid),
    // kubeconform: invalid with -strict (a duplicated `containers` key); valid without.
    ("duplicate_property.yaml", Invalid),
    // kubeval's fixtures for its duplicate-object check (the same kind, namespace and name
    // twice in one stream). That is not a schema property and kubelint has no such check: each
    // object is valid on its own.
    ("duplicates-non-namespaced.yaml", Valid),
    ("duplicates-with-namespace-default.yaml", Valid),
    ("duplicates-with-namespace.yaml", Valid),
    ("duplicates.yaml", Valid),
    // `kind: SkipThisKind` in `apiVersion: v1`, valid for kubeval only with --skip-kinds.
    // kubelint reports unknown-kind: the core group has no such kind. Its equivalent of
    // skipping a kind is `--ignore unknown-kind` or an ignore comment.
    ("duplicates-skipped-kinds.yaml", Invalid),
    // A DaemonSet with `replicas`: kubeconform passes it, and fails it with -strict.
    ("extra_property.yaml", Invalid),
    ("full_domain_group.yaml", Valid),
    ("generate_name.yaml", Valid),
    // A custom resource; the run has no CRD for it: skipped (kubeconform's bats tests pass it
    // with a schema registry or -ignore-missing-schemas).
    ("grafana-alert-rule-group-sample.yaml", Valid),
    // Not a manifest: the JSON Schema kubeconform's registry test serves for the file above.
    ("grafanaalertrulegroup_v1beta1.json", Invalid),
    ("httpproxy.yaml", Valid),
    ("int_or_string.yaml", Valid),
    ("invalid.yaml", Invalid),
    ("list_empty_valid.yaml", Valid),
    ("list_invalid.yaml", Invalid),
    ("list_valid.yaml", Valid),
    ("missing_apiversion.yaml", Invalid),
    ("missing_kind.yaml", Invalid),
    ("missing_kind_value.yaml", Invalid),
    ("multi_invalid.yaml", Invalid),
    ("multi_invalid_resources.yaml", Invalid),
    ("multi_valid.yaml", Valid),
    ("multi_valid_source.yaml", Valid),
    ("multi_with_list.yaml", Valid),
    ("null_array.yaml", Valid),
    ("null_string.yaml", Valid),
    ("quantity.yaml", Valid),
    ("same-kind-different-api.yaml", Valid),
    ("same-object-different-namespace-default.yaml", Valid),
    ("same-object-different-namespace.yaml", Valid),
    // kubeconform fails it without -ignore-missing-schemas, passes it with; kubelint skips
    // custom resources without a CRD unless --strict-kinds (see below).
    ("test_crd.yaml", Valid),
    ("unconventional_keys.yaml", Valid),
    ("valid.json", Valid),
    ("valid.yaml", Valid),
    ("valid_version.yaml", Valid),
];

const KUBEVAL: &[(&str, Verdict)] = &[
    ("blank.yaml", Valid),
    ("comment.yaml", Valid),
    ("duplicates-non-namespaced.yaml", Valid),
    ("duplicates-skipped-kinds.yaml", Invalid),
    ("duplicates-with-namespace-default.yaml", Valid),
    ("duplicates-with-namespace.yaml", Valid),
    ("duplicates.yaml", Valid),
    // kubeval's copy is an extensions/v1beta1 DaemonSet, which no Kubernetes kubelint
    // validates for serves (removed in 1.16: removed-api-version's finding), so no schema
    // applies. kubeval fails it with --strict against its 1.x schemas.
    ("extra_property.yaml", Valid),
    ("full_domain_group.yaml", Valid),
    ("generate_name.yaml", Valid),
    ("int_or_string.yaml", Valid),
    ("invalid.yaml", Invalid),
    ("list_empty_valid.yaml", Valid),
    ("list_invalid.yaml", Invalid),
    ("list_valid.yaml", Valid),
    ("missing_kind.yaml", Invalid),
    ("missing_kind_value.yaml", Invalid),
    ("multi_invalid.yaml", Invalid),
    ("multi_invalid_resources.yaml", Invalid),
    ("multi_valid.yaml", Valid),
    ("multi_valid_source.yaml", Valid),
    ("null_array.yaml", Valid),
    ("null_string.yaml", Valid),
    ("quantity.yaml", Valid),
    ("same-kind-different-api.yaml", Valid),
    ("same-object-different-namespace-default.yaml", Valid),
    ("same-object-different-namespace.yaml", Valid),
    ("test_crd.yaml", Valid),
    ("unconventional_keys.yaml", Valid),
    // Valid to its schema, but its probes are `{}`: the API server refuses a probe without a
    // handler ("must specify a handler type"), and invalid-pod-spec says so.
    ("valid.json", Invalid),
    ("valid.yaml", Valid),
    ("valid_version.yaml", Valid),
];

fn fixtures(project: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/peer-tests")
        .join(project)
        .join("fixtures");
    assert!(
        dir.is_dir(),
        "{} is missing: this test needs the corpora of ../shared/corpus",
        dir.display()
    );
    dir
}

/// kubelint's verdict and what it said, for one file.
fn lint(path: &Path, extra: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kubelint"))
        .args([
            "check",
            "--select",
            RULES,
            "--color",
            "never",
            "--fail-on",
            "error",
        ])
        .args(extra)
        .arg(path)
        .output()
        .unwrap();
    let code = out.status.code();
    // A file with no object at all (kubeconform's blank.yaml) holds nothing invalid, as the
    // peers say; kubelint also exits 2 for it, since a run that lints nothing is not green.
    let holds_nothing = code == Some(2)
        && String::from_utf8_lossy(&out.stderr).contains("holds no Kubernetes object");
    assert!(
        matches!(code, Some(0 | 1)) || holds_nothing,
        "{}: exit {code:?}",
        path.display()
    );
    (
        code == Some(0) || holds_nothing,
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn agree(project: &str, table: &[(&str, Verdict)]) {
    let dir = fixtures(project);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml") || n.ends_with(".json"))
        .collect();
    files.sort();
    let mut pinned: Vec<&str> = table.iter().map(|(f, _)| *f).collect();
    pinned.sort_unstable();
    assert_eq!(files, pinned, "{project}: every fixture is pinned, once");
    let mut wrong = Vec::new();
    for (file, verdict) in table {
        let (valid, output) = lint(&dir.join(file), &[]);
        if valid != matches!(verdict, Valid) {
            wrong.push(format!(
                "{file}: kubelint says {}\n{output}",
                if valid { "valid" } else { "invalid" }
            ));
        }
    }
    assert!(wrong.is_empty(), "{project}:\n{}", wrong.join("\n"));
}

#[test]
#[ignore = "needs ../shared/corpus; .ci/run runs it with --ignored"]
fn kubeconform_fixtures() {
    agree("yannh__kubeconform", KUBECONFORM);
}

#[test]
#[ignore = "needs ../shared/corpus; .ci/run runs it with --ignored"]
fn kubeval_fixtures() {
    agree("instrumenta__kubeval", KUBEVAL);
}

/// kubeconform's default (no -ignore-missing-schemas) fails a custom resource it has no
/// schema for; kubelint does with --strict-kinds.
#[test]
#[ignore = "needs ../shared/corpus; .ci/run runs it with --ignored"]
fn strict_kinds_fails_custom_resources_without_a_crd() {
    let dir = fixtures("yannh__kubeconform");
    let (valid, output) = lint(&dir.join("test_crd.yaml"), &["--strict-kinds"]);
    assert!(!valid, "{output}");
    assert!(output.contains("unknown-kind"), "{output}");
}

/// The findings point where kubeconform only names a JSON pointer (`/spec/replicas`).
#[test]
#[ignore = "needs ../shared/corpus; .ci/run runs it with --ignored"]
fn invalid_fixture_findings_have_positions() {
    let dir = fixtures("yannh__kubeconform");
    let (_, output) = lint(&dir.join("invalid.yaml"), &[]);
    assert!(output.contains("invalid.yaml:6:13"), "{output}");
    assert!(
        output.contains("`replicas` must be an integer, not a string"),
        "{output}"
    );
    assert!(output.contains("invalid.yaml:9:3"), "{output}");
    assert!(
        output.contains("unknown field `templates` in ReplicationControllerSpec"),
        "{output}"
    );
}
