use std::collections::HashMap;

use super::super::{EditSpec, Finding, FixSpec, Options, Rule, declare_rule};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports an environment variable defined twice in one container's `env` list (pod,
    /// init, sidecar and ephemeral containers of every workload kind), at the later
    /// definition's `name`, with the earlier one labelled.
    ///
    /// ## Why is this bad
    /// The container sees only the last value, silently, so whoever edits the first one sees
    /// no effect. Worse, `env` is a strategic-merge list keyed by `name`: `kubectl apply`,
    /// `helm upgrade` and Argo CD compute their patches by that key, and with two entries of
    /// one name they either fail ("The order in patch list … doesn't match
    /// $setElementOrder list") or, once the duplicate is removed, delete the variable
    /// altogether (kubernetes/kubernetes#58477). The API server accepts the list, so nothing
    /// stops it before the next deploy.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     env:
    ///       - name: LOG_LEVEL
    ///         value: info
    ///       - name: DATABASE_URL
    ///         valueFrom: {secretKeyRef: {name: db, key: url}}
    ///       - name: LOG_LEVEL
    ///         value: debug
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     env:
    ///       - name: LOG_LEVEL
    ///         value: debug
    ///       - name: DATABASE_URL
    ///         valueFrom: {secretKeyRef: {name: db, key: url}}
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): no finding. On the peers' own fixtures it
    /// agrees with both: kube-linter's `duplicate-env-var.yaml` (2 findings, the two `fire-*`
    /// containers, none in the `dont-fire-*` ones) and kube-score's `pod-env-duplicated.yaml`
    /// (2 findings, `bar` and `baz`).
    ///
    /// ## Fix
    /// `--fix` removes the later definition when both are the same (a `$(NAME)` between them still
    /// finds the first); when they differ, which one the container should see is for a human to
    /// say.
    pub struct DuplicateEnvVar => "duplicate-env-var";
}

impl Rule for DuplicateEnvVar {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        let ephemeral = pod
            .spec
            .get("ephemeralContainers")
            .into_iter()
            .flat_map(|list| list.items());
        let containers = pod.containers.iter().map(|c| c.node).chain(ephemeral);
        for container in containers {
            let Some(env) = container.get("env") else {
                continue;
            };
            let mut first_of = HashMap::new();
            for item in env.items() {
                let Some(name_node) = item.get("name") else {
                    continue;
                };
                let Some(name) = name_node.as_str() else {
                    continue;
                };
                let Some(&(first, first_item)) = first_of.get(name) else {
                    first_of.insert(name, (name_node, item));
                    continue;
                };
                let container_name = container.get_str("name").unwrap_or("<unnamed>");
                let finding = Finding::new(
                    name_node,
                    format!(
                        "`{name}` is already defined in the env of `{container_name}`: the \
                             container sees only this value, and `kubectl apply` merges env by \
                             name, so the duplicate breaks or drops it on a later apply"
                    ),
                )
                .label(first, "first defined here")
                .help(format!(
                    "keep one definition of `{name}` (the value the container should see)"
                ));
                // The same definition twice: dropping the later one changes nothing the
                // container sees (a `$(NAME)` between the two still finds the first).
                let finding = if first_item.same_value(&item) {
                    finding.fix(FixSpec::safe(
                        format!("remove this definition of `{name}`, the same as the first"),
                        vec![EditSpec::RemoveItem { item }],
                    ))
                } else {
                    finding
                };
                out.push(finding);
            }
        }
    }
}
