//! What the PodSecurity admission controller would do with each `pod-security` finding.
//!
//! Each finding of a `pod-security` rule carries its control's gate (`PolicyGate`: level and
//! versions of the standards). Once the run's Namespaces are known, every such finding is
//! graded by the policy of its object's namespace, mode by mode as the admission controller
//! reads it: the Namespace's `pod-security.kubernetes.io/<mode>` and `<mode>-version` labels,
//! else the cluster's default for that mode (configuration `pod-security:`), else none.
//!
//! - A mode whose level and version cover the violation grades it: `enforce` as an error that
//!   says the API server refuses the pod (for a controller: its pods, so the rollout stalls),
//!   `warn` and `audit` as a warning that says what the API server does.
//! - Otherwise the finding keeps its rule's severity, if it holds in the version of the
//!   standards the run targets; a rule that is off by default and ran only for admission
//!   (`RuleSet::admission_only`) drops it.
//! - Exempt namespaces and runtime classes (configuration) are never graded, as the
//!   admission controller never evaluates them. Nor is an object a kustomize patch of the run
//!   changes (the pod admitted is not the one written), nor a namespace whose Namespace objects
//!   in the run disagree on their labels (a base and its overlays): its policy is unknown, so
//!   the cluster's defaults apply.
//!
//! A severity the user configured for the rule always wins over the grading; the message
//! still says what admission does.

use crate::diagnostic::{Diagnostic, Severity};
use crate::index::{Index, KindFacts, NamespaceKey};
use crate::k8s::KubeVersion;
use crate::k8s::pod_security::{Mode, ModePolicy, PolicyGate, mode_policy};
use crate::rules::RuleSet;

/// Grades the `pod-security` findings of one file (see the module's documentation).
pub fn grade(diagnostics: &mut Vec<Diagnostic>, index: &Index, rules: &RuleSet) {
    let cluster = rules.defaults.target;
    diagnostics.retain_mut(|d| {
        let Some(gate) = d.policy.take() else {
            return true;
        };
        match refusal(d, gate, index, rules, cluster) {
            Some(refusal) => {
                if !rules.configured_severity.contains(d.rule) {
                    d.severity = refusal.severity;
                }
                d.message.push_str("; ");
                d.message.push_str(&refusal.why);
                true
            }
            None => !rules.admission_only.contains(d.rule) && gate.applies_in(cluster),
        }
    });
}

struct Refusal {
    severity: Severity,
    why: String,
}

fn refusal(
    d: &Diagnostic,
    gate: PolicyGate,
    index: &Index,
    rules: &RuleSet,
    cluster: KubeVersion,
) -> Option<Refusal> {
    let object = d.object.as_ref()?;
    let ns: NamespaceKey = index.namespace_named(object.namespace.as_deref());
    let ns_name = ns.as_deref().unwrap_or("default");
    let defaults = &rules.pod_security;
    if defaults.exempt_namespaces.iter().any(|n| n == ns_name) {
        return None;
    }
    let labels = index.namespace_policy(&ns).flatten();
    let (mode, ModePolicy { level, version }, labelled) =
        Mode::ALL.into_iter().find_map(|mode| {
            let (policy, labelled) = mode_policy(labels.as_ref(), defaults, mode)?;
            gate.applies(policy.level, policy.version.resolve(cluster))
                .then_some((mode, policy, labelled))
        })?;
    // Checked only once a mode applies: most findings meet no policy at all.
    let facts = index.find(&object.kind, &ns, &object.name);
    // A kustomize patch of the object may set what the finding says is missing: the pod the
    // API server sees is not the one in this file.
    if facts.is_some_and(|f| index.has_patch(f)) {
        return None;
    }
    let runtime_class = facts.and_then(|f| match &f.kind {
        KindFacts::Workload(w) => w.runtime_class.as_deref(),
        _ => None,
    });
    if runtime_class.is_some_and(|rc| defaults.exempt_runtime_classes.iter().any(|e| e == rc)) {
        return None;
    }
    let who = if labelled {
        format!("namespace `{ns_name}`")
    } else {
        format!(
            "the cluster's default policy (configuration `pod-security`) for namespace `{ns_name}`"
        )
    };
    let level = level.as_str();
    let why = match mode {
        Mode::Enforce if object.kind == "Pod" => format!(
            "{who} enforces Pod Security `{level}` ({version}), so the API server rejects this pod"
        ),
        Mode::Enforce => format!(
            "{who} enforces Pod Security `{level}` ({version}), so the API server refuses the \
             {kind}'s pods: it is accepted, but its pods are never created (`FailedCreate` \
             events) and {stall}",
            kind = object.kind,
            stall = match object.kind.as_str() {
                "Job" | "CronJob" => "its Jobs never run",
                _ => "the rollout stalls",
            }
        ),
        Mode::Warn => format!(
            "{who} warns at Pod Security `{level}` ({version}): the API server accepts it and \
             `kubectl apply` prints a warning"
        ),
        Mode::Audit => format!(
            "{who} audits at Pod Security `{level}` ({version}): the API server accepts it and \
             records the violation in its audit log"
        ),
    };
    Some(Refusal {
        severity: match mode {
            Mode::Enforce => Severity::Error,
            Mode::Warn | Mode::Audit => Severity::Warning,
        },
        why,
    })
}
