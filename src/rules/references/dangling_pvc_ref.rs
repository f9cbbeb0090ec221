use super::super::{GraphFinding, Rule, declare_rule};
use super::named::{Defined, is_placeholder, namespace_name, near_miss_help};
use super::{SYSTEM_NAMESPACES, describe_namespace};
use crate::index::{Index, KindFacts};
use crate::model::pod::WorkloadKind;
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// Reports a pod template's volume whose `persistentVolumeClaim.claimName` names a
    /// PersistentVolumeClaim its namespace does not define, at the `claimName` value. The
    /// help names the namespace's closest claim when one is a near miss.
    ///
    /// Claims that controllers create count as defined: a StatefulSet's
    /// `volumeClaimTemplates` create `<template>-<statefulset>-<ordinal>` (its own pods mount
    /// them through `volumeMounts`, not `claimName`), and a generic ephemeral volume creates
    /// `<pod>-<volume>`.
    ///
    /// Trust rule (silent when the run cannot know): the claim must be missing from the
    /// whole namespace across inputs and `--context` (a claim of the same name in another
    /// namespace does not count; one whose manifest names no namespace counts everywhere, as
    /// does any claim for a workload whose manifest names none, since kustomize's
    /// `namespace:` or `kubectl apply -n` places both), and the workload's own directory must
    /// hold at least one PersistentVolumeClaim of that namespace — evidence that this part of
    /// the repository declares its claims rather than leaving them to an administrator, a
    /// chart or a provisioning script. Never reported: placeholders (template expressions,
    /// names no object can have such as `$CLAIM` or `<PVC_NAME>`), `kube-system`, kustomize
    /// patches and workloads a patch of the run changes, templates none of whose containers
    /// has an image, and a namespace (for the unnamed namespace and `default`: a directory)
    /// holding a custom resource that runs pods, since operators create the claims of what
    /// they run.
    ///
    /// ## Why is this bad
    /// The scheduler cannot place the pod: it stays `Pending` with `persistentvolumeclaim
    /// "…" not found`, and a Deployment's rollout stalls on it.
    ///
    /// ## Example
    /// ```yaml
    /// kind: PersistentVolumeClaim
    /// metadata:
    ///   name: uploads
    /// ---
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     spec:
    ///       volumes:
    ///         - name: data
    ///           persistentVolumeClaim:
    ///             claimName: upload
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: PersistentVolumeClaim
    /// metadata:
    ///   name: uploads
    /// ---
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     spec:
    ///       volumes:
    ///         - name: data
    ///           persistentVolumeClaim:
    ///             claimName: uploads
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 1 finding in 1 file, read, true: the
    /// archived vSphere example's `vsphere-volume-pvcscvsanpod.yaml` mounts `pvcsc-vsan`,
    /// which no manifest of the example defines (its siblings define `pvc0001` and
    /// `pvcsc001`). On by default. Without the directory requirement it also reported an
    /// EKS workshop pod that is broken on purpose (a troubleshooting exercise). No peer
    /// checks this.
    pub struct DanglingPvcRef => "dangling-pvc-ref";
}

impl Rule for DanglingPvcRef {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        let claims = Defined::of(index, |f| {
            matches!(f.kind, KindFacts::PersistentVolumeClaim { .. })
        });
        if claims.is_empty() {
            return;
        }
        // What controllers create claims from, by namespace: `<template>-<statefulset>` (and
        // the template name alone), and generic ephemeral volume names. Sets keep the check
        // linear in the number of objects.
        let mut stateful: HashSet<(String, String)> = HashSet::new();
        let mut ephemeral: HashSet<(String, &str)> = HashSet::new();
        for f in &index.facts {
            if let KindFacts::Workload(w) = &f.kind {
                let ns = namespace_name(&index.namespace_of(f));
                for t in &w.object_refs.claim_templates {
                    stateful.insert((ns.clone(), format!("{}-{}", t.name, f.id.name)));
                    stateful.insert((ns.clone(), t.name.clone()));
                }
                for v in &w.object_refs.ephemeral_volumes {
                    ephemeral.insert((ns.clone(), v.as_str()));
                }
            }
        }
        let from_controller = |ns: &str, claim: &str| {
            let base = claim.trim_end_matches(|c: char| c.is_ascii_digit());
            let ordinal = base.len() < claim.len() && base.ends_with('-');
            (ordinal && stateful.contains(&(ns.to_owned(), base[..base.len() - 1].to_owned())))
                || stateful.contains(&(ns.to_owned(), claim.to_owned()))
                || claim
                    .match_indices('-')
                    .any(|(at, _)| ephemeral.contains(&(ns.to_owned(), &claim[at + 1..])))
        };
        for (i, f) in index.subjects() {
            let KindFacts::Workload(w) = &f.kind else {
                continue;
            };
            if w.claims.is_empty() {
                continue;
            }
            let ns = index.namespace_of(f);
            if !f.reported
                || w.service_account.fragment
                || ns
                    .as_deref()
                    .is_some_and(|n| SYSTEM_NAMESPACES.contains(&n))
                || !claims.declared_beside(&ns, &f.file)
            {
                continue;
            }
            let ns_name = namespace_name(&ns);
            // Decided once per workload, and only for one with a dangling claim: both scan.
            let mut excused: Option<bool> = None;
            for mount in &w.claims {
                let claim = mount.claim.as_str();
                if is_placeholder(claim)
                    || claims.reaches(index, f, claim)
                    || from_controller(&ns_name, claim)
                    || *excused.get_or_insert_with(|| {
                        index.has_patch(f) || index.operator_in_scope(&ns, &f.file)
                    })
                {
                    continue;
                }
                let namespace = describe_namespace(&ns);
                let what = if w.workload == WorkloadKind::Pod {
                    format!("Pod `{}` mounts", f.id.name)
                } else {
                    format!("the pods of {} `{}` mount", f.id.kind, f.id.name)
                };
                out.push(
                    GraphFinding::new(
                        i,
                        &mount.site,
                        format!(
                            "{what} PersistentVolumeClaim `{claim}`, which is not in \
                             {namespace}: they stay Pending until it exists"
                        ),
                    )
                    .help(match claims.namespace_elsewhere(&ns, claim) {
                        Some(other) => format!(
                            "PersistentVolumeClaim `{claim}` is in namespace `{other}`, and pods \
                             can only mount claims of their own namespace: add one to {namespace}"
                        ),
                        None => near_miss_help(
                            claim,
                            claims.names_in(Some(&ns)),
                            &format!("among the PersistentVolumeClaims of {namespace}"),
                            format!(
                                "add a PersistentVolumeClaim `{claim}` to {namespace}, or name \
                                 an existing one (or pass its manifest with `--context`)"
                            ),
                        ),
                    }),
                );
            }
        }
    }
}
