use super::super::{Finding, Options, Rule, declare_rule};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports a `policy/v1` PodDisruptionBudget that does not set
    /// `spec.unhealthyPodEvictionPolicy`, at the budget's name. An explicit
    /// `IfHealthyBudget` is a choice and is not reported (kube-linter agrees). Off by default;
    /// silent when the target Kubernetes version is below 1.27, where the field is not on by
    /// default.
    ///
    /// ## Why is this bad
    /// Under the default policy, `IfHealthyBudget`, a pod that is running but not ready can be
    /// evicted only while the budget is satisfied. When a bad rollout or a broken dependency
    /// leaves pods crash-looping, the budget is not satisfied, so their eviction is refused: a
    /// node drain waits forever on pods that serve nothing. `AlwaysAllow` lets the eviction API
    /// remove not-ready pods regardless of the budget, while still protecting the healthy
    /// ones, which is what most services want. It is off by default because the default policy
    /// is a defensible choice for workloads whose pods are slow to become ready (a database
    /// catching up on replication), where evicting a not-yet-ready replica loses progress.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// spec:
    ///   maxUnavailable: 1
    ///   selector:
    ///     matchLabels: {app: web}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// spec:
    ///   maxUnavailable: 1
    ///   unhealthyPodEvictionPolicy: AlwaysAllow
    ///   selector:
    ///     matchLabels: {app: web}
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (with `--enable`): 17 findings in 15 files, all read; every
    /// one is a `policy/v1` budget without the field, as the rule says (one file in the corpus
    /// sets it). 5 are Argo CD test data; the Knative, Prometheus, Alertmanager and webhook
    /// budgets are the ones the policy is meant for; the MySQL and Redis budgets of two GKE
    /// samples are where `IfHealthyBudget` may be the better choice — a policy, hence off by
    /// default. Agrees with kube-linter's `pdb-unhealthy-pod-eviction-policy` on its three
    /// fixtures (`fire` fires; `dont-fire-1`, AlwaysAllow, and `dont-fire-2`, an explicit
    /// IfHealthyBudget, do not). kube-score's "PodDisruptionBudget has policy" checks that
    /// `minAvailable` or `maxUnavailable` is set, a different check: not mapped.
    pub struct PdbUnhealthyEvictionPolicy => "pdb-unhealthy-eviction-policy";
}

impl Rule for PdbUnhealthyEvictionPolicy {
    fn check_object<'d>(&self, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
        if object.kind != "PodDisruptionBudget" || object.api_version != "policy/v1" {
            return;
        }
        let target = options.target;
        if target.major == 1 && target.minor < 27 {
            return;
        }
        let Some(spec) = object.root.get("spec").filter(|s| s.is_map()) else {
            return;
        };
        if spec.get("unhealthyPodEvictionPolicy").is_some() {
            return;
        }
        out.push(
            Finding::new(
                object.anchor_node(),
                format!(
                    "PodDisruptionBudget `{}` sets no `unhealthyPodEvictionPolicy`: under the \
                     default (IfHealthyBudget), crash-looping pods it selects cannot be evicted \
                     while the budget is short, so node drains hang on pods that serve nothing",
                    object.id().name
                ),
            )
            .help("set `spec.unhealthyPodEvictionPolicy: AlwaysAllow`"),
        );
    }
}
