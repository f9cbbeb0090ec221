use super::super::{Finding, Options, Rule, declare_rule};
use crate::k8s::pod_security::{Level, PolicyGate};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// The Pod Security Standards' restricted control "Volume Types": a pod's volumes may be
    /// only `configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`, `image`,
    /// `persistentVolumeClaim`, `projected` or `secret`. Reports each volume of another type
    /// known to the API (`nfs`, `iscsi`, `cephfs`, `rbd`, `glusterfs`, `gitRepo`,
    /// `flexVolume`, `awsElasticBlockStore`, `gcePersistentDisk`, `azureDisk`, `azureFile`,
    /// `cinder`, `fc`, `flocker`, `portworxVolume`, `quobyte`, `scaleIO`, `storageos`,
    /// `vsphereVolume`, `photonPersistentDisk`), at the volume source's key. `image` volumes
    /// are allowed: the admission library allows them for every version of the standards.
    ///
    /// `hostPath` is forbidden by this control too, but the baseline control "HostPath
    /// Volumes" forbids it already and `host-path-volume` reports it at the same key; its
    /// finding counts at the `restricted` level as well, so this rule leaves `hostPath` alone
    /// rather than report the same volume twice. A volume with no source set is an `emptyDir`
    /// (the API server's default) and is never reported.
    ///
    /// Off by default: network filesystems mounted straight from the pod spec are an
    /// ordinary, working choice outside namespaces that enforce `restricted`. It reports
    /// wherever a Namespace of the run enforces, warns or audits `restricted` (the category's
    /// admission grading), and when selected by id.
    ///
    /// ## Why is this bad
    /// An inline volume source lets whoever writes the pod choose the server, export and
    /// credentials it mounts, with no PersistentVolume an administrator controls in between;
    /// some (`gitRepo`, `flexVolume`) run host-side code on the node for the pod. A namespace
    /// that enforces `restricted` refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: shared
    ///     nfs:
    ///       server: nfs.example.internal
    ///       path: /exports/shared
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// volumes:
    ///   - name: shared
    ///     persistentVolumeClaim:
    ///       claimName: shared   # bound to an NFS PersistentVolume the administrator defines
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 31 findings in 31 files, all read, all true:
    /// every one an inline `nfs`, `iscsi`, `cephfs`, `rbd`, `glusterfs`, `flexVolume`,
    /// `flocker`, `fc`, `quobyte`, `scaleIO`, `storageos`, `portworxVolume`, `cinder`,
    /// `vsphereVolume`, `azureDisk`, `azureFile`, `awsElasticBlockStore` or
    /// `gcePersistentDisk` volume in the volume examples of `kubernetes/examples`. Off by
    /// default all the same: the control is a policy choice (storage behind
    /// PersistentVolumes), not a defect, outside namespaces that enforce `restricted`.
    pub struct RestrictedVolumeTypes => "restricted-volume-types";
}

const GATE: PolicyGate = PolicyGate::of(Level::Restricted);

/// The volume sources the restricted level allows.
const ALLOWED: [&str; 9] = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// The other volume sources of the API (`hostPath` aside: `host-path-volume` reports it).
const RESTRICTED: [&str; 20] = [
    "awsElasticBlockStore",
    "azureDisk",
    "azureFile",
    "cephfs",
    "cinder",
    "fc",
    "flexVolume",
    "flocker",
    "gcePersistentDisk",
    "gitRepo",
    "glusterfs",
    "iscsi",
    "nfs",
    "photonPersistentDisk",
    "portworxVolume",
    "quobyte",
    "rbd",
    "scaleIO",
    "storageos",
    "vsphereVolume",
];

impl Rule for RestrictedVolumeTypes {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        let Some(volumes) = pod.spec.get_some("volumes") else {
            return;
        };
        for volume in volumes.items().filter(|v| v.is_map()) {
            let set = |key: &str| volume.get_some(key).is_some();
            if ALLOWED.iter().any(|k| set(k)) {
                continue;
            }
            let Some((key, _)) = volume.entries().find(|(k, v)| {
                !v.is_null() && k.key_text().is_some_and(|k| RESTRICTED.contains(&k))
            }) else {
                continue;
            };
            let kind = key.key_text().unwrap_or_default();
            let name = volume.get_str("name").unwrap_or("<unnamed>");
            out.push(
                Finding::new(
                    key,
                    format!(
                        "volume `{name}` mounts `{kind}` straight from the pod spec, a volume \
                         type the restricted policy forbids"
                    ),
                )
                .help(if kind == "gitRepo" {
                    // No PersistentVolume can be a git checkout; the deprecation notice's way.
                    "clone the repository into an `emptyDir` volume from an init container \
                     (`gitRepo` is deprecated)"
                        .to_owned()
                } else {
                    format!(
                        "define the `{kind}` storage as a PersistentVolume and mount it through \
                         a `persistentVolumeClaim` (or use a CSI driver)"
                    )
                })
                .policy(GATE),
            );
        }
    }
}
