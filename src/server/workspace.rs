//! The workspace as `kubelint check` would see it: its configuration, and every file in its
//! folders read once, as context for the documents the editor has open.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config::{self, Config, Overrides};
use crate::lint::{self, Pass, RunOptions};
use crate::load::{self, Input};
use crate::rules::RuleSet;

/// What the editor's settings (`initializationOptions`, `workspace/didChangeConfiguration`)
/// may say; the same as `check`'s flags of the same names.
#[derive(Debug, Default, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub config_path: Option<PathBuf>,
    pub select: Vec<String>,
    pub enable: Vec<String>,
    pub ignore: Vec<String>,
}

impl Settings {
    /// Clients nest settings under the server's name (`{"kubelint": {...}}`) or not.
    pub fn from_json(value: Option<serde_json::Value>) -> Result<Settings, String> {
        let Some(value) = value.filter(|v| !v.is_null()) else {
            return Ok(Settings::default());
        };
        let value = match value.get("kubelint") {
            Some(inner) => inner.clone(),
            None => value,
        };
        serde_json::from_value(value).map_err(|e| format!("kubelint settings: {e}"))
    }
}

/// The configuration, rules and run options of the workspace: what linting a document needs
/// before the workspace's files are read.
pub struct Setup {
    pub roots: Vec<PathBuf>,
    pub config: Config,
    pub rules: RuleSet,
    pub options: RunOptions,
}

impl Setup {
    /// The configuration found from the first folder (or named by the settings). A bad
    /// configuration is an error the editor shows; the server then lints with the defaults.
    pub fn new(roots: Vec<PathBuf>, settings: &Settings) -> (Setup, Option<String>) {
        let overrides = Overrides {
            config: settings.config_path.clone(),
            select: settings.select.clone(),
            enable: settings.enable.clone(),
            ignore: settings.ignore.clone(),
            ..Overrides::default()
        };
        let start = roots.first().cloned().unwrap_or_else(|| PathBuf::from("."));
        let (config, error) = match config::effective(&overrides, &start) {
            Ok(c) => (c, None),
            Err(e) => (Config::default(), Some(e)),
        };
        let crds = load::discover(&config.crds, None, load::Named::AsWalked).inputs;
        let options = RunOptions {
            namespace: config.namespace.clone(),
            skip_helm_tests: config.skip_helm_tests,
            crds,
            strict_kinds: config.strict_kinds,
            ..RunOptions::default()
        };
        let rules = config.rule_set();
        (
            Setup {
                roots,
                config,
                rules,
                options,
            },
            error,
        )
    }

    /// Whether `path` is a file of the workspace that `check` would read: under a folder,
    /// not excluded.
    pub fn covers(&self, path: &Path) -> bool {
        self.roots.iter().any(|r| path.starts_with(r))
            && self
                .config
                .without_excluded(vec![file_input(path)], &|p| p.to_path_buf())
                .is_ok_and(|kept| !kept.is_empty())
    }

    /// Reads every file of the folders (and the configuration's `context:`), as context.
    pub fn index(&self) -> Index {
        let found = load::discover(&self.roots, None, load::Named::AsWalked);
        let mut inputs = self
            .config
            .without_excluded(found.inputs, &|p| p.to_path_buf())
            .unwrap_or_default();
        inputs.extend(load::discover(&self.config.context, None, load::Named::AsWalked).inputs);
        let refs: Vec<&Input> = inputs.iter().collect();
        let patches = load::kustomize_patches(&refs);
        let pass = lint::first_pass(&[], &inputs, &self.rules, &self.options, false).into_context();
        Index {
            files: inputs.len(),
            pass,
            patches,
        }
    }

    /// One file of the workspace read again (saved, or deleted: then it is gone).
    pub fn reread(&self, index: &mut Index, path: &Path) {
        index
            .pass
            .retain(&|input| !matches!(input, Input::File { path: p, .. } if p == path));
        if !path.is_file() || !self.covers(path) {
            return;
        }
        let found = load::discover(&[path.to_path_buf()], None, load::Named::AsWalked).inputs;
        let fresh = lint::first_pass(&[], &found, &self.rules, &self.options, false).into_context();
        index.pass.reuse(&fresh, &|_| true);
    }
}

/// The workspace's files, read and checked one by one, waiting for a document to be linted
/// against them.
#[derive(Default)]
pub struct Index {
    pub pass: Pass,
    pub files: usize,
    /// Files the workspace's kustomizations use as patches (canonical paths).
    pub patches: HashSet<PathBuf>,
}

fn file_input(path: &Path) -> Input {
    Input::File {
        path: path.to_path_buf(),
        display: load::display_path(path),
        explicit: false,
    }
}
