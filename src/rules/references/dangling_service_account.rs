use super::super::{GraphFinding, Rule, declare_rule};
use super::named::{Defined, is_placeholder, near_miss_help};
use super::{SYSTEM_NAMESPACES, describe_namespace};
use crate::index::{Index, KindFacts};

declare_rule! {
    /// ## What it does
    /// Reports a pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet,
    /// ReplicationController, Job, CronJob, or a bare Pod) whose `serviceAccountName` (or the
    /// deprecated `serviceAccount`) names a ServiceAccount its namespace does not define, at
    /// the name's value. The help names the namespace's closest account when one is a near
    /// miss.
    ///
    /// Trust rule (silent when the run cannot know): the account must be missing from the
    /// whole namespace across inputs and `--context` (a ServiceAccount of the same name in
    /// another namespace does not count), and the workload's own directory must hold at
    /// least one ServiceAccount of that namespace — evidence that this part of the
    /// repository declares its accounts rather than leaving them to a chart, an operator or
    /// another repository. Never reported: `default` (the ServiceAccount controller creates
    /// it in every namespace), placeholders (template expressions, and names no object can
    /// have, such as `$SA_NAME` or `<KSA_NAME>`), a workload in
    /// `kube-system` (its accounts are bootstrapped by the installer), a kustomize patch or a
    /// workload a patch of the run changes, a template none of whose containers has an image
    /// (a fragment), and a workload whose namespace (for the unnamed namespace and
    /// `default`: whose directory) holds a custom resource that runs pods, since operators
    /// create the accounts of what they run.
    ///
    /// ## Why is this bad
    /// The API server's ServiceAccount admission refuses every pod of the workload
    /// (`serviceaccount "…" not found`): the Deployment is created, but its ReplicaSet
    /// never gets a pod, and the error sits in the ReplicaSet's events.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ServiceAccount
    /// metadata:
    ///   name: web
    /// ---
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     spec:
    ///       serviceAccountName: wbe
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: ServiceAccount
    /// metadata:
    ///   name: web
    /// ---
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     spec:
    ///       serviceAccountName: web
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 0 findings, on by default. Without the
    /// directory requirement it made 12, all read and none worth fixing: 4 placeholders
    /// (`$K8S_SA_NAME`, `KSA_NAME`, `<KSA_NAME>`, now skipped as names no object can have),
    /// 7 accounts that a tutorial's `kubectl create serviceaccount` step or an installer
    /// (Litmus) creates, and a Kubeflow job whose account comes with an upstream release. A
    /// first version also reported a kubebuilder manager whose account is written in
    /// namespace `system` for kustomize's `namespace:` to rewrite: accounts of any namespace
    /// now count for a workload whose manifest names none. The fixtures carry the true
    /// findings (a typo, an account of another namespace, the deprecated `serviceAccount`
    /// field across sibling files). No peer checks this.
    pub struct DanglingServiceAccount => "dangling-service-account";
}

impl Rule for DanglingServiceAccount {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        let accounts = Defined::of(index, |f| {
            matches!(f.kind, KindFacts::ServiceAccount { .. })
        });
        if accounts.is_empty() {
            return;
        }
        for (i, f) in index.subjects() {
            let KindFacts::Workload(w) = &f.kind else {
                continue;
            };
            let sa = &w.service_account;
            let (Some(name), Some(site)) = (sa.name.as_deref(), sa.name_site.as_ref()) else {
                continue;
            };
            let ns = index.namespace_of(f);
            if !f.reported
                || sa.fragment
                || name == "default"
                || is_placeholder(name)
                || ns
                    .as_deref()
                    .is_some_and(|n| SYSTEM_NAMESPACES.contains(&n))
                || accounts.reaches(index, f, name)
                || !accounts.declared_beside(&ns, &f.file)
                || index.has_patch(f)
                || index.operator_in_scope(&ns, &f.file)
            {
                continue;
            }
            let namespace = describe_namespace(&ns);
            out.push(
                GraphFinding::new(
                    i,
                    site,
                    format!(
                        "the pods of {} `{}` run as service account `{name}`, which is not in \
                         {namespace}: the API server refuses to create them",
                        f.id.kind, f.id.name
                    ),
                )
                .help(match accounts.namespace_elsewhere(&ns, name) {
                    Some(other) => format!(
                        "ServiceAccount `{name}` is in namespace `{other}`, and pods can only run \
                         as an account of their own namespace: add one to {namespace}"
                    ),
                    None => near_miss_help(
                        name,
                        accounts.names_in(Some(&ns)),
                        &format!("among the ServiceAccounts of {namespace}"),
                        format!(
                            "add a ServiceAccount `{name}` to {namespace}, or name an existing \
                             one (or pass its manifest with `--context`)"
                        ),
                    ),
                }),
            );
        }
    }
}
