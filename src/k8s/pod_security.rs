//! The Pod Security Standards as the PodSecurity admission controller applies them: the levels,
//! the namespace labels that choose a level per mode, and policy versions.
//!
//! Facts only. The controls themselves are the `pod-security` rules; which of their findings
//! the API server would act on, namespace by namespace, is decided where the run's Namespaces
//! are known (`rules::pod_security::admission`).

use serde::{Deserialize, Serialize};

use super::KubeVersion;

/// A Pod Security Standards level. `Privileged` allows everything; each control belongs to
/// `Baseline` or `Restricted`, and `Restricted` includes every baseline control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "privileged" => Some(Level::Privileged),
            "baseline" => Some(Level::Baseline),
            "restricted" => Some(Level::Restricted),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

/// The version of the standards a mode applies: a namespace pins one (`v1.25`) so that a
/// cluster upgrade does not tighten its policy, or follows the cluster (`latest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PolicyVersion {
    #[default]
    Latest,
    Pinned(KubeVersion),
}

impl PolicyVersion {
    /// `latest`, or `v1.N` as the admission controller accepts it (the `v` is required).
    pub fn parse(text: &str) -> Option<PolicyVersion> {
        if text == "latest" {
            return Some(PolicyVersion::Latest);
        }
        let rest = text.strip_prefix('v')?;
        let (major, minor) = rest.split_once('.')?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if major != "1" || !digits(minor) || (minor.len() > 1 && minor.starts_with('0')) {
            return None;
        }
        Some(PolicyVersion::Pinned(KubeVersion {
            major: 1,
            minor: minor.parse().ok()?,
        }))
    }

    /// The version of the standards this means on a cluster running `cluster`: a pinned
    /// version newer than the cluster is evaluated as the cluster's own (`latest`), as the
    /// admission controller does.
    pub fn resolve(self, cluster: KubeVersion) -> KubeVersion {
        match self {
            PolicyVersion::Pinned(v) if v < cluster => v,
            _ => cluster,
        }
    }
}

impl std::fmt::Display for PolicyVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyVersion::Latest => f.write_str("latest"),
            PolicyVersion::Pinned(v) => write!(f, "v{v}"),
        }
    }
}

/// What a finding of a `pod-security` rule is, for the admission controller: a violation of a
/// control of `level`, under the versions of the standards from `since` up to (not including)
/// `until`. Most controls hold for every version; some began later (restricted capabilities
/// in v1.22), some relaxed later (an allowed sysctl added in v1.29), and Windows pods left
/// some restricted controls in v1.25.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PolicyGate {
    pub level: Level,
    pub since: KubeVersion,
    pub until: Option<KubeVersion>,
}

impl PolicyGate {
    /// A control of `level` that every version of the standards has.
    pub const fn of(level: Level) -> PolicyGate {
        PolicyGate {
            level,
            since: KubeVersion { major: 1, minor: 0 },
            until: None,
        }
    }

    /// A control of `level` that the standards have from `v1.<minor>` on.
    pub const fn since(level: Level, minor: u32) -> PolicyGate {
        PolicyGate {
            level,
            since: KubeVersion { major: 1, minor },
            until: None,
        }
    }

    /// This violation no longer counts from `v1.<minor>` on.
    pub const fn until(self, minor: u32) -> PolicyGate {
        let until = match self.until {
            Some(earlier) if earlier.minor < minor => earlier,
            _ => KubeVersion { major: 1, minor },
        };
        PolicyGate {
            until: Some(until),
            ..self
        }
    }

    /// Whether a policy of `level` at `version` refuses this violation.
    pub fn applies(&self, level: Level, version: KubeVersion) -> bool {
        self.level <= level && self.since <= version && self.until.is_none_or(|u| version < u)
    }

    /// Whether the violation counts in this version of the standards, at its own level.
    pub fn applies_in(&self, version: KubeVersion) -> bool {
        self.applies(self.level, version)
    }
}

/// The label prefix the admission controller reads on Namespaces.
pub const LABEL_PREFIX: &str = "pod-security.kubernetes.io/";

/// The three modes of the admission controller (`Mode::ALL` is the order they are graded in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// The API server refuses the pod.
    Enforce,
    /// The API server accepts it, and the client (`kubectl apply`) prints a warning.
    Warn,
    /// The API server accepts it and records the violation in the audit log.
    Audit,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Enforce, Mode::Warn, Mode::Audit];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Warn => "warn",
            Mode::Audit => "audit",
        }
    }
}

/// A level and the version of the standards it is applied at, for one mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ModePolicy {
    pub level: Level,
    pub version: PolicyVersion,
}

/// What a Namespace's `pod-security.kubernetes.io/<mode>` and `<mode>-version` labels set,
/// field by field: a mode's level and its version are each taken from the label when there
/// is one, else from the cluster's defaults (`ClusterPolicy`), as the admission controller's
/// `PolicyToEvaluate` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NamespacePolicy {
    /// Per mode, in `Mode::ALL` order.
    levels: [Option<Level>; 3],
    versions: [Option<PolicyVersion>; 3],
}

impl NamespacePolicy {
    /// The policy of a Namespace with these labels, or `None` when it has no
    /// `pod-security.kubernetes.io/` label. A value the admission controller cannot parse is
    /// read as it reads it: an unknown `enforce` level as `restricted` (fail closed), an
    /// unknown `warn` or `audit` level as `privileged` (fail open), an unknown version as
    /// `latest`. (Creating a Namespace with such a label is refused outright.)
    pub fn from_labels<'a>(
        labels: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Option<NamespacePolicy> {
        let mut policy = NamespacePolicy::default();
        let mut any = false;
        for (key, value) in labels {
            let Some(rest) = key.strip_prefix(LABEL_PREFIX) else {
                continue;
            };
            for (i, mode) in Mode::ALL.iter().enumerate() {
                if rest == mode.as_str() {
                    let fallback = match mode {
                        Mode::Enforce => Level::Restricted,
                        Mode::Warn | Mode::Audit => Level::Privileged,
                    };
                    policy.levels[i] = Some(Level::parse(value).unwrap_or(fallback));
                    any = true;
                } else if rest.strip_prefix(mode.as_str()) == Some("-version") {
                    policy.versions[i] = Some(PolicyVersion::parse(value).unwrap_or_default());
                    any = true;
                }
            }
        }
        any.then_some(policy)
    }

    /// The level the labels set for `mode`.
    pub fn level(&self, mode: Mode) -> Option<Level> {
        self.levels[mode as usize]
    }

    /// The version the labels set for `mode`.
    pub fn version(&self, mode: Mode) -> Option<PolicyVersion> {
        self.versions[mode as usize]
    }
}

/// The policy in force for one mode of a namespace: its labels (if the run holds the
/// Namespace) over the cluster's defaults. `None` when neither sets a level: the mode allows
/// everything. The flag tells whether the level came from the Namespace's label.
pub fn mode_policy(
    labels: Option<&NamespacePolicy>,
    cluster: &ClusterPolicy,
    mode: Mode,
) -> Option<(ModePolicy, bool)> {
    let labelled = labels.and_then(|l| l.level(mode));
    let level = labelled.or_else(|| cluster.level(mode))?;
    let version = labels
        .and_then(|l| l.version(mode))
        .or_else(|| cluster.version(mode))
        .unwrap_or_default();
    Some((ModePolicy { level, version }, labelled.is_some()))
}

/// The cluster's own PodSecurity configuration (its `AdmissionConfiguration`): the policy of
/// namespaces that have no label for a mode, and the exemptions. The configuration's
/// `pod-security:` key. Exempt users cannot be known from manifests, so they are not here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ClusterPolicy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enforce: Option<Level>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enforce_version: Option<PolicyVersion>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warn: Option<Level>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warn_version: Option<PolicyVersion>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit: Option<Level>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_version: Option<PolicyVersion>,
    /// The version of every mode that does not name its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<PolicyVersion>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exempt_namespaces: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exempt_runtime_classes: Vec<String>,
}

impl ClusterPolicy {
    /// The default level of `mode`, if the configuration sets one.
    pub fn level(&self, mode: Mode) -> Option<Level> {
        match mode {
            Mode::Enforce => self.enforce,
            Mode::Warn => self.warn,
            Mode::Audit => self.audit,
        }
    }

    /// The default version of `mode`: its own, else `version`.
    pub fn version(&self, mode: Mode) -> Option<PolicyVersion> {
        match mode {
            Mode::Enforce => self.enforce_version,
            Mode::Warn => self.warn_version,
            Mode::Audit => self.audit_version,
        }
        .or(self.version)
    }
}

impl Serialize for Level {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Level::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is not a Pod Security level: expected privileged, baseline or restricted"
            ))
        })
    }
}

impl Serialize for PolicyVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for PolicyVersion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        PolicyVersion::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is not a Pod Security version: expected `latest` or `v1.N`, such as `v1.30`"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(minor: u32) -> KubeVersion {
        KubeVersion { major: 1, minor }
    }

    #[test]
    fn versions_parse_as_the_admission_controller_reads_them() {
        assert_eq!(PolicyVersion::parse("latest"), Some(PolicyVersion::Latest));
        assert_eq!(
            PolicyVersion::parse("v1.25"),
            Some(PolicyVersion::Pinned(v(25)))
        );
        for bad in ["1.25", "v1.025", "v2.1", "v1", "v1.x", "Latest", ""] {
            assert_eq!(PolicyVersion::parse(bad), None, "{bad}");
        }
        assert_eq!(PolicyVersion::Pinned(v(40)).resolve(v(33)), v(33));
        assert_eq!(PolicyVersion::Pinned(v(25)).resolve(v(33)), v(25));
        assert_eq!(PolicyVersion::Latest.resolve(v(33)), v(33));
    }

    #[test]
    fn gates_cover_their_level_and_versions() {
        let caps = PolicyGate::since(Level::Restricted, 22);
        assert!(!caps.applies(Level::Baseline, v(33)));
        assert!(!caps.applies(Level::Restricted, v(21)));
        assert!(caps.applies(Level::Restricted, v(22)));
        let sysctl = PolicyGate::of(Level::Baseline).until(29);
        assert!(sysctl.applies(Level::Restricted, v(28)));
        assert!(!sysctl.applies(Level::Baseline, v(29)));
        assert!(!sysctl.applies(Level::Privileged, v(1)));
    }

    #[test]
    fn namespace_labels_set_each_field_over_the_cluster_defaults() {
        let labels = NamespacePolicy::from_labels([
            ("pod-security.kubernetes.io/enforce", "baseline"),
            ("pod-security.kubernetes.io/enforce-version", "v1.25"),
            ("pod-security.kubernetes.io/warn", "restricted"),
            ("pod-security.kubernetes.io/audit-version", "v1.20"),
            ("app", "x"),
        ])
        .unwrap();
        let none = ClusterPolicy::default();
        let policy = |labels: Option<&NamespacePolicy>, cluster: &ClusterPolicy, mode| {
            mode_policy(labels, cluster, mode)
        };
        assert_eq!(
            policy(Some(&labels), &none, Mode::Enforce),
            Some((
                ModePolicy {
                    level: Level::Baseline,
                    version: PolicyVersion::Pinned(v(25))
                },
                true
            ))
        );
        assert_eq!(
            policy(Some(&labels), &none, Mode::Warn).unwrap().0.version,
            PolicyVersion::Latest
        );
        // A version label without a level: nothing to apply it to, unless the cluster has one.
        assert_eq!(policy(Some(&labels), &none, Mode::Audit), None);
        let cluster = ClusterPolicy {
            audit: Some(Level::Restricted),
            version: Some(PolicyVersion::Pinned(v(30))),
            ..ClusterPolicy::default()
        };
        assert_eq!(
            policy(Some(&labels), &cluster, Mode::Audit),
            Some((
                ModePolicy {
                    level: Level::Restricted,
                    version: PolicyVersion::Pinned(v(20))
                },
                false
            ))
        );
        assert_eq!(
            policy(None, &cluster, Mode::Audit).unwrap().0.version,
            PolicyVersion::Pinned(v(30))
        );
        assert_eq!(NamespacePolicy::from_labels([("app", "x")]), None);
        // Unparseable values: enforce fails closed, warn and audit open, versions to latest.
        let invalid = NamespacePolicy::from_labels([
            ("pod-security.kubernetes.io/enforce", "strict"),
            ("pod-security.kubernetes.io/warn", "strict"),
            ("pod-security.kubernetes.io/enforce-version", "1.25"),
        ])
        .unwrap();
        assert_eq!(invalid.level(Mode::Enforce), Some(Level::Restricted));
        assert_eq!(invalid.level(Mode::Warn), Some(Level::Privileged));
        assert_eq!(invalid.version(Mode::Enforce), Some(PolicyVersion::Latest));
    }
}
