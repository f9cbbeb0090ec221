use super::super::{Finding, Options, Rule, declare_rule};
use super::report_missing;
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports a container of a long-running workload that has no `livenessProbe`. The same
    /// containers are checked as for `missing-readiness-probe`. The default severity is `info`:
    /// a process that exits when it breaks needs no liveness probe, so this is a prompt to
    /// decide, not a defect.
    ///
    /// ## Why is this bad
    /// A process that hangs (a deadlock, an exhausted pool) without exiting is never restarted:
    /// the pod stays Running, and if it is also ready, keeps receiving traffic it cannot serve.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: worker
    ///     image: example/worker:2.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: worker
    ///     image: example/worker:2.0
    ///     livenessProbe:
    ///       exec:
    ///         command: ["/bin/worker", "healthcheck"]
    ///       periodSeconds: 20
    ///       failureThreshold: 3
    /// ```
    pub struct MissingLivenessProbe => "missing-liveness-probe";
}

impl Rule for MissingLivenessProbe {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        report_missing(
            object,
            "livenessProbe",
            "liveness",
            "add a `livenessProbe` that fails only when the process is stuck and a \
                         restart would help; keep it less strict than the readiness probe",
            out,
        );
    }
}
