use super::super::{Rule, declare_rule};

declare_rule! {
    /// ## What it does
    /// Says where kubelint cannot evaluate a policy offline, so that silence is never mistaken for a
    /// pass: a ValidatingAdmissionPolicy without a ValidatingAdmissionPolicyBinding in the run (in a
    /// cluster it checks nothing either), a binding whose policy is not in the run, and a validation
    /// that asks the `authorizer` (only a live API server knows the user's permissions; that
    /// validation is skipped, the others still run). It points at the policy's name, the binding's
    /// `policyName` or the expression.
    ///
    /// ## Why is this bad
    /// An unbound policy looks like protection in review and enforces nothing in the cluster. A
    /// binding to a policy kept elsewhere is fine in a cluster, but kubelint cannot tell what it
    /// would refuse: pass the policy's file with `--policies` or `--context`.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: admissionregistration.k8s.io/v1
    /// kind: ValidatingAdmissionPolicy
    /// metadata:
    ///   name: require-team-label   # no binding names it
    /// spec:
    ///   matchConstraints:
    ///     resourceRules:
    ///     - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
    ///   validations:
    ///   - expression: "'team' in object.metadata.?labels.orValue({})"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: admissionregistration.k8s.io/v1
    /// kind: ValidatingAdmissionPolicyBinding
    /// metadata:
    ///   name: require-team-label
    /// spec:
    ///   policyName: require-team-label
    ///   validationActions: [Deny]
    /// ```
    pub struct PolicyNotEvaluated => "policy-not-evaluated";
}

/// The policy stage (`crate::policy`) reports it while it reads the run's policies: the rule
/// itself looks at no object.
impl Rule for PolicyNotEvaluated {}
