use super::super::{Finding, Options, Rule, declare_rule};
use crate::k8s::KubeVersion;
use crate::model::{Object, is_templated};
use crate::parse::tree::Node;

declare_rule! {
    /// ## What it does
    /// Reports what the API server's validation of an `apps/v1` Deployment, ReplicaSet,
    /// StatefulSet or DaemonSet, or a `batch/v1` Job or CronJob, refuses, after the API
    /// server's defaulting, each at the offending value (or key, for a block that may not be
    /// there):
    /// - negative counts and durations: `replicas`, `minReadySeconds`, `revisionHistoryLimit`,
    ///   `progressDeadlineSeconds`; a StatefulSet's `ordinals.start` and `partition`; a Job's
    ///   `parallelism`, `completions`, `backoffLimit`, `activeDeadlineSeconds`,
    ///   `ttlSecondsAfterFinished`, `backoffLimitPerIndex`, `maxFailedIndexes`; a CronJob's
    ///   `startingDeadlineSeconds` and history limits;
    /// - a Deployment's `progressDeadlineSeconds` not greater than `minReadySeconds` (it
    ///   defaults to 600, so `minReadySeconds: 600` alone is refused);
    /// - a Deployment strategy `Recreate` with a `rollingUpdate` block, `maxSurge` and
    ///   `maxUnavailable` both 0 (an absent one defaults to 25%), either one negative or a
    ///   string that is not a percentage (`"1"`, `ten`), `maxUnavailable` above 100%;
    /// - a DaemonSet's rolling update with `maxSurge` and `maxUnavailable` both 0, or both
    ///   non-zero (`maxUnavailable` defaults to 1, so `maxSurge: 1` alone is refused), and the
    ///   same syntax and 100% checks on both (an `OnDelete` DaemonSet may keep a
    ///   `rollingUpdate` block: the API server accepts it);
    /// - a StatefulSet `OnDelete` with a `rollingUpdate` block, `persistentVolumeClaimRetentionPolicy`
    ///   values other than `Retain`/`Delete`, and from 1.35 (when `maxUnavailable` stops being
    ///   dropped) a rolling update `maxUnavailable` of 0, malformed or above 100%;
    /// - a Job whose `selector` is set without `manualSelector: true` and selects anything but
    ///   the labels the API server generates (it adds the new Job's uid to the selector and
    ///   refuses it unless it then selects the pods' `controller-uid` and `job-name`: a Job
    ///   copied from `kubectl get -o yaml`, with the old uid, is refused; a selector on the
    ///   Job's own `job-name` passes), at the `selector` key,
    ///   `manualSelector: true` without a `selector`, a CronJob job template with a `selector`
    ///   or `manualSelector: true`;
    /// - `completionMode: Indexed` without `completions`, `parallelism` above 100000 in
    ///   Indexed mode, `backoffLimitPerIndex` or `maxFailedIndexes` without Indexed mode,
    ///   `maxFailedIndexes` without `backoffLimitPerIndex`, above `completions` or above
    ///   100000;
    /// - a CronJob `schedule` that the API server's cron parser (robfig/cron v3,
    ///   `ParseStandard`) refuses, naming the field: not five fields, a value out of range
    ///   (`minute field `60` is out of range 0-59`; the day of week is 0-6, `7` is refused),
    ///   a range that ends before it starts, a step of 0, an unknown name or descriptor
    ///   (`@reboot`), an `@every` that is not a Go duration (`1d`); and any `TZ=`/`CRON_TZ=`
    ///   in it (the API server refuses it on create since the `timeZone` field exists);
    /// - a CronJob `timeZone` that is empty, `Local`, or not a name of the IANA tz database
    ///   (case-sensitive: `europe/berlin` is refused). The names are embedded from the tz
    ///   database's `tzdata.zi` (version in `src/rules/schema/time_zones.txt`; regenerate
    ///   with `scripts/time-zones.sh`).
    ///
    /// Left to other rules: a missing `selector`, `template` or `schedule` and unknown enum
    /// values (`podManagementPolicy`, `concurrencyPolicy`, strategy `type`) are
    /// `missing-required-field` and `invalid-value`; an empty selector, a selector that does
    /// not match the template's labels, and a template with no labels at all are
    /// `selector-template-mismatch`; names (a CronJob's 52 characters) are `invalid-name`; the
    /// pod template (`restartPolicy` per kind) is `invalid-pod-spec`. A StatefulSet without
    /// `serviceName` is accepted (the API server never required it; the OpenAPI schema of
    /// every version kubelint targets marks it optional). Values written as template
    /// placeholders (`{{ .Values.x }}`) are not judged. Out of scope: what only the cluster
    /// decides (immutable fields on update, quota, admission webhooks).
    ///
    /// ## Why is this bad
    /// The API server refuses the whole object (`spec.strategy.rollingUpdate.maxUnavailable:
    /// Invalid value: 0: may not be 0 when `maxSurge` is 0`, `spec.schedule: Invalid value:
    /// "0 0 * * 7": end of range (7) above maximum (6): 7`), so the apply fails in the
    /// pipeline, often halfway through a release, instead of in review.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   strategy:
    ///     rollingUpdate: {maxSurge: 0, maxUnavailable: 0}
    /// ---
    /// kind: CronJob
    /// spec:
    ///   schedule: "0 3 * * 7"
    ///   timeZone: europe/berlin
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   strategy:
    ///     rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
    /// ---
    /// kind: CronJob
    /// spec:
    ///   schedule: "0 3 * * 0"
    ///   timeZone: Europe/Berlin
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files; 921 declare a workload, 13 a CronJob): 5
    /// findings in 5 files, all read, all true: Jobs dumped with `kubectl get -o yaml` (with
    /// `status`, `uid` and the generated `controller-uid` selector) kept as argo-cd health-check
    /// test data; applying any of them is refused (`selector` not auto-generated). No other
    /// check fires there: real manifests that were applied do not carry these mistakes, which
    /// is why the rule reports only what the API server refuses, never style. On by default,
    /// like the rest of the `invalid-*` family: every finding is an apply that would fail. No
    /// peer (kubeconform, kube-linter) checks any of this.
    pub struct InvalidWorkloadSpec => "invalid-workload-spec";
}

impl Rule for InvalidWorkloadSpec {
    fn check_object<'d>(&self, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
        let Some(spec) = object.root.get_some("spec").filter(|s| s.is_map()) else {
            return;
        };
        match (object.api_version, object.kind) {
            ("apps/v1", "Deployment") => deployment(spec, out),
            ("apps/v1", "ReplicaSet") => {
                // ValidateReplicaSetSpec
                non_negative(spec, "replicas", out);
                non_negative(spec, "minReadySeconds", out);
            }
            ("apps/v1", "DaemonSet") => daemon_set(spec, out),
            ("apps/v1", "StatefulSet") => stateful_set(spec, options, out),
            ("batch/v1", "Job") => job(spec, object.name, false, out),
            ("batch/v1", "CronJob") => cron_job(spec, out),
            _ => {}
        }
    }
}

/// A count or duration the API server requires to be at least 0 (`ValidateNonnegativeField`).
fn non_negative<'d>(spec: Node<'d>, key: &str, out: &mut Vec<Finding<'d>>) -> Option<i64> {
    let (node, value) = int(spec, key)?;
    if value < 0 {
        out.push(
            Finding::new(
                node,
                format!("`{key}` is {value}; the API server refuses the object: it must be greater than or equal to 0"),
            )
            .help(format!("set `{key}` to 0 or more, or remove it for the default")),
        );
    }
    Some(value)
}

fn int<'d>(map: Node<'d>, key: &str) -> Option<(Node<'d>, i64)> {
    let node = map.get_some(key)?;
    Some((node, node.as_i64()?))
}

/// An `IntOrString` field after defaulting: how the API server reads `maxSurge` and
/// `maxUnavailable`.
#[derive(Clone, Copy)]
enum IntOrPercent<'d> {
    /// Absent: the default applies.
    Default(i64),
    /// A value this run cannot judge (a template placeholder, a mapping).
    Unknown,
    Set(Node<'d>, IntOrStr<'d>),
}

#[derive(Clone, Copy)]
enum IntOrStr<'d> {
    Int(i64),
    Str(&'d str),
}

impl<'d> IntOrPercent<'d> {
    fn of(map: Option<Node<'d>>, key: &str, default: i64) -> Self {
        let Some(node) = map.and_then(|m| m.get_some(key)) else {
            return IntOrPercent::Default(default);
        };
        if let Some(i) = node
            .scalar_value()
            .and_then(|_| node.as_i64())
            .filter(|_| !node.is_quoted())
        {
            return IntOrPercent::Set(node, IntOrStr::Int(i));
        }
        match node.as_str() {
            Some(s) if !is_templated(s) => IntOrPercent::Set(node, IntOrStr::Str(s)),
            _ => IntOrPercent::Unknown,
        }
    }

    /// `getIntOrPercentValue`: a percent's number, an integer, a malformed string's integer
    /// reading or 0. `None` when unknown.
    fn value(self) -> Option<i64> {
        match self {
            IntOrPercent::Default(v) => Some(v),
            IntOrPercent::Unknown => None,
            IntOrPercent::Set(_, IntOrStr::Int(i)) => Some(i),
            IntOrPercent::Set(_, IntOrStr::Str(s)) => Some(match percent(s) {
                Some(p) => p,
                None => s.parse().unwrap_or(0),
            }),
        }
    }

    fn node(self) -> Option<Node<'d>> {
        match self {
            IntOrPercent::Set(node, _) => Some(node),
            _ => None,
        }
    }

    /// `ValidatePositiveIntOrPercent`, then, with `cap`, `IsNotMoreThan100Percent`.
    fn check(self, key: &str, cap: bool, out: &mut Vec<Finding<'d>>) {
        let IntOrPercent::Set(node, value) = self else {
            return;
        };
        match value {
            IntOrStr::Int(i) if i < 0 => out.push(
                Finding::new(
                    node,
                    format!("`{key}` is {i}; the API server refuses the object: it must be greater than or equal to 0"),
                )
                .help(format!("set `{key}` to a number of pods (0 or more) or a percentage such as `25%`")),
            ),
            IntOrStr::Int(_) => {}
            IntOrStr::Str(s) => match percent(s) {
                None => out.push(
                    Finding::new(
                        node,
                        format!("`{key}` is the string `{s}`, which is neither a number nor a percentage; the API server refuses the object: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%', or '93%')"),
                    )
                    .help(match s.parse::<u64>() {
                        Ok(n) => format!("write `{key}: {n}` unquoted for a number of pods, or `\"{n}%\"` for a percentage"),
                        Err(_) => format!("set `{key}` to a number of pods or a percentage such as `25%`"),
                    }),
                ),
                Some(p) if cap && p > 100 => out.push(
                    Finding::new(
                        node,
                        format!("`{key}` is `{s}`; the API server refuses the object: it must not be greater than 100%"),
                    )
                    .help(format!("set `{key}` to at most `100%`")),
                ),
                Some(_) => {}
            },
        }
    }
}

/// `IsValidPercent` (`[0-9]+%`) and its number.
fn percent(s: &str) -> Option<i64> {
    let digits = s.strip_suffix('%')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.parse().unwrap_or(i64::MAX))
}

/// `ValidateDeploymentSpec` and `ValidateDeploymentStrategy`, after `SetDefaults_Deployment`
/// (RollingUpdate with 25%/25%, `progressDeadlineSeconds` 600).
fn deployment<'d>(spec: Node<'d>, out: &mut Vec<Finding<'d>>) {
    non_negative(spec, "replicas", out);
    let min_ready = non_negative(spec, "minReadySeconds", out);
    non_negative(spec, "revisionHistoryLimit", out);
    non_negative(spec, "progressDeadlineSeconds", out);
    let min = min_ready.unwrap_or(0);
    if let Some((node, pds)) = int(spec, "progressDeadlineSeconds") {
        if (0..=min).contains(&pds) {
            out.push(
                Finding::new(
                    node,
                    format!("`progressDeadlineSeconds` ({pds}) is not greater than `minReadySeconds` ({min}); the API server refuses the object: progressDeadlineSeconds must be greater than minReadySeconds"),
                )
                .help("make `progressDeadlineSeconds` larger than `minReadySeconds`: a rollout cannot progress before its pods have been ready that long"),
            );
        }
    } else if spec.get_some("progressDeadlineSeconds").is_none()
        && min >= 600
        && let Some((node, _)) = int(spec, "minReadySeconds")
    {
        out.push(
                Finding::new(
                    node,
                    format!("`minReadySeconds` ({min}) is not below `progressDeadlineSeconds`, which defaults to 600; the API server refuses the object: progressDeadlineSeconds must be greater than minReadySeconds"),
                )
                .help(format!("set `progressDeadlineSeconds` above {min}, or lower `minReadySeconds`")),
            );
    }

    let Some(strategy) = spec.get_some("strategy").filter(|s| s.is_map()) else {
        return;
    };
    let rolling = strategy
        .entry("rollingUpdate")
        .filter(|(_, v)| !v.is_null());
    match strategy
        .get_some("type")
        .and_then(|t| t.as_str())
        .unwrap_or("RollingUpdate")
    {
        "Recreate" => {
            if let Some((key, _)) = rolling {
                out.push(
                    Finding::new(
                        key,
                        "`rollingUpdate` is set while the strategy `type` is `Recreate`; the API server refuses the object: rollingUpdate may not be specified when strategy `type` is 'Recreate'",
                    )
                    .help("remove `rollingUpdate`, or set `type: RollingUpdate` if a rolling update is what is meant"),
                );
            }
        }
        "RollingUpdate" => {
            let rolling = rolling.map(|(_, v)| v).filter(|v| v.is_map());
            let surge = IntOrPercent::of(rolling, "maxSurge", 25);
            let unavailable = IntOrPercent::of(rolling, "maxUnavailable", 25);
            unavailable.check("maxUnavailable", true, out);
            surge.check("maxSurge", false, out);
            if surge.value() == Some(0)
                && unavailable.value() == Some(0)
                && let Some(node) = unavailable.node()
            {
                out.push(
                        Finding::new(
                            node,
                            "`maxUnavailable` and `maxSurge` are both 0; the API server refuses the object: maxUnavailable may not be 0 when maxSurge is 0 (a rollout could neither stop an old pod nor start a new one)",
                        )
                        .help("set `maxSurge: 1` (start a new pod before stopping an old one) or `maxUnavailable: 1`"),
                    );
            }
        }
        _ => {}
    }
}

/// `ValidateDaemonSetSpec`, `ValidateDaemonSetUpdateStrategy` and
/// `ValidateRollingUpdateDaemonSet`, after `SetDefaults_DaemonSet` (RollingUpdate,
/// `maxUnavailable` 1, `maxSurge` 0).
fn daemon_set<'d>(spec: Node<'d>, out: &mut Vec<Finding<'d>>) {
    non_negative(spec, "minReadySeconds", out);
    non_negative(spec, "revisionHistoryLimit", out);
    let Some(strategy) = spec.get_some("updateStrategy").filter(|s| s.is_map()) else {
        return;
    };
    // OnDelete ignores `rollingUpdate`: the API server accepts the pair for a DaemonSet.
    if strategy
        .get_some("type")
        .and_then(|t| t.as_str())
        .unwrap_or("RollingUpdate")
        != "RollingUpdate"
    {
        return;
    }
    let rolling = strategy.get_some("rollingUpdate").filter(|v| v.is_map());
    let surge = IntOrPercent::of(rolling, "maxSurge", 0);
    let unavailable = IntOrPercent::of(rolling, "maxUnavailable", 1);
    unavailable.check("maxUnavailable", true, out);
    surge.check("maxSurge", true, out);
    match (unavailable.value(), surge.value()) {
        (Some(u), Some(s)) if u != 0 && s != 0 => {
            if let Some(node) = surge.node() {
                let given = match unavailable {
                    IntOrPercent::Default(_) => "`maxUnavailable` defaults to 1",
                    _ => "`maxUnavailable` is not 0",
                };
                out.push(
                    Finding::new(
                        node,
                        format!("`maxSurge` is set while {given}; the API server refuses the object: a DaemonSet's maxSurge may not be set when maxUnavailable is non-zero"),
                    )
                    .help("set `maxUnavailable: 0` to surge (start the new pod on a node before stopping the old one), or remove `maxSurge`"),
                );
            }
        }
        (Some(0), Some(0)) => {
            if let Some(node) = unavailable.node() {
                out.push(
                    Finding::new(
                        node,
                        "`maxUnavailable` and `maxSurge` are both 0; the API server refuses the object: a DaemonSet's maxUnavailable cannot be 0 when maxSurge is 0 (a rollout could not replace any pod)",
                    )
                    .help("set `maxUnavailable: 1`, or `maxSurge: 1` to start the new pod before stopping the old one"),
                );
            }
        }
        _ => {}
    }
}

/// `ValidateStatefulSetSpec`, `validateRollingUpdateStatefulSet` and
/// `ValidatePersistentVolumeClaimRetentionPolicy`.
fn stateful_set<'d>(spec: Node<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
    non_negative(spec, "replicas", out);
    non_negative(spec, "minReadySeconds", out);
    if let Some((node, start)) = spec.get_some("ordinals").and_then(|o| int(o, "start"))
        && start < 0
    {
        out.push(
                Finding::new(
                    node,
                    format!("`ordinals.start` is {start}; the API server refuses the object: it must be greater than or equal to 0"),
                )
                .help("number the pods from 0 or more"),
            );
    }
    if let Some(policy) = spec.get_some("persistentVolumeClaimRetentionPolicy") {
        for key in ["whenDeleted", "whenScaled"] {
            let Some(node) = policy.get_some(key) else {
                continue;
            };
            // An empty value is defaulted to `Retain` before validation.
            let Some(value) = node.as_str().filter(|v| !is_templated(v) && !v.is_empty()) else {
                continue;
            };
            if !matches!(value, "Retain" | "Delete") {
                out.push(
                    Finding::new(
                        node,
                        format!("`persistentVolumeClaimRetentionPolicy.{key}` is `{value}`; the API server refuses the object: supported values: \"Retain\", \"Delete\""),
                    )
                    .help(format!("set `{key}` to `Retain` (keep the claims) or `Delete`")),
                );
            }
        }
    }
    let Some(strategy) = spec.get_some("updateStrategy").filter(|s| s.is_map()) else {
        return;
    };
    let rolling = strategy
        .entry("rollingUpdate")
        .filter(|(_, v)| !v.is_null());
    match strategy
        .get_some("type")
        .and_then(|t| t.as_str())
        .unwrap_or("RollingUpdate")
    {
        "OnDelete" => {
            if let Some((key, _)) = rolling {
                out.push(
                    Finding::new(
                        key,
                        "`rollingUpdate` is set while the update strategy `type` is `OnDelete`; the API server refuses the object: rollingUpdate is only allowed for updateStrategy 'RollingUpdate'",
                    )
                    .help("remove `rollingUpdate`, or set `type: RollingUpdate` if a rolling update is what is meant"),
                );
            }
        }
        "RollingUpdate" => {
            let Some(rolling) = rolling.map(|(_, v)| v).filter(|v| v.is_map()) else {
                return;
            };
            if let Some((node, p)) = int(rolling, "partition")
                && p < 0
            {
                out.push(
                        Finding::new(
                            node,
                            format!("`partition` is {p}; the API server refuses the object: it must be greater than or equal to 0"),
                        )
                        .help("set `partition: 0` to update every pod, or the ordinal from which pods are updated"),
                    );
            }
            // maxUnavailable is dropped before validation while the MaxUnavailableStatefulSet
            // gate is off: it is on by default from 1.35 (beta).
            if options.target
                >= (KubeVersion {
                    major: 1,
                    minor: 35,
                })
            {
                let unavailable = IntOrPercent::of(Some(rolling), "maxUnavailable", 1);
                unavailable.check("maxUnavailable", true, out);
                if let (Some(0), Some(node)) = (unavailable.value(), unavailable.node()) {
                    out.push(
                        Finding::new(
                            node,
                            "`maxUnavailable` is 0; the API server refuses the object: a StatefulSet's maxUnavailable cannot be 0 (no pod could ever be updated)",
                        )
                        .help("set `maxUnavailable: 1` (the default), or remove it"),
                    );
                }
            }
        }
        _ => {}
    }
}

/// `validateJobSpec`, and for a CronJob's `jobTemplate`, `ValidateJobTemplateSpec`.
fn job<'d>(spec: Node<'d>, name: Option<&str>, in_cron_job: bool, out: &mut Vec<Finding<'d>>) {
    non_negative(spec, "parallelism", out);
    let completions = non_negative(spec, "completions", out);
    non_negative(spec, "activeDeadlineSeconds", out);
    non_negative(spec, "backoffLimit", out);
    non_negative(spec, "ttlSecondsAfterFinished", out);

    let manual = spec.get("manualSelector").and_then(|m| m.as_bool()) == Some(true);
    let selector = spec.entry("selector").filter(|(_, v)| !v.is_null());
    if in_cron_job {
        if let Some((key, _)) = selector {
            out.push(
                Finding::new(
                    key,
                    "a CronJob's job template sets `selector`; the API server refuses the object: `selector` will be auto-generated",
                )
                .help("remove `selector` from `jobTemplate.spec`: each Job gets a generated one that selects its own pods"),
            );
        }
        if let (true, Some(node)) = (manual, spec.get("manualSelector")) {
            out.push(
                Finding::new(
                    node,
                    "a CronJob's job template sets `manualSelector: true`; the API server refuses the object: supported values: \"nil\", \"false\"",
                )
                .help("remove `manualSelector` from `jobTemplate.spec`"),
            );
        }
    } else if let (Some((key, value)), false) = (selector, manual) {
        if selects_generated_labels(value, name) {
            return job_indexes(spec, completions, out);
        }
        out.push(
            Finding::new(
                key,
                "the Job's `selector` (without `manualSelector: true`) does not select the labels the API server generates for its pods; the API server refuses the object: `selector` not auto-generated (it adds the new Job's uid to the selector, which must then select the pods' `controller-uid` and `job-name`)",
            )
            .help("remove `selector` (and the `controller-uid`/`batch.kubernetes.io/*` labels copied from a live Job), or set `manualSelector: true` if the selector is deliberate"),
        );
    } else if let (None, true, Some(node)) = (selector, manual, spec.get("manualSelector")) {
        out.push(
            Finding::new(
                node,
                "the Job sets `manualSelector: true` but no `selector`; the API server refuses the object: spec.selector is required",
            )
            .help("add a `selector` that matches the pod template's labels, or remove `manualSelector`"),
        );
    }
    job_indexes(spec, completions, out);
}

/// `ValidateGeneratedSelector`: without `manualSelector`, the API server adds
/// `batch.kubernetes.io/controller-uid=<new uid>` to the selector and accepts it only if it
/// still selects the labels it gives the Job's pods (`controller-uid`, `job-name`, legacy and
/// prefixed). A selector on the Job's name alone passes; one on anything else, or on the uid
/// of an earlier Job, cannot. `None` name or an unreadable selector: not judged.
fn selects_generated_labels(selector: Node<'_>, name: Option<&str>) -> bool {
    let Some(name) = name.filter(|n| !is_templated(n)) else {
        return true;
    };
    if !selector.is_map() {
        return true;
    }
    // The value each generated label has on the new Job's pods; `None` for the uid, which no
    // written value can equal since the Job does not exist yet.
    let generated = |key: &str| -> Option<Option<&str>> {
        match key {
            "controller-uid" | "batch.kubernetes.io/controller-uid" => Some(None),
            "job-name" | "batch.kubernetes.io/job-name" => Some(Some(name)),
            _ => None,
        }
    };
    let labels_match = selector.get_some("matchLabels").is_none_or(|labels| {
        labels.entries().all(|(k, v)| {
            let (Some(k), Some(v)) = (k.key_text(), v.raw()) else {
                return true;
            };
            if is_templated(k) || is_templated(v) {
                return true;
            }
            generated(k) == Some(Some(v))
        })
    });
    let expressions_match = selector.get_some("matchExpressions").is_none_or(|list| {
        list.items().all(|e| {
            let (Some(key), Some(op)) = (e.get_str("key"), e.get_str("operator")) else {
                return true;
            };
            let values: Vec<&str> = e
                .get_some("values")
                .map(|v| v.items().filter_map(|v| v.raw()).collect())
                .unwrap_or_default();
            if is_templated(key) || values.iter().any(|v| is_templated(v)) {
                return true;
            }
            let value = generated(key);
            match op {
                "In" => value.flatten().is_some_and(|v| values.contains(&v)),
                "NotIn" => value.flatten().is_none_or(|v| !values.contains(&v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                _ => true,
            }
        })
    });
    labels_match && expressions_match
}

fn job_indexes<'d>(spec: Node<'d>, completions: Option<i64>, out: &mut Vec<Finding<'d>>) {
    let mode = spec.get_some("completionMode");
    let indexed = mode.and_then(|m| m.as_str()) == Some("Indexed");
    // Absent or `NonIndexed`; a placeholder is neither.
    let non_indexed = mode.is_none_or(|m| m.as_str() == Some("NonIndexed"));
    if let (true, Some(mode)) = (indexed, mode) {
        if spec.get_some("completions").is_none() {
            out.push(
                Finding::new(
                    mode,
                    "`completionMode` is `Indexed` but `completions` is not set; the API server refuses the object: completions is required when completion mode is Indexed",
                )
                .help("set `completions` to the number of indexes (pods that must succeed)"),
            );
        }
        if let Some((node, n)) = int(spec, "parallelism").filter(|(_, n)| *n > 100_000) {
            out.push(
                Finding::new(
                    node,
                    format!("`parallelism` is {n}; the API server refuses the object: it must be less than or equal to 100000 when completion mode is Indexed"),
                )
                .help("lower `parallelism` to at most 100000"),
            );
        }
    }
    let per_index = spec
        .entry("backoffLimitPerIndex")
        .filter(|(_, v)| !v.is_null());
    if let Some((key, _)) = per_index {
        non_negative(spec, "backoffLimitPerIndex", out);
        if non_indexed {
            out.push(
                Finding::new(
                    key,
                    "`backoffLimitPerIndex` is set but `completionMode` is not `Indexed`; the API server refuses the object: backoffLimitPerIndex requires indexed completion mode",
                )
                .help("set `completionMode: Indexed` (and `completions`), or use `backoffLimit`"),
            );
        }
    }
    let Some((key, value)) = spec.entry("maxFailedIndexes").filter(|(_, v)| !v.is_null()) else {
        return;
    };
    let max_failed = non_negative(spec, "maxFailedIndexes", out);
    if per_index.is_none() {
        out.push(
            Finding::new(
                key,
                "`maxFailedIndexes` is set without `backoffLimitPerIndex`; the API server refuses the object: backoffLimitPerIndex is required when maxFailedIndexes is specified",
            )
            .help("set `backoffLimitPerIndex` (and `completionMode: Indexed`), or remove `maxFailedIndexes`"),
        );
    }
    if non_indexed {
        out.push(
            Finding::new(
                value,
                "`maxFailedIndexes` is set but `completionMode` is not `Indexed`; the API server refuses the object: maxFailedIndexes requires indexed completion mode",
            )
            .help("set `completionMode: Indexed` (and `completions`), or remove `maxFailedIndexes`"),
        );
    } else if let (true, Some(m)) = (indexed, max_failed) {
        if let Some(c) = completions.filter(|c| m > *c && *c >= 0) {
            out.push(
                Finding::new(
                    value,
                    format!("`maxFailedIndexes` ({m}) is greater than `completions` ({c}); the API server refuses the object: it must be less than or equal to completions"),
                )
                .help(format!("set `maxFailedIndexes` to at most {c}")),
            );
        } else if m > 100_000 {
            out.push(
                Finding::new(
                    value,
                    format!("`maxFailedIndexes` is {m}; the API server refuses the object: it must be less than or equal to 100000"),
                )
                .help("lower `maxFailedIndexes` to at most 100000"),
            );
        }
    }
}

/// `validateCronJobSpec`, `validateScheduleFormat` and `validateTimeZone`.
fn cron_job<'d>(spec: Node<'d>, out: &mut Vec<Finding<'d>>) {
    non_negative(spec, "startingDeadlineSeconds", out);
    non_negative(spec, "successfulJobsHistoryLimit", out);
    non_negative(spec, "failedJobsHistoryLimit", out);
    let time_zone = spec.get_some("timeZone");
    if let Some(node) = spec.get_some("schedule")
        && let Some(schedule) = node.as_str().filter(|s| !is_templated(s))
    {
        if schedule.contains("TZ") {
            out.push(
                    Finding::new(
                        node,
                        format!("the schedule `{schedule}` names a time zone (`TZ=`/`CRON_TZ=`); the API server refuses the object: cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
                    )
                    .help("move the zone to `spec.timeZone` (for example `timeZone: Europe/Berlin`) and keep only the five fields in `schedule`"),
                );
        } else if let Err(reason) = cron::parse_standard(schedule) {
            out.push(
                    Finding::new(
                        node,
                        format!("the schedule `{schedule}` is not valid cron: {reason}; the API server refuses the object"),
                    )
                    .help("write five fields (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week 0-6 or SUN-SAT) or a macro such as `@daily`"),
                );
        }
    }
    if let Some(node) = time_zone
        && let Some(zone) = node.as_str().filter(|s| !is_templated(s))
        && let Some(reason) = time_zone_error(zone)
    {
        out.push(
                    Finding::new(
                        node,
                        format!("`timeZone` is `{zone}`: {reason}; the API server refuses the object"),
                    )
                    .help("name an IANA time zone such as `Etc/UTC`, `Europe/Berlin` or `America/New_York` (names are case-sensitive)"),
                );
    }
    if let Some(job_spec) = spec
        .get_some("jobTemplate")
        .and_then(|t| t.get_some("spec"))
        .filter(|s| s.is_map())
    {
        job(job_spec, None, true, out);
    }
}

/// The names `time.LoadLocation` accepts: the IANA tz database's zones and links.
static TIME_ZONES: &str = include_str!("time_zones.txt");

fn time_zone_error(zone: &str) -> Option<String> {
    if zone.is_empty() {
        return Some("timeZone must be nil or non-empty string".into());
    }
    if zone.eq_ignore_ascii_case("Local") {
        return Some(
            "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"
                .into(),
        );
    }
    let known = TIME_ZONES
        .lines()
        .filter(|l| !l.starts_with('#'))
        .any(|l| l == zone);
    if known {
        return None;
    }
    let hint = TIME_ZONES
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| l.eq_ignore_ascii_case(zone))
        .map(|l| format!(" (the zone is spelt `{l}`)"))
        .unwrap_or_default();
    Some(format!("unknown time zone {zone}{hint}"))
}

/// The schedule syntax of the API server's cron parser, `cron.ParseStandard` of
/// robfig/cron v3: five fields or a descriptor (`@daily`, `@every 1h30m`).
mod cron {
    struct Bounds {
        name: &'static str,
        min: u32,
        max: u32,
        names: &'static [&'static str],
    }

    const MONTHS: &[&str] = &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    const FIELDS: [Bounds; 5] = [
        Bounds {
            name: "minute",
            min: 0,
            max: 59,
            names: &[],
        },
        Bounds {
            name: "hour",
            min: 0,
            max: 23,
            names: &[],
        },
        Bounds {
            name: "day-of-month",
            min: 1,
            max: 31,
            names: &[],
        },
        Bounds {
            name: "month",
            min: 1,
            max: 12,
            names: MONTHS,
        },
        // robfig/cron reads 0-6 only: `7` for Sunday, which some crons take, is refused.
        Bounds {
            name: "day-of-week",
            min: 0,
            max: 6,
            names: DAYS,
        },
    ];

    pub fn parse_standard(spec: &str) -> Result<(), String> {
        if spec.is_empty() {
            return Err("empty spec string".into());
        }
        if let Some(descriptor) = spec.strip_prefix('@') {
            return match descriptor {
                "yearly" | "annually" | "monthly" | "weekly" | "daily" | "midnight" | "hourly" => {
                    Ok(())
                }
                _ => match descriptor.strip_prefix("every ") {
                    Some(duration) if go_duration(duration) => Ok(()),
                    Some(duration) => Err(format!(
                        "`@every` needs a duration such as `1h30m`, not `{duration}`"
                    )),
                    None => Err(format!(
                        "unrecognized descriptor `{spec}` (known: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <duration>)"
                    )),
                },
            };
        }
        let fields: Vec<&str> = spec.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "expected exactly 5 fields (minute hour day-of-month month day-of-week), found {}",
                fields.len()
            ));
        }
        for (field, bounds) in fields.iter().zip(FIELDS.iter()) {
            // robfig's getField splits with strings.FieldsFunc, which drops empty items.
            for expr in field.split(',').filter(|e| !e.is_empty()) {
                let shown = expr;
                range(expr, bounds)
                    .map_err(|why| format!("{} field `{shown}` {why}", bounds.name))?;
            }
        }
        Ok(())
    }

    /// `getRange`: `*`, `?`, `a`, `a-b`, each optionally `/step`; a lone `a/step` runs to
    /// the maximum.
    fn range(expr: &str, b: &Bounds) -> Result<(), String> {
        let parts: Vec<&str> = expr.split('/').collect();
        let ends: Vec<&str> = parts[0].split('-').collect();
        let (start, end) = if ends[0] == "*" || ends[0] == "?" {
            (b.min, b.max)
        } else {
            let start = int_or_name(ends[0], b)?;
            let end = match ends.len() {
                1 => start,
                2 => int_or_name(ends[1], b)?,
                _ => return Err("has too many hyphens".into()),
            };
            (start, end)
        };
        let end = match parts.len() {
            1 => end,
            2 => {
                let step = int(parts[1])?;
                if step == 0 {
                    return Err(
                        "has a step of 0; the step of a range must be a positive number".into(),
                    );
                }
                if ends.len() == 1 { b.max } else { end }
            }
            _ => return Err("has too many slashes".into()),
        };
        if start < b.min {
            return Err(format!("is out of range {}-{}", b.min, b.max));
        }
        if end > b.max {
            return Err(format!("is out of range {}-{}", b.min, b.max));
        }
        if start > end {
            return Err(format!("starts after it ends ({start} > {end})"));
        }
        Ok(())
    }

    fn int_or_name(text: &str, b: &Bounds) -> Result<u32, String> {
        let lower = text.to_ascii_lowercase();
        if let Some(i) = b.names.iter().position(|n| *n == lower) {
            return Ok(b.min + i as u32);
        }
        int(text)
    }

    /// `mustParseInt`: Go's `strconv.Atoi`, negative numbers refused.
    fn int(text: &str) -> Result<u32, String> {
        let digits = text.strip_prefix('+').unwrap_or(text);
        if text.starts_with('-') && text[1..].bytes().all(|b| b.is_ascii_digit()) && text.len() > 1
        {
            return Err("has a negative number".into());
        }
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(if text.is_empty() {
                "has an empty value".into()
            } else {
                format!("has `{text}`, which is not a number or a known name")
            });
        }
        // Too many digits for any field: out of range.
        Ok(digits.parse().unwrap_or(u32::MAX))
    }

    /// Go's `time.ParseDuration`: `[-+]` then one or more `<decimal><unit>`, or `0`.
    fn go_duration(text: &str) -> bool {
        let s = text.strip_prefix(['-', '+']).unwrap_or(text);
        if s == "0" {
            return true;
        }
        if s.is_empty() {
            return false;
        }
        let mut rest = s;
        while !rest.is_empty() {
            let number = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            let (num, tail) = rest.split_at(number);
            if num.is_empty() || num == "." || num.matches('.').count() > 1 {
                return false;
            }
            let unit = tail
                .find(|c: char| c.is_ascii_digit() || c == '.')
                .unwrap_or(tail.len());
            let (unit, tail) = tail.split_at(unit);
            if !matches!(unit, "ns" | "us" | "µs" | "μs" | "ms" | "s" | "m" | "h") {
                return false;
            }
            rest = tail;
        }
        true
    }

    #[cfg(test)]
    mod tests {
        use super::parse_standard;

        #[test]
        fn accepts_what_robfig_cron_accepts() {
            for ok in [
                "*/5 * * * *",
                "0 0 * * 0",
                "0 9-17/2 * * MON-FRI",
                "30 2 1,15 * ?",
                "0 0 1 jan,JUL *",
                "5/15 * * * *",
                "@every 1h30m",
                "@every 90s",
                "@midnight",
                "0 0 31 2 *",
                "  1  2  3  4  5 ",
                // getField splits with strings.FieldsFunc, which drops empty items.
                "1,,2 * * * *",
                ", * * * *",
            ] {
                assert_eq!(parse_standard(ok), Ok(()), "{ok}");
            }
        }

        #[test]
        fn refuses_what_robfig_cron_refuses() {
            for bad in [
                "60 * * * *",
                "* 24 * * *",
                "* * 0 * *",
                "* * * 13 *",
                "0 0 * * 7",
                "*/0 * * * *",
                "5-1 * * * *",
                "1-2-3 * * * *",
                "1/2/3 * * * *",
                "* * * *",
                "0 * * * * *",
                "@reboot",
                "@every 1d",
                "@every ",
                "x * * * *",
                "",
            ] {
                assert!(parse_standard(bad).is_err(), "{bad}");
            }
        }
    }
}
