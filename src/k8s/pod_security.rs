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
        PolicyGate {
            until: Some(KubeVersion { major: 1, minor }),
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

/// The three modes of the admission controller.
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

/// The policy a Namespace's `pod-security.kubernetes.io/*` labels set, mode by mode; a mode
/// without a label is `None` (the cluster's defaults apply to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NamespacePolicy {
    pub enforce: Option<ModePolicy>,
    pub warn: Option<ModePolicy>,
    pub audit: Option<ModePolicy>,
}

impl NamespacePolicy {
    /// The policy of a Namespace with these labels, or `None` when it has no
    /// `pod-security.kubernetes.io/` label. A version label without its level label sets
    /// nothing. A value the admission controller cannot parse makes it fall back to the most
    /// restrictive policy (`restricted` at `latest`), as it does.
    pub fn from_labels<'a>(
        labels: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Option<NamespacePolicy> {
        let mut levels: [Option<&str>; 3] = [None; 3];
        let mut versions: [Option<&str>; 3] = [None; 3];
        let mut any = false;
        for (key, value) in labels {
            let Some(rest) = key.strip_prefix(LABEL_PREFIX) else {
                continue;
            };
            for (i, mode) in Mode::ALL.iter().enumerate() {
                if rest == mode.as_str() {
                    levels[i] = Some(value);
                    any = true;
                } else if rest.strip_prefix(mode.as_str()) == Some("-version") {
                    versions[i] = Some(value);
                    any = true;
                }
            }
        }
        if !any {
            return None;
        }
        let mode = |i: usize| {
            let level = levels[i]?;
            let parsed = Level::parse(level)
                .zip(versions[i].map_or(Some(PolicyVersion::Latest), PolicyVersion::parse));
            Some(match parsed {
                Some((level, version)) => ModePolicy { level, version },
                None => ModePolicy {
                    level: Level::Restricted,
                    version: PolicyVersion::Latest,
                },
            })
        };
        Some(NamespacePolicy {
            enforce: mode(0),
            warn: mode(1),
            audit: mode(2),
        })
    }

    pub fn get(&self, mode: Mode) -> Option<ModePolicy> {
        match mode {
            Mode::Enforce => self.enforce,
            Mode::Warn => self.warn,
            Mode::Audit => self.audit,
        }
    }
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
    /// The default policy of `mode`, if the configuration sets a level for it.
    pub fn get(&self, mode: Mode) -> Option<ModePolicy> {
        let (level, version) = match mode {
            Mode::Enforce => (self.enforce, self.enforce_version),
            Mode::Warn => (self.warn, self.warn_version),
            Mode::Audit => (self.audit, self.audit_version),
        };
        Some(ModePolicy {
            level: level?,
            version: version.or(self.version).unwrap_or_default(),
        })
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
    fn namespace_labels_set_each_mode() {
        let policy = NamespacePolicy::from_labels([
            ("pod-security.kubernetes.io/enforce", "baseline"),
            ("pod-security.kubernetes.io/enforce-version", "v1.25"),
            ("pod-security.kubernetes.io/warn", "restricted"),
            ("pod-security.kubernetes.io/audit-version", "v1.20"),
            ("app", "x"),
        ])
        .unwrap();
        assert_eq!(
            policy.enforce,
            Some(ModePolicy {
                level: Level::Baseline,
                version: PolicyVersion::Pinned(v(25))
            })
        );
        assert_eq!(
            policy.warn,
            Some(ModePolicy {
                level: Level::Restricted,
                version: PolicyVersion::Latest
            })
        );
        assert_eq!(policy.audit, None);
        assert_eq!(NamespacePolicy::from_labels([("app", "x")]), None);
        let invalid =
            NamespacePolicy::from_labels([("pod-security.kubernetes.io/enforce", "strict")])
                .unwrap();
        assert_eq!(invalid.enforce.unwrap().level, Level::Restricted);
    }
}
