use std::collections::HashMap;

use super::super::{GraphFinding, Rule, declare_rule};
use super::{Autoscaled, namespace_key};
use crate::index::{Index, KindFacts, Selector, SelectorField};
use crate::model::pod::WorkloadKind;

declare_rule! {
    /// ## What it does
    /// Reports a Deployment or StatefulSet that runs more than one pod — `replicas` above 1,
    /// or an autoscaler of the run whose `minReplicas` is above 1 — when no
    /// PodDisruptionBudget of its namespace selects its pods, at the workload's name. Budgets
    /// are matched exactly, as the disruption controller does (`matchLabels` and
    /// `matchExpressions` against the pod template's labels), in the workload's namespace
    /// only.
    ///
    /// The run must know the namespace's budgets: the rule speaks only where the inputs (or
    /// `--context`) hold at least one PodDisruptionBudget of that namespace — for objects that
    /// name no namespace, one in the workload's own directory — and every such budget's
    /// selector can be evaluated (none templated). A Deployment file alone, whose budgets may
    /// live in another repository or an optional chart template, is not reported. Neither is
    /// a workload with `ownerReferences` (its operator manages its budget), one whose replicas
    /// are templated, nor one with a single pod (a budget there either blocks every drain or
    /// allows the one eviction anyway).
    ///
    /// ## Why is this bad
    /// Without a budget, nothing limits voluntary disruptions: `kubectl drain`, a node pool
    /// upgrade or the cluster autoscaler's scale-down evict every pod of the workload that is
    /// on the nodes being drained, at once. Replicas are usually spread over few nodes, and
    /// managed upgrades drain several nodes in parallel, so a three-replica service can lose
    /// every pod during a routine upgrade although it was built to tolerate losing one.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// metadata: {name: web}
    /// spec:
    ///   replicas: 3
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: PodDisruptionBudget
    /// metadata: {name: web}
    /// spec:
    ///   maxUnavailable: 1
    ///   selector:
    ///     matchLabels: {app: web}
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real`: 7 findings in 7 files, all read. 3 right: the MySQL
    /// routers (3 replicas each) of GKE's stateful MySQL sample, whose directory has a budget
    /// for the database only, and the 3-replica `hello-web` beside its Redis budget; 3 right
    /// but on Argo CD test data; 1 wrong: `prepare-three-zone-ha`, a placeholder Deployment
    /// that only makes the cluster add nodes in three zones. Before `default` was scoped to
    /// the directory like the unnamed namespace, it gave 21: test manifests anywhere in Argo
    /// CD's repository were judged against budgets of other tests. Recall is low on purpose:
    /// most repositories hold no budget at all, and there the rule cannot tell "no budget"
    /// from "budgets kept elsewhere". On kube-score's 11 fixtures for "Deployment/StatefulSet
    /// has PodDisruptionBudget" it agrees on the 6 that pass; the 5 kube-score fails are
    /// Deployments and StatefulSets without `replicas` (one pod), where kubelint asks for no
    /// budget — one that protects a single pod either blocks every drain
    /// (`pdb-blocks-eviction`) or allows the eviction anyway; one of them
    /// (`…-different-namespace`) also has no budget of its namespace in the run.
    pub struct MissingPdb => "missing-pdb";
}

impl Rule for MissingPdb {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        // The budgets' selectors by namespace, built once.
        let mut budgets: HashMap<Option<String>, Vec<&Selector>> = HashMap::new();
        for f in &index.facts {
            if let KindFacts::PodDisruptionBudget {
                selector: SelectorField::Selector(selector),
                ..
            } = &f.kind
            {
                budgets
                    .entry(namespace_key(index, f))
                    .or_default()
                    .push(selector);
            }
        }
        if budgets.is_empty() {
            return;
        }
        let autoscaled = Autoscaled::of(index);
        for (i, f) in index.subjects() {
            let KindFacts::Workload(w) = &f.kind else {
                continue;
            };
            if !f.reported
                || !w.labels_known
                || w.owned
                || !matches!(
                    w.workload,
                    WorkloadKind::Deployment | WorkloadKind::StatefulSet
                )
            {
                continue;
            }
            let (pods, how) = match autoscaled.get(index, f) {
                Some(Some(min)) => (min, format!("its autoscaler keeps at least {min} pods")),
                // A custom scaler (KEDA) whose floor is not read: it may scale to zero.
                Some(None) => continue,
                None => {
                    if w.replicas_site.is_some() && w.replicas.is_none() {
                        continue;
                    }
                    let n = w.replicas.unwrap_or(1);
                    (n, format!("it runs {n} replicas"))
                }
            };
            if pods <= 1 || !index.knows_budgets_for(f) {
                continue;
            }
            let covered = budgets
                .get(&namespace_key(index, f))
                .is_some_and(|list| list.iter().any(|s| s.matches(&w.labels)));
            if covered {
                continue;
            }
            let namespace = index
                .namespace_of(f)
                .map_or("its namespace".to_owned(), |n| format!("namespace `{n}`"));
            out.push(
                GraphFinding::new(
                    i,
                    &w.name_site,
                    format!(
                        "{} `{}`: {how}, but no PodDisruptionBudget of {namespace} selects them: \
                         a node drain or upgrade may evict all of them at once",
                        f.id.kind, f.id.name
                    ),
                )
                .help(format!(
                    "add a PodDisruptionBudget with `maxUnavailable: 1` whose `selector` matches \
                     the pod template's labels{}",
                    template_labels(&w.labels)
                )),
            );
        }
    }
}

/// The template's labels as a `matchLabels` hint, when they are few enough to read.
fn template_labels(labels: &crate::index::Labels) -> String {
    if labels.is_empty() || labels.len() > 3 {
        return String::new();
    }
    let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!(" (`matchLabels: {{{}}}`)", pairs.join(", "))
}
