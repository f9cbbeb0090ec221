//! What the RBAC rules share: the Roles and ClusterRoles of the run, and who each one is
//! granted to — by the bindings that name it, or through a ClusterRole that aggregates it.

use std::collections::HashMap;

use crate::index::{BindingFacts, Facts, Index, KindFacts, Labels, RoleFacts, SelectorField, Site};

/// The label that aggregates a ClusterRole into each built-in user-facing role.
const BUILTIN_AGGREGATION: [(&str, &str); 3] = [
    ("rbac.authorization.k8s.io/aggregate-to-admin", "admin"),
    ("rbac.authorization.k8s.io/aggregate-to-edit", "edit"),
    ("rbac.authorization.k8s.io/aggregate-to-view", "view"),
];

pub struct Rbac<'i> {
    index: &'i Index,
    /// Bindings by the (kind, name) of the role they name.
    bindings: HashMap<(&'i str, &'i str), Vec<usize>>,
    /// ClusterRoles with an `aggregationRule`: (name, selectors, own labels).
    aggregators: Vec<(&'i str, &'i [SelectorField], &'i Labels)>,
}

/// A rule of a role, as the RBAC rules judge it.
pub struct Judged<'i> {
    pub subject: usize,
    pub facts: &'i Facts,
    pub role: &'i RoleFacts,
}

impl<'i> Rbac<'i> {
    pub fn new(index: &'i Index) -> Rbac<'i> {
        let mut bindings: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        let mut aggregators = Vec::new();
        for (i, f) in index.facts.iter().enumerate() {
            match &f.kind {
                KindFacts::Binding(b) => bindings
                    .entry((b.role_kind.as_str(), b.role_name.as_str()))
                    .or_default()
                    .push(i),
                KindFacts::Role(r) => {
                    if let Some(selectors) = &r.aggregates {
                        aggregators.push((f.id.name.as_str(), selectors.as_slice(), &r.labels));
                    }
                }
                _ => {}
            }
        }
        Rbac {
            index,
            bindings,
            aggregators,
        }
    }

    /// The reported Roles and ClusterRoles whose own rules take effect: not those with an
    /// `aggregationRule`, whose rules the controller overwrites with the ones it aggregates
    /// (those are judged where they are written, with the aggregating role's bindings).
    pub fn roles(&self) -> impl Iterator<Item = Judged<'i>> + '_ {
        self.index
            .facts
            .iter()
            .enumerate()
            .filter_map(|(subject, facts)| match &facts.kind {
                KindFacts::Role(role) if facts.reported && role.aggregates.is_none() => {
                    Some(Judged {
                        subject,
                        facts,
                        role,
                    })
                }
                _ => None,
            })
    }

    /// The role and, for a ClusterRole, every ClusterRole of the run that aggregates it: an
    /// aggregating ClusterRole holds the rules it aggregates, so one that selects it passes
    /// them on in turn (`kubeflow-edit` into `kubeflow-admin`). Names with their labels.
    fn chain<'j>(&self, judged: &Judged<'j>) -> Vec<(&'j str, &'j Labels)>
    where
        'i: 'j,
    {
        let mut chain = vec![(judged.facts.id.name.as_str(), &judged.role.labels)];
        if !judged.role.cluster {
            return chain;
        }
        let mut next = 0;
        while next < chain.len() {
            let current = chain[next].1;
            next += 1;
            for (aggregator, selectors, own) in &self.aggregators {
                let selected = selectors.iter().any(|s| match s {
                    SelectorField::Selector(s) => !s.is_templated() && s.matches(current),
                    _ => false,
                });
                if selected && !chain.iter().any(|(n, _)| n == aggregator) {
                    chain.push((aggregator, own));
                }
            }
        }
        chain
    }

    /// The bindings that grant a role: those naming it (for a Role, in its namespace), and
    /// those naming a ClusterRole of the run that aggregates it.
    fn bindings_of(&self, judged: &Judged<'_>) -> Vec<&'i BindingFacts> {
        let names: Vec<&str> = self.chain(judged).iter().map(|(n, _)| *n).collect();
        let kind = if judged.role.cluster {
            "ClusterRole"
        } else {
            "Role"
        };
        let ns = Index::same_namespace(&self.index.namespace_of(judged.facts));
        names
            .iter()
            .flat_map(|n| self.bindings.get(&(kind, *n)).into_iter().flatten())
            .filter(|&&b| {
                judged.role.cluster || ns.contains(&self.index.namespace_of(&self.index.facts[b]))
            })
            .filter_map(|&b| match &self.index.facts[b].kind {
                KindFacts::Binding(binding) => Some(binding),
                _ => None,
            })
            .collect()
    }

    /// Every subject the role is granted to in the run, each once, in order.
    pub fn subjects(&self, judged: &Judged<'_>) -> Vec<&'i str> {
        let mut subjects: Vec<&str> = Vec::new();
        for b in self.bindings_of(judged) {
            for s in &b.subjects {
                if !subjects.contains(&s.as_str()) {
                    subjects.push(s);
                }
            }
        }
        subjects
    }

    /// Where the role's rules apply, for a message: its namespace for a Role, every namespace
    /// for a ClusterRole a ClusterRoleBinding in the run grants.
    pub fn scope(&self, judged: &Judged<'_>) -> String {
        if !judged.role.cluster {
            return match self.index.namespace_of(judged.facts) {
                Some(ns) => format!("namespace `{ns}`"),
                None => "its namespace".to_owned(),
            };
        }
        if self.bindings_of(judged).iter().any(|b| b.cluster) {
            "every namespace (a ClusterRoleBinding grants it)".to_owned()
        } else {
            "each namespace it is bound in (every namespace through a ClusterRoleBinding)"
                .to_owned()
        }
    }

    /// Who the role is granted to, for a message: the subjects of its bindings in the run, the
    /// built-in roles it is aggregated into, or that no binding in the run names it.
    pub fn grantees(&self, judged: &Judged<'_>) -> String {
        let mut parts = Vec::new();
        let chain = self.chain(judged);
        let subjects = self.subjects(judged);
        if !subjects.is_empty() {
            let shown: Vec<String> = subjects.iter().take(3).map(|s| format!("`{s}`")).collect();
            let more = subjects.len().saturating_sub(3);
            let through = if chain.len() > 1 {
                let via: Vec<String> = chain[1..].iter().map(|(n, _)| format!("`{n}`")).collect();
                format!(
                    ", directly or through {}, which aggregate{} it",
                    via.join(", "),
                    if via.len() == 1 { "s" } else { "" }
                )
            } else {
                String::new()
            };
            parts.push(if more > 0 {
                format!("granted to {} and {more} more{through}", shown.join(", "))
            } else {
                format!("granted to {}{through}", shown.join(", "))
            });
        }
        let builtin: Vec<String> = BUILTIN_AGGREGATION
            .iter()
            .filter(|(label, _)| {
                judged.role.cluster
                    && chain
                        .iter()
                        .any(|(_, labels)| labels.get(*label).map(String::as_str) == Some("true"))
            })
            .map(|(_, role)| format!("`{role}`"))
            .collect();
        if !builtin.is_empty() {
            parts.push(format!(
                "aggregated into the built-in {} ClusterRole{}, so every subject bound to {} gets it",
                builtin.join(", "),
                if builtin.len() == 1 { "" } else { "s" },
                if builtin.len() == 1 { "it" } else { "them" },
            ));
        }
        if parts.is_empty() {
            parts.push(if chain.len() > 1 {
                let via: Vec<String> = chain[1..].iter().map(|(n, _)| format!("`{n}`")).collect();
                format!(
                    "aggregated into {}, which no binding in the run names",
                    via.join(", ")
                )
            } else {
                "no binding in the run names it".to_owned()
            });
        }
        format!(
            "{} `{}` ({})",
            judged.facts.id.kind,
            judged.facts.id.name,
            parts.join("; ")
        )
    }
}

/// The first value of `values` that is `*` or one of `wanted`.
pub fn covering<'a>(values: &'a [(String, Site)], wanted: &[&str]) -> Option<&'a (String, Site)> {
    values
        .iter()
        .find(|(v, _)| v == "*" || wanted.contains(&v.as_str()))
}

/// Whether a rule's `apiGroups` include the core group (`""`) or every group.
pub fn core_group(groups: &[(String, Site)]) -> bool {
    groups.iter().any(|(g, _)| g.is_empty() || g == "*")
}

/// The options of `rbac-secrets-access` and `rbac-pod-exec-attach` (documented under their
/// `## Options`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct GrantOptions {
    pub allowed_subjects: Vec<String>,
}

impl GrantOptions {
    /// Whether every subject the role is granted to is allowed (a role bound to nobody in the
    /// run is not: who will hold it is unknown).
    pub fn all_allowed(&self, subjects: &[&str]) -> bool {
        !subjects.is_empty()
            && subjects.iter().all(|s| {
                self.allowed_subjects
                    .iter()
                    .any(|a| match a.strip_suffix('*') {
                        Some(prefix) => s.starts_with(prefix),
                        None => a == s,
                    })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::GrantOptions;

    #[test]
    fn allowed_subjects_exact_and_prefix() {
        let options = GrantOptions {
            allowed_subjects: vec![
                "system:serviceaccount:cert-manager:*".to_owned(),
                "ops".to_owned(),
            ],
        };
        assert!(options.all_allowed(&["system:serviceaccount:cert-manager:cainjector", "ops"]));
        assert!(!options.all_allowed(&["ops", "dev"]));
        assert!(!options.all_allowed(&[]));
    }
}
