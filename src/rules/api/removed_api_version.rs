use std::sync::OnceLock;

use super::super::{Finding, KubeVersion, Options, Rule, declare_rule};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports an object whose `apiVersion` the target Kubernetes version no longer serves for
    /// its kind — every removal in the Kubernetes Deprecated API Migration Guide since 1.16
    /// (`extensions/v1beta1` Deployments, `policy/v1beta1` PodDisruptionBudgets, `batch/v1beta1`
    /// CronJobs, `autoscaling/v2beta2` HorizontalPodAutoscalers, …) — and names the version that
    /// replaces it. The target is `--kubernetes-version` (or `kubernetes-version:` in the
    /// configuration), by default the newest version kubelint knows; a version that still
    /// serves the API is not reported.
    ///
    /// ## Why is this bad
    /// The API server rejects the object (`no matches for kind "CronJob" in version
    /// "batch/v1beta1"`), so the apply fails — typically during a cluster upgrade, when the
    /// manifests that worked yesterday are re-applied.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: policy/v1beta1
    /// kind: PodDisruptionBudget
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// ```
    pub struct RemovedApiVersion => "removed-api-version";
}

/// One row of `rules/api-versions.yaml`.
#[derive(Debug)]
struct Removal {
    api_version: String,
    kinds: Vec<String>,
    removed: KubeVersion,
    replacement: Option<String>,
    note: Option<String>,
}

const TABLE: &str = include_str!("../../../rules/api-versions.yaml");

fn removals() -> &'static [Removal] {
    static REMOVALS: OnceLock<Vec<Removal>> = OnceLock::new();
    REMOVALS.get_or_init(|| parse_table(TABLE).expect("rules/api-versions.yaml is valid (tested)"))
}

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
fn row(api_version: &str, kind: &str) -> Option<&'static Removal> {
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

impl Rule for RemovedApiVersion {
    fn check_object<'d>(&self, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
        let Some(removal) =
            row(object.api_version, object.kind).filter(|r| r.removed <= options.target)
        else {
            return;
        };
        let node = object.root.get("apiVersion").unwrap_or(object.root);
        let message = format!(
            "`{}` {} is no longer served since Kubernetes {} (target: {})",
            removal.api_version, object.kind, removal.removed, options.target
        );
        let help = match (&removal.replacement, &removal.note) {
            (Some(replacement), _) => format!(
                "use `apiVersion: {replacement}`; check the migration notes for fields that changed (the `kubectl convert` plugin, installed separately, can rewrite the object)"
            ),
            (None, Some(note)) => note.clone(),
            (None, None) => "this API has no successor".to_owned(),
        };
        out.push(Finding::new(node, message).help(help));
    }
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
}
