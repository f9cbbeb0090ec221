//! The fields the API server refuses to change once an object exists, per kind.
//!
//! The authority is each kind's update validation in the API server (`Validate…Update`): a
//! change there fails `kubectl apply` with "field is immutable" (or "Forbidden: updates to
//! statefulset spec for fields other than …"), after every linter and schema check has passed.
//! Fields that are immutable only in states a manifest cannot show (a Job's scheduling
//! directives while it is suspended) are left out, so every finding is a certain refusal.

use crate::k8s::group_of;
use crate::model::Object;
use crate::parse::tree::Node;

/// When a change to a field is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// Any change.
    Always,
    /// Any change, but only between two set values: the server fills in what it allocated
    /// when the manifest leaves the field out (a Service's `clusterIP`).
    BetweenSetValues,
    /// A list whose first item is fixed once both are set (a Service's primary address and
    /// IP family); the others may change (a second family added for dual stack).
    FirstItem,
    /// A quantity that may grow but never shrink (a claim's storage request).
    GrowOnly,
    /// Any change, once the object was marked `immutable: true` (ConfigMap, Secret data).
    WhileImmutable,
    /// `immutable: true` itself: it can never be turned off again.
    StaysTrue,
}

/// A field under guard, as found in one object.
#[derive(Debug, Clone, Copy)]
pub struct Guarded<'d> {
    /// Where it is, dotted (`spec.selector`): how messages name it, and its key across
    /// revisions.
    pub field: &'static str,
    pub node: Node<'d>,
    /// Its key: what a finding on a mapping or list points at (the value's first line would
    /// be one of its entries).
    pub key: Node<'d>,
    pub guard: Guard,
    /// Keys under the field that may change (paths below `node`), left out of the comparison.
    pub mutable_within: &'static [&'static [&'static str]],
}

/// What the way out of an immutable change costs for this kind, for the help text.
pub fn way_out(kind: &str) -> &'static str {
    match kind {
        "Deployment" | "ReplicaSet" | "DaemonSet" => {
            "delete and recreate it (`kubectl replace --force`, or `kubectl delete` then apply), \
             which stops all its pods at once, or create it under a new name and delete the old \
             one once the new one is ready"
        }
        "StatefulSet" => {
            "delete it with `kubectl delete statefulset NAME --cascade=orphan` (its pods and claims \
             stay) and apply the new one, which adopts them; for `volumeClaimTemplates`, the \
             existing claims keep their old size and class"
        }
        "Job" => "delete the Job and apply it again (it runs again), or give it a new name",
        "Service" => {
            "delete and recreate the Service (clients lose it until then, and it gets the new \
             address)"
        }
        "PersistentVolumeClaim" | "PersistentVolume" => {
            "create a new claim (or volume) and move the data: deleting it deletes or releases the \
             storage, as its reclaim policy says"
        }
        "RoleBinding" | "ClusterRoleBinding" => {
            "delete the binding and create it again (`kubectl replace --force`); access is \
             briefly not granted in between"
        }
        "StorageClass" => {
            "create a StorageClass with a new name for new claims; delete and recreate this one \
             only if no claim needs its old settings"
        }
        "ConfigMap" | "Secret" => {
            "create it under a new name (a kustomize generator's hash suffix does this) and \
             point the workloads at it"
        }
        _ => "delete and recreate the object, or give it a new name",
    }
}

fn at<'d>(
    object: &Object<'d>,
    out: &mut Vec<Guarded<'d>>,
    path: &[&str],
    field: &'static str,
    guard: Guard,
) {
    at_except(object, out, path, field, guard, &[]);
}

fn at_except<'d>(
    object: &Object<'d>,
    out: &mut Vec<Guarded<'d>>,
    path: &[&str],
    field: &'static str,
    guard: Guard,
    mutable_within: &'static [&'static [&'static str]],
) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut parent = Some(object.root);
    for key in parents {
        parent = parent.and_then(|n| n.get(key));
    }
    if let Some((key, node)) = parent.and_then(|p| p.entry(last))
        && !node.is_null()
    {
        out.push(Guarded {
            field,
            node,
            key,
            guard,
            mutable_within,
        });
    }
}

/// The guarded fields `object` sets.
pub fn immutable_fields<'d>(object: &Object<'d>) -> Vec<Guarded<'d>> {
    use Guard::*;
    let mut out = Vec::new();
    let o = &mut out;
    match (group_of(object.api_version), object.kind) {
        // `extensions` allowed selector changes; it is removed, so only apps/v1 is judged.
        ("apps", "Deployment" | "ReplicaSet" | "DaemonSet") => {
            at(object, o, &["spec", "selector"], "spec.selector", Always);
        }
        ("apps", "StatefulSet") => {
            at(object, o, &["spec", "selector"], "spec.selector", Always);
            at(
                object,
                o,
                &["spec", "serviceName"],
                "spec.serviceName",
                Always,
            );
            at(
                object,
                o,
                &["spec", "podManagementPolicy"],
                "spec.podManagementPolicy",
                Always,
            );
            at(
                object,
                o,
                &["spec", "volumeClaimTemplates"],
                "spec.volumeClaimTemplates",
                Always,
            );
        }
        ("batch", "Job") => {
            at(object, o, &["spec", "selector"], "spec.selector", Always);
            at(
                object,
                o,
                &["spec", "completionMode"],
                "spec.completionMode",
                Always,
            );
            // Labels, annotations and scheduling directives may change while a Job is
            // suspended and has not started: a manifest cannot tell, so they are not judged.
            at_except(
                object,
                o,
                &["spec", "template"],
                "spec.template",
                Always,
                &[
                    &["metadata", "labels"],
                    &["metadata", "annotations"],
                    &["spec", "nodeSelector"],
                    &["spec", "affinity"],
                    &["spec", "tolerations"],
                    &["spec", "schedulingGates"],
                ],
            );
        }
        ("", "Service") => {
            at(
                object,
                o,
                &["spec", "clusterIP"],
                "spec.clusterIP",
                BetweenSetValues,
            );
            at(
                object,
                o,
                &["spec", "clusterIPs"],
                "spec.clusterIPs",
                FirstItem,
            );
            at(
                object,
                o,
                &["spec", "ipFamilies"],
                "spec.ipFamilies",
                FirstItem,
            );
        }
        ("", "PersistentVolumeClaim") => {
            for (key, field) in [
                ("accessModes", "spec.accessModes"),
                ("selector", "spec.selector"),
                ("storageClassName", "spec.storageClassName"),
                ("volumeMode", "spec.volumeMode"),
                ("volumeName", "spec.volumeName"),
                ("dataSource", "spec.dataSource"),
                ("dataSourceRef", "spec.dataSourceRef"),
            ] {
                at(object, o, &["spec", key], field, Always);
            }
            at(
                object,
                o,
                &["spec", "resources", "requests", "storage"],
                "spec.resources.requests.storage",
                GrowOnly,
            );
        }
        ("", "PersistentVolume") => {
            // The volume source (one of these keys) is fixed once the volume exists.
            for (key, field) in PV_SOURCES {
                at(object, o, &["spec", key], field, Always);
            }
        }
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            at(object, o, &["roleRef"], "roleRef", Always);
        }
        ("storage.k8s.io", "StorageClass") => {
            at(object, o, &["provisioner"], "provisioner", Always);
            at(object, o, &["parameters"], "parameters", Always);
            at(object, o, &["reclaimPolicy"], "reclaimPolicy", Always);
            at(
                object,
                o,
                &["volumeBindingMode"],
                "volumeBindingMode",
                Always,
            );
        }
        ("", kind @ ("ConfigMap" | "Secret")) => {
            at(object, o, &["immutable"], "immutable", StaysTrue);
            at(object, o, &["data"], "data", WhileImmutable);
            at(object, o, &["binaryData"], "binaryData", WhileImmutable);
            if kind == "Secret" {
                at(object, o, &["stringData"], "stringData", WhileImmutable);
                at(object, o, &["type"], "type", Always);
            }
        }
        _ => {}
    }
    out
}

const PV_SOURCES: [(&str, &str); 22] = [
    ("awsElasticBlockStore", "spec.awsElasticBlockStore"),
    ("azureDisk", "spec.azureDisk"),
    ("azureFile", "spec.azureFile"),
    ("cephfs", "spec.cephfs"),
    ("cinder", "spec.cinder"),
    ("csi", "spec.csi"),
    ("fc", "spec.fc"),
    ("flexVolume", "spec.flexVolume"),
    ("flocker", "spec.flocker"),
    ("gcePersistentDisk", "spec.gcePersistentDisk"),
    ("glusterfs", "spec.glusterfs"),
    ("hostPath", "spec.hostPath"),
    ("iscsi", "spec.iscsi"),
    ("local", "spec.local"),
    ("nfs", "spec.nfs"),
    ("photonPersistentDisk", "spec.photonPersistentDisk"),
    ("portworxVolume", "spec.portworxVolume"),
    ("quobyte", "spec.quobyte"),
    ("rbd", "spec.rbd"),
    ("scaleIO", "spec.scaleIO"),
    ("storageos", "spec.storageos"),
    ("vsphereVolume", "spec.vsphereVolume"),
];
