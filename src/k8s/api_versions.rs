//! Which API versions Kubernetes stopped serving, when, and what replaces them: the table in
//! `rules/api-versions.yaml` (the Deprecated API Migration Guide since 1.16). It answers for
//! any target version, also those older than the embedded schemas (see `status`).

use std::sync::OnceLock;

use super::KubeVersion;

/// One row of `rules/api-versions.yaml`: an apiVersion that a release stopped serving for
/// some kinds.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Removal {
    pub api_version: String,
    pub kinds: Vec<String>,
    /// The first release that no longer serves it.
    #[serde(deserialize_with = "version")]
    pub removed: KubeVersion,
    /// The apiVersion to use instead; absent when the API has no successor.
    pub replacement: Option<String>,
    /// What to do instead when there is no replacement.
    pub note: Option<String>,
}

fn version<'de, D: serde::Deserializer<'de>>(d: D) -> Result<KubeVersion, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(d)?;
    KubeVersion::parse(&text)
        .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a version like 1.25")))
}

/// Where an apiVersion/kind the table lists stands for a target version.
#[derive(Debug, Clone, Copy)]
pub enum Status {
    /// The target no longer serves it (`removed` ≤ target).
    Removed(&'static Removal),
    /// The target still serves it, and a later release removes it.
    Deprecated(&'static Removal),
}

const TABLE: &str = include_str!("../../rules/api-versions.yaml");

/// Every row of the table, in its order.
pub fn removals() -> &'static [Removal] {
    static REMOVALS: OnceLock<Vec<Removal>> = OnceLock::new();
    REMOVALS.get_or_init(|| parse_table(TABLE).expect("rules/api-versions.yaml is valid (tested)"))
}

/// Reads the table through `parse::de`: errors name the table's line and column.
fn parse_table(text: &str) -> Result<Vec<Removal>, String> {
    crate::parse::de::from_str(text).map_err(|e| {
        let lines = crate::parse::lines::LineIndex::new(text);
        let p = e.position(text, &lines);
        format!(
            "rules/api-versions.yaml:{}:{}: {}",
            p.line,
            p.column,
            e.message()
        )
    })
}

/// The row of the table that removes `apiVersion`/`kind`, if any.
pub fn row(api_version: &str, kind: &str) -> Option<&'static Removal> {
    removals()
        .iter()
        .find(|r| r.api_version == api_version && r.kinds.iter().any(|k| k == kind))
}

/// The release that removed `apiVersion`/`kind`, if the table lists one.
pub fn removal(api_version: &str, kind: &str) -> Option<KubeVersion> {
    row(api_version, kind).map(|r| r.removed)
}

/// The apiVersion that replaces a removed one, if the table names one.
pub fn replacement(api_version: &str, kind: &str) -> Option<&'static str> {
    row(api_version, kind).and_then(|r| r.replacement.as_deref())
}

/// Whether `target` still serves `apiVersion`/`kind`, for an apiVersion the table lists; any
/// target version, whether kubelint has its schemas or not.
pub fn status(api_version: &str, kind: &str, target: KubeVersion) -> Option<Status> {
    let row = row(api_version, kind)?;
    Some(if row.removed <= target {
        Status::Removed(row)
    } else {
        Status::Deprecated(row)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_row_is_reported_at_its_line_and_column() {
        let bad = "- api-version: apps/v1beta1\n  kinds: [Deployment]\n  removed: soon\n";
        assert_eq!(
            parse_table(bad).unwrap_err(),
            "rules/api-versions.yaml:3:12: `soon` is not a version like 1.25"
        );
        let unknown = "- api-version: apps/v1beta1\n  kind: [Deployment]\n  removed: '1.16'\n";
        let error = parse_table(unknown).unwrap_err();
        assert!(
            error.starts_with("rules/api-versions.yaml:2:3: "),
            "{error}"
        );
    }

    #[test]
    fn the_table_is_valid_and_covers_the_guide() {
        let table = parse_table(TABLE).unwrap();
        assert!(table.len() >= 29);
        for row in &table {
            assert!(!row.kinds.is_empty(), "{row:?}");
            assert!(row.replacement.is_some() || row.note.is_some(), "{row:?}");
        }
        for version in ["1.16", "1.22", "1.25", "1.26", "1.27", "1.29", "1.32"] {
            let v = KubeVersion::parse(version).unwrap();
            assert!(
                table.iter().any(|r| r.removed == v),
                "no removal in {version}"
            );
        }
    }

    #[test]
    fn status_answers_for_any_target() {
        let v = |text| KubeVersion::parse(text).unwrap();
        let status = |target| status("batch/v1beta1", "CronJob", v(target));
        assert!(matches!(status("1.21"), Some(Status::Deprecated(r)) if r.removed == v("1.25")));
        assert!(matches!(status("1.25"), Some(Status::Removed(_))));
        assert!(matches!(status("1.37"), Some(Status::Removed(_))));
        assert_eq!(replacement("batch/v1beta1", "CronJob"), Some("batch/v1"));
        assert!(super::status("apps/v1", "Deployment", v("1.37")).is_none());
    }
}
