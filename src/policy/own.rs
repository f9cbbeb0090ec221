//! kubelint's own policy files (`.kubelint/policies/*.yaml`, `policies:` in the
//! configuration): a policy per YAML document, written as a ValidatingAdmissionPolicy author
//! would, with the sample objects that must pass or fail kept beside it as tests.
//!
//! ```yaml
//! id: acme/team-label            # PREFIX/NAME: its rule id
//! severity: warning              # error, warning (default) or info
//! summary: Workloads name the team that owns them
//! help: add `metadata.labels.team`
//! match:
//!   kinds: [Deployment, apps/StatefulSet]
//!   namespaces: [prod]           # optional; excludeNamespaces too
//!   objectSelector: {matchLabels: {tier: web}}
//! variables:
//! - name: labels
//!   expression: object.metadata.?labels.orValue({})
//! validations:
//! - expression: "'team' in variables.labels"
//!   messageExpression: "object.kind + ' ' + object.metadata.name + ' has no team label'"
//! tests:
//! - name: labelled
//!   expect: pass                 # or fail
//!   object: {apiVersion: apps/v1, kind: Deployment, metadata: {name: a, labels: {team: x}}}
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::Severity;
use crate::index::SelectorField;
use crate::load::LoadError;
use crate::parse::lines::LineIndex;
use crate::parse::tree::Node;
use crate::parse::{self};

use super::discover::{Problems, as_errors};
use super::matching::Match;
use super::vap;
use super::{Binding, Policy, PolicySet, Selection};

/// The files a list of policy paths names: files as given, directories' `*.yaml`/`*.yml`.
pub fn files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(path.clone());
        }
    }
    out
}

/// Reads and compiles every policy of `paths`; a policy with an error is left out and the
/// error, with its position, is returned.
pub fn load(paths: &[PathBuf]) -> (Vec<Policy>, Vec<LoadError>) {
    let mut policies = Vec::new();
    let mut errors = Vec::new();
    for file in files(paths) {
        let shown = crate::load::display_path(&file);
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) => {
                errors.push(LoadError {
                    path: shown,
                    message: format!("cannot read the policy file: {e}"),
                });
                continue;
            }
        };
        read_file(
            &shown,
            &text,
            |policy, _| policies.push(policy),
            &mut errors,
        );
    }
    let mut seen = std::collections::HashSet::new();
    policies.retain(|p: &Policy| {
        let first = seen.insert(p.id);
        if !first {
            errors.push(LoadError {
                path: p.file.to_string(),
                message: format!("policy `{}` is declared twice: the second is ignored", p.id),
            });
        }
        first
    });
    (policies, errors)
}

/// Reads the policies of one file, handing each with its document's `tests:` node to `each`.
fn read_file(
    shown: &str,
    text: &str,
    mut each: impl FnMut(Policy, Option<Node<'_>>),
    errors: &mut Vec<LoadError>,
) {
    let lines = LineIndex::new(text);
    let stream = parse::parse_stream(text, &lines);
    for error in &stream.errors {
        let at = lines.position(text, error.offset);
        errors.push(LoadError {
            path: shown.to_owned(),
            message: format!(
                "{}:{}: invalid YAML: {}",
                at.line,
                at.column + 1,
                error.message
            ),
        });
    }
    let file: Arc<str> = Arc::from(shown);
    for document in &stream.documents {
        let mut problems = Problems {
            file: file.clone(),
            text,
            lines: &lines,
            invalid: Some(Severity::Error),
            not_evaluated: None,
            out: Vec::new(),
        };
        let root = document.root();
        if root.is_null() {
            continue;
        }
        let policy = read_policy(root, &file, &mut problems);
        errors.extend(as_errors(std::mem::take(&mut problems.out)));
        if let Some(policy) = policy {
            each(policy, root.get_some("tests"));
        }
    }
}

fn read_policy(root: Node<'_>, file: &Arc<str>, problems: &mut Problems<'_>) -> Option<Policy> {
    const KEYS: &[&str] = &[
        "id",
        "severity",
        "summary",
        "help",
        "match",
        "variables",
        "validations",
        "tests",
    ];
    if !root.is_map() {
        problems.invalid(
            root,
            "a policy is a mapping with `id` and `validations`".to_owned(),
        );
        return None;
    }
    for (key, _) in root.entries() {
        let name = key.key_text().unwrap_or_default();
        if !KEYS.contains(&name) {
            let near = crate::text::closest_name(name, KEYS.iter().copied())
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            problems.invalid(key, format!("unknown policy field `{name}`{near}"));
            return None;
        }
    }
    let Some(id_node) = root.get("id") else {
        problems.invalid(
            root,
            "a policy needs an `id` (PREFIX/NAME, e.g. `acme/team-label`)".to_owned(),
        );
        return None;
    };
    let id = id_node.as_str().unwrap_or_default();
    if !super::is_policy_id(id) || id.starts_with("vap/") {
        problems.invalid(
            id_node,
            format!("policy id `{id}` must be PREFIX/NAME (letters, digits, `-`, `.`, `_`), and the prefix cannot be `vap`"),
        );
        return None;
    }
    let severity = match root.get("severity") {
        None => Severity::Warning,
        Some(node) => match node.as_str().and_then(Severity::parse) {
            Some(s) => s,
            None => {
                problems.invalid(node, "severity is error, warning or info".to_owned());
                return None;
            }
        },
    };
    let matches = read_match(root.get_some("match"), problems)?;
    let variables = root
        .get_some("variables")
        .into_iter()
        .flat_map(|l| l.items())
        .map(|item| {
            let name = item.get_str("name")?.to_owned();
            let expression = item.get("expression")?;
            Some((name, vap::compile(expression, problems).ok()??))
        })
        .collect::<Option<Vec<_>>>();
    let Some(variables) = variables else {
        problems.invalid(
            root,
            "each variable needs a `name` and an `expression`".to_owned(),
        );
        return None;
    };
    let validations = vap::validations(root.get_some("validations"), problems)?;
    if validations.is_empty() {
        problems.invalid(id_node, "a policy needs at least one validation".to_owned());
        return None;
    }
    let id: &'static str = Box::leak(id.to_owned().into_boxed_str());
    Some(Policy {
        id,
        summary: root.get_str("summary").unwrap_or(id).to_owned(),
        help: root.get_str("help").map(str::to_owned),
        file: file.clone(),
        matches,
        conditions: Vec::new(),
        variables,
        validations,
        param_kind: None,
        fail_on_error: true,
        bindings: vec![Binding {
            name: id.to_owned(),
            resources: None,
            param_ref: None,
            severity,
        }],
        reads: std::sync::OnceLock::new(),
    })
}

fn read_match(node: Option<Node<'_>>, problems: &mut Problems<'_>) -> Option<Match> {
    let Some(node) = node else {
        return Some(Match::default());
    };
    let list = |key: &str| super::matching::strings(node, key);
    let mut matches = Match {
        kinds: list("kinds"),
        namespaces: list("namespaces"),
        exclude_namespaces: list("excludeNamespaces"),
        ..Match::default()
    };
    for key in ["objectSelector", "namespaceSelector"] {
        match crate::index::Selector::label_selector(node.get_some(key)) {
            SelectorField::Missing => {}
            SelectorField::Selector(s) if key == "objectSelector" => {
                matches.object_selector = Some(s);
            }
            SelectorField::Selector(s) => matches.namespace_selector = Some(s),
            SelectorField::Unknown => {
                problems.invalid(
                    node.get(key).unwrap_or(node),
                    format!("`{key}` is not a label selector"),
                );
                return None;
            }
        }
    }
    Some(matches)
}

/// The outcome of one inline test.
#[derive(Debug)]
pub struct TestResult {
    pub file: String,
    pub policy: &'static str,
    pub name: String,
    pub line: u32,
    /// `None` when the test passed, else what went wrong.
    pub failure: Option<String>,
}

/// Runs the `tests:` of every policy in `paths`: each `object` must give no finding of its
/// policy (`expect: pass`) or at least one (`expect: fail`).
pub fn run_tests(paths: &[PathBuf]) -> (Vec<TestResult>, Vec<LoadError>) {
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for file in files(paths) {
        let shown = crate::load::display_path(&file);
        let Ok(text) = std::fs::read_to_string(&file) else {
            errors.push(LoadError {
                path: shown,
                message: "cannot read the policy file".to_owned(),
            });
            continue;
        };
        let lines = LineIndex::new(&text);
        type Case = (String, u32, Option<bool>, Result<Vec<String>, String>);
        let mut policies: Vec<(&'static str, Vec<Case>)> = Vec::new();
        read_file(
            &shown,
            &text,
            |policy, tests| {
                let id = policy.id;
                let set = PolicySet {
                    policies: vec![policy],
                    ..PolicySet::default()
                };
                let mut cases = Vec::new();
                for (i, test) in tests.into_iter().flat_map(|t| t.items()).enumerate() {
                    let name = test
                        .get_str("name")
                        .map_or_else(|| format!("test {}", i + 1), str::to_owned);
                    let line = lines.position(&text, test.span().start).line;
                    let expect = match test.get_str("expect") {
                        Some("pass") => Some(true),
                        Some("fail") => Some(false),
                        _ => None,
                    };
                    let outcome = match test.get_some("object") {
                        None => Err("a test needs an `object`".to_owned()),
                        Some(node) => findings_of(&set, node),
                    };
                    cases.push((name, line, expect, outcome));
                }
                policies.push((id, cases));
            },
            &mut errors,
        );
        for (policy, cases) in policies {
            for (name, line, expect, outcome) in cases {
                let failure = match (expect, outcome) {
                    (None, _) => Some("`expect` must be `pass` or `fail`".to_owned()),
                    (_, Err(e)) => Some(e),
                    (Some(true), Ok(messages)) if !messages.is_empty() => {
                        Some(format!("expected to pass, but: {}", messages.join("; ")))
                    }
                    (Some(false), Ok(messages)) if messages.is_empty() => {
                        Some("expected to fail, but the object passed".to_owned())
                    }
                    (Some(false), Ok(messages))
                        if messages
                            .iter()
                            .all(|m| m.starts_with("not a validation failure")) =>
                    {
                        Some(format!("expected to fail, but {}", messages.join("; ")))
                    }
                    _ => None,
                };
                results.push(TestResult {
                    file: shown.clone(),
                    policy,
                    name,
                    line,
                    failure,
                });
            }
        }
    }
    (results, errors)
}

/// The messages the one policy of `set` reports on the object at `node` (a test's sample).
fn findings_of(set: &PolicySet, node: Node<'_>) -> Result<Vec<String>, String> {
    let objects = crate::model::objects_at(node).map_err(|why| why.message().to_owned())?;
    let mut found = Vec::new();
    for object in &objects {
        if !set.policies[0]
            .matches
            .matches(&super::matching::Target::of(object, set), set)
        {
            return Err(format!(
                "the object (a {}) is not matched by the policy's `match`",
                object.kind
            ));
        }
        set.check_whole(object, &Selection::default(), &mut found);
    }
    Ok(found
        .into_iter()
        .map(|f| {
            if f.evaluation_error {
                format!("not a validation failure: {}", f.finding.message)
            } else {
                f.finding.message
            }
        })
        .collect())
}

/// The default place of a repository's policy files, beside its configuration.
pub fn default_dir(config_dir: &Path) -> PathBuf {
    config_dir.join(".kubelint").join("policies")
}
