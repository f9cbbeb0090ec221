//! The rules a run applies, as configuration and flags select them.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::diagnostic::Severity;
use crate::k8s::pod_security::ClusterPolicy;
use crate::rules::{Options, RuleEntry, registry};
use crate::schema::Catalog;

/// The rules a run applies, each with the severity it reports at.
pub struct RuleSet {
    pub rules: Vec<(&'static RuleEntry, Severity)>,
    /// Rules whose severity the user set (configuration or `--severity`): every finding of
    /// such a rule is reported at that severity, even one its rule would grade otherwise.
    pub configured_severity: HashSet<&'static str>,
    /// Options per rule id; a rule without an entry runs with `defaults`.
    pub options: HashMap<&'static str, Options>,
    pub defaults: Options,
    /// `pod-security` rules that are off by default and run only to report what a
    /// namespace's PodSecurity admission refuses (see `pod_security::admission`).
    pub admission_only: HashSet<&'static str>,
    /// The cluster's PodSecurity defaults and exemptions (configuration `pod-security:`).
    pub pod_security: ClusterPolicy,
    /// The policy files of the configuration (`policies:`, `.kubelint/policies/`).
    pub policy_files: Vec<PathBuf>,
    /// Which policies run, as `select`, `enable` and `ignore` name them.
    pub policy_selection: PolicySelection,
}

/// Which policies a run applies, from the configuration's `select`, `enable` and `ignore`:
/// policies are known only once read, so they are selected by id (or by their category) as
/// each is met.
#[derive(Debug, Clone, Default)]
pub struct PolicySelection {
    pub select: Option<Vec<String>>,
    pub enable: Vec<String>,
    pub ignore: Vec<String>,
}

impl PolicySelection {
    /// Whether any policy could run: when none can, the run does not look for policies.
    pub fn any(&self) -> bool {
        let names_one =
            |list: &[String]| list.iter().any(|n| n == POLICY_CATEGORY || n.contains('/'));
        (self.select.as_deref().is_none_or(names_one) || names_one(&self.enable))
            && !self.ignore.iter().any(|n| n == POLICY_CATEGORY)
    }

    pub fn selects(&self, id: &str) -> bool {
        let named = |list: &[String]| list.iter().any(|n| n == id || n == POLICY_CATEGORY);
        let selected = self.select.as_deref().is_none_or(named);
        (selected || named(&self.enable)) && !named(&self.ignore)
    }
}

/// The category of every policy and of the rules about policies.
pub const POLICY_CATEGORY: &str = "policies";

impl RuleSet {
    pub fn all() -> RuleSet {
        RuleSet {
            rules: registry().iter().map(|e| (e, e.meta.severity)).collect(),
            configured_severity: HashSet::new(),
            options: HashMap::new(),
            defaults: Options::default(),
            admission_only: HashSet::new(),
            pod_security: ClusterPolicy::default(),
            policy_files: Vec::new(),
            policy_selection: PolicySelection::default(),
        }
    }

    /// The same rules, with the CRDs of the run for the schema rules.
    pub fn with_catalog(&self, catalog: Catalog) -> RuleSet {
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
            admission_only: self.admission_only.clone(),
            pod_security: self.pod_security.clone(),
            policy_files: self.policy_files.clone(),
            policy_selection: self.policy_selection.clone(),
        }
    }

    /// The severity a rule runs at, or `None` when it does not run.
    pub fn severity(&self, id: &str) -> Option<Severity> {
        self.rules
            .iter()
            .find(|(e, _)| e.id() == id)
            .map(|(_, s)| *s)
    }

    /// The options `id` runs with.
    pub fn options_of(&self, id: &str) -> &Options {
        self.options.get(id).unwrap_or(&self.defaults)
    }
}

/// Whether `id` has the shape of a policy's id (`vap/NAME` for an admission policy,
/// `PREFIX/NAME` for a policy file): such ids are known only once the policies are read.
pub fn is_policy_id(id: &str) -> bool {
    id.split_once('/').is_some_and(|(prefix, name)| {
        !prefix.is_empty()
            && !name.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/' | '_'))
    })
}
