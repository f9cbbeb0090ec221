use super::super::{GraphFinding, Rule, declare_rule};
use super::named::{Defined, is_placeholder, near_miss_help};
use crate::index::{Index, KindFacts};

declare_rule! {
    /// ## What it does
    /// Reports a pod template's `priorityClassName` that names a PriorityClass the run does
    /// not define, at the name's value. The help names the closest PriorityClass of the run
    /// when one is a near miss.
    ///
    /// Trust rule (silent when the run cannot know): PriorityClasses are cluster-scoped, so
    /// one of that name anywhere in the inputs or `--context` counts, and the workload's own
    /// directory must hold at least one PriorityClass — evidence that this part of the
    /// repository declares the classes its pods use, rather than relying on ones the cluster
    /// administrator or another repository installs. The built-in classes
    /// `system-cluster-critical` and `system-node-critical` always exist. Never reported:
    /// placeholders (template expressions, names no object can have such as
    /// `$PRIORITY_CLASS`), kustomize patches and templates none of whose containers has an
    /// image.
    ///
    /// ## Why is this bad
    /// The API server's Priority admission refuses every pod of the workload
    /// (`no PriorityClass with name … was found`): the controller is created but never gets
    /// a pod, and the error sits in its events.
    ///
    /// ## Example
    /// ```yaml
    /// kind: PriorityClass
    /// metadata:
    ///   name: high-priority
    /// value: 1000000
    /// ---
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     spec:
    ///       priorityClassName: high-prority
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: PriorityClass
    /// metadata:
    ///   name: high-priority
    /// value: 1000000
    /// ---
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     spec:
    ///       priorityClassName: high-priority
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files, 10 with a PriorityClass): 0 findings, on by
    /// default; every `priorityClassName` of the corpus is built in (`system-*-critical`), a
    /// placeholder, or a class some file of the run defines, so the rule is silent there
    /// with or without the directory requirement. The fixtures carry the true findings (a typo, a class missing
    /// beside a sibling file). No peer checks this.
    pub struct DanglingPriorityClass => "dangling-priority-class";
}

/// The classes the API server creates at start-up.
const BUILTIN: [&str; 2] = ["system-cluster-critical", "system-node-critical"];

impl Rule for DanglingPriorityClass {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        let classes = Defined::of(index, |f| {
            f.id.kind == "PriorityClass"
                && crate::k8s::group_of(&f.id.api_version) == "scheduling.k8s.io"
        });
        if classes.is_empty() {
            return;
        }
        for (i, f) in index.subjects() {
            let KindFacts::Workload(w) = &f.kind else {
                continue;
            };
            let Some((name, site)) = &w.object_refs.priority_class else {
                continue;
            };
            if !f.reported
                || w.service_account.fragment
                || BUILTIN.contains(&name.as_str())
                || is_placeholder(name)
                || classes.has_anywhere(name)
                || !classes.declared_in_dir(&f.file)
                || index.has_patch(f)
            {
                continue;
            }
            out.push(
                GraphFinding::new(
                    i,
                    site,
                    format!(
                        "the pods of {} `{}` name PriorityClass `{name}`, which the run does \
                         not define: the API server refuses to create them",
                        f.id.kind, f.id.name
                    ),
                )
                .help(near_miss_help(
                    name,
                    classes.names_in(None).into_iter().chain(BUILTIN),
                    "among the PriorityClasses of the run",
                    format!(
                        "add a PriorityClass `{name}`, or name an existing one (or pass its \
                         manifest with `--context`)"
                    ),
                )),
            );
        }
    }
}
