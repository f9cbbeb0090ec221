use super::super::{Finding, Options, Rule, declare_rule};
use crate::k8s::api_versions::{self, Status};
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
    ///
    /// ## Fix
    /// `--fix` changes `apiVersion` to the successor when that is only a rename for this object: the
    /// object as written is valid as the new version in the target's schemas (a
    /// `policy/v1beta1` PodDisruptionBudget becomes `policy/v1`; an `extensions/v1beta1` Deployment
    /// without `spec.selector` is not fixed, since `apps/v1` requires one). The move is an unsafe
    /// fix from `extensions/v1beta1` and `apps/v1beta1`, whose successors default other fields
    /// differently, and for a PodDisruptionBudget with an empty selector (nothing in `v1beta1`,
    /// every pod in `v1`).
    pub struct RemovedApiVersion => "removed-api-version";
}

impl Rule for RemovedApiVersion {
    fn check_object<'d>(&self, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
        let Some(Status::Removed(removal)) =
            api_versions::status(object.api_version, object.kind, options.target)
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
        let mut finding = Finding::new(node, message).help(help);
        finding.fix = removal
            .replacement
            .as_deref()
            .and_then(|r| super::super::api_version_fix(object, r, options));
        out.push(finding);
    }
}
