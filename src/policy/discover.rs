//! Finding the policies of a run before its file-by-file pass: the admission policies and
//! bindings among the inputs (and `--policies`), the policy files of the configuration, and
//! what evaluating them needs from other objects (Namespaces, params, CRDs' plural names).

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::index::Selector;
use crate::load::{Input, LoadError, MAX_FILE_BYTES};
use crate::model::{self, Modeled, Object};
use crate::parse::lines::LineIndex;
use crate::parse::tree::Node;
use crate::parse::{self};
use crate::rules::RuleSet;
use crate::rules::policies::invalid_policy::InvalidPolicy;
use crate::rules::policies::policy_not_evaluated::PolicyNotEvaluated;

use super::vap::{self, BindingDraft};
use super::{Namespace, Param, Policy, PolicySet, expr, own};

/// Findings about policies in one file, at their nodes.
pub struct Problems<'a> {
    pub file: Arc<str>,
    pub text: &'a str,
    pub lines: &'a LineIndex,
    pub invalid: Option<Severity>,
    pub not_evaluated: Option<Severity>,
    pub out: Vec<Diagnostic>,
}

impl Problems<'_> {
    pub fn location_of(&self, node: Node<'_>) -> (Arc<str>, Location) {
        let location = Location::of_span(
            self.text,
            self.lines,
            node.span(),
            node.document().pointer(node.id()),
        );
        (self.file.clone(), location)
    }

    pub fn invalid(&mut self, node: Node<'_>, message: String) {
        if let Some(severity) = self.invalid {
            let (file, location) = self.location_of(node);
            self.out.push(Diagnostic::new(
                InvalidPolicy::ID,
                severity,
                file,
                location,
                message,
            ));
        }
    }

    /// An error inside an expression: at `column` (characters) of the string at `node`.
    pub fn invalid_at(&mut self, node: Node<'_>, column: usize, message: String) {
        self.inside(InvalidPolicy::ID, self.invalid, node, column, message);
    }

    /// Something kubelint cannot evaluate, at `column` (characters) of the string at `node`.
    pub fn not_evaluated_at(&mut self, node: Node<'_>, column: usize, message: String) {
        self.inside(
            PolicyNotEvaluated::ID,
            self.not_evaluated,
            node,
            column,
            message,
        );
    }

    fn inside(
        &mut self,
        rule: &'static str,
        severity: Option<Severity>,
        node: Node<'_>,
        column: usize,
        message: String,
    ) {
        let Some(severity) = severity else {
            return;
        };
        let offset = crate::parse::offset_in_scalar(self.text, node, column);
        let mut location = Location::point(self.text, self.lines, offset);
        location.path = node.document().pointer(node.id());
        self.out.push(Diagnostic::new(
            rule,
            severity,
            self.file.clone(),
            location,
            message,
        ));
    }
}

/// What the kind of a policy and of its binding both contain.
const POLICY_KINDS: &str = "ValidatingAdmissionPolicy";

/// What the files of the run say about policies, file by file.
#[derive(Default)]
struct Found {
    policies: Vec<Policy>,
    bindings: Vec<BindingDraft>,
    diagnostics: Vec<Diagnostic>,
    /// The policies' nodes, for a policy without a binding: (policy id, where its name is).
    names: Vec<(&'static str, Arc<str>, Location)>,
    /// The names of every admission policy read, usable or not.
    declared: Vec<String>,
}

/// Reads every input (and `--policies`) for admission policies, bindings, Namespaces and CRDs,
/// reads the configuration's policy files, and then the params the bindings name.
pub fn discover(inputs: &[&Input], policy_files: &[PathBuf], rules: &RuleSet) -> PolicySet {
    let invalid = rules.severity(InvalidPolicy::ID);
    let not_evaluated = rules.severity(PolicyNotEvaluated::ID);
    let mut set = PolicySet::default();
    let (own_policies, errors) = own::load(policy_files);
    set.policies.extend(own_policies);
    set.errors.extend(errors);
    // Standard input can be read once only, by the file-by-file pass: policies piped in are
    // not discovered (`--policies` names a file).
    let readable: Vec<&Input> = inputs
        .iter()
        .copied()
        .filter(|i| matches!(i, Input::File { .. }))
        .collect();
    // Admission policies are rare: only the documents that name their kinds are parsed.
    let policy_kinds = memchr::memmem::Finder::new(POLICY_KINDS);
    // One read of every file: its policies if it has any (bytes are searched before any text
    // is made: nearly every file has none), and the kinds it names, so that the objects the
    // policies need from other files are looked for only where they can be.
    let read: Vec<(Vec<Box<str>>, Option<Found>)> = readable
        .par_iter()
        .map(|input| {
            let Input::File { path, .. } = input else {
                return (Vec::new(), None);
            };
            let Some(bytes) = read_bytes(path) else {
                return (Vec::new(), None);
            };
            let kinds = kinds_named(&bytes);
            if policy_kinds.find(&bytes).is_none() {
                return (kinds, None);
            }
            let Ok(text) = String::from_utf8(bytes) else {
                return (kinds, None);
            };
            (kinds, Some(scan(input, &text, invalid, not_evaluated)))
        })
        .collect();
    let mut kinds_by_file = Vec::with_capacity(read.len());
    let mut found = Vec::new();
    for (kinds, f) in read {
        kinds_by_file.push(kinds);
        found.extend(f);
    }
    let mut bindings = Vec::new();
    let mut names = Vec::new();
    let mut declared = std::collections::HashSet::new();
    for f in found {
        declared.extend(f.declared);
        set.policies.extend(f.policies);
        bindings.extend(f.bindings);
        set.diagnostics.extend(f.diagnostics);
        names.extend(f.names);
    }
    for draft in bindings {
        // Two declarations of one policy (a standard and an experimental channel, an overlay)
        // are versions of one object: the binding applies to whichever is deployed, so to each.
        let mut bound = false;
        for policy in set
            .policies
            .iter_mut()
            .filter(|p| p.id.strip_prefix("vap/") == Some(draft.policy_name.as_str()))
        {
            // A binding declared twice (same name) is one object too.
            if !policy.bindings.iter().any(|b| b.name == draft.binding.name) {
                policy.bindings.push(draft.binding.clone());
            }
            bound = true;
        }
        match bound {
            true => {}
            // A policy that is declared but unusable was reported as `invalid-policy`.
            false if declared.contains(&draft.policy_name) => {}
            false => {
                if let Some((file, location)) = draft.policy_name_at {
                    set.diagnostics.extend(unevaluated(
                        not_evaluated,
                        file,
                        location,
                        format!(
                            "binding `{}` names the admission policy `{}`, which is not in the run: nothing is checked (pass the policy's file as an input, in --context or with --policies)",
                            draft.binding.name, draft.policy_name
                        ),
                    ));
                }
            }
        }
    }
    for (id, file, location) in names {
        let unbound = set
            .policies
            .iter()
            .any(|p| p.id == id && p.bindings.is_empty());
        if unbound {
            set.diagnostics.extend(unevaluated(
                not_evaluated,
                file,
                location,
                format!(
                    "admission policy `{}` has no ValidatingAdmissionPolicyBinding in the run: as in a cluster, it checks nothing",
                    id.trim_start_matches("vap/")
                ),
            ));
        }
    }
    set.policies.retain(|p| !p.bindings.is_empty());
    if set.policies.is_empty() {
        return set;
    }
    // What evaluating them needs from other objects, and only what some policy asks for:
    // Namespaces (namespaceSelector, namespaceObject), CRDs of the groups policies match
    // (plural resources), params. Only the documents that can hold one are parsed.
    let wanted = Wanted::of(&set);
    if wanted.is_empty() {
        return set;
    }
    let context: Vec<Context> = readable
        .par_iter()
        .zip(&kinds_by_file)
        .filter(|(_, kinds)| kinds.iter().any(|k| wanted.kind(k)))
        .filter_map(|(input, _)| {
            let Input::File { path, .. } = input else {
                return None;
            };
            let bytes = read_bytes(path)?;
            if !wanted.may_be_in(&bytes) {
                return None;
            }
            let text = String::from_utf8(bytes).ok()?;
            Some(context_in(&text, &wanted))
        })
        .collect();
    for c in context {
        set.namespaces.extend(c.namespaces);
        set.plurals.extend(c.plurals);
        set.params.extend(c.params);
    }
    set
}

/// A file's bytes, unless it is larger than the run reads (the file-by-file pass says so).
fn read_bytes(path: &std::path::Path) -> Option<Vec<u8>> {
    let size = std::fs::metadata(path).ok()?.len();
    (size <= MAX_FILE_BYTES)
        .then(|| std::fs::read(path).ok())
        .flatten()
}

/// A `policy-not-evaluated` finding, when that rule runs.
fn unevaluated(
    severity: Option<Severity>,
    file: Arc<str>,
    location: Location,
    message: String,
) -> Option<Diagnostic> {
    severity
        .map(|severity| Diagnostic::new(PolicyNotEvaluated::ID, severity, file, location, message))
}

/// What the policies of a run need from other objects.
struct Wanted {
    namespaces: bool,
    /// API groups of custom resources the policies match (`*`: any).
    crd_groups: Vec<String>,
    /// `(group, kind)` of params, and the names bindings ask for (empty: any, by selector).
    params: Vec<(String, String)>,
    param_names: Vec<String>,
    /// The ways a document names each wanted kind (`kind: Namespace`, `"Namespace"`).
    namespace_kind: Vec<Vec<u8>>,
    crd_kind: Vec<Vec<u8>>,
    param_kinds: Vec<Vec<u8>>,
}

fn spellings(kind: &str) -> Vec<Vec<u8>> {
    [
        format!("kind: {kind}"),
        format!("\"{kind}\""),
        format!("kind: '{kind}'"),
    ]
    .into_iter()
    .map(String::into_bytes)
    .collect()
}

fn names_kind(text: &[u8], spellings: &[Vec<u8>]) -> bool {
    spellings
        .iter()
        .any(|s| memchr::memmem::find(text, s).is_some())
}

impl Wanted {
    fn of(set: &PolicySet) -> Wanted {
        let matches = set.policies.iter().flat_map(|p| {
            std::iter::once(&p.matches)
                .chain(p.bindings.iter().filter_map(|b| b.resources.as_ref()))
        });
        let mut wanted = Wanted {
            namespaces: false,
            crd_groups: Vec::new(),
            params: Vec::new(),
            param_names: Vec::new(),
            namespace_kind: spellings("Namespace"),
            crd_kind: spellings("CustomResourceDefinition"),
            param_kinds: Vec::new(),
        };
        for m in matches {
            wanted.namespaces |= m.namespace_selector.is_some();
            for rule in &m.rules {
                for group in &rule.groups {
                    if (group == "*" || !crate::k8s::is_builtin_group(group))
                        && !wanted.crd_groups.contains(group)
                    {
                        wanted.crd_groups.push(group.clone());
                    }
                }
            }
        }
        for p in &set.policies {
            wanted.namespaces |= p.uses("namespaceObject");
            if let Some(kind) = &p.param_kind {
                wanted.param_kinds.extend(spellings(&kind.1));
                wanted.params.push(kind.clone());
                for b in &p.bindings {
                    match b.param_ref.as_ref().and_then(|r| r.name.clone()) {
                        Some(name) => wanted.param_names.push(name),
                        // A selector can name any object of the kind.
                        None => wanted.param_names.push(String::new()),
                    }
                }
            }
        }
        wanted
    }

    fn is_empty(&self) -> bool {
        !self.namespaces && self.crd_groups.is_empty() && self.params.is_empty()
    }

    /// Whether objects of `kind` may be wanted.
    fn kind(&self, kind: &str) -> bool {
        (self.namespaces && kind == "Namespace")
            || (!self.crd_groups.is_empty() && kind == "CustomResourceDefinition")
            || self.params.iter().any(|(_, k)| k == kind)
    }

    /// Whether a text (a file, or one of its documents) may hold something wanted.
    fn may_be_in(&self, text: &[u8]) -> bool {
        let contains = |s: &str| memchr::memmem::find(text, s.as_bytes()).is_some();
        (self.namespaces && names_kind(text, &self.namespace_kind))
            || (!self.crd_groups.is_empty()
                && names_kind(text, &self.crd_kind)
                && self.crd_groups.iter().any(|g| g == "*" || contains(g)))
            || (!self.params.is_empty()
                && names_kind(text, &self.param_kinds)
                && self.param_names.iter().any(|n| n.is_empty() || contains(n)))
    }
}

/// The kinds a file names (`kind: X`, `"kind": "X"`), read off its bytes without parsing: a
/// superset of its objects' kinds (a `kind:` inside a string or a block scalar counts too),
/// which is what deciding whether to parse it needs.
fn kinds_named(bytes: &[u8]) -> Vec<Box<str>> {
    let mut kinds: Vec<Box<str>> = Vec::new();
    for at in memchr::memmem::find_iter(bytes, b"kind") {
        // `listKind:` and the like are other keys.
        if at > 0 && bytes[at - 1].is_ascii_alphanumeric() {
            continue;
        }
        let mut i = at + 4;
        let skip = |i: &mut usize, set: &[u8]| {
            while *i < bytes.len() && set.contains(&bytes[*i]) {
                *i += 1;
            }
        };
        skip(&mut i, b"\"'");
        skip(&mut i, b" \t");
        if bytes.get(i) != Some(&b':') {
            continue;
        }
        i += 1;
        skip(&mut i, b" \t\"'");
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if let Ok(kind) = std::str::from_utf8(&bytes[start..i])
            && !kind.is_empty()
            && !kinds.iter().any(|k| &**k == kind)
        {
            kinds.push(kind.into());
        }
    }
    kinds
}

/// What one file holds that evaluating policies needs.
#[derive(Default)]
struct Context {
    namespaces: Vec<(String, Namespace)>,
    plurals: Vec<((String, String), String)>,
    params: Vec<Param>,
}

fn context_in(text: &str, wanted: &Wanted) -> Context {
    let lines = LineIndex::new(text);
    let stream = parse::parse_stream_where(text, &lines, |range| {
        wanted.may_be_in(text[range].as_bytes())
    });
    let param_kinds = &wanted.params;
    let mut found = Context::default();
    for document in &stream.documents {
        let Modeled::Objects(objects) = model::objects_of(document) else {
            continue;
        };
        for object in &objects {
            let group = crate::k8s::group_of(object.api_version);
            if param_kinds
                .iter()
                .any(|(g, k)| g == group && k == object.kind)
            {
                found.params.push(Param {
                    group: group.to_owned(),
                    kind: object.kind.to_owned(),
                    namespace: object.namespace.map(str::to_owned),
                    name: object.name.unwrap_or_default().to_owned(),
                    labels: labels_of(object),
                    value: expr::value_of(object.root),
                });
            }
            if object.kind == "Namespace" && object.api_version == "v1" {
                if let Some(name) = object.name {
                    found.namespaces.push((
                        name.to_owned(),
                        Namespace {
                            labels: labels_of(object),
                            value: expr::value_of(object.root),
                        },
                    ));
                }
            } else if object.kind == "CustomResourceDefinition" {
                let spec = object.root.get_some("spec");
                let names = spec.and_then(|s| s.get_some("names"));
                if let (Some(group), Some(kind), Some(plural)) = (
                    spec.and_then(|s| s.get_str("group")),
                    names.and_then(|n| n.get_str("kind")),
                    names.and_then(|n| n.get_str("plural")),
                ) {
                    found
                        .plurals
                        .push(((group.to_owned(), kind.to_owned()), plural.to_owned()));
                }
            }
        }
    }
    found
}

fn scan(
    input: &Input,
    text: &str,
    invalid: Option<Severity>,
    not_evaluated: Option<Severity>,
) -> Found {
    let file: Arc<str> = Arc::from(input.display());
    let lines = LineIndex::new(text);
    // A bundle of webhooks and CRDs is megabytes: only the policies' documents are parsed.
    let stream =
        parse::parse_stream_where(text, &lines, |range| text[range].contains(POLICY_KINDS));
    let mut problems = Problems {
        file: file.clone(),
        text,
        lines: &lines,
        invalid,
        not_evaluated,
        out: Vec::new(),
    };
    let mut found = Found::default();
    for document in &stream.documents {
        let Modeled::Objects(objects) = model::objects_of(document) else {
            continue;
        };
        for object in &objects {
            if vap::is_policy(object) {
                found.declared.extend(object.name.map(str::to_owned));
                if let Some(policy) = vap::read_policy(object, &file, &mut problems) {
                    let at = object
                        .metadata()
                        .and_then(|m| m.get("name"))
                        .unwrap_or(object.root);
                    let (file, location) = problems.location_of(at);
                    found.names.push((policy.id, file, location));
                    found.policies.push(policy);
                }
            } else if vap::is_binding(object) {
                found
                    .bindings
                    .extend(vap::read_binding(object, &mut problems));
            }
        }
    }
    found.diagnostics = problems.out;
    found
}

fn labels_of(object: &Object<'_>) -> crate::index::Labels {
    let mut labels: crate::index::Labels = object
        .metadata()
        .and_then(|m| m.get_some("labels"))
        .and_then(Selector::map)
        .map(|pairs| pairs.into_iter().collect())
        .unwrap_or_default();
    if object.kind == "Namespace"
        && let Some(name) = object.name
    {
        // The API server sets it on every Namespace.
        labels.insert("kubernetes.io/metadata.name".to_owned(), name.to_owned());
    }
    labels
}

/// Diagnostics of a policy file that is not an input, as load errors naming the position.
pub fn as_errors(diagnostics: Vec<Diagnostic>) -> Vec<LoadError> {
    diagnostics
        .into_iter()
        .map(|d| LoadError {
            path: d.file.to_string(),
            message: format!(
                "{}:{}: {}",
                d.location.start.line, d.location.start.column, d.message
            ),
        })
        .collect()
}
