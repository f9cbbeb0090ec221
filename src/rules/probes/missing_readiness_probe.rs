use super::super::{Finding, Options, Rule, declare_rule};
use super::report_missing;
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports a container of a long-running workload (Deployment, StatefulSet, DaemonSet,
    /// ReplicaSet, ReplicationController, or a bare Pod that restarts) that has no
    /// `readinessProbe`. Native sidecars (init containers with `restartPolicy: Always`) are
    /// checked too; init containers, Jobs, CronJobs and run-once Pods are not.
    ///
    /// ## Why is this bad
    /// Without a readiness probe a pod counts as ready the moment its containers start:
    /// Services send it traffic before the application listens, and a rolling update
    /// replaces healthy pods with ones that cannot serve yet, so a broken release takes all
    /// traffic down instead of stalling.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: example/web:1.4
    ///     ports:
    ///       - name: http
    ///         containerPort: 8080
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: example/web:1.4
    ///     ports:
    ///       - name: http
    ///         containerPort: 8080
    ///     readinessProbe:
    ///       httpGet:
    ///         path: /healthz/ready
    ///         port: http
    /// ```
    pub struct MissingReadinessProbe => "missing-readiness-probe";
}

impl Rule for MissingReadinessProbe {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        report_missing(
            object,
            "readinessProbe",
            "readiness",
            "add a `readinessProbe` (httpGet, tcpSocket, grpc or exec) that passes only \
                         once the container can serve, so traffic and rollouts wait for it",
            out,
        );
    }
}
