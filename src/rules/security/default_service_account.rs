use super::super::{GraphFinding, Rule, declare_rule};
use crate::diagnostic::Severity;
use crate::index::{Flag, Index, KindFacts, parent_dir};

declare_rule! {
    /// ## What it does
    /// Reports a pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet,
    /// ReplicationController, Job, CronJob, or a bare Pod) that runs as its namespace's
    /// `default` service account (`serviceAccountName` unset, empty or `default`, the
    /// deprecated `serviceAccount` field too) with the account's token mounted: at the
    /// `serviceAccountName` value when set, else at the workload's name.
    ///
    /// Not reported: a pod whose token is not mounted (`automountServiceAccountToken: false`
    /// on the pod, or on the namespace's `default` ServiceAccount when the run holds it), as
    /// without the token the account's permissions are out of reach; names and settings
    /// kubelint cannot read (template placeholders), templates none of whose containers has
    /// an image and that name no account (kustomize patches: their base sets it).
    ///
    /// When a RoleBinding or ClusterRoleBinding of the run grants a role to that `default`
    /// account (by name, or through the groups `system:serviceaccounts` and
    /// `system:serviceaccounts:<namespace>`), the finding names the bindings and is an error: every pod of the namespace
    /// that does not choose an account holds those permissions. A binding counts when it
    /// is in the workload's directory (inputs or `--context`): repositories of examples
    /// spread one namespace over scenarios never deployed together, so a binding elsewhere
    /// is not evidence about this workload's account.
    ///
    /// ## Why is this bad
    /// The `default` account is shared by every pod of the namespace that names no other:
    /// a role granted to it for one workload reaches them all, and the API server's audit
    /// log cannot tell them apart. A dedicated account per workload keeps each one's
    /// permissions to what it needs.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: example/web:1.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     spec:
    ///       serviceAccountName: web   # a ServiceAccount of its own
    ///       containers:
    ///         - name: web
    ///           image: example/web:1.0
    /// ```
    ///
    /// ## Measured
    /// Off by default: on `../shared/corpus/real` (with the rule enabled), 778 findings in
    /// 722 files, nearly every example application. A read of 30 found 28 pods of the
    /// `default` account with their token mounted, as reported, with no grant in sight (a
    /// hygiene policy), and 2 kustomize patches, which led to skipping templates without an
    /// image (96 findings fewer; 10 remain in files named `*patch*` that set an image, whose
    /// base may name an account). The 3 errors (bindings to `default` in the workload's directory) were
    /// all read and are the real risk: a Prometheus example binding its ClusterRole to
    /// `default` (so the namespace's Thanos querier gets it), an inference-gateway example
    /// granting `pod-read`, and an Argo CD test granting `cluster-admin`. Before scoping
    /// bindings to the workload's directory, 731 findings were errors through bindings of
    /// unrelated repositories sharing `default` or `kube-system`. kube-linter's
    /// `default-service-account` (serviceAccountName unset or `default`) is mapped.
    pub struct DefaultServiceAccount => "default-service-account";
}

impl Rule for DefaultServiceAccount {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        for (i, f) in index.subjects() {
            let KindFacts::Workload(w) = &f.kind else {
                continue;
            };
            let sa = &w.service_account;
            // A fragment that names no account leaves it to its base; one that names
            // `default` says so.
            if !f.reported
                || (sa.fragment && sa.name_site.is_none())
                || sa.name.as_deref() != Some("default")
            {
                continue;
            }
            let ns = index.namespace_of(f);
            let account = index.service_account(&ns, "default").map(|(_, flag)| flag);
            match (sa.automount, account) {
                (Flag::Set(false) | Flag::Unreadable, _) => continue,
                (Flag::Unset, Some(Flag::Set(false) | Flag::Unreadable)) => continue,
                _ => {}
            }
            // A binding is evidence about this namespace's account when it sits in the
            // workload's directory: repositories of examples spread `default` (named or
            // not) over scenarios never deployed together.
            let bindings: Vec<_> = index
                .bindings_of(&ns, "default")
                .into_iter()
                .filter(|(b, _)| parent_dir(&b.file) == parent_dir(&f.file))
                .collect();
            let namespace = ns
                .as_deref()
                .map_or("its namespace".to_owned(), |n| format!("namespace `{n}`"));
            let mut finding = GraphFinding::new(
                i,
                sa.name_site.as_ref().unwrap_or(&w.name_site),
                if bindings.is_empty() {
                    format!(
                        "the pods of {} `{}` run as the `default` service account of \
                         {namespace}, with its token mounted: any role later granted to it \
                         reaches every pod of the namespace that names no account",
                        f.id.kind, f.id.name
                    )
                } else {
                    let granted: Vec<String> = bindings
                        .iter()
                        .map(|(b, role)| format!("{} `{}` (role `{role}`)", b.id.kind, b.id.name))
                        .collect();
                    format!(
                        "the pods of {} `{}` run as the `default` service account of \
                         {namespace}, which {} grant{} permissions to: every pod of the \
                         namespace that names no account holds them",
                        f.id.kind,
                        f.id.name,
                        granted.join(", "),
                        if bindings.len() == 1 { "s" } else { "" }
                    )
                },
            )
            .help(
                "create a ServiceAccount for this workload, grant it only what the pods need, \
                 and set `serviceAccountName` to it (or `automountServiceAccountToken: false` \
                 if the pods never call the API)",
            );
            if !bindings.is_empty() {
                finding = finding.severity(Severity::Error);
            }
            out.push(finding);
        }
    }
}
