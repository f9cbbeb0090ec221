use super::super::{GraphFinding, Rule, declare_rule};
use crate::index::{Flag, Index, KindFacts};

declare_rule! {
    /// ## What it does
    /// Reports a pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet,
    /// ReplicationController, Job, CronJob, or a bare Pod) whose pods get their service
    /// account's API token mounted: `automountServiceAccountToken` is not `false` on the pod,
    /// and not `false` on its ServiceAccount either. An explicit `true` on the pod is
    /// reported at that value, an unset one at the workload's name.
    ///
    /// The ServiceAccount is looked up in the run (inputs and `--context`), in the pod's
    /// namespace: one that sets `automountServiceAccountToken: false` keeps the pods that
    /// leave the field unset quiet. One the run does not hold is taken at the API server's
    /// default (the token is mounted). Not reported: a service account name or a setting
    /// kubelint cannot read (template placeholders), and templates none of whose containers
    /// has an image and that leave the setting unset (kustomize patches, whose base says the
    /// rest). Pods that call the API
    /// (operators, controllers) are reported too: the manifest does not say which pods need
    /// the token, which is why the rule is off by default.
    ///
    /// ## Why is this bad
    /// Every container of the pod can read the token at
    /// `/var/run/secrets/kubernetes.io/serviceaccount/token` and act on the API server with
    /// whatever the account is granted; most applications never call the API, so the token
    /// only serves whoever breaks into the pod. Turning it off where it is not needed
    /// removes that step, and makes the pods that do need it stand out.
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
    ///       automountServiceAccountToken: false
    ///       containers:
    ///         - name: web
    ///           image: example/web:1.0
    /// ```
    ///
    /// ## Measured
    /// Off by default: whether a pod calls the API is not in the manifest, and most
    /// projects leave the default; the rule is for teams that turn the token off everywhere
    /// and on where needed.
    ///
    /// On `../shared/corpus/real` (with the rule enabled): 1,140 findings in 968 files —
    /// 799 pods whose ServiceAccount is not in the run, 299 whose ServiceAccount is in the
    /// run and does not turn the token off, 42 that set `automountServiceAccountToken:
    /// true`. A read of 30 spread over the repositories found 28 as described (among them
    /// operators and controllers that do call the API: true of the manifest, where the
    /// token is needed) and 2 kustomize patches, which led to skipping templates without
    /// an image (98 findings fewer); 12 findings remain in files named `*patch*` that set an
    /// image and that no kustomization of the run names as a patch. No peer check of
    /// kube-linter or kube-score judges the field.
    pub struct AutomountServiceAccountToken => "automount-service-account-token";
}

impl Rule for AutomountServiceAccountToken {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        for (i, f) in index.subjects() {
            let KindFacts::Workload(w) = &f.kind else {
                continue;
            };
            let sa = &w.service_account;
            // A fragment that leaves the setting unset leaves it to its base.
            if !f.reported || (sa.fragment && sa.automount == Flag::Unset) {
                continue;
            }
            let Some(name) = &sa.name else { continue };
            let ns = index.namespace_of(f);
            let account = index.service_account(&ns, name);
            let from_account = match (sa.automount, account.map(|(_, flag)| flag)) {
                (Flag::Set(false) | Flag::Unreadable, _) => continue,
                (Flag::Set(true), _) => false,
                (Flag::Unset, Some(Flag::Set(false) | Flag::Unreadable)) => continue,
                (Flag::Unset, _) => true,
            };
            let site = match (&sa.automount_site, from_account) {
                (Some(site), false) => site,
                _ => &w.name_site,
            };
            let why = if from_account {
                match account {
                    Some(_) => format!(
                        "neither the pod nor its ServiceAccount `{name}` sets \
                         `automountServiceAccountToken: false`"
                    ),
                    None => format!(
                        "the pod does not set `automountServiceAccountToken: false` (and \
                         ServiceAccount `{name}` is not in the run)"
                    ),
                }
            } else {
                "the pod sets `automountServiceAccountToken: true`".to_owned()
            };
            out.push(
                GraphFinding::new(
                    i,
                    site,
                    format!(
                        "the pods of {} `{}` get the API token of service account `{name}` \
                         mounted ({why}): whoever breaks into a container can call the API \
                         server with the account's permissions",
                        f.id.kind, f.id.name
                    ),
                )
                .help(
                    "set `automountServiceAccountToken: false` in the pod spec (or on the \
                     ServiceAccount) unless the pod calls the Kubernetes API; a pod that does \
                     can mount a projected token in the one container that needs it",
                ),
            );
        }
    }
}
