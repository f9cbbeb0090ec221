//! The engine: for each input, parse → model → rules → diagnostics. Files are independent and
//! linted in parallel; each file's text is read once and dropped once its diagnostics are made.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

mod custom_resources;
mod emit;
mod fixes;

use crate::diagnostic::{Diagnostic, Label, Location};
use crate::index::{self, Facts, Index, Site, Snapshot};
use crate::k8s;
use crate::load::{self, Content, Input, LoadError};
use crate::model::{self, Modeled};
use crate::parse::lines::LineIndex;
use crate::parse::tree::{Document, Node};
use crate::parse::{self};
use crate::policy::{self, PolicySet};
use crate::render;
use crate::rules::syntax::{invalid_manifest::InvalidManifest, invalid_yaml::InvalidYaml};
use crate::rules::{Finding, RuleSet, pod_security};
use crate::run_report::{FileReport, RunReport};
use crate::schema;
use crate::suppress::{self, Suppression};
use custom_resources::{CustomResource, SCHEMA_RULES, Source};
use emit::Emitter;

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
    /// The guarded fields of the objects at the revision this run is compared with
    /// (`--new-from-rev`), for `immutable-field-changed`.
    pub previous: Option<Arc<Snapshot>>,
    /// Files or directories of ValidatingAdmissionPolicies and bindings to evaluate, besides
    /// those among the inputs (`--policies`).
    pub policies: Vec<Input>,
    /// The kustomizations and charts rendered into inputs, whose findings are moved to the
    /// files the output came from.
    pub renderings: Vec<Arc<render::Rendering>>,
    /// Files (canonical paths) that kustomizations outside the inputs use as patches: a
    /// language server lints one buffer, and its workspace knows the kustomizations.
    pub patches: HashSet<PathBuf>,
}

/// One file as the first pass leaves it: its report so far, and what later stages of the
/// run still need from it.
#[derive(Default, Clone)]
struct Linted {
    report: FileReport,
    /// Inline comments and annotations that silence findings of this file (applied once the
    /// cross-object rules have reported too).
    suppressions: Vec<Suppression>,
    /// The CustomResourceDefinitions the file defines (moved into the run's catalog).
    crds: Vec<schema::crd::Crd>,
    /// The file's custom resources, which the schema rules judge in a second pass.
    custom_resources: Vec<CustomResource>,
}

/// What the first pass makes of one input.
#[derive(Clone)]
struct FirstPass {
    linted: Linted,
    /// Shared: a language server reuses its workspace's facts on every keystroke.
    facts: Vec<Arc<Facts>>,
    /// The text, kept for the second pass when it cannot be read again.
    kept: Option<String>,
}

/// Lints `targets`. `context` files are parsed only to resolve cross-object references (a
/// Service's pods, an HPA's target): nothing in them is reported. A file in both is a target.
pub fn run(
    targets: &[Input],
    context: &[Input],
    rules: &RuleSet,
    options: &RunOptions,
) -> RunReport {
    let guarded = options.previous.is_some();
    let pass = first_pass(targets, context, rules, options, guarded);
    finish(pass, rules, options, false).0
}

/// `run`, also recording the guarded fields of every object (targets and context), for a
/// later run at another revision to compare with (`RunOptions::previous`).
pub fn run_recording(
    targets: &[Input],
    context: &[Input],
    rules: &RuleSet,
    options: &RunOptions,
) -> (RunReport, Snapshot) {
    let pass = first_pass(targets, context, rules, options, true);
    let (report, snapshot) = finish(pass, rules, options, true);
    (report, snapshot.unwrap_or_default())
}

/// What the file-by-file stage of a run made of its inputs (targets, context, then CRDs),
/// before the stages that need every file: the custom-resource pass, the cross-object rules
/// and the filter. Two runs over inputs that share files (a revision and the working tree,
/// `--new-from-rev`) share those files' entries instead of linting them twice.
#[derive(Clone, Default)]
pub struct Pass {
    entries: Vec<Entry>,
    policies: Arc<PolicySet>,
}

#[derive(Clone)]
struct Entry {
    input: Input,
    reported: bool,
    result: Result<FirstPass, LoadError>,
}

impl Pass {
    /// Adds the entries of `other` whose input `same` says this pass would read identically
    /// (the same bytes, shown under the same name).
    pub fn reuse(&mut self, other: &Pass, same: &dyn Fn(&Input) -> bool) {
        self.entries.extend(
            other
                .entries
                .iter()
                .filter(|e| e.result.is_ok() && same(&e.input))
                .cloned(),
        );
    }

    /// Keeps the entries whose input `keep` says to (a language server drops a file it is
    /// about to read again).
    pub fn retain(&mut self, keep: &dyn Fn(&Input) -> bool) {
        self.entries.retain(|e| keep(&e.input));
    }

    pub fn inputs(&self) -> impl Iterator<Item = &Input> {
        self.entries.iter().map(|e| &e.input)
    }

    /// The same files, as context: they resolve references, and nothing in them is reported
    /// (a language server's workspace, and its open documents but the one it lints).
    /// Only what context is read for is kept (the objects' facts and the CRDs), so a large
    /// workspace is cheap to hold and to reuse.
    pub fn into_context(mut self) -> Pass {
        for entry in &mut self.entries {
            entry.reported = false;
            if let Ok(first) = &mut entry.result {
                for facts in &mut first.facts {
                    Arc::make_mut(facts).reported = false;
                }
                first.kept = None;
                first.linted = Linted {
                    crds: std::mem::take(&mut first.linted.crds),
                    ..Linted::default()
                };
            }
        }
        self
    }
}

/// Custom resources are judged against the CRDs of the whole run, which are only known once
/// every file is parsed: the first pass collects the CRDs and leaves custom resources aside,
/// and `finish` validates those and re-reads the files where one fails.
fn uses_schema_rules(rules: &RuleSet) -> bool {
    SCHEMA_RULES.iter().any(|id| rules.severity(id).is_some())
}

/// The file-by-file stage: every input read, parsed, modelled and checked by the rules that
/// look at one object or document, in parallel. `guarded` records the fields the API server
/// will not let change (`--new-from-rev`).
pub fn first_pass(
    targets: &[Input],
    context: &[Input],
    rules: &RuleSet,
    options: &RunOptions,
    guarded: bool,
) -> Pass {
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
    let mut patches = load::kustomize_patches(&all);
    patches.extend(options.patches.iter().cloned());
    let policy_inputs: Vec<&Input> = all.iter().copied().chain(&options.policies).collect();
    let wants_policies =
        rules.policy_selection.any() || policy::RULES.iter().any(|id| rules.severity(id).is_some());
    let mut policies = if wants_policies {
        policy::discover(&policy_inputs, &rules.policy_files, rules)
    } else {
        PolicySet::default()
    };
    policies.default_namespace = Some(
        options
            .namespace
            .clone()
            .unwrap_or_else(|| "default".to_owned()),
    );
    let policies_ref = (!policies.is_empty()).then_some(&policies);
    let pending;
    let first_rules = if uses_schema_rules(rules) {
        pending = rules.with_catalog(schema::Catalog::pending(options.strict_kinds));
        &pending
    } else {
        rules
    };
    let crd_inputs: Vec<(&Input, Option<PathBuf>, bool)> =
        options.crds.iter().map(|c| (c, None, false)).collect();
    let jobs: Vec<(&Input, Option<PathBuf>, bool)> = jobs.into_iter().chain(crd_inputs).collect();
    let entries = jobs
        .par_iter()
        .map(|(input, real_path, reported)| {
            let (input, reported) = (*input, *reported);
            let result = (|| {
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
                            guarded,
                            policies: policies_ref,
                        };
                        let (linted, facts) = lint_file(path, &text, explicit, role, first_rules);
                        let facts = facts.into_iter().map(Arc::new).collect();
                        // Standard input cannot be read again: the second pass needs its text
                        // if it holds custom resources.
                        let kept = (matches!(input, Input::Stdin { .. })
                            && !linted.custom_resources.is_empty())
                        .then_some(text);
                        FirstPass {
                            linted,
                            facts,
                            kept,
                        }
                    }
                    Content::NotUtf8 { valid_prefix } => FirstPass {
                        linted: Linted {
                            report: not_utf8(path, &valid_prefix, rules),
                            ..Linted::default()
                        },
                        facts: Vec::new(),
                        kept: None,
                    },
                })
            })();
            Entry {
                input: input.clone(),
                reported,
                result,
            }
        })
        .collect();
    Pass {
        entries,
        policies: Arc::new(policies),
    }
}

/// The run-wide stages after the first pass: custom resources against the run's CRDs, the
/// cross-object rules, and the filter. `record` also returns the guarded fields of every
/// object (for `RunOptions::previous` of a later run).
pub fn finish(
    pass: Pass,
    rules: &RuleSet,
    options: &RunOptions,
    record: bool,
) -> (RunReport, Option<Snapshot>) {
    let schema_rules = uses_schema_rules(rules);
    let mut report = RunReport::default();
    let mut facts = Vec::new();
    let mut crds = Vec::new();
    let mut sources = Vec::new();
    let mut suppressions = Vec::new();
    let mut custom_resources = Vec::new();
    let mut inputs = Vec::new();
    let policies = pass.policies;
    for entry in pass.entries {
        match entry.result {
            Ok(FirstPass {
                mut linted,
                facts: mut file_facts,
                kept,
            }) => {
                facts.append(&mut file_facts);
                crds.append(&mut linted.crds);
                if entry.reported {
                    sources.push(kept);
                    inputs.push(entry.input);
                    report.files.push(linted.report);
                    suppressions.push(linted.suppressions);
                    custom_resources.push(linted.custom_resources);
                }
            }
            Err(e) => report.errors.push(e),
        }
    }
    report.errors.extend(policies.errors.iter().cloned());
    report.policies = policies.descriptors();
    for d in &policies.diagnostics {
        if let Some(file) = report.files.iter_mut().find(|f| f.path == d.file) {
            file.diagnostics.push(d.clone());
        }
    }
    let sources: Vec<Source<'_>> = sources
        .into_iter()
        .zip(&inputs)
        .map(|(kept, input)| kept.map_or(Source::Input(input), Source::Kept))
        .collect();
    let with_catalog =
        schema_rules.then(|| rules.with_catalog(schema::Catalog::new(crds, options.strict_kinds)));
    let rules = match &with_catalog {
        Some(with_catalog) => {
            custom_resources::judge(
                &mut report.files,
                custom_resources,
                &sources,
                with_catalog,
                options,
            );
            with_catalog
        }
        None => rules,
    };
    let snapshot = record.then(|| {
        let mut snapshot = Snapshot::default();
        for f in &facts {
            snapshot.record(f);
        }
        snapshot
    });
    // What kustomize generators name is only read when a rule asks: it reads kustomizations.
    let generated = if ["dangling-configmap-ref", "dangling-secret-ref"]
        .iter()
        .any(|id| rules.severity(id).is_some())
    {
        load::kustomize_generated_names(&inputs.iter().collect::<Vec<_>>())
    } else {
        HashSet::new()
    };
    let index = cross_object(&mut report, facts, generated, rules, options);
    for file in &mut report.files {
        pod_security::admission::grade(&mut file.diagnostics, &index, rules);
    }
    for (file, suppressions) in report.files.iter_mut().zip(&mut suppressions) {
        suppress::apply_to_report(file, suppressions, rules);
    }
    render::remap(&mut report.files, &options.renderings, rules);
    (report, snapshot)
}

fn canonical(input: &Input) -> Option<PathBuf> {
    match input {
        Input::File { path, .. } | Input::Buffer { path, .. } => std::fs::canonicalize(path).ok(),
        Input::Stdin { .. } | Input::Rendered { .. } => None,
    }
}

/// Builds the index over every object of the run and lets the cross-object rules query it.
/// Runs the cross-object rules, and returns the index for the stages that grade findings by
/// what other objects say (PodSecurity admission by the run's Namespaces).
fn cross_object(
    report: &mut RunReport,
    facts: Vec<Arc<Facts>>,
    generated: HashSet<String>,
    rules: &RuleSet,
    options: &RunOptions,
) -> Index {
    let mut index = Index::build(facts, options.namespace.clone());
    index.generated_names = generated;
    index.previous = options.previous.clone();
    let file_of: HashMap<Arc<str>, usize> = report
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.clone(), i))
        .collect();
    let mut touched = HashSet::new();
    // The rules only read the index: they run in parallel, and their findings are added in
    // the rules' order, so the report is the same whatever the scheduling.
    let by_rule: Vec<_> = rules
        .rules
        .par_iter()
        .map(|(entry, severity)| {
            let mut findings = Vec::new();
            entry
                .rule
                .check_graph_with(&index, rules.options_of(entry.id()), &mut findings);
            (entry, severity, findings)
        })
        .collect();
    for (entry, severity, findings) in by_rule {
        let configured = rules.configured_severity.contains(entry.id());
        for finding in findings {
            let subject = &*index.facts[finding.subject];
            let Some(&file) = file_of.get(&finding.site.file) else {
                continue;
            };
            if !subject.reported {
                continue;
            }
            touched.insert(file);
            let severity = match finding.severity {
                Some(graded) if !configured => graded,
                _ => *severity,
            };
            // A label in another file cannot be drawn beside the finding.
            let labels = finding
                .labels
                .into_iter()
                .filter(|(site, _)| site.file == finding.site.file)
                .map(|(site, message)| Label {
                    location: site.location,
                    message,
                })
                .collect();
            report.files[file].diagnostics.push(
                Diagnostic::new(
                    entry.id(),
                    severity,
                    finding.site.file,
                    finding.site.location,
                    finding.message,
                )
                .with_help(finding.help)
                .with_labels(labels)
                .in_object(Some(subject.id.clone()))
                .in_container(finding.container),
            );
        }
    }
    for file in touched {
        report.files[file].sort();
    }
    index
}

fn not_utf8(path: Arc<str>, valid_prefix: &str, rules: &RuleSet) -> FileReport {
    let lines = LineIndex::new(valid_prefix);
    let at = valid_prefix.len() as u32;
    let mut diagnostics = Vec::new();
    if let Some(severity) = rules.severity(InvalidYaml::ID) {
        diagnostics.push(
            Diagnostic::new(
                InvalidYaml::ID,
                severity,
                path.clone(),
                Location::point(valid_prefix, &lines, at),
                "the file is not valid UTF-8 text (a binary file, or another encoding)",
            )
            .with_help(Some(
                "Kubernetes manifests must be UTF-8; convert the file or remove it".into(),
            )),
        );
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
    let mut linted = lint_file(path, text, explicit, Role::default(), rules).0;
    suppress::apply_to_report(&mut linted.report, &mut linted.suppressions, rules);
    linted.report
}

/// How a file takes part in a run.
#[derive(Debug, Clone, Copy)]
struct Role<'p> {
    /// False for `--context` files: they only contribute facts.
    reported: bool,
    /// A kustomize patch: checked as YAML, but its objects are partial, so no object rule runs
    /// on them and their facts only tell the index that the namespace's workloads are not all
    /// known.
    fragment: bool,
    skip_helm_tests: bool,
    /// Record the fields the API server will not let change (`--new-from-rev`).
    guarded: bool,
    /// The policies of the run, if it has any.
    policies: Option<&'p PolicySet>,
}

impl Default for Role<'_> {
    fn default() -> Self {
        Role {
            reported: true,
            fragment: false,
            skip_helm_tests: false,
            guarded: false,
            policies: None,
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

/// Streams at least this large are linted a batch of documents at a time, batches in
/// parallel: one big multi-document file (a `helm template` render, `kubectl get -o yaml`,
/// stdin) then uses every core, and each batch's trees are dropped as soon as its
/// diagnostics and facts exist, so memory follows the batch, not the file.
const PARALLEL_STREAM_BYTES: usize = 1 << 20;
/// About how many bytes of documents one batch holds.
const BATCH_BYTES: usize = 256 << 10;

/// What linting some documents of a file adds to its report.
#[derive(Default)]
struct Batch {
    documents: usize,
    looks_like_manifest: bool,
    has_errors: bool,
    diagnostics: Vec<Diagnostic>,
    facts: Vec<Facts>,
    suppressions: Vec<Suppression>,
    crds: Vec<schema::crd::Crd>,
    custom_resources: Vec<CustomResource>,
    object_ids: Vec<crate::model::ObjectId>,
}

impl Batch {
    fn of(stream: &parse::ParsedStream<'_>) -> Self {
        Batch {
            documents: stream.documents.len() + stream.errors.len(),
            looks_like_manifest: stream.documents.iter().any(model::looks_like_object),
            has_errors: !stream.errors.is_empty(),
            ..Batch::default()
        }
    }
}

/// Lints one file and returns, besides its report, the facts its objects add to the index.
fn lint_file(
    path: Arc<str>,
    text: &str,
    explicit: bool,
    role: Role<'_>,
    rules: &RuleSet,
) -> (Linted, Vec<Facts>) {
    lint_file_batched(
        path,
        text,
        explicit,
        role,
        rules,
        PARALLEL_STREAM_BYTES,
        BATCH_BYTES,
    )
}

/// `lint_file`, with the stream size from which documents are linted in batches of about
/// `batch_bytes` (tests make both small).
fn lint_file_batched(
    path: Arc<str>,
    text: &str,
    explicit: bool,
    role: Role<'_>,
    rules: &RuleSet,
    parallel_from: usize,
    batch_bytes: usize,
) -> (Linted, Vec<Facts>) {
    let lines = LineIndex::new(text);
    let emitter = Emitter {
        text,
        lines: &lines,
        file: path.clone(),
        rules,
        policies: role.policies,
    };
    let manifest_like = |b: &Batch| {
        explicit
            || b.looks_like_manifest
            || (b.has_errors && text.contains("apiVersion") && text.contains("kind"))
    };
    let batch = if text.len() < parallel_from {
        let stream = parse::parse_stream(text, &lines);
        let mut batch = Batch::of(&stream);
        if manifest_like(&batch) {
            lint_documents(&stream, &emitter, role, &mut batch);
        }
        batch
    } else {
        let chunks = parse::split_documents(text, &lines);
        let mut groups: Vec<(usize, &[parse::Chunk])> = Vec::new();
        let mut first = 0;
        for (i, chunk) in chunks.iter().enumerate() {
            if chunk.end - chunks[first].start >= batch_bytes || i + 1 == chunks.len() {
                groups.push((first, &chunks[first..=i]));
                first = i + 1;
            }
        }
        let parts: Vec<Batch> = groups
            .par_iter()
            // `first_index` counts chunks: in a well-formed stream each holds one document, so
            // it is the document's index (which no report shows).
            .map(|&(first_index, group)| {
                let stream = parse::parse_chunks(text, &lines, group, first_index);
                let mut batch = Batch::of(&stream);
                lint_documents(&stream, &emitter, role, &mut batch);
                batch
            })
            .collect();
        let mut all = Batch::default();
        for part in parts {
            all.documents += part.documents;
            all.looks_like_manifest |= part.looks_like_manifest;
            all.has_errors |= part.has_errors;
            all.diagnostics.extend(part.diagnostics);
            all.facts.extend(part.facts);
            all.suppressions.extend(part.suppressions);
            all.crds.extend(part.crds);
            all.custom_resources.extend(part.custom_resources);
            all.object_ids.extend(part.object_ids);
        }
        all
    };
    let mut linted = Linted {
        report: FileReport {
            path,
            bytes: text.len(),
            documents: batch.documents,
            ..FileReport::default()
        },
        ..Linted::default()
    };
    if !manifest_like(&batch) {
        linted.report.skipped = true;
        return (linted, Vec::new());
    }
    if role.reported {
        linted.suppressions = suppress::inline(text, &lines);
    }
    linted.suppressions.extend(batch.suppressions);
    linted.report.objects = batch.object_ids.len();
    linted.report.object_ids = batch.object_ids;
    linted.report.diagnostics = batch.diagnostics;
    linted.crds = batch.crds;
    linted.custom_resources = batch.custom_resources;
    linted.report.sort();
    (linted, batch.facts)
}

/// The syntax errors and documents of `stream` through the rules, into `out`.
fn lint_documents(
    stream: &parse::ParsedStream<'_>,
    emitter: &Emitter<'_>,
    role: Role<'_>,
    out: &mut Batch,
) {
    let Role {
        reported,
        fragment,
        skip_helm_tests,
        guarded,
        ..
    } = role;
    let (text, lines, rules) = (emitter.text, emitter.lines, emitter.rules);
    let diagnostics = &mut out.diagnostics;
    let site = |document: &Document<'_>, node: Node<'_>| Site {
        file: emitter.file.clone(),
        location: emitter.node_location(document, node),
    };
    if reported && let Some(severity) = rules.severity(InvalidYaml::ID) {
        for error in &stream.errors {
            let hint = parse::hints::hint(text, error.document_start, error.offset, &error.message);
            let labels = hint
                .opened
                .filter(|&(at, _)| at != hint.primary)
                .map(|(at, opener)| Label {
                    location: Location::point(text, lines, at),
                    message: format!("`{opener}` opened here"),
                });
            diagnostics.push(
                Diagnostic::new(
                    InvalidYaml::ID,
                    severity,
                    emitter.file.clone(),
                    Location::point(text, lines, hint.primary),
                    format!("invalid YAML: {}", error.message),
                )
                .with_help(hint.help.map(str::to_owned))
                .with_labels(labels.into_iter().collect()),
            );
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
                emitter.emit_in_document(entry.id(), document, &mut findings, objects, diagnostics);
            }
        }
        let objects = match modeled {
            Modeled::Objects(objects) => objects,
            Modeled::Invalid(why, node) => {
                if reported && rules.severity(InvalidManifest::ID).is_some() {
                    findings.push(Finding::new(node, why.message()));
                    emitter.emit(
                        InvalidManifest::ID,
                        document,
                        &mut findings,
                        None,
                        diagnostics,
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
                out.crds.extend(schema::crd::crd_of(object));
            }
            let mut f = index::extract(object, &emitter.file, reported, &|n| site(document, n));
            if fragment {
                f.mark_fragment();
            } else if guarded {
                f.guarded = Some(index::guarded_values(object, &|n| site(document, n)));
            }
            out.facts.push(f);
            if !reported || fragment {
                continue;
            }
            out.object_ids.push(object.id());
            if collect_crds && !k8s::is_builtin_group(k8s::group_of(object.api_version)) {
                out.custom_resources.push(CustomResource::of(object));
            }
            out.suppressions.extend(suppress::annotations(object, &|n| {
                emitter.node_location(document, n)
            }));
            emitter.check_object(
                rules.rules.iter().map(|(e, _)| *e),
                document,
                object,
                &mut findings,
                diagnostics,
            );
            emitter.check_policies(document, object, diagnostics);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream linted in batches of documents, in parallel, reports exactly what it reports
    /// in one piece: every fixture, each made a stream of batches a few documents long.
    #[test]
    fn batched_streams_report_what_whole_streams_do() {
        let rules = RuleSet::all();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut stack = vec![root];
        let mut compared = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let name: Arc<str> = Arc::from(path.display().to_string());
                let lint = |parallel_from, batch_bytes| {
                    let (mut linted, facts) = lint_file_batched(
                        name.clone(),
                        &text,
                        true,
                        Role::default(),
                        &rules,
                        parallel_from,
                        batch_bytes,
                    );
                    suppress::apply_to_report(&mut linted.report, &mut linted.suppressions, &rules);
                    let shown: Vec<String> = linted
                        .report
                        .diagnostics
                        .iter()
                        .map(|d| format!("{d:?}"))
                        .collect();
                    let sites: Vec<String> = facts.iter().map(|f| format!("{:?}", f.id)).collect();
                    (shown, sites, linted.report.documents, linted.report.objects)
                };
                assert_eq!(
                    lint(usize::MAX, 0),
                    lint(0, 200),
                    "{}: batched differs from whole",
                    path.display()
                );
                compared += 1;
            }
        }
        assert!(compared > 100, "only {compared} fixtures compared");
    }

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
        // Thousands of runs per fixture: spread the fixtures over the cores.
        texts.par_iter().for_each(|text| {
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
        });
    }
}
