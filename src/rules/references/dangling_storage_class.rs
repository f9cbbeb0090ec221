use super::super::{GraphFinding, Rule, declare_rule};
use super::named::{Defined, is_placeholder, near_miss_help};
use crate::index::{Facts, Index, KindFacts, Site};

declare_rule! {
    /// ## What it does
    /// Reports a PersistentVolumeClaim's `storageClassName`, and a StatefulSet
    /// `volumeClaimTemplates` item's, that names a StorageClass the run does not define, at
    /// the name's value. The help names the closest StorageClass of the run when one is a
    /// near miss.
    ///
    /// Trust rule (silent when the run cannot know): only when the run defines
    /// StorageClasses at all, StorageClasses are cluster-scoped, so one of that name
    /// anywhere in the inputs or `--context` counts, and the claim's own directory must hold
    /// at least one StorageClass — evidence that this part of the repository declares the
    /// classes its claims use, rather than relying on the cluster's (`standard`, `gp2`,
    /// `premium-rwo`…) or a CSI driver's. `storageClassName: ""` (no class: bind a
    /// pre-provisioned volume) and an unset or null one (the default class) are never
    /// reported, nor are placeholders (template expressions, names no object can have such
    /// as `$STORAGE_CLASS`), kustomize patches and objects a patch of the run changes.
    ///
    /// ## Why is this bad
    /// No provisioner acts on a class that does not exist: the claim stays `Pending`
    /// (`storageclass.storage.k8s.io "…" not found`), and so does every pod that mounts it.
    ///
    /// ## Example
    /// ```yaml
    /// kind: StorageClass
    /// metadata:
    ///   name: fast-ssd
    /// provisioner: pd.csi.storage.gke.io
    /// ---
    /// kind: PersistentVolumeClaim
    /// spec:
    ///   storageClassName: fast-sdd
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: StorageClass
    /// metadata:
    ///   name: fast-ssd
    /// provisioner: pd.csi.storage.gke.io
    /// ---
    /// kind: PersistentVolumeClaim
    /// spec:
    ///   storageClassName: fast-ssd
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files, 54 with a StorageClass): 0 findings, on by
    /// default. Without the directory requirement it made 16, all read and none worth
    /// fixing: classes that the cloud or a CSI driver installs (`standard-rwo`,
    /// `premium-rwo`, `standard`, `hostpath`, GKE's Lustre and GCS FUSE classes, EKS
    /// workshop's `ebs-csi-default-sc`) and sample names (`my-storage-class`); that is why a
    /// StorageClass must be declared beside the claim. The fixtures carry the true findings
    /// (a typo, a StatefulSet claim template in a directory with its own class). No peer
    /// checks this.
    pub struct DanglingStorageClass => "dangling-storage-class";
}

impl Rule for DanglingStorageClass {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        let classes = Defined::of(index, |f| {
            f.id.kind == "StorageClass"
                && crate::k8s::group_of(&f.id.api_version) == "storage.k8s.io"
        });
        if classes.is_empty() {
            return;
        }
        let mut report = |i: usize, f: &Facts, what: String, name: &str, site: &Site| {
            if name.is_empty()
                || is_placeholder(name)
                || classes.has_anywhere(name)
                || !classes.declared_in_dir(&f.file)
                || index.has_patch(f)
            {
                return;
            }
            out.push(
                GraphFinding::new(
                    i,
                    site,
                    format!(
                        "{what} asks for StorageClass `{name}`, which the run does not \
                         define: the claim stays Pending"
                    ),
                )
                .help(near_miss_help(
                    name,
                    classes.names_in(None),
                    "among the StorageClasses of the run",
                    format!(
                        "add a StorageClass `{name}`, name an existing one, or remove \
                         `storageClassName` to use the cluster's default class"
                    ),
                )),
            );
        };
        for (i, f) in index.subjects() {
            if !f.reported || f.fragment {
                continue;
            }
            match &f.kind {
                KindFacts::PersistentVolumeClaim {
                    storage_class: Some((name, site)),
                    ..
                } => report(
                    i,
                    f,
                    format!("PersistentVolumeClaim `{}`", f.id.name),
                    name,
                    site,
                ),
                KindFacts::Workload(w) => {
                    for t in &w.object_refs.claim_templates {
                        if let Some((name, site)) = &t.storage_class {
                            report(
                                i,
                                f,
                                format!(
                                    "claim template `{}` of StatefulSet `{}`",
                                    t.name, f.id.name
                                ),
                                name,
                                site,
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }
}
