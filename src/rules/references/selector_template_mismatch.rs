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
    /// Jobs without `manualSelector` get a generated selector and are not checked. A template
    /// with no labels at all (no `metadata`, no `labels`, `labels: null`) matches no non-empty
    /// selector and is reported here too; `invalid-workload-spec` leaves every selector/template
    /// agreement problem to this rule (it reports a Job's or CronJob's `selector` that the API
    /// server would generate itself). A fragment (a container without an image, as in a
    /// kustomize patch) is not judged for missing labels: its base supplies them. On
    /// `../shared/corpus/real` the template-without-labels case adds no finding (its one
    /// candidate, an EKS workshop snippet whose container has no image, is such a fragment).
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
        // A template without labels (no `metadata`, no `labels`, or `labels: null`) has the
        // empty label set, which no non-empty selector matches: the API server refuses it too.
        let labels_node = pod.metadata.and_then(|m| m.get_some("labels"));
        let labels: Labels = match labels_node {
            Some(node) => match Selector::map(node) {
                Some(pairs) => pairs.into_iter().collect(),
                None => return,
            },
            // A fragment (a container without an image: a kustomize patch or a documentation
            // snippet) leaves its labels to the base it is merged into.
            None if pod.is_fragment(object.root) => return,
            None => Labels::default(),
        };
        let labels_key = pod.metadata.and_then(|m| m.entry("labels")).map(|(k, _)| k);
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
            let mut finding = match (labels_node, labels_key) {
                (Some(_), Some(labels_key)) => Finding::new(
                    key,
                    format!(
                        "{} `{}` selects {}, which its own pod template's labels do not match; the API server rejects it",
                        object.kind,
                        object.name.unwrap_or(""),
                        describe_selector(&selector)
                    ),
                )
                .label(labels_key, "the template's labels"),
                _ => Finding::new(
                    key,
                    format!(
                        "{} `{}` selects {}, but its pod template has no labels; the API server rejects it (selector does not match template labels)",
                        object.kind,
                        object.name.unwrap_or(""),
                        describe_selector(&selector)
                    ),
                ),
            };
            finding = finding.help("make `spec.selector` and `spec.template.metadata.labels` agree (the selector is immutable once created, so fix the labels if the object exists)");
            out.push(finding);
        }
    }
}
