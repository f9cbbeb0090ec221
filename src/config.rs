//! `.kubelint.yaml`: which rules run at which severity, what is excluded, and run defaults.
//!
//! `Config` is a plain `#[derive(Deserialize, Serialize)]` struct read through
//! [`crate::parse::de`], so every error names the file, line and column of the node it is
//! about. Unknown keys are errors with a "did you mean" (`deny_unknown_fields`): a misspelt
//! `ignroe:` must not silently lint with everything on.
//!
//! Values that must be checked (rule ids, rule-or-category names, globs, the Kubernetes
//! version, severities) are read through small types whose `Deserialize` checks them, so the
//! error is raised while the deserializer is at that node and points at it: a bad glob at the
//! item of the list, an unknown rule id at the key of `severity:`. Per-rule options
//! (`rules: {RULE: {...}}`) are each rule's own options struct: the derive only checks the rule
//! ids, then `parse` hands each entry's node to the rule (`RuleEntry::configure`), since
//! which struct to read depends on the key.
//!
//! `kubelint config` prints the configuration by serialising the same struct with
//! [`crate::parse::emit`], which quotes every string that needs it: the output always reads
//! back to the same configuration (a property test checks it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::k8s::KubeVersion;
use crate::k8s::pod_security::ClusterPolicy;
use crate::parse::de::{self, OneOrMany};
use crate::parse::emit;
use crate::parse::lines::LineIndex;
use crate::rules::meta::unused_suppression::UnusedSuppression;
use crate::rules::{self, RuleConfig, RuleSet, pod_security};
use crate::run_report::{FileReport, RunReport};
use crate::text::closest_name;

pub const FILE_NAMES: [&str; 2] = [".kubelint.yaml", ".kubelint.yml"];

/// A configuration: what `.kubelint.yaml` holds, in the order `kubelint config` prints it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    /// The file it was read from, if any.
    #[serde(skip)]
    pub source: Option<PathBuf>,
    /// Without a configuration file: the `.kubelint/policies/` found above the first path.
    #[serde(skip)]
    pub policies_dir: Option<PathBuf>,
    /// Rule ids or categories to run (default: every rule on by default). A category selects
    /// its rules that are on by default; a rule off by default runs when named by id.
    #[serde(
        default,
        deserialize_with = "optional_selectors",
        skip_serializing_if = "Option::is_none"
    )]
    pub select: Option<Vec<String>>,
    /// Rule ids or categories to run on top of those selected, including rules off by
    /// default (`enable: [resources]` runs every rule of the category).
    #[serde(default, deserialize_with = "selectors")]
    pub enable: Vec<String>,
    /// Rule ids or categories not to run.
    #[serde(default, deserialize_with = "selectors")]
    pub ignore: Vec<String>,
    #[serde(default, deserialize_with = "severities")]
    pub severity: BTreeMap<String, Severity>,
    /// Path globs (relative to the configuration file) never linted.
    #[serde(default, deserialize_with = "globs")]
    pub exclude: Vec<String>,
    /// The Kubernetes version rules target (`1.33`, `v1.33` and `1.33.4` are all 1.33).
    #[serde(default, with = "version", skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<KubeVersion>,
    /// More manifests to resolve references with (relative to the configuration file).
    #[serde(default, deserialize_with = "paths", serialize_with = "write_paths")]
    pub context: Vec<PathBuf>,
    /// CustomResourceDefinitions to validate custom resources against (relative to the
    /// configuration file), as `--crds`.
    #[serde(default, deserialize_with = "paths", serialize_with = "write_paths")]
    pub crds: Vec<PathBuf>,
    /// Report custom resources no CRD defines, as `--strict-kinds`.
    #[serde(default)]
    pub strict_kinds: bool,
    #[serde(
        default,
        deserialize_with = "fail_on",
        skip_serializing_if = "Option::is_none"
    )]
    pub fail_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Skip objects annotated `helm.sh/hook: test` (Helm test pods).
    #[serde(default)]
    pub skip_helm_tests: bool,
    /// Kustomizations found while walking: built and linted as the cluster gets them, findings
    /// shown in their base and patch files (`auto`), or their files linted as plain YAML
    /// (`never`).
    #[serde(default, skip_serializing_if = "Render::is_auto")]
    pub kustomize: Render,
    /// Helm charts: rendered with `helm template` and findings shown in their templates.
    #[serde(default, skip_serializing_if = "Helm::is_default")]
    pub helm: Helm,
    /// The cluster's PodSecurity admission defaults and exemptions (its
    /// AdmissionConfiguration): the policy of namespaces the run holds no
    /// `pod-security.kubernetes.io/` labels for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_security: Option<ClusterPolicy>,
    /// Policy files or directories of them (relative to the configuration file), besides
    /// `.kubelint/policies/` beside it.
    #[serde(default, deserialize_with = "paths", serialize_with = "write_paths")]
    pub policies: Vec<PathBuf>,
    /// Per-rule options (`rules: {shell-form-sigterm: {jobs: true}}`), each rule's own options
    /// struct. The derive checks only the rule ids; [`parse`] reads each entry with its rule.
    #[serde(rename = "rules", default, deserialize_with = "rule_ids")]
    pub options: BTreeMap<String, RuleConfig>,
    /// Findings to drop wherever they are, for what cannot be edited (vendored charts,
    /// injected sidecars).
    #[serde(default)]
    pub suppress: Vec<ConfigSuppression>,
}

/// Whether directories that are built (kustomizations, Helm charts) are rendered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Render {
    #[default]
    Auto,
    Never,
}

impl Render {
    pub fn is_auto(&self) -> bool {
        *self == Render::Auto
    }
}

/// `helm:` — how charts are rendered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Helm {
    #[serde(default, skip_serializing_if = "Render::is_auto")]
    pub render: Render,
    /// Values files (relative to the configuration file), after each chart's `values.yaml`.
    #[serde(default, deserialize_with = "paths", serialize_with = "write_paths")]
    pub values: Vec<PathBuf>,
    /// The release name templates see as `.Release.Name` (default `release-name`, as helm's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// The namespace templates see as `.Release.Namespace`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl Helm {
    pub fn is_default(&self) -> bool {
        *self == Helm::default()
    }
}

/// One `suppress:` entry: every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigSuppression {
    /// Rule ids; empty means every rule.
    #[serde(default, deserialize_with = "rule_list")]
    pub rules: Vec<String>,
    /// Path globs, relative to the configuration file.
    #[serde(default, deserialize_with = "globs")]
    pub paths: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A rule id, checked as it is read.
struct RuleId(String);

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = String::deserialize(d)?;
        // A policy's id is known only once the policies are read, after the configuration.
        if rules::find(&id).is_none() && !is_policy_id(&id) {
            let hint = closest_name(&id, rules::registry().iter().map(|e| e.id()))
                .map(|near| format!("; did you mean `{near}`?"))
                .unwrap_or_default();
            return Err(serde::de::Error::custom(format!(
                "unknown rule `{id}`{hint}"
            )));
        }
        Ok(RuleId(id))
    }
}

/// A rule id or a category, checked as it is read.
struct Selector(String);

impl<'de> Deserialize<'de> for Selector {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        if !is_rule_or_category(&name) {
            return Err(serde::de::Error::custom(not_a_rule(&name)));
        }
        Ok(Selector(name))
    }
}

/// A path glob, checked as it is read.
struct Glob(String);

impl<'de> Deserialize<'de> for Glob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let glob = String::deserialize(d)?;
        globset::Glob::new(&glob)
            .map_err(|e| serde::de::Error::custom(format!("invalid glob: {e}")))?;
        Ok(Glob(glob))
    }
}

fn selectors<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let list = OneOrMany::<Selector>::deserialize(d)?;
    Ok(list.0.into_iter().map(|s| s.0).collect())
}

fn optional_selectors<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    selectors(d).map(Some)
}

fn rule_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let list = OneOrMany::<RuleId>::deserialize(d)?;
    Ok(list.0.into_iter().map(|r| r.0).collect())
}

fn globs<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let list = OneOrMany::<Glob>::deserialize(d)?;
    Ok(list.0.into_iter().map(|g| g.0).collect())
}

fn paths<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<PathBuf>, D::Error> {
    let list = OneOrMany::<String>::deserialize(d)?;
    Ok(list.0.into_iter().map(PathBuf::from).collect())
}

fn write_paths<S: Serializer>(paths: &[PathBuf], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(paths.iter().map(|p| p.to_string_lossy()))
}

fn severities<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Severity>, D::Error> {
    let map = BTreeMap::<RuleId, Severity>::deserialize(d)?;
    Ok(map.into_iter().map(|(id, s)| (id.0, s)).collect())
}

impl PartialEq for RuleId {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for RuleId {}
impl PartialOrd for RuleId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for RuleId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

/// The ids of `rules:`; each entry's options are read by `parse` with the rule's own struct.
fn rule_ids<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, RuleConfig>, D::Error> {
    let map = BTreeMap::<RuleId, serde::de::IgnoredAny>::deserialize(d)?;
    Ok(map
        .into_keys()
        .map(|id| (id.0, RuleConfig::default()))
        .collect())
}

fn fail_on<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum FailOn {
        Error,
        Warning,
        Info,
        Never,
    }
    Ok(Option::<FailOn>::deserialize(d)?.map(|level| {
        match level {
            FailOn::Error => "error",
            FailOn::Warning => "warning",
            FailOn::Info => "info",
            FailOn::Never => "never",
        }
        .to_owned()
    }))
}

/// `kubernetes-version`: read as `KubeVersion::parse` reads `--kubernetes-version`, written as
/// `1.33` whichever way it was given.
mod version {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<KubeVersion>, D::Error> {
        let Some(text) = Option::<String>::deserialize(d)? else {
            return Ok(None);
        };
        KubeVersion::parse(&text).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!("`{text}` is not a Kubernetes version like 1.33"))
        })
    }

    pub fn serialize<S: Serializer>(v: &Option<KubeVersion>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(&v.to_string()),
            None => s.serialize_none(),
        }
    }
}

impl ConfigSuppression {
    /// Whether it silences `d`; `relative` is the finding's file relative to the configuration.
    pub fn matches(&self, d: &Diagnostic, relative: &Path, globs: &globset::GlobSet) -> bool {
        let object = d.object.as_ref();
        (self.rules.is_empty() || self.rules.iter().any(|r| r == d.rule))
            && (self.paths.is_empty() || globs.is_match(relative))
            && self
                .namespace
                .as_ref()
                .is_none_or(|ns| object.and_then(|o| o.namespace.as_ref()) == Some(ns))
            && self
                .kind
                .as_ref()
                .is_none_or(|k| object.map(|o| &o.kind) == Some(k))
            && self
                .name
                .as_ref()
                .is_none_or(|n| object.map(|o| &o.name) == Some(n))
            && self
                .container
                .as_ref()
                .is_none_or(|c| d.container.as_ref() == Some(c))
    }

    pub fn globs(&self) -> globset::GlobSet {
        let mut builder = globset::GlobSetBuilder::new();
        for p in &self.paths {
            if let Ok(g) = globset::Glob::new(p) {
                builder.add(g);
            }
        }
        builder
            .build()
            .unwrap_or_else(|_| globset::GlobSet::empty())
    }
}

/// A configuration error, already located: `file:line:column: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the command line (or an editor's settings) says over the configuration file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// The configuration file; default: the nearest .kubelint.yaml above the start.
    pub config: Option<PathBuf>,
    pub select: Vec<String>,
    pub enable: Vec<String>,
    pub ignore: Vec<String>,
    /// `RULE=LEVEL` pairs.
    pub severity: Vec<String>,
    pub kubernetes_version: Option<KubeVersion>,
}

/// The configuration file (found from `start`, or named), with `overrides` applied.
pub fn effective(args: &Overrides, start: &Path) -> Result<Config, String> {
    let file = match &args.config {
        Some(path) => Some(path.clone()),
        None => discover(start),
    };
    let mut config = match file {
        Some(path) => load(&path).map_err(|e| e.to_string())?,
        None => Config {
            policies_dir: discover_policies(start),
            ..Config::default()
        },
    };
    for name in args.select.iter().chain(&args.enable).chain(&args.ignore) {
        if !is_rule_or_category(name) {
            return Err(not_a_rule(name));
        }
    }
    if !args.select.is_empty() {
        config.select = Some(args.select.clone());
    }
    config.enable.extend(args.enable.iter().cloned());
    config.ignore.extend(args.ignore.iter().cloned());
    for pair in &args.severity {
        let (rule, level) = pair
            .split_once('=')
            .ok_or_else(|| format!("--severity takes RULE=LEVEL, not `{pair}`"))?;
        if is_policy_id(rule) {
            return Err(format!(
                "--severity: `{rule}` is a policy: its severity is its policy file's `severity`, or its binding's validationActions"
            ));
        }
        if rules::find(rule).is_none() {
            return Err(format!("--severity: {}", not_a_rule(rule)));
        }
        let level = Severity::parse(level)
            .ok_or_else(|| format!("--severity: `{level}` is not error, warning or info"))?;
        config.severity.insert(rule.to_owned(), level);
    }
    if args.kubernetes_version.is_some() {
        config.kubernetes_version = args.kubernetes_version;
    }
    Ok(config)
}

/// The nearest `.kubelint.yaml` in `start` or one of its ancestors.
pub fn discover(start: &Path) -> Option<PathBuf> {
    nearest(start, |dir| {
        FILE_NAMES
            .iter()
            .map(|name| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// The nearest `.kubelint/policies/` directory at or above `start`, for a run without a
/// configuration file.
pub fn discover_policies(start: &Path) -> Option<PathBuf> {
    let found = nearest(start, |dir| {
        Some(dir.join(".kubelint").join("policies")).filter(|candidate| candidate.is_dir())
    })?;
    Some(relative_to_working_dir(found))
}

/// What `found` finds in the directory of `start` (itself, if a directory) or the nearest of
/// its ancestors.
fn nearest(start: &Path, found: impl Fn(&Path) -> Option<PathBuf>) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    let first = if start.is_dir() {
        start.as_path()
    } else {
        start.parent()?
    };
    first.ancestors().find_map(found)
}

/// `path` relative to the working directory when it lies under it: files found by searching
/// upwards are shown as the user would type them.
fn relative_to_working_dir(path: PathBuf) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| std::fs::canonicalize(cwd).ok())
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .filter(|relative| !relative.as_os_str().is_empty())
        .unwrap_or(path)
}

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
    parse(&text, path)
}

pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let lines = LineIndex::new(text);
    let stream = crate::parse::parse_stream(text, &lines);
    let at = |e: de::Error| {
        let p = e.position(text, &lines);
        ConfigError(format!(
            "{}:{}:{}: {}",
            path.display(),
            p.line,
            p.column,
            e.message()
        ))
    };
    if let Some(e) = stream.errors.first() {
        return Err(at(de::Error::new(
            e.offset,
            format!("invalid YAML: {}", e.message),
        )));
    }
    let Some(doc) = stream.documents.first() else {
        return Ok(Config {
            source: Some(path.to_path_buf()),
            ..Config::default()
        });
    };
    let root = doc.root();
    if !root.is_map() {
        return Err(at(de::Error::new(
            root.span().start,
            "the configuration must be a mapping",
        )));
    }
    let mut config: Config = de::from_node(root).map_err(|e| at(say_what_is_expected(root, e)))?;
    for (key, value) in root.get("rules").iter().flat_map(|r| r.entries()) {
        let id = key.key_text().unwrap_or("");
        let Some(entry) = rules::find(id) else {
            return Err(at(de::Error::new(
                key.span().start,
                format!("`{id}` is a policy: policies take no options"),
            )));
        };
        config
            .options
            .insert(id.to_owned(), entry.configure(value).map_err(at)?);
    }
    let base = path.parent().unwrap_or(Path::new("."));
    for p in config
        .context
        .iter_mut()
        .chain(&mut config.crds)
        .chain(&mut config.policies)
        .chain(&mut config.helm.values)
    {
        *p = base.join(&*p);
    }
    config.source = Some(path.to_path_buf());
    Ok(config)
}

/// A type error on a top-level value, or on a `suppress:` entry, in the words of the key.
fn say_what_is_expected(root: crate::parse::tree::Node<'_>, e: de::Error) -> de::Error {
    let at = |node: crate::parse::tree::Node<'_>| node.span().start == e.offset();
    let expected = |key: &str| match (key, e.message()) {
        ("severity", "expected a mapping") => {
            Some("expected `rule-id: error|warning|info` entries")
        }
        ("rules", "expected a mapping") => Some("expected `rule-id: {option: value}` entries"),
        ("suppress", "expected a list") => Some("expected a list of suppressions"),
        ("select" | "enable" | "ignore" | "exclude" | "context" | "crds", "expected a list") => {
            Some("expected a list of strings")
        }
        _ => None,
    };
    for (key, value) in root.entries() {
        if let Some(message) = key.key_text().filter(|_| at(value)).and_then(expected) {
            return e.with_message(message);
        }
    }
    let entries = root.get("suppress").into_iter().flat_map(|s| s.items());
    if e.message() == "expected a mapping" && entries.clone().any(at) {
        return e.with_message(
            "expected a mapping with `rules`, `paths`, `namespace`, `kind`, `name`, `container` or `reason`",
        );
    }
    e
}

pub fn is_rule_or_category(name: &str) -> bool {
    is_policy_id(name)
        || rules::registry()
            .iter()
            .any(|e| e.id() == name || e.meta.category == name)
}

pub use rules::is_policy_id;

/// The error for a name that is neither a rule id nor a category, with the closest of them.
pub fn not_a_rule(name: &str) -> String {
    let mut known: Vec<&str> = rules::registry()
        .iter()
        .flat_map(|e| [e.id(), &*e.meta.category])
        .collect();
    known.sort_unstable();
    known.dedup();
    match closest(name, &known) {
        Some(near) => {
            format!("`{name}` is neither a rule id nor a category; did you mean `{near}`?")
        }
        None => {
            format!("`{name}` is neither a rule id nor a category (`kubelint rules` lists them)")
        }
    }
}

fn closest<'k>(word: &str, candidates: &[&'k str]) -> Option<&'k str> {
    candidates
        .iter()
        .map(|c| (crate::text::edit_distance(word, c), *c))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, c)| c)
}

impl Config {
    /// The rules to run at their severities.
    pub fn rule_set(&self) -> RuleSet {
        let selected = |entry: &rules::RuleEntry| {
            let (id, category) = (entry.id(), entry.meta.category.as_str());
            let named = |list: &[String]| list.iter().any(|n| n == id || n == category);
            let selected = match &self.select {
                None => entry.meta.enabled,
                Some(list) if entry.meta.enabled => named(list),
                Some(list) => list.iter().any(|n| n == id),
            };
            (selected || named(&self.enable)) && !named(&self.ignore)
        };
        // A pod-security rule off by default still runs where the rules it would run with if
        // it were on include it: what a namespace's admission refuses is a bug, not a policy
        // choice, so its findings are kept where a namespace's policy covers them.
        let admission_only = |entry: &rules::RuleEntry| {
            let (id, category) = (entry.id(), entry.meta.category.as_str());
            let named = |list: &[String]| list.iter().any(|n| n == id || n == category);
            category == pod_security::CATEGORY
                && !entry.meta.enabled
                && !selected(entry)
                && self.select.as_deref().is_none_or(named)
                && !named(&self.ignore)
        };
        RuleSet {
            policy_files: self.policy_files(),
            policy_selection: rules::PolicySelection {
                select: self.select.clone(),
                enable: self.enable.clone(),
                ignore: self.ignore.clone(),
            },
            admission_only: rules::registry()
                .iter()
                .filter(|e| admission_only(e))
                .map(|e| e.id())
                .collect(),
            pod_security: self.pod_security.clone().unwrap_or_default(),
            rules: rules::registry()
                .iter()
                .filter(|e| selected(e) || admission_only(e))
                .map(|e| {
                    (
                        e,
                        self.severity
                            .get(e.id())
                            .copied()
                            .unwrap_or(e.meta.severity),
                    )
                })
                .collect(),
            configured_severity: rules::registry()
                .iter()
                .map(|e| e.id())
                .filter(|id| self.severity.contains_key(*id))
                .collect(),
            options: rules::registry()
                .iter()
                .filter_map(|e| {
                    let configured = self.options.get(e.id())?.0.clone();
                    Some((
                        e.id(),
                        rules::Options {
                            configured,
                            target: self.target(),
                            ..rules::Options::default()
                        },
                    ))
                })
                .collect(),
            defaults: rules::Options {
                target: self.target(),
                ..rules::Options::default()
            },
        }
    }

    /// The policy files of the run: `policies:`, and `.kubelint/policies/` beside the
    /// configuration file (or in the working directory, without one) when it exists.
    pub fn policy_files(&self) -> Vec<PathBuf> {
        let default = match &self.source {
            Some(file) => file
                .parent()
                .map(|base| relative_to_working_dir(base.join(".kubelint").join("policies"))),
            None => self.policies_dir.clone(),
        };
        let mut files: Vec<PathBuf> = self
            .policies
            .iter()
            .cloned()
            .map(relative_to_working_dir)
            .collect();
        if let Some(default) = default.filter(|d| d.is_dir() && !files.contains(d)) {
            files.push(default);
        }
        files
    }

    /// The Kubernetes version rules target.
    pub fn target(&self) -> KubeVersion {
        self.kubernetes_version.unwrap_or_default()
    }

    /// The configuration as YAML that `--config` reads back to the same configuration: the
    /// struct serialised, then, as comments, the defaults of what is unset and the rules that
    /// run at their severities.
    pub fn to_yaml(&self) -> String {
        let mut out = match &self.source {
            Some(p) => format!(
                "# from {}\n",
                p.display().to_string().replace(['\n', '\r'], " ")
            ),
            None => "# no configuration file: defaults\n".to_owned(),
        };
        out.push_str(&emit::to_string(self).expect("a configuration is plain data"));
        if self.select.is_none() {
            out.push_str("# select: every rule on by default and not ignored\n");
        }
        if self.kubernetes_version.is_none() {
            out.push_str(&format!(
                "# kubernetes-version: {} (the newest kubelint knows)\n",
                KubeVersion::NEWEST
            ));
        }
        if self.fail_on.is_none() {
            out.push_str("# fail-on: warning\n");
        }
        if self.kustomize.is_auto() {
            out.push_str("# kustomize: auto (overlay roots found in directories are built)\n");
        }
        if self.helm.is_default() {
            out.push_str(
                "# helm: {render: auto} (charts found in directories are rendered with helm template)\n",
            );
        }
        out.push_str("# rules that run, at their severities:\n");
        let rule_set = self.rule_set();
        for (entry, severity) in &rule_set.rules {
            if !rule_set.admission_only.contains(entry.id()) {
                out.push_str(&format!("#   {}: {}\n", entry.id(), severity.as_str()));
            }
        }
        out
    }

    /// `inputs` without those that match the configuration's `exclude` globs (relative to its
    /// directory), each matched as the file of the working tree `working_path` says it stands
    /// for.
    pub fn without_excluded(
        &self,
        inputs: Vec<crate::load::Input>,
        working_path: &dyn Fn(&Path) -> PathBuf,
    ) -> Result<Vec<crate::load::Input>, String> {
        if self.exclude.is_empty() {
            return Ok(inputs);
        }
        let mut builder = globset::GlobSetBuilder::new();
        for glob in &self.exclude {
            builder.add(globset::Glob::new(glob).map_err(|e| e.to_string())?);
        }
        let set = builder.build().map_err(|e| e.to_string())?;
        let base = self.base_dir();
        Ok(inputs
            .into_iter()
            .filter(|input| match input {
                crate::load::Input::File { path, .. } | crate::load::Input::Buffer { path, .. } => {
                    !set.is_match(Config::relative(base.as_deref(), &working_path(path)))
                }
                crate::load::Input::Stdin { .. } | crate::load::Input::Rendered { .. } => true,
            })
            .collect())
    }

    /// This configuration's directory, resolved: what `exclude` and `suppress:` paths are
    /// relative to. Resolve it once per pass, not once per file.
    pub fn base_dir(&self) -> Option<PathBuf> {
        let dir = self.source.as_ref()?.parent()?;
        std::fs::canonicalize(dir).ok()
    }

    /// A file's path relative to `base` (as given when outside it, or without a base).
    pub fn relative<'p>(base: Option<&Path>, path: &'p Path) -> std::borrow::Cow<'p, Path> {
        let relative = base.and_then(|b| {
            let absolute = std::fs::canonicalize(path).ok()?;
            absolute.strip_prefix(b).ok().map(Path::to_path_buf)
        });
        match relative {
            Some(rel) => std::borrow::Cow::Owned(rel),
            None => std::borrow::Cow::Borrowed(path),
        }
    }

    /// Drops the findings that a `suppress:` entry matches, and returns the indices of the
    /// entries that matched none.
    pub fn apply_suppressions(&self, report: &mut RunReport) -> Vec<usize> {
        if self.suppress.is_empty() {
            return Vec::new();
        }
        let globs: Vec<globset::GlobSet> =
            self.suppress.iter().map(ConfigSuppression::globs).collect();
        let base = self.base_dir();
        let mut used = vec![false; self.suppress.len()];
        for file in &mut report.files {
            let relative = Config::relative(base.as_deref(), Path::new(&*file.path)).into_owned();
            file.diagnostics.retain(|d| {
                // Every entry that matches counts as used, not only the first: an entry is
                // stale when it silences nothing at all.
                let mut kept = true;
                for ((s, g), used) in self.suppress.iter().zip(&globs).zip(&mut used) {
                    if s.matches(d, &relative, g) {
                        *used = true;
                        kept = false;
                    }
                }
                kept
            });
        }
        (0..used.len()).filter(|&i| !used[i]).collect()
    }

    /// `unused-suppression` findings, in the configuration file, for `suppress:` entries
    /// (by index) that matched nothing (`--report-unused-config`).
    pub fn unused_suppressions(&self, unused: &[usize], severity: Severity) -> Option<FileReport> {
        let source = self.source.as_ref()?;
        let text = std::fs::read_to_string(source).ok()?;
        let lines = LineIndex::new(&text);
        let stream = crate::parse::parse_stream(&text, &lines);
        let entries: Vec<_> = stream
            .documents
            .first()?
            .root()
            .get("suppress")?
            .items()
            .map(|entry| entry.span())
            .collect();
        let file: std::sync::Arc<str> = source.to_string_lossy().into();
        let diagnostics = unused
            .iter()
            .filter_map(|&i| Some((i, entries.get(i)?)))
            .map(|(i, &span)| {
                let entry = &self.suppress[i];
                let rules = if entry.rules.is_empty() {
                    "every rule".to_owned()
                } else {
                    entry.rules.join(", ")
                };
                let location = Location::of_span(&text, &lines, span, format!("/suppress/{i}"));
                Diagnostic::new(
                    UnusedSuppression::ID,
                    severity,
                    file.clone(),
                    location,
                    format!("`suppress:` entry {} ({rules}) suppresses nothing", i + 1),
                )
                .with_help(Some(
                    "the findings it silenced are gone, or its conditions never match: remove \
                     the entry or correct its paths, namespace, kind, name or container"
                        .to_owned(),
                ))
            })
            .collect();
        Some(FileReport {
            path: file,
            diagnostics,
            bytes: text.len(),
            documents: 1,
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Config, ConfigError> {
        parse(text, Path::new("repo/.kubelint.yaml"))
    }

    /// Which rules run, by id, for a configuration.
    fn running(text: &str) -> Vec<&'static str> {
        let config = parse_str(text).unwrap();
        config
            .rule_set()
            .rules
            .iter()
            .map(|(e, _)| e.id())
            .collect()
    }

    #[test]
    fn rules_off_by_default_run_only_when_named() {
        let off = "image-pull-policy";
        assert!(
            !rules::find(off).unwrap().meta.enabled,
            "the test needs a rule off by default"
        );
        let on = "hpa-min-replicas";
        assert!(rules::find(on).unwrap().meta.enabled);

        let default = running("");
        assert!(default.contains(&on) && !default.contains(&off));
        // A category selects its rules that are on by default; an id selects its rule.
        let category = running("select: [reliability]\n");
        assert!(category.contains(&on) && !category.contains(&off));
        assert!(running("select: [image-pull-policy]\n") == [off]);
        // `enable` adds to the selection, off or not, by id or by category.
        let enabled = running("enable: [image-pull-policy]\n");
        assert_eq!(enabled.len(), default.len() + 1);
        assert!(enabled.contains(&off));
        let whole = running("select: [probes]\nenable: [reliability]\n");
        assert!(
            whole.contains(&off)
                && whole.contains(&on)
                && whole.contains(&"missing-readiness-probe")
        );
        assert!(!whole.contains(&"missing-resources"));
        // `ignore` wins.
        assert!(!running("enable: [reliability]\nignore: [image-pull-policy]\n").contains(&off));
        // Options and severities configure a rule; they do not turn it on.
        assert!(!running("severity: {image-pull-policy: error}\n").contains(&off));
        let e = parse_str("enable: [image-pull-polcy]\n").unwrap_err();
        assert!(e.0.contains("did you mean `image-pull-policy`?"), "{e}");
    }

    /// The configuration the README shows is one kubelint reads.
    #[test]
    fn readme_configuration_example_parses() {
        let readme = include_str!("../README.md");
        let start = readme
            .find("```yaml\nselect:")
            .expect("the README shows a configuration");
        let body = &readme[start + "```yaml\n".len()..];
        let example = &body[..body.find("```").unwrap()];
        let config = parse_str(example).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.enable, ["missing-priority-class"]);
    }

    #[test]
    fn reads_how_kustomizations_and_charts_are_rendered() {
        let c = parse_str(
            "kustomize: never\nhelm:\n  render: never\n  values: [values-prod.yaml]\n  release: shop\n  namespace: prod\n",
        )
        .unwrap();
        assert_eq!(c.kustomize, Render::Never);
        assert_eq!(c.helm.render, Render::Never);
        assert_eq!(c.helm.values, [PathBuf::from("repo/values-prod.yaml")]);
        assert_eq!(
            (c.helm.release.as_deref(), c.helm.namespace.as_deref()),
            (Some("shop"), Some("prod"))
        );
        let again = round_trip(&c);
        assert_eq!((again.kustomize, &again.helm), (c.kustomize, &c.helm));
        let e = parse_str("kustomize: sometimes\n").unwrap_err();
        assert!(
            e.0.contains(":1:12: `sometimes` is not auto or never"),
            "{e}"
        );
        let e = parse_str("helm: {valuse: [a.yaml]}\n").unwrap_err();
        assert!(e.0.contains("did you mean `values`?"), "{e}");
        assert!(Config::default().kustomize.is_auto() && Config::default().helm.is_default());
    }

    #[test]
    fn reads_every_key() {
        let c = parse_str(
            "select: [probes, shell-form-sigterm]\nignore: missing-liveness-probe\nseverity:\n  missing-readiness-probe: error\nexclude: ['vendor/**']\nkubernetes-version: '1.33'\ncontext: [../platform]\ncrds: [crds]\nstrict-kinds: true\nfail-on: error\nnamespace: shop\nskip-helm-tests: true\n",
        )
        .unwrap();
        let ids: Vec<_> = c
            .rule_set()
            .rules
            .iter()
            .map(|(e, s)| (e.id(), *s))
            .collect();
        assert!(ids.contains(&("missing-readiness-probe", Severity::Error)));
        assert!(ids.contains(&("shell-form-sigterm", Severity::Warning)));
        assert!(
            !ids.iter()
                .any(|(id, _)| *id == "missing-liveness-probe" || *id == "invalid-yaml")
        );
        assert_eq!(c.context, vec![PathBuf::from("repo/../platform")]);
        assert_eq!(c.crds, vec![PathBuf::from("repo/crds")]);
        assert!(c.strict_kinds);
        assert!(c.skip_helm_tests);
        let c2 = parse_str("suppress:\n  - rules: [missing-readiness-probe]\n    container: istio-proxy\n    paths: ['charts/**']\n    reason: injected\n").unwrap();
        assert_eq!(c2.suppress[0].container.as_deref(), Some("istio-proxy"));
        assert_eq!(
            parse_str(&c2.to_yaml().replace("repo/", ""))
                .unwrap()
                .suppress,
            c2.suppress
        );
        let c3 = parse_str("rules:\n  shell-form-sigterm: {jobs: true}\n").unwrap();
        assert!(
            c3.rule_set().options["shell-form-sigterm"]
                .get::<rules::lifecycle::shell_form_sigterm::ShellFormSigtermOptions>()
                .jobs
        );
        assert_eq!(parse_str(&c3.to_yaml()).unwrap().options, c3.options);
        let e = parse_str("rules:\n  shell-form-sigterm: {job: true}\n").unwrap_err();
        assert!(e.0.contains("has no option `job`; it takes: jobs"), "{e}");
        let e = parse_str("suppress:\n  - rule: [x]\n").unwrap_err();
        assert!(
            e.0.starts_with("repo/.kubelint.yaml:2:5: unknown key `rule`"),
            "{e}"
        );
        assert_eq!(
            parse_str(&c.to_yaml().replace("repo/", "")).map(|_| ()),
            Ok(())
        );
    }

    #[test]
    fn errors_name_the_file_and_position() {
        let e = parse_str("select: [probes]\nignroe: [x]\n").unwrap_err();
        assert_eq!(
            e.0.split(": unknown").next(),
            Some("repo/.kubelint.yaml:2:1")
        );
        assert!(e.0.contains("did you mean `ignore`?"), "{e}");
        let e = parse_str("severity:\n  missing-readyness-probe: error\n").unwrap_err();
        assert!(
            e.0.starts_with("repo/.kubelint.yaml:2:3: unknown rule"),
            "{e}"
        );
        let e = parse_str("severity:\n  missing-readiness-probe: loud\n").unwrap_err();
        assert!(e.0.starts_with("repo/.kubelint.yaml:2:28:"), "{e}");
        let e = parse_str("select: [nonsense]\n").unwrap_err();
        assert!(e.0.contains("neither a rule id nor a category"), "{e}");
        let e = parse_str("exclude: ['[']\n").unwrap_err();
        assert!(e.0.contains("invalid glob"), "{e}");
    }

    /// What `kubelint config` printed reads back to the configuration it printed.
    fn round_trip(c: &Config) -> Config {
        let yaml = c.to_yaml();
        parse(&yaml, Path::new(".kubelint.yaml"))
            .unwrap_or_else(|e| panic!("{e}\n--- printed:\n{yaml}"))
    }

    fn sourced(c: Config) -> Config {
        Config {
            source: Some(PathBuf::from(".kubelint.yaml")),
            ..c
        }
    }

    #[test]
    fn printed_configuration_quotes_what_it_must() {
        // The three cases of issue 17: a glob starting with `*` (an alias to YAML), a value
        // with `: `, and quotes in a reason.
        let c = sourced(Config {
            exclude: vec!["*.generated.yaml".into()],
            namespace: Some("a: b".into()),
            suppress: vec![ConfigSuppression {
                rules: vec!["missing-liveness-probe".into()],
                paths: vec!["*/vendor/**".into()],
                reason: Some("it's \"injected\" # by istio".into()),
                ..ConfigSuppression::default()
            }],
            ..Config::default()
        });
        let yaml = c.to_yaml();
        assert!(
            yaml.contains("exclude:\n  - '*.generated.yaml'\n"),
            "{yaml}"
        );
        assert!(yaml.contains("namespace: 'a: b'\n"), "{yaml}");
        assert!(
            yaml.contains("reason: 'it''s \"injected\" # by istio'\n"),
            "{yaml}"
        );
        assert_eq!(round_trip(&c), c);
    }

    #[test]
    fn kubernetes_version_is_one_version_however_written() {
        for text in ["v1.33", "1.33", "1.33.4", "'1.33'"] {
            let c = parse_str(&format!("kubernetes-version: {text}\n")).unwrap();
            assert_eq!(
                c.target(),
                KubeVersion {
                    major: 1,
                    minor: 33
                },
                "{text}"
            );
            assert!(
                c.to_yaml().contains("kubernetes-version: '1.33'\n"),
                "{text}"
            );
        }
        let e = parse_str("kubernetes-version: latest\n").unwrap_err();
        assert_eq!(
            e.0,
            "repo/.kubelint.yaml:1:21: `latest` is not a Kubernetes version like 1.33"
        );
    }

    #[test]
    fn pod_security_defaults_read_with_errors_at_the_value() {
        use crate::k8s::pod_security::{Level, Mode, PolicyVersion};
        let c = parse_str(
            "pod-security:\n  enforce: baseline\n  warn: restricted\n  version: v1.30\n  \
             warn-version: latest\n  exempt-namespaces: [kube-system]\n",
        )
        .unwrap();
        let policy = c.rule_set().pod_security;
        assert_eq!(policy.level(Mode::Enforce), Some(Level::Baseline));
        assert_eq!(
            policy.version(Mode::Enforce).unwrap(),
            PolicyVersion::Pinned(KubeVersion {
                major: 1,
                minor: 30
            })
        );
        assert_eq!(policy.version(Mode::Warn).unwrap(), PolicyVersion::Latest);
        assert_eq!(policy.level(Mode::Audit), None);
        assert_eq!(policy.exempt_namespaces, ["kube-system"]);
        let e = parse_str("pod-security:\n  enforce: strict\n").unwrap_err();
        assert_eq!(
            e.0,
            "repo/.kubelint.yaml:2:12: `strict` is not a Pod Security level: expected \
             privileged, baseline or restricted"
        );
        let e = parse_str("pod-security:\n  version: '1.30'\n").unwrap_err();
        assert!(
            e.0.starts_with("repo/.kubelint.yaml:2:12: `1.30` is not a Pod Security version"),
            "{}",
            e.0
        );
    }

    #[test]
    fn errors_point_at_the_offending_item() {
        let cases = [
            (
                "select: [probes, nonsense]\n",
                "1:18: `nonsense` is neither",
            ),
            ("exclude: [ok, '[']\n", "1:15: invalid glob"),
            ("suppress:\n  - paths: [a, '[']\n", "2:16: invalid glob"),
            (
                "suppress:\n  - rules: [missing-liveness-prob]\n",
                "2:13: unknown rule `missing-liveness-prob`; did you mean `missing-liveness-probe`?",
            ),
            ("strict-kinds: maybe\n", "1:15: expected true or false"),
            (
                "fail-on: loud\n",
                "1:10: `loud` is not error, warning, info or never",
            ),
            ("namespace: [a]\n", "1:12: expected a string"),
            (
                "rules:\n  shell-form-sigterm: {job: true}\n",
                "2:24: `shell-form-sigterm` has no option `job`; it takes: jobs (did you mean `jobs`?)",
            ),
            (
                "rules:\n  shell-form-sigterm: {jobs: sometimes}\n",
                "2:30: expected true or false",
            ),
            (
                "rules:\n  missing-liveness-probe: {jobs: true}\n",
                "2:28: `missing-liveness-probe` has no option `jobs`; it takes no options",
            ),
            (
                "rules:\n  shell-form-sigterm: [jobs]\n",
                "2:23: expected a mapping of options",
            ),
            ("- a\n", "1:1: the configuration must be a mapping"),
            (
                "severity: [a]\n",
                "1:11: expected `rule-id: error|warning|info` entries",
            ),
            (
                "rules: a\n",
                "1:8: expected `rule-id: {option: value}` entries",
            ),
            ("suppress: {}\n", "1:11: expected a list of suppressions"),
            ("suppress: [a]\n", "1:12: expected a mapping with `rules`"),
            ("exclude: {a: b}\n", "1:10: expected a list of strings"),
        ];
        for (text, expected) in cases {
            let e = parse_str(text).unwrap_err();
            assert!(
                e.0.starts_with(&format!("repo/.kubelint.yaml:{expected}")),
                "{text:?}: {e}"
            );
        }
        // No options, or null, is the defaults; a single item is a list of one.
        let c = parse_str(
            "rules:\n  shell-form-sigterm:\n  missing-liveness-probe: {}\nignore: probes\n",
        )
        .unwrap();
        assert_eq!(c.ignore, ["probes"]);
        assert_eq!(round_trip(&sourced(c.clone())), sourced(c));
    }

    mod generated {
        use super::*;
        use crate::rules::lifecycle::shell_form_sigterm::ShellFormSigtermOptions;
        use proptest::prelude::*;
        use std::sync::Arc;

        /// Strings that YAML gets wrong when written carelessly, alone or run together, and
        /// arbitrary characters (control characters, line breaks, astral planes).
        fn nasty() -> impl Strategy<Value = String> {
            let pieces = prop_oneof![
                Just("*"),
                Just("*.generated.yaml"),
                Just("&a"),
                Just("!tag"),
                Just("a: b"),
                Just(":"),
                Just("'"),
                Just("\""),
                Just("#"),
                Just(" #x"),
                Just(" "),
                Just("\t"),
                Just("\n"),
                Just("\r\n"),
                Just("\\"),
                Just("yes"),
                Just("off"),
                Just("~"),
                Just("null"),
                Just("1.33"),
                Just("0644"),
                Just("0x1F"),
                Just(".inf"),
                Just("-"),
                Just("- "),
                Just("---"),
                Just("..."),
                Just("? "),
                Just("%"),
                Just("@"),
                Just("`"),
                Just("|"),
                Just(">"),
                Just("[]"),
                Just("{}"),
                Just(","),
                Just("<<"),
                Just("="),
                Just("ünï ☃"),
                Just("𝄞"),
                Just("\u{feff}"),
                Just("\u{85}"),
                Just("\u{2028}"),
                Just("\u{0}"),
                Just("vendor/**"),
                Just("a"),
                Just("charts/"),
            ];
            prop_oneof![
                prop::collection::vec(pieces, 0..5).prop_map(|v| v.concat()),
                prop::collection::vec(any::<char>(), 0..8).prop_map(String::from_iter),
            ]
        }

        fn glob() -> impl Strategy<Value = String> {
            nasty().prop_filter("a valid glob", |g| globset::Glob::new(g).is_ok())
        }

        fn rule_id() -> impl Strategy<Value = String> {
            prop::sample::select(
                rules::registry()
                    .iter()
                    .map(|e| e.id().to_owned())
                    .collect::<Vec<_>>(),
            )
        }

        fn selector() -> impl Strategy<Value = String> {
            let mut names: Vec<String> = rules::registry()
                .iter()
                .flat_map(|e| [e.id().to_owned(), e.meta.category.clone()])
                .collect();
            names.dedup();
            prop::sample::select(names)
        }

        fn severity() -> impl Strategy<Value = Severity> {
            prop::sample::select(vec![Severity::Info, Severity::Warning, Severity::Error])
        }

        fn pod_security() -> impl Strategy<Value = ClusterPolicy> {
            use crate::k8s::pod_security::{Level, PolicyVersion};
            let level = prop::option::of(prop::sample::select(vec![
                Level::Privileged,
                Level::Baseline,
                Level::Restricted,
            ]));
            let version = prop::option::of(prop_oneof![
                Just(PolicyVersion::Latest),
                (0u32..40).prop_map(|minor| PolicyVersion::Pinned(KubeVersion { major: 1, minor })),
            ]);
            (
                (
                    level.clone(),
                    version.clone(),
                    level.clone(),
                    version.clone(),
                ),
                (level, version.clone(), version),
                (
                    prop::collection::vec(nasty(), 0..3),
                    prop::collection::vec(nasty(), 0..2),
                ),
            )
                .prop_map(
                    |(
                        (enforce, enforce_version, warn, warn_version),
                        (audit, audit_version, version),
                        (exempt_namespaces, exempt_runtime_classes),
                    )| ClusterPolicy {
                        enforce,
                        enforce_version,
                        warn,
                        warn_version,
                        audit,
                        audit_version,
                        version,
                        exempt_namespaces,
                        exempt_runtime_classes,
                    },
                )
        }

        fn options() -> impl Strategy<Value = (String, RuleConfig)> {
            (rule_id(), any::<bool>()).prop_map(|(id, jobs)| {
                let entry = rules::find(&id).unwrap();
                let configured = match entry.rule.options() {
                    None => RuleConfig(None),
                    Some(_) if id == "shell-form-sigterm" => {
                        RuleConfig(Some(Arc::new(ShellFormSigtermOptions { jobs })))
                    }
                    Some(_) => {
                        // Defaults: an empty mapping (a lone `~` is no document).
                        let doc = crate::parse::parse_stream("{}", &LineIndex::new("{}"));
                        entry.configure(doc.documents[0].root()).unwrap()
                    }
                };
                (id, configured)
            })
        }

        fn suppression() -> impl Strategy<Value = ConfigSuppression> {
            (
                prop::collection::vec(rule_id(), 0..3),
                prop::collection::vec(glob(), 0..3),
                prop::collection::vec(prop::option::of(nasty()), 5),
            )
                .prop_map(|(rules, paths, mut fields)| ConfigSuppression {
                    rules,
                    paths,
                    reason: fields.pop().unwrap(),
                    container: fields.pop().unwrap(),
                    name: fields.pop().unwrap(),
                    kind: fields.pop().unwrap(),
                    namespace: fields.pop().unwrap(),
                })
        }

        fn config() -> impl Strategy<Value = Config> {
            let lists = (
                prop::option::of(prop::collection::vec(selector(), 0..3)),
                prop::collection::vec(selector(), 0..3),
                prop::collection::vec(selector(), 0..3),
                prop::collection::btree_map(rule_id(), severity(), 0..4),
                prop::collection::vec(glob(), 0..4),
                prop::collection::vec(nasty().prop_map(PathBuf::from), 0..3),
                prop::collection::vec(nasty().prop_map(PathBuf::from), 0..3),
            );
            let scalars = (
                prop::option::of((0u32..3, 0u32..60)),
                any::<bool>(),
                any::<bool>(),
                prop::option::of(prop::sample::select(vec![
                    "error", "warning", "info", "never",
                ])),
                prop::option::of(nasty()),
                prop::collection::vec(options(), 0..3),
                prop::collection::vec(suppression(), 0..3),
                prop::option::of(pod_security()),
            );
            (lists, scalars).prop_map(
                |(
                    (select, enable, ignore, severity, exclude, context, crds),
                    (
                        version,
                        strict_kinds,
                        skip_helm_tests,
                        fail_on,
                        namespace,
                        options,
                        suppress,
                        pod_security,
                    ),
                )| {
                    let options = options.into_iter().collect();
                    Config {
                        source: Some(PathBuf::from(".kubelint.yaml")),
                        policies_dir: None,
                        policies: Vec::new(),
                        select,
                        enable,
                        ignore,
                        severity,
                        exclude,
                        kubernetes_version: version
                            .map(|(major, minor)| KubeVersion { major, minor }),
                        context,
                        crds,
                        strict_kinds,
                        fail_on: fail_on.map(str::to_owned),
                        namespace,
                        skip_helm_tests,
                        kustomize: Render::default(),
                        helm: Helm::default(),
                        pod_security,
                        options,
                        suppress,
                    }
                },
            )
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            /// `kubelint config` output always reads back to the configuration it printed.
            #[test]
            fn printed_configuration_reads_back_the_same(c in config()) {
                prop_assert_eq!(round_trip(&c), c);
            }

            /// Every string survives as a value, whatever it holds.
            #[test]
            fn any_namespace_reads_back(ns in nasty()) {
                let c = sourced(Config { namespace: Some(ns), ..Config::default() });
                prop_assert_eq!(round_trip(&c), c);
            }
        }
    }
}
