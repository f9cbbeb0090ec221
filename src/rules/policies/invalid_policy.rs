use super::super::{Rule, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a ValidatingAdmissionPolicy (or a kubelint policy file) that cannot be used as
    /// written: a CEL expression that does not compile — pointed at the column inside the
    /// expression — a call to a function the Kubernetes CEL environment does not declare, or a
    /// validation without an `expression`. A policy file's problems are reported as errors of the
    /// run, naming the file, line and column.
    ///
    /// ## Why is this bad
    /// The API server type-checks every expression when the policy is created and refuses the
    /// policy: it never runs, and the objects it was written to stop are admitted. A policy that is
    /// refused at `kubectl apply` time is usually found only after the rollout it should have guarded.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: admissionregistration.k8s.io/v1
    /// kind: ValidatingAdmissionPolicy
    /// metadata:
    ///   name: replicas-limit
    /// spec:
    ///   matchConstraints:
    ///     resourceRules:
    ///     - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
    ///   validations:
    ///   - expression: object.spec.replicas <= 5 &&   # unfinished expression
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///   validations:
    ///   - expression: object.spec.replicas <= 5
    /// ```
    pub struct InvalidPolicy => "invalid-policy";
}

/// The policy stage (`crate::policy`) reports it while it reads the run's policies: the rule
/// itself looks at no object.
impl Rule for InvalidPolicy {}
