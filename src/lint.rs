//! The engine: for each input, parse → model → rules → diagnostics. Files are independent and
//! linted in parallel; each file's text is read once and dropped once its diagnostics are made.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Excerpt, Label, LastLine, Location, Severity};
use crate::index::{self, Facts, Index, Site};
use crate::load::{self, Content, Input, LoadError};
use crate::model::{self, Modeled, ObjectId};
use crate::parse::lines::{LineIndex, Position};
use crate::parse::tree::{ByteSpan, Document, Node};
use crate::parse::{self};
use crate::rules::{self, Finding, Options, RuleEntry};
use crate::schema;
use crate::suppress::{self, Suppression};

/// The rules a run applies, each with the severity it reports at.
pub struct RuleSet {
    pub rules: Vec<(&'static RuleEntry, Severity)>,
    /// Rules whose severity the user set (configuration or `--severity`): every finding of
    /// such a rule is reported at that severity, even one its rule would grade otherwise.
    pub configured_severity: HashSet<&'static str>,
    /// Options per rule id; a rule without an entry runs with `defaults`.
    pub options: HashMap<&'static str, Options>,
    pub defaults: Options,
}

impl RuleSet {
    pub fn all() -> RuleSet {
        RuleSet {
            rules: rules::registry()
                .iter()
                .map(|e| (e, e.meta.severity))
                .collect(),
            configured_severity: HashSet::new(),
            options: HashMap::new(),
            defaults: Options::default(),
        }
    }

    /// The same rules, with the CRDs of the run for the schema rules.
    fn with_catalog(&self, catalog: schema::Catalog) -> RuleSet {
        let mut options = self.options.clone();
        for o in options.values_mut() {
            o.catalog = catalog.clone();
        }
        let mut defaults = self.defaults.clone();
        defaults.catalog = catalog;
        RuleSet {
            rules: self.rules.clone(),
            configured_severity: self.configured_severity.clone(),
            options,
            defaults,
        }
    }

    /// The severity a rule runs at, or `None` when it does not run.
    pub fn severity(&self, id: &str) -> Option<Severity> {
        self.rules
            .iter()
            .find(|(e, _)| e.id() == id)
            .map(|(_, s)| *s)
    }
}

#[derive(Debug, Default)]
pub struct FileReport {
    pub path: Arc<str>,
    pub diagnostics: Vec<Diagnostic>,
    pub bytes: usize,
    pub documents: usize,
    pub objects: usize,
    /// Found by walking and holding no Kubernetes object: not linted.
    pub skipped: bool,
    /// Inline comments and annotations that silence findings of this file.
    pub suppressions: Vec<Suppression>,
    /// The objects linted, in file order (JUnit reports each as a testcase).
    pub object_ids: Vec<ObjectId>,
    /// The CustomResourceDefinitions the file defines (moved into the run's catalog).
    pub crds: Vec<schema::crd::Crd>,
    /// The file's custom resources, which the schema rules judge in a second pass.
    pub custom_resources: Vec<CustomResource>,
}

/// A custom resource as the first pass leaves it for the second: enough to validate it
/// without reading its file again, which is only needed to place the findings.
#[derive(Debug)]
pub struct CustomResource {
    pub api_version: String,
    pub kind: String,
    /// Where its object starts in the file: the second pass parses only the documents that
    /// hold one, and finds each by it.
    pub offset: u32,
    /// Its JSON; none for a strategic-merge patch, which is not validated.
    pub instance: Option<serde_json::Value>,
    /// Whether it sets a key to null: the JSON leaves those out (null is absent), so whether
    /// such a key is known is only seen on the tree.
    pub has_null_value: bool,
}

#[derive(Debug, Default)]
pub struct RunReport {
    pub files: Vec<FileReport>,
    pub errors: Vec<LoadError>,
}

impl RunReport {
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.files.iter().flat_map(|f| f.diagnostics.iter())
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics()
            .filter(|d| d.severity == severity)
            .count()
    }

    pub fn linted_files(&self) -> usize {
        self.files.iter().filter(|f| !f.skipped).count()
    }
}

/// What a run needs besides its inputs and rules.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The namespace of objects that name none (`--namespace`).
    pub namespace: Option<String>,
    /// Skip objects annotated `helm.sh/hook: test`.
    pub skip_helm_tests: bool,
    /// Files or directories read only for the CustomResourceDefinitions they hold (`--crds`).
    pub crds: Vec<Input>,
    /// Report custom resources that no CRD of the run defines (`--strict-kinds`).
    pub strict_kinds: bool,
}

/// The schema rules, which need the CRDs of the whole run before any file is linted.
const SCHEMA_RULES: [&str; 4] = [
    "unknown-field",
    "invalid-value",
    "missing-required-field",
    "unknown-kind",
];

/// The second pass: the schema rules over the custom resources, now that the run's CRDs are
/// known. They are validated from the JSON the first pass kept; only the files where one fails
/// (or may lack its CRD) are read and parsed again, to place the findings.
fn custom_resources(
    report: &mut RunReport,
    sources: &[Source<'_>],
    rules: &RuleSet,
    options: &RunOptions,
) {
    let catalog = &rules.defaults.catalog;
    if catalog.is_empty() && !catalog.strict_kinds() {
        return;
    }
    let schema_rules: Vec<&(&RuleEntry, Severity)> = rules
        .rules
        .iter()
        .filter(|(e, _)| SCHEMA_RULES.contains(&e.id()))
        .collect();
    let keys: Vec<Vec<Option<schema::crd::BatchKey>>> = report
        .files
        .iter()
        .map(|file| {
            file.custom_resources
                .iter()
                .map(|r| catalog.batch_key(&r.api_version, &r.kind))
                .collect()
        })
        .collect();
    // Each kind's validator is compiled once for all its custom resources, and only for the
    // fields they use.
    let members: Vec<(&schema::crd::BatchKey, &serde_json::Value)> = report
        .files
        .iter()
        .zip(&keys)
        .flat_map(|(file, keys)| file.custom_resources.iter().zip(keys))
        .filter_map(|(resource, key)| Some((key.as_ref()?, resource.instance.as_ref()?)))
        .collect();
    let batch = schema::crd::Batch::compile(&members);
    let needs_a_look = |resource: &CustomResource, key: &Option<schema::crd::BatchKey>| match key {
        // A key set to null is not in the JSON: whether the schema has it is seen on the tree.
        Some(key) => match (&resource.instance, batch.get(key)) {
            (Some(instance), Some(compiled)) => {
                resource.has_null_value || !compiled.is_valid(instance)
            }
            _ => false,
        },
        // No schema to validate against: a finding only if the kind must have one, or its
        // CRD does not serve this version.
        None => {
            catalog.strict_kinds()
                || catalog.defines(model::group_of(&resource.api_version), &resource.kind)
        }
    };
    let looked_at: Vec<bool> = report
        .files
        .par_iter()
        .zip(keys.par_iter())
        .map(|(file, keys)| {
            file.custom_resources
                .iter()
                .zip(keys)
                .any(|(resource, key)| needs_a_look(resource, key))
        })
        .collect();
    report
        .files
        .par_iter_mut()
        .zip(sources.par_iter())
        .zip(keys.par_iter())
        .zip(looked_at.par_iter())
        .filter(|(_, look)| **look)
        .for_each(|(((file, source), keys), _)| {
            let text = match source {
                Source::Kept(text) => std::borrow::Cow::Borrowed(text.as_str()),
                Source::Input(input) => match load::read(input) {
                    Ok(Content::Text(text)) => std::borrow::Cow::Owned(text),
                    _ => return,
                },
            };
            let lines = LineIndex::new(&text);
            // Only the documents holding custom resources: the others were judged in the
            // first pass, and in a file that bundles CRDs with custom resources they are the bulk.
            let resources = std::mem::take(&mut file.custom_resources);
            let stream = parse::parse_stream_where(&text, &lines, |range| {
                resources
                    .iter()
                    .any(|r| range.contains(&(r.offset as usize)))
            });
            let emitter = Emitter {
                text: &text,
                lines: &lines,
                file: file.path.clone(),
                rules,
            };
            let mut findings = Vec::new();
            for_each_custom_resource(&stream, options, |document, object| {
                // The batch was compiled for the JSON the first pass kept of this very object.
                let offset = object.root.span().start;
                if let Some((resource, Some(key))) =
                    resources.iter().zip(keys).find(|(r, _)| r.offset == offset)
                    && let Some(instance) = &resource.instance
                    && let Some(compiled) = batch.get(key)
                {
                    schema::check_in_batch(object, compiled, instance);
                }
                emitter.check_object(
                    schema_rules.iter().map(|(e, _)| *e),
                    document,
                    object,
                    &mut findings,
                    &mut file.diagnostics,
                );
            });
            sort_diagnostics(&mut file.diagnostics);
        });
}

/// What the first pass makes of one input.
struct FirstPass {
    file: FileReport,
    facts: Vec<Facts>,
    /// The text, kept for the second pass when it cannot be read again.
    kept: Option<String>,
}

/// Where the second pass reads a file again from: its input, or (standard input, which
/// cannot be read twice) the text the first pass kept.
enum Source<'i> {
    Input(&'i Input),
    Kept(String),
}

/// Calls `f` on each custom resource of `stream` that the schema rules judge, always in the
/// same order.
fn for_each_custom_resource<'d>(
    stream: &'d parse::ParsedStream<'_>,
    options: &RunOptions,
    mut f: impl FnMut(&'d Document<'d>, &model::Object<'d>),
) {
    for document in &stream.documents {
        let Modeled::Objects(objects) = model::objects_of(document) else {
            continue;
        };
        for object in &objects {
            if model::is_builtin_group(model::group_of(object.api_version))
                || (options.skip_helm_tests && is_helm_test(object))
            {
                continue;
            }
            f(document, object);
        }
    }
}

/// Lints `targets`. `context` files are parsed only to resolve cross-object references (a
/// Service's pods, an HPA's target): nothing in them is reported. A file in both is a target.
pub fn run(
    targets: &[Input],
    context: &[Input],
    rules: &RuleSet,
    options: &RunOptions,
) -> RunReport {
    // Each input's real path, resolved once: it dedupes context against targets and finds
    // kustomize patches.
    let targets: Vec<(&Input, Option<PathBuf>)> =
        targets.iter().map(|t| (t, canonical(t))).collect();
    let target_paths: HashSet<&PathBuf> = targets.iter().filter_map(|(_, p)| p.as_ref()).collect();
    let context: Vec<(&Input, Option<PathBuf>)> = context
        .iter()
        .map(|c| (c, canonical(c)))
        .filter(|(_, p)| p.as_ref().is_none_or(|p| !target_paths.contains(p)))
        .collect();
    let jobs: Vec<(&Input, Option<PathBuf>, bool)> = targets
        .iter()
        .map(|(t, p)| (*t, p.clone(), true))
        .chain(context.into_iter().map(|(c, p)| (c, p, false)))
        .collect();
    let all: Vec<&Input> = jobs.iter().map(|(i, _, _)| *i).collect();
    let patches = load::kustomize_patches(&all);
    // Custom resources are judged against the CRDs of the whole run, which are only known
    // once every file is parsed: the first pass collects the CRDs and leaves custom resources
    // aside, a second pass validates those and re-reads the files where one fails.
    let schema_rules = SCHEMA_RULES.iter().any(|id| rules.severity(id).is_some());
    let first_pass;
    let first_rules = if schema_rules {
        first_pass = rules.with_catalog(schema::Catalog::pending(options.strict_kinds));
        &first_pass
    } else {
        rules
    };
    let crd_inputs: Vec<(&Input, Option<PathBuf>, bool)> =
        options.crds.iter().map(|c| (c, None, false)).collect();
    let jobs: Vec<(&Input, Option<PathBuf>, bool)> = jobs.into_iter().chain(crd_inputs).collect();
    let results: Vec<Result<FirstPass, LoadError>> = jobs
        .par_iter()
        .map(|(input, real_path, reported)| {
            let (input, reported) = (*input, *reported);
            let content = load::read(input)?;
            let path: Arc<str> = Arc::from(input.display());
            let fragment = real_path.as_ref().is_some_and(|p| patches.contains(p));
            let explicit = input.is_explicit();
            Ok(match content {
                Content::Text(text) => {
                    let role = Role {
                        reported,
                        fragment,
                        skip_helm_tests: options.skip_helm_tests,
                    };
                    let (file, facts) = lint_file(path, &text, explicit, role, first_rules);
                    // Standard input cannot be read again: the second pass needs its text if
                    // it holds custom resources.
                    let kept = (matches!(input, Input::Stdin { .. })
                        && !file.custom_resources.is_empty())
                    .then_some(text);
                    FirstPass { file, facts, kept }
                }
                Content::NotUtf8 { valid_prefix } => FirstPass {
                    file: not_utf8(path, &valid_prefix, rules),
                    facts: Vec::new(),
                    kept: None,
                },
            })
        })
        .collect();
    let mut report = RunReport::default();
    let mut facts = Vec::new();
    let mut crds = Vec::new();
    let mut sources = Vec::new();
    for (r, &(input, _, reported)) in results.into_iter().zip(&jobs) {
        match r {
            Ok(FirstPass {
                mut file,
                facts: mut file_facts,
                kept,
            }) => {
                facts.append(&mut file_facts);
                crds.append(&mut file.crds);
                if reported {
                    sources.push(kept.map_or(Source::Input(input), Source::Kept));
                    report.files.push(file);
                }
            }
            Err(e) => report.errors.push(e),
        }
    }
    let with_catalog =
        schema_rules.then(|| rules.with_catalog(schema::Catalog::new(crds, options.strict_kinds)));
    let rules = match &with_catalog {
        Some(with_catalog) => {
            custom_resources(&mut report, &sources, with_catalog, options);
            with_catalog
        }
        None => rules,
    };
    cross_object(&mut report, facts, rules, options);
    for file in &mut report.files {
        apply_suppressions(file, rules);
    }
    report
}

/// The filter stage: drops suppressed findings and reports stale suppressions.
fn apply_suppressions(file: &mut FileReport, rules: &RuleSet) {
    if file.suppressions.is_empty() {
        return;
    }
    let enabled = |id: &str| rules.severity(id).is_some();
    suppress::apply(
        &file.path,
        &mut file.diagnostics,
        &mut file.suppressions,
        &enabled,
        rules.severity("unused-suppression"),
    );
    sort_diagnostics(&mut file.diagnostics);
}

fn canonical(input: &Input) -> Option<PathBuf> {
    match input {
        Input::File { path, .. } => std::fs::canonicalize(path).ok(),
        Input::Stdin { .. } => None,
    }
}

/// Builds the index over every object of the run and lets the cross-object rules query it.
fn cross_object(report: &mut RunReport, facts: Vec<Facts>, rules: &RuleSet, options: &RunOptions) {
    let index = Index::build(facts, options.namespace.clone());
    let file_of: HashMap<Arc<str>, usize> = report
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.clone(), i))
        .collect();
    let mut touched = HashSet::new();
    let mut findings = Vec::new();
    for (entry, severity) in &rules.rules {
        let configured = rules.configured_severity.contains(entry.id());
        entry.rule.check_graph(&index, &mut findings);
        for finding in findings.drain(..) {
            let subject = &index.facts[finding.subject];
            let Some(&file) = file_of.get(&finding.site.file) else {
                continue;
            };
            if !subject.reported {
                continue;
            }
            touched.insert(file);
            report.files[file].diagnostics.push(Diagnostic {
                rule: entry.id(),
                severity: match finding.severity {
                    Some(graded) if !configured => graded,
                    _ => *severity,
                },
                message: finding.message,
                help: finding.help,
                file: finding.site.file.clone(),
                location: finding.site.location,
                labels: finding
                    .labels
                    .into_iter()
                    .filter(|(site, _)| site.file == finding.site.file)
                    .map(|(site, message)| Label {
                        location: site.location,
                        message,
                    })
                    .collect(),
                object: Some(subject.id.clone()),
                container: finding.container,
            });
        }
    }
    for file in touched {
        sort_diagnostics(&mut report.files[file].diagnostics);
    }
}

fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.location.start.offset, a.rule, &a.message).cmp(&(
            b.location.start.offset,
            b.rule,
            &b.message,
        ))
    });
}

fn not_utf8(path: Arc<str>, valid_prefix: &str, rules: &RuleSet) -> FileReport {
    let lines = LineIndex::new(valid_prefix);
    let at = valid_prefix.len() as u32;
    let mut diagnostics = Vec::new();
    if let Some(severity) = rules.severity("invalid-yaml") {
        let location = point_location(valid_prefix, &lines, at);
        diagnostics.push(Diagnostic {
            rule: "invalid-yaml",
            severity,
            message: "the file is not valid UTF-8 text (a binary file, or another encoding)".into(),
            help: Some("Kubernetes manifests must be UTF-8; convert the file or remove it".into()),
            file: path.clone(),
            location,
            labels: Vec::new(),
            object: None,
            container: None,
        });
    }
    FileReport {
        path,
        diagnostics,
        bytes: valid_prefix.len(),
        ..FileReport::default()
    }
}

/// Lints one file's text on its own (no cross-object rules). `explicit` inputs are linted even
/// if no document is an object.
pub fn lint_text(path: Arc<str>, text: &str, explicit: bool, rules: &RuleSet) -> FileReport {
    let mut file = lint_file(path, text, explicit, Role::default(), rules).0;
    apply_suppressions(&mut file, rules);
    file
}

/// How a file takes part in a run.
#[derive(Debug, Clone, Copy)]
struct Role {
    /// False for `--context` files: they only contribute facts.
    reported: bool,
    /// A kustomize patch: checked as YAML, but its objects are partial, so no object rule runs
    /// on them and their facts only tell the index that the namespace's workloads are not all
    /// known.
    fragment: bool,
    skip_helm_tests: bool,
}

impl Default for Role {
    fn default() -> Self {
        Role {
            reported: true,
            fragment: false,
            skip_helm_tests: false,
        }
    }
}

fn is_helm_test(object: &crate::model::Object<'_>) -> bool {
    object
        .metadata()
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get_str("helm.sh/hook"))
        .is_some_and(|hooks| hooks.split(',').any(|h| h.trim().starts_with("test")))
}

/// Lints one file and returns, besides its report, the facts its objects add to the index.
fn lint_file(
    path: Arc<str>,
    text: &str,
    explicit: bool,
    role: Role,
    rules: &RuleSet,
) -> (FileReport, Vec<Facts>) {
    let Role {
        reported,
        fragment,
        skip_helm_tests,
    } = role;
    let lines = LineIndex::new(text);
    let stream = parse::parse_stream(text, &lines);
    let mut report = FileReport {
        path: path.clone(),
        bytes: text.len(),
        documents: stream.documents.len() + stream.errors.len(),
        ..FileReport::default()
    };
    let manifest_like = explicit
        || stream.documents.iter().any(model::looks_like_object)
        || (!stream.errors.is_empty() && text.contains("apiVersion") && text.contains("kind"));
    if !manifest_like {
        report.skipped = true;
        return (report, Vec::new());
    }
    let emitter = Emitter {
        text,
        lines: &lines,
        file: path,
        rules,
    };
    let mut diagnostics = Vec::new();
    let mut facts = Vec::new();
    let site = |document: &Document<'_>, node: Node<'_>| Site {
        file: emitter.file.clone(),
        location: emitter.node_location(document, node),
    };
    if reported {
        report.suppressions = suppress::inline(text, &lines);
    }
    if reported && let Some(severity) = rules.severity("invalid-yaml") {
        for error in &stream.errors {
            let hint = parse::hints::hint(text, error.document_start, error.offset, &error.message);
            let labels = hint
                .opened
                .filter(|&(at, _)| at != hint.primary)
                .map(|(at, opener)| Label {
                    location: point_location(text, &lines, at),
                    message: format!("`{opener}` opened here"),
                });
            diagnostics.push(Diagnostic {
                rule: "invalid-yaml",
                severity,
                message: format!("invalid YAML: {}", error.message),
                help: hint.help.map(str::to_owned),
                file: emitter.file.clone(),
                location: point_location(text, &lines, hint.primary),
                labels: labels.into_iter().collect(),
                object: None,
                container: None,
            });
        }
    }
    let collect_crds = rules.defaults.catalog.is_pending();
    let mut findings = Vec::new();
    for document in &stream.documents {
        let modeled = model::objects_of(document);
        if reported {
            let objects = match &modeled {
                Modeled::Objects(objects) => objects.as_slice(),
                Modeled::Invalid(..) => &[],
            };
            for (entry, _) in &rules.rules {
                entry.rule.check_document(document, &mut findings);
                emitter.emit_in_document(
                    entry.id(),
                    document,
                    &mut findings,
                    objects,
                    &mut diagnostics,
                );
            }
        }
        let objects = match modeled {
            Modeled::Objects(objects) => objects,
            Modeled::Invalid(why, node) => {
                if reported && rules.severity("invalid-manifest").is_some() {
                    findings.push(Finding::new(node, why.message()));
                    emitter.emit(
                        "invalid-manifest",
                        document,
                        &mut findings,
                        None,
                        &mut diagnostics,
                    );
                }
                continue;
            }
        };
        for object in &objects {
            if skip_helm_tests && is_helm_test(object) {
                continue;
            }
            if collect_crds && !fragment {
                report.crds.extend(schema::crd::crd_of(object));
            }
            let mut f = index::extract(object, &emitter.file, reported, &|n| site(document, n));
            if fragment {
                f.mark_fragment();
            }
            facts.push(f);
            if !reported || fragment {
                continue;
            }
            report.objects += 1;
            report.object_ids.push(object.id());
            if collect_crds && !model::is_builtin_group(model::group_of(object.api_version)) {
                report.custom_resources.push(CustomResource {
                    api_version: object.api_version.to_owned(),
                    kind: object.kind.to_owned(),
                    offset: object.root.span().start,
                    instance: schema::instance(object),
                    has_null_value: schema::has_null_value(object.root, 0),
                });
            }
            report
                .suppressions
                .extend(suppress::annotations(object, &|n| {
                    emitter.node_location(document, n)
                }));
            emitter.check_object(
                rules.rules.iter().map(|(e, _)| *e),
                document,
                object,
                &mut findings,
                &mut diagnostics,
            );
        }
    }
    sort_diagnostics(&mut diagnostics);
    report.diagnostics = diagnostics;
    (report, facts)
}

struct Emitter<'t> {
    text: &'t str,
    lines: &'t LineIndex,
    file: Arc<str>,
    rules: &'t RuleSet,
}

impl Emitter<'_> {
    /// Runs `entries` on one object, each with its own options, and emits their findings.
    fn check_object<'d>(
        &self,
        entries: impl Iterator<Item = &'static RuleEntry>,
        document: &'d Document<'d>,
        object: &model::Object<'d>,
        findings: &mut Vec<Finding<'d>>,
        out: &mut Vec<Diagnostic>,
    ) {
        let id = object.id();
        for entry in entries {
            let options = self
                .rules
                .options
                .get(entry.id())
                .unwrap_or(&self.rules.defaults);
            entry.rule.check_object(object, options, findings);
            self.emit(entry.id(), document, findings, Some(&id), out);
        }
    }

    /// Turns the findings a document rule just made into diagnostics, each attributed to the
    /// object it lies in (an item of a `kind: List` is an object of its own), if any.
    fn emit_in_document<'d>(
        &self,
        rule: &'static str,
        document: &'d Document<'d>,
        findings: &mut Vec<Finding<'d>>,
        objects: &[model::Object<'d>],
        out: &mut Vec<Diagnostic>,
    ) {
        let mut one = Vec::with_capacity(1);
        for finding in findings.drain(..) {
            let at = finding.node.span();
            let object = objects
                .iter()
                .find(|o| {
                    let root = o.root.span();
                    root.start <= at.start && at.end <= root.end
                })
                .map(model::Object::id);
            one.push(finding);
            self.emit(rule, document, &mut one, object.as_ref(), out);
        }
    }

    /// Turns the findings `rule` just made into diagnostics.
    fn emit<'d>(
        &self,
        rule: &'static str,
        document: &'d Document<'d>,
        findings: &mut Vec<Finding<'d>>,
        object: Option<&ObjectId>,
        out: &mut Vec<Diagnostic>,
    ) {
        if findings.is_empty() {
            return;
        }
        let Some(severity) = self.rules.severity(rule) else {
            findings.clear();
            return;
        };
        for finding in findings.drain(..) {
            let mut location = self.node_location(document, finding.node);
            if let Some(subject) = finding.subject {
                location.path = document.pointer(subject.id());
            }
            let container = container_of(document, &location.path);
            out.push(Diagnostic {
                rule,
                severity,
                message: finding.message,
                help: finding.help,
                file: self.file.clone(),
                location,
                labels: finding
                    .labels
                    .into_iter()
                    .map(|(node, message)| Label {
                        location: self.node_location(document, node),
                        message,
                    })
                    .collect(),
                object: object.cloned(),
                container,
            });
        }
    }

    fn node_location(&self, document: &Document<'_>, node: Node<'_>) -> Location {
        span_location(
            self.text,
            self.lines,
            node.span(),
            document.pointer(node.id()),
        )
    }
}

/// The name of the container a JSON pointer leads into (`…/containers/2/…`), if any.
fn container_of(document: &Document<'_>, pointer: &str) -> Option<String> {
    let segments: Vec<&str> = pointer.split('/').collect();
    let at = segments.windows(2).position(|w| {
        matches!(
            w[0],
            "containers" | "initContainers" | "ephemeralContainers"
        ) && w[1].parse::<usize>().is_ok()
    })?;
    let prefix = segments[..at + 2].join("/");
    document
        .resolve(&prefix)?
        .get_str("name")
        .map(str::to_owned)
}

fn span_location(text: &str, lines: &LineIndex, span: ByteSpan, path: String) -> Location {
    let start = lines.position(text, span.start);
    let end = lines.position(text, span.end.max(span.start));
    Location {
        start,
        end,
        path,
        excerpt: excerpt(text, lines, start, end),
    }
}

/// A location one character wide (a parse error has a position, not a node).
fn point_location(text: &str, lines: &LineIndex, offset: u32) -> Location {
    let start = lines.position(text, offset);
    let line = lines.line_text(text, start.line as usize - 1);
    let mut end = start;
    // A position past the line's last character (an error at its end) is zero-wide.
    let line_end = lines.line_start(start.line as usize - 1) as usize + line.len();
    if let Some(c) = text
        .get(offset as usize..line_end)
        .and_then(|t| t.chars().next())
    {
        end.column += 1;
        end.offset += c.len_utf8() as u32;
    }
    Location {
        start,
        end,
        path: String::new(),
        excerpt: excerpt(text, lines, start, end),
    }
}

/// The excerpt of the line a location from `start` to `end` begins on (and of its last line,
/// if it spans several).
pub(crate) fn excerpt(text: &str, lines: &LineIndex, start: Position, end: Position) -> Excerpt {
    let line_start = lines.line_start(start.line as usize - 1);
    let line = lines.line_text(text, start.line as usize - 1);
    let in_line = |p: Position| (p.offset - line_start) as usize;
    let mut excerpt = Excerpt::of_line(
        line,
        in_line(start),
        start.column,
        (end.line == start.line).then(|| in_line(end)),
    );
    if end.line > start.line {
        excerpt.last = last_line(text, lines, start, end).map(Box::new);
    }
    excerpt
}

/// The last line with any text of a location over several lines: trailing line breaks and
/// indentation (a block scalar's, a block mapping's) do not count.
fn last_line(text: &str, lines: &LineIndex, start: Position, end: Position) -> Option<LastLine> {
    let span = text.get(start.offset as usize..end.offset as usize)?;
    let end = lines.position(text, start.offset + span.trim_end().len() as u32);
    if end.line == start.line {
        return None;
    }
    let index = end.line as usize - 1;
    let line = lines.line_text(text, index);
    let at = (end.offset - lines.line_start(index)) as usize;
    Some(LastLine {
        line: end.line,
        end_column: end.column,
        excerpt: Excerpt::of_line(line, at, end.column, Some(at)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every prefix, and every copy with one line removed or one character replaced, of every
    /// fixture: the engine must never panic, whatever half-written YAML it is given.
    #[test]
    fn mangled_fixtures_never_panic() {
        let rules = RuleSet::all();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut stack = vec![root];
        let mut texts = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(text) = std::fs::read_to_string(&path) {
                    texts.push(text);
                }
            }
        }
        assert!(texts.len() > 10);
        let path: Arc<str> = Arc::from("mangled.yaml");
        for text in &texts {
            let boundaries: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            for &cut in boundaries.iter().step_by(7) {
                lint_text(path.clone(), &text[..cut], true, &rules);
            }
            let lines: Vec<&str> = text.lines().collect();
            for skip in 0..lines.len() {
                let mut mangled: Vec<&str> = lines.clone();
                mangled.remove(skip);
                lint_text(path.clone(), &mangled.join("\n"), true, &rules);
            }
            for (i, c) in text.char_indices().step_by(13) {
                for replacement in [":", "-", "[", "&a", "*a", "'", "\t", "<<: *a\n"] {
                    let mangled =
                        format!("{}{replacement}{}", &text[..i], &text[i + c.len_utf8()..]);
                    lint_text(path.clone(), &mangled, true, &rules);
                }
            }
        }
    }
}
