use super::super::{Finding, Options, Rule, declare_rule};
use crate::k8s::pod_security::{Level, PolicyGate};
use crate::model::{Object, is_templated};

declare_rule! {
    /// ## What it does
    /// Reports each volume of `spec.volumes` that is a `hostPath` volume, at its `hostPath`
    /// key. This is the Pod Security Standards' baseline control "HostPath Volumes": the
    /// admission controller of a namespace that enforces `baseline` or `restricted` refuses
    /// the pod, whatever the path and whether or not the mounts are read-only. `hostPath:
    /// null` is no hostPath volume, as the API server reads it. Which paths are especially
    /// dangerous, and which mounts are writable, is for the `security` rules
    /// `sensitive-host-mount` and `writable-host-mount`.
    ///
    /// ## Why is this bad
    /// The pod reads, and unless every mount of the volume is read-only writes, the node's own
    /// files: its configuration, the kubelet's credentials, other pods' volumes, the container
    /// runtime's socket. A compromised container becomes a compromised node. The data also
    /// stays on that one node: a pod rescheduled elsewhere does not find it.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: example/app:1.0
    ///       volumeMounts:
    ///         - name: data
    ///           mountPath: /data
    ///   volumes:
    ///     - name: data
    ///       hostPath:
    ///         path: /srv/data
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: example/app:1.0
    ///       volumeMounts:
    ///         - name: data
    ///           mountPath: /data
    ///   volumes:
    ///     - name: data
    ///       persistentVolumeClaim:
    ///         claimName: app-data
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 102 findings in 55 files, all read, all true
    /// (the volume is a hostPath one). 61 are node agents (DaemonSets, and one agent run as a
    /// ReplicationController: log collectors on `/var/log`, CNI and CSI plugins on kubelet
    /// directories, node-exporter on `/` and `/sys`, monitoring agents on the container
    /// runtime's socket), 28 cluster-autoscaler examples that mount one file of the node (its CA
    /// bundle, a cloud configuration, a kubeconfig; or Azure's agent directory), which a
    /// ConfigMap or Secret would carry, and 13 samples that keep data or tools on the node (a
    /// StatefulSet on a local SSD, Vitess's syslog and certificates, Rook's cleanup and debug
    /// pods, a GPU sample and a security demo mounting `/` and `/etc`).
    /// Every one is refused by a namespace that enforces `baseline`: on by default. kube-linter
    /// has no check for every hostPath volume (its `sensitive-host-mounts` and `docker-sock`
    /// judge the path, as `sensitive-host-mount` does).
    pub struct HostPathVolume => "host-path-volume";
}

const GATE: PolicyGate = PolicyGate::of(Level::Baseline);

impl Rule for HostPathVolume {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        let Some(volumes) = pod.spec.get("volumes") else {
            return;
        };
        for volume in volumes.items() {
            // A templated or malformed value is not a volume the API server would accept as
            // a hostPath one: only a mapping is.
            let Some((key, host_path)) = volume.entry("hostPath") else {
                continue;
            };
            if !host_path.is_map() {
                continue;
            }
            let name = volume.get_str("name").unwrap_or("<unnamed>");
            let what = match host_path.get_str("path").filter(|p| !is_templated(p)) {
                Some(path) => format!("the node's `{path}`"),
                None => "a path of the node".to_owned(),
            };
            out.push(
                Finding::new(
                    key,
                    format!(
                        "volume `{name}` mounts {what} (hostPath): the pod reads, and unless \
                         every mount is read-only writes, the node's own files"
                    ),
                )
                .help(
                    "replace the hostPath volume with an emptyDir, configMap, secret or \
                     persistentVolumeClaim volume; a node agent that needs the node's files \
                     belongs in a namespace whose policy is privileged",
                )
                .policy(GATE),
            );
        }
    }
}
