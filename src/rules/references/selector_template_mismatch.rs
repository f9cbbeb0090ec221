use super::super::{Finding, Options, Rule, declare_rule};
use super::describe_selector;
use crate::index::{Labels, Selector, SelectorField};
use crate::model::Object;
use crate::model::pod::WorkloadKind;

declare_rule! {
    /// ## What it does
    /// Reports a Deployment, ReplicaSet, StatefulSet or DaemonSet whose `spec.selector` does
    /// not match its own pod template's labels (or is empty), a ReplicationController whose
    /// `selector` does not, and a Job with `manualSelector: true` whose selector does not.
    /// Jobs without `manualSelector` get a generated selector and are not checked.
    ///
    /// ## Why is this bad
    /// The API server rejects the object (`selector does not match template labels`), so the
    /// mistake surfaces only at deploy time, often in the middle of a rollout of many objects.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   selector:
    ///     matchLabels: {app: api}
    ///   template:
    ///     metadata:
    ///       labels: {app: api-server}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   selector:
    ///     matchLabels: {app: api}
    ///   template:
    ///     metadata:
    ///       labels: {app: api}
    /// ```
    pub struct SelectorTemplateMismatch => "selector-template-mismatch";
}

impl Rule for SelectorTemplateMismatch {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        let Some(spec) = object.root.get("spec") else {
            return;
        };
        let Some((key, value)) = spec.entry("selector") else {
            return;
        };
        let selector = match pod.workload {
            WorkloadKind::Pod | WorkloadKind::CronJob => return,
            WorkloadKind::Job
                if spec.get("manualSelector").and_then(|m| m.as_bool()) != Some(true) =>
            {
                return;
            }
            WorkloadKind::ReplicationController => match Selector::map(value) {
                Some(pairs) if !pairs.is_empty() => Selector::from_map(pairs),
                _ => return,
            },
            _ => match Selector::label_selector(Some(value)) {
                SelectorField::Selector(s) => s,
                SelectorField::Missing | SelectorField::Unknown => return,
            },
        };
        let Some(labels_node) = pod.metadata.and_then(|m| m.get("labels")) else {
            return;
        };
        let Some(pairs) = Selector::map(labels_node) else {
            return;
        };
        let labels: Labels = pairs.into_iter().collect();
        let labels_key = pod
            .metadata
            .and_then(|m| m.entry("labels"))
            .map_or(labels_node, |(k, _)| k);
        if selector.is_empty() {
            out.push(
                Finding::new(
                    key,
                    format!(
                        "the selector of {} `{}` is empty; the API server rejects it",
                        object.kind,
                        object.name.unwrap_or("")
                    ),
                )
                .help("select the pod template's labels in `spec.selector.matchLabels`"),
            );
        } else if !selector.matches(&labels) {
            out.push(
                Finding::new(
                    key,
                    format!(
                        "{} `{}` selects {}, which its own pod template's labels do not match; the API server rejects it",
                        object.kind,
                        object.name.unwrap_or(""),
                        describe_selector(&selector)
                    ),
                )
                .label(labels_key, "the template's labels")
                .help("make `spec.selector` and `spec.template.metadata.labels` agree (the selector is immutable once created, so fix the labels if the object exists)"),
            );
        }
    }
}
