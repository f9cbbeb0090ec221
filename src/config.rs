//! `.kubelint.yaml`: which rules run at which severity, what is excluded, and run defaults.
//!
//! Read with our own parser, so every error names the file, line and column. Unknown keys are
//! errors: a misspelt `ignroe:` must not silently lint with everything on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::parse::lines::LineIndex;
use crate::parse::tree::Node;
use crate::rules;
use crate::rules::RuleSet;
use crate::rules::meta::unused_suppression::UnusedSuppression;
use crate::run_report::{FileReport, RunReport};

pub const FILE_NAMES: [&str; 2] = [".kubelint.yaml", ".kubelint.yml"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// The file it was read from, if any.
    pub source: Option<PathBuf>,
    /// Rule ids or categories to run (default: every rule).
    pub select: Option<Vec<String>>,
    /// Rule ids or categories not to run.
    pub ignore: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
    /// Path globs (relative to the configuration file) never linted.
    pub exclude: Vec<String>,
    pub kubernetes_version: Option<String>,
    /// More manifests to resolve references with (relative to the configuration file).
    pub context: Vec<PathBuf>,
    /// CustomResourceDefinitions to validate custom resources against (relative to the
    /// configuration file), as `--crds`.
    pub crds: Vec<PathBuf>,
    /// Report custom resources no CRD defines, as `--strict-kinds`.
    pub strict_kinds: bool,
    pub fail_on: Option<String>,
    pub namespace: Option<String>,
    /// Skip objects annotated `helm.sh/hook: test` (Helm test pods).
    pub skip_helm_tests: bool,
    /// Findings to drop wherever they are, for what cannot be edited (vendored charts,
    /// injected sidecars).
    pub suppress: Vec<ConfigSuppression>,
    /// Per-rule options (`rules: {shell-form-sigterm: {jobs: true}}`).
    pub options: BTreeMap<String, rules::Options>,
}

/// One `suppress:` entry: every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigSuppression {
    /// Rule ids; empty means every rule.
    pub rules: Vec<String>,
    /// Path globs, relative to the configuration file.
    pub paths: Vec<String>,
    pub namespace: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub container: Option<String>,
    pub reason: Option<String>,
}

const SUPPRESS_KEYS: [&str; 7] = [
    "rules",
    "paths",
    "namespace",
    "kind",
    "name",
    "container",
    "reason",
];

impl ConfigSuppression {
    /// Whether it silences `d`; `relative` is the finding's file relative to the configuration.
    pub fn matches(
        &self,
        d: &crate::diagnostic::Diagnostic,
        relative: &Path,
        globs: &globset::GlobSet,
    ) -> bool {
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

const KEYS: [&str; 13] = [
    "rules",
    "suppress",
    "select",
    "ignore",
    "severity",
    "exclude",
    "kubernetes-version",
    "context",
    "crds",
    "strict-kinds",
    "fail-on",
    "namespace",
    "skip-helm-tests",
];

/// The nearest `.kubelint.yaml` in `start` or one of its ancestors.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        for name in FILE_NAMES {
            let candidate = d.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        dir = d.parent();
    }
    None
}

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
    parse(&text, path)
}

pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let lines = LineIndex::new(text);
    let stream = crate::parse::parse_stream(text, &lines);
    let at = |offset: u32, message: String| {
        let p = lines.position(text, offset);
        ConfigError(format!(
            "{}:{}:{}: {message}",
            path.display(),
            p.line,
            p.column
        ))
    };
    if let Some(e) = stream.errors.first() {
        return Err(at(e.offset, format!("invalid YAML: {}", e.message)));
    }
    let mut config = Config {
        source: Some(path.to_path_buf()),
        ..Config::default()
    };
    let Some(doc) = stream.documents.first() else {
        return Ok(config);
    };
    let root = doc.root();
    if !root.is_map() {
        return Err(at(
            root.span().start,
            "the configuration must be a mapping".into(),
        ));
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let strings = |node: Node<'_>| -> Result<Vec<String>, ConfigError> {
        if let Some(s) = node.raw().filter(|_| node.is_scalar() && !node.is_null()) {
            return Ok(vec![s.to_owned()]);
        }
        if !node.is_seq() {
            return Err(at(node.span().start, "expected a list of strings".into()));
        }
        node.items()
            .map(|i| {
                i.raw()
                    .filter(|_| i.is_scalar())
                    .map(str::to_owned)
                    .ok_or_else(|| at(i.span().start, "expected a string".into()))
            })
            .collect()
    };
    let string = |node: Node<'_>| -> Result<String, ConfigError> {
        node.raw()
            .filter(|_| node.is_scalar() && !node.is_null())
            .map(str::to_owned)
            .ok_or_else(|| at(node.span().start, "expected a string".into()))
    };
    for (key, value) in root.entries() {
        let name = key.key_text().unwrap_or("");
        match name {
            "select" => {
                let list = strings(value)?;
                check_selectors(&list, value, &at)?;
                config.select = Some(list);
            }
            "ignore" => {
                config.ignore = strings(value)?;
                check_selectors(&config.ignore, value, &at)?;
            }
            "severity" => {
                if !value.is_map() {
                    return Err(at(
                        value.span().start,
                        "expected `rule-id: error|warning|info` entries".into(),
                    ));
                }
                for (rule, level) in value.entries() {
                    let id = rule.key_text().unwrap_or("");
                    if rules::find(id).is_none() {
                        return Err(at(rule.span().start, format!("unknown rule `{id}`")));
                    }
                    let level_text = string(level)?;
                    let severity = Severity::parse(&level_text).ok_or_else(|| {
                        at(
                            level.span().start,
                            format!("`{level_text}` is not error, warning or info"),
                        )
                    })?;
                    config.severity.insert(id.to_owned(), severity);
                }
            }
            "exclude" => {
                config.exclude = strings(value)?;
                for (glob, item) in config.exclude.iter().zip(value.items()) {
                    globset::Glob::new(glob)
                        .map_err(|e| at(item.span().start, format!("invalid glob: {e}")))?;
                }
            }
            "kubernetes-version" => {
                let version = string(value)?;
                if crate::k8s::KubeVersion::parse(&version).is_none() {
                    return Err(at(
                        value.span().start,
                        format!("`{version}` is not a Kubernetes version like 1.33"),
                    ));
                }
                config.kubernetes_version = Some(version);
            }
            "context" => {
                config.context = strings(value)?.into_iter().map(|p| base.join(p)).collect();
            }
            "crds" => {
                config.crds = strings(value)?.into_iter().map(|p| base.join(p)).collect();
            }
            "strict-kinds" => {
                config.strict_kinds = value
                    .as_bool()
                    .ok_or_else(|| at(value.span().start, "expected true or false".into()))?;
            }
            "fail-on" => {
                let level = string(value)?;
                if !matches!(level.as_str(), "error" | "warning" | "info" | "never") {
                    return Err(at(
                        value.span().start,
                        format!("`{level}` is not error, warning, info or never"),
                    ));
                }
                config.fail_on = Some(level);
            }
            "namespace" => config.namespace = Some(string(value)?),
            "skip-helm-tests" => {
                config.skip_helm_tests = value
                    .as_bool()
                    .ok_or_else(|| at(value.span().start, "expected true or false".into()))?;
            }
            "rules" => {
                if !value.is_map() {
                    return Err(at(
                        value.span().start,
                        "expected `rule-id: {option: value}` entries".into(),
                    ));
                }
                for (rule, opts) in value.entries() {
                    let id = rule.key_text().unwrap_or("");
                    let Some(entry) = rules::find(id) else {
                        return Err(at(rule.span().start, format!("unknown rule `{id}`")));
                    };
                    let accepted = entry.rule.options();
                    let mut options = rules::Options::default();
                    for (k, v) in opts.entries() {
                        let name = k.key_text().unwrap_or("");
                        if !accepted.iter().any(|o| o.name == name) {
                            let known = if accepted.is_empty() {
                                "it takes no options".to_owned()
                            } else {
                                format!(
                                    "it takes: {}",
                                    accepted
                                        .iter()
                                        .map(|o| o.name)
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )
                            };
                            return Err(at(
                                k.span().start,
                                format!("`{id}` has no option `{name}`; {known}"),
                            ));
                        }
                        let flag = v
                            .as_bool()
                            .ok_or_else(|| at(v.span().start, "expected true or false".into()))?;
                        options.flags.insert(name.to_owned(), flag);
                    }
                    if !opts.is_map() && !opts.is_null() {
                        return Err(at(
                            opts.span().start,
                            "expected a mapping of options".into(),
                        ));
                    }
                    config.options.insert(id.to_owned(), options);
                }
            }
            "suppress" => {
                if !value.is_seq() {
                    return Err(at(
                        value.span().start,
                        "expected a list of suppressions".into(),
                    ));
                }
                for item in value.items() {
                    if !item.is_map() {
                        return Err(at(item.span().start, "expected a mapping with `rules`, `paths`, `namespace`, `kind`, `name`, `container` or `reason`".into()));
                    }
                    let mut entry = ConfigSuppression::default();
                    for (k, v) in item.entries() {
                        match k.key_text().unwrap_or("") {
                            "rules" => {
                                entry.rules = strings(v)?;
                                if let Some(bad) =
                                    entry.rules.iter().find(|r| rules::find(r).is_none())
                                {
                                    return Err(at(
                                        v.span().start,
                                        format!("unknown rule `{bad}`"),
                                    ));
                                }
                            }
                            "paths" => {
                                entry.paths = strings(v)?;
                                for glob in &entry.paths {
                                    globset::Glob::new(glob).map_err(|e| {
                                        at(v.span().start, format!("invalid glob: {e}"))
                                    })?;
                                }
                            }
                            "namespace" => entry.namespace = Some(string(v)?),
                            "kind" => entry.kind = Some(string(v)?),
                            "name" => entry.name = Some(string(v)?),
                            "container" => entry.container = Some(string(v)?),
                            "reason" => entry.reason = Some(string(v)?),
                            other => {
                                return Err(at(
                                    k.span().start,
                                    format!(
                                        "unknown key `{other}` in a suppression (known: {})",
                                        SUPPRESS_KEYS.join(", ")
                                    ),
                                ));
                            }
                        }
                    }
                    config.suppress.push(entry);
                }
            }
            other => {
                let hint = closest(other, &KEYS)
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_default();
                return Err(at(
                    key.span().start,
                    format!("unknown key `{other}`{hint} (known: {})", KEYS.join(", ")),
                ));
            }
        }
    }
    Ok(config)
}

fn check_selectors(
    list: &[String],
    node: Node<'_>,
    at: &dyn Fn(u32, String) -> ConfigError,
) -> Result<(), ConfigError> {
    for item in list {
        if !is_rule_or_category(item) {
            return Err(at(node.span().start, not_a_rule(item)));
        }
    }
    Ok(())
}

pub fn is_rule_or_category(name: &str) -> bool {
    rules::registry()
        .iter()
        .any(|e| e.id() == name || e.meta.category == name)
}

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
        let selected = |id: &str, category: &str| {
            let named = |list: &[String]| list.iter().any(|n| n == id || n == category);
            self.select.as_deref().is_none_or(named) && !named(&self.ignore)
        };
        RuleSet {
            rules: rules::registry()
                .iter()
                .filter(|e| selected(e.id(), &e.meta.category))
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
                    let mut options = self.options.get(e.id())?.clone();
                    options.target = self.target();
                    Some((e.id(), options))
                })
                .collect(),
            defaults: rules::Options {
                target: self.target(),
                ..rules::Options::default()
            },
        }
    }

    /// The Kubernetes version rules target.
    pub fn target(&self) -> crate::k8s::KubeVersion {
        self.kubernetes_version
            .as_deref()
            .and_then(crate::k8s::KubeVersion::parse)
            .unwrap_or_default()
    }

    /// The effective configuration, as YAML that `--config` accepts back.
    pub fn to_yaml(&self) -> String {
        let list = |items: &[String]| {
            if items.is_empty() {
                " []".to_owned()
            } else {
                items.iter().map(|i| format!("\n  - {i}")).collect()
            }
        };
        let mut out = String::new();
        match &self.source {
            Some(p) => out.push_str(&format!("# from {}\n", p.display())),
            None => out.push_str("# no configuration file: defaults\n"),
        }
        match &self.select {
            Some(s) => out.push_str(&format!("select:{}\n", list(s))),
            None => out.push_str("# select: every rule not ignored\n"),
        }
        out.push_str(&format!("ignore:{}\n", list(&self.ignore)));
        out.push_str("severity:");
        let rule_set = self.rule_set();
        if rule_set.rules.is_empty() {
            out.push_str(" {}");
        }
        for (entry, severity) in &rule_set.rules {
            out.push_str(&format!("\n  {}: {}", entry.id(), severity.as_str()));
        }
        out.push('\n');
        out.push_str(&format!("exclude:{}\n", list(&self.exclude)));
        let context: Vec<String> = self
            .context
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        out.push_str(&format!("context:{}\n", list(&context)));
        let crds: Vec<String> = self.crds.iter().map(|p| p.display().to_string()).collect();
        out.push_str(&format!("crds:{}\n", list(&crds)));
        out.push_str(&format!("strict-kinds: {}\n", self.strict_kinds));
        if let Some(v) = &self.kubernetes_version {
            out.push_str(&format!("kubernetes-version: \"{v}\"\n"));
        }
        out.push_str(&format!(
            "fail-on: {}\n",
            self.fail_on.as_deref().unwrap_or("warning")
        ));
        if let Some(ns) = &self.namespace {
            out.push_str(&format!("namespace: {ns}\n"));
        }
        out.push_str(&format!("skip-helm-tests: {}\n", self.skip_helm_tests));
        if self.options.is_empty() {
            out.push_str("rules: {}\n");
        } else {
            out.push_str("rules:\n");
            for (id, options) in &self.options {
                let flags: Vec<String> = options
                    .flags
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect();
                out.push_str(&format!("  {id}: {{{}}}\n", flags.join(", ")));
            }
        }
        if self.suppress.is_empty() {
            out.push_str("suppress: []\n");
        } else {
            out.push_str("suppress:\n");
            for s in &self.suppress {
                let quoted = |items: &[String]| {
                    items
                        .iter()
                        .map(|i| format!("\"{i}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                out.push_str(&format!("  - rules: [{}]\n", quoted(&s.rules)));
                if !s.paths.is_empty() {
                    out.push_str(&format!("    paths: [{}]\n", quoted(&s.paths)));
                }
                for (key, value) in [
                    ("namespace", &s.namespace),
                    ("kind", &s.kind),
                    ("name", &s.name),
                    ("container", &s.container),
                    ("reason", &s.reason),
                ] {
                    if let Some(v) = value {
                        out.push_str(&format!("    {key}: \"{v}\"\n"));
                    }
                }
            }
        }
        out
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
        assert!(c3.rule_set().options["shell-form-sigterm"].flag("jobs"));
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
}
