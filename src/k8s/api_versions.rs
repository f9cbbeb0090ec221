//! Which API versions Kubernetes stopped serving, when, and what replaces them: the table in
//! `rules/api-versions.yaml` (the Deprecated API Migration Guide since 1.16). It answers for
//! any target version, also those older than the embedded schemas (see `status`).

use std::sync::OnceLock;

use super::KubeVersion;

/// One row of `rules/api-versions.yaml`: an apiVersion that a release stopped serving for
/// some kinds.
#[derive(Debug)]
pub struct Removal {
    pub api_version: String,
    pub kinds: Vec<String>,
    /// The first release that no longer serves it.
    pub removed: KubeVersion,
    /// The apiVersion to use instead; absent when the API has no successor.
    pub replacement: Option<String>,
    /// What to do instead when there is no replacement.
    pub note: Option<String>,
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

/// Reads the table with our own YAML parser: a list of {api-version, kinds, removed,
/// replacement, note}.
fn parse_table(text: &str) -> Result<Vec<Removal>, String> {
    let lines = crate::parse::lines::LineIndex::new(text);
    let stream = crate::parse::parse_stream(text, &lines);
    if let Some(e) = stream.errors.first() {
        return Err(e.message.clone());
    }
    let doc = stream.documents.first().ok_or("empty table")?;
    doc.root()
        .items()
        .map(|row| {
            let text = |k: &str| row.get_str(k).map(str::to_owned);
            Ok(Removal {
                api_version: text("api-version").ok_or("row without api-version")?,
                kinds: row
                    .get("kinds")
                    .map(|k| {
                        k.items()
                            .filter_map(|i| i.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
                removed: row
                    .get("removed")
                    .and_then(|r| r.raw())
                    .and_then(KubeVersion::parse)
                    .ok_or("row without a removed version")?,
                replacement: text("replacement"),
                note: text("note"),
            })
        })
        .collect()
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
