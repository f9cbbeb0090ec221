use serde::{Deserialize, Serialize};

use super::super::{Finding, Options, OptionsSpec, Rule, declare_rule};
use crate::model::pod::WorkloadKind;
use crate::model::{Object, is_templated};
use crate::parse::tree::Node;

declare_rule! {
    /// ## What it does
    /// Reports a pod (a bare Pod, or the pod template of a Deployment, StatefulSet,
    /// DaemonSet, ReplicaSet, ReplicationController, Job or CronJob) without a
    /// `priorityClassName`, at the pod spec's `spec` key, where the field goes. With the
    /// `accepted` option it also reports a class outside that list, at its value. Values
    /// kubelint cannot read (template placeholders) are left alone, and so are pods none of
    /// whose containers has an image (kustomize patches, whose base sets the rest). Off by default: priority
    /// classes are a cluster's policy, and many clusters have none besides the two built-in
    /// `system-*` ones.
    ///
    /// ## Why is this bad
    /// A pod without a class runs at the cluster's default priority — 0, unless a
    /// PriorityClass is `globalDefault` — so when the cluster is full the scheduler preempts
    /// it for any pod with a higher class, and it can never preempt anything to get scheduled
    /// itself. Clusters that rely on priorities (production above batch, node agents above
    /// both) only work when every workload says where it belongs; one that forgets is
    /// evicted first, or, if the default class is high, crowds out what matters. The manifest
    /// cannot tell which default the cluster applies, which is why the rule asks for the
    /// field to be explicit rather than judging the default.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: checkout
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: checkout
    ///           image: example/checkout:2.3
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: checkout
    /// spec:
    ///   template:
    ///     spec:
    ///       priorityClassName: production-high
    ///       containers:
    ///         - name: checkout
    ///           image: example/checkout:2.3
    /// ```
    ///
    /// ## Options
    /// - `accepted` (default `[]`, any class): the priority class names a pod may use, as
    ///   kube-linter's `priority-class-name` check's `acceptedPriorityClassNames`; a class
    ///   outside the list is reported
    ///
    /// Set them in `.kubelint.yaml`:
    /// `rules: {missing-priority-class: {accepted: [production-high, batch-low]}}`
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,635 files, with the rule enabled): 1,158 findings in
    /// 967 files (818 Deployments, 145 Pods, 69 Jobs, 46 StatefulSets, …): almost no project
    /// sets priority classes, which is why the rule is off by default. A read of 10 found
    /// each a pod without the field, as reported; the one kustomize patch among them led to
    /// skipping pods without an image (97 findings fewer). kube-linter's `priority-class-name` fixture (14 objects) agrees 14 of 14
    /// with `accepted: [system-cluster-critical, system-node-critical]`, kube-linter's
    /// default parameter: the 7 `fire-*` objects (class `fire`) fire, the 7 `dont-fire-*` do
    /// not. With kubelint's default (any class accepted) the `fire-*` objects pass: a class is
    /// set. kube-linter never reports a pod without a class; that is this rule's main case.
    pub struct MissingPriorityClass => "missing-priority-class";
}

/// The options of `missing-priority-class` (documented under `## Options` above).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct MissingPriorityClassOptions {
    /// The class names a pod may use; empty accepts any.
    pub accepted: Vec<String>,
}

impl Rule for MissingPriorityClass {
    fn options(&self) -> Option<OptionsSpec> {
        Some(OptionsSpec::of::<MissingPriorityClassOptions>())
    }

    fn check_object<'d>(&self, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
        let Some(pod) = &object.pod else { return };
        let accepted = &options.get::<MissingPriorityClassOptions>().accepted;
        let choose = if accepted.is_empty() {
            "`priorityClassName: <class>` (a PriorityClass of your cluster)".to_owned()
        } else {
            format!(
                "`priorityClassName: {}`{}",
                accepted[0],
                if accepted.len() > 1 {
                    format!(" (or one of: {})", accepted[1..].join(", "))
                } else {
                    String::new()
                }
            )
        };
        match pod.spec.get_some("priorityClassName") {
            Some(value) => {
                let Some(name) = value.as_str() else { return };
                if name.trim().is_empty() {
                    out.push(missing(object, pod, &choose, Some(value)));
                    return;
                }
                if is_templated(name) || accepted.is_empty() || accepted.iter().any(|a| a == name) {
                    return;
                }
                out.push(
                    Finding::new(
                        value,
                        format!(
                            "priority class `{name}` is not one of the accepted classes ({})",
                            accepted.join(", ")
                        ),
                    )
                    .help(format!("use {choose}")),
                );
            }
            // A pod none of whose containers has an image is a fragment (a kustomize patch):
            // the base says the rest.
            None if !pod.containers.iter().any(|c| c.get("image").is_some()) => {}
            None => out.push(missing(object, pod, &choose, None)),
        }
    }
}

fn missing<'d>(
    object: &Object<'d>,
    pod: &crate::model::PodTemplate<'d>,
    choose: &str,
    empty: Option<Node<'d>>,
) -> Finding<'d> {
    // The `spec` key of the pod (its template's, for a controller): where the field goes.
    let holder = match pod.workload {
        WorkloadKind::Pod => Some(object.root),
        WorkloadKind::CronJob => object
            .root
            .path(&["spec", "jobTemplate", "spec", "template"]),
        _ => object.root.path(&["spec", "template"]),
    };
    let at = empty.unwrap_or_else(|| {
        holder
            .and_then(|h| h.entry("spec"))
            .map_or(object.anchor_node(), |(key, _)| key)
    });
    let (whose, they) = match pod.workload {
        WorkloadKind::Pod => ("the pod has".to_owned(), "it runs"),
        _ => (
            format!(
                "the pods of {} `{}` have",
                object.kind,
                object.name.unwrap_or("<unnamed>")
            ),
            "they run",
        ),
    };
    Finding::new(
        at,
        format!(
            "{whose} no `priorityClassName`: {they} at the cluster's default priority (0 unless \
             a PriorityClass is globalDefault), preempted for any pod of a higher class when the \
             cluster is full"
        ),
    )
    .help(match empty {
        Some(_) => format!("set {choose}"),
        None => format!("add {choose} to the pod spec"),
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::{Modeled, objects_of};
    use crate::parse::lines::LineIndex;
    use crate::parse::parse_stream;

    /// The messages for one manifest, with `accepted` configured.
    fn messages(text: &str, accepted: &[&str]) -> Vec<String> {
        let lines = LineIndex::new(text);
        let stream = parse_stream(text, &lines);
        let options = Options {
            configured: Some(Arc::new(MissingPriorityClassOptions {
                accepted: accepted.iter().map(|s| s.to_string()).collect(),
            })),
            ..Options::default()
        };
        let mut out = Vec::new();
        for doc in &stream.documents {
            let Modeled::Objects(objects) = objects_of(doc) else {
                continue;
            };
            for object in &objects {
                MissingPriorityClass.check_object(object, &options, &mut out);
            }
        }
        out.into_iter().map(|f| f.message).collect()
    }

    #[test]
    fn accepted_lists_the_classes_a_pod_may_use() {
        let pod = |class: &str| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  priorityClassName: {class}\n  containers: [{{name: c, image: x:1}}]\n"
            )
        };
        assert!(
            messages(&pod("fire"), &[]).is_empty(),
            "any class by default"
        );
        let accepted = ["system-cluster-critical", "system-node-critical"];
        assert!(messages(&pod("system-node-critical"), &accepted).is_empty());
        let found = messages(&pod("fire"), &accepted);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].contains("`fire` is not one of the accepted classes"),
            "{found:?}"
        );
    }
}
