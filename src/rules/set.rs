//! The rules a run applies, as configuration and flags select them.

use std::collections::{HashMap, HashSet};

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
}

impl RuleSet {
    pub fn all() -> RuleSet {
        RuleSet {
            rules: registry().iter().map(|e| (e, e.meta.severity)).collect(),
            configured_severity: HashSet::new(),
            options: HashMap::new(),
            defaults: Options::default(),
            admission_only: HashSet::new(),
            pod_security: ClusterPolicy::default(),
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
