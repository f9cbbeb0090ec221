use super::super::pod_security::{all_containers, describe};
use super::super::{Finding, Options, Rule, declare_rule};
use super::host_path_volumes;
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports a container's `volumeMounts` entry (init, sidecar, regular or ephemeral
    /// container) that mounts a `hostPath` volume without `readOnly: true`, at the entry's
    /// `name` value. Not reported: a socket (`hostPath.type: Socket`, or a path ending in
    /// `.sock`), where `readOnly` changes nothing (a client writes to a socket whatever the
    /// mount says; `sensitive-host-mount` judges which sockets matter), and a `readOnly`
    /// value kubelint cannot read (a template placeholder).
    ///
    /// ## Why is this bad
    /// Whatever the container writes there lands on the node: a compromised container can
    /// plant files other pods or the node itself will run or trust (a cron entry, a binary
    /// on a shared path, a kubelet plugin), tamper with other pods' data on the node, or fill
    /// the node's disk. Most containers that mount the host only read it (logs, metrics,
    /// certificates).
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: shipper
    ///     volumeMounts:
    ///       - name: logs
    ///         mountPath: /var/log
    /// volumes:
    ///   - name: logs
    ///     hostPath:
    ///       path: /var/log
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: shipper
    ///     volumeMounts:
    ///       - name: logs
    ///         mountPath: /var/log
    ///         readOnly: true
    /// volumes:
    ///   - name: logs
    ///     hostPath:
    ///       path: /var/log
    /// ```
    ///
    /// ## Measured
    /// Off by default: on `../shared/corpus/real`, 48 findings in 29 files, all read and all
    /// true of the manifests, but most are node agents whose job is to write to the node —
    /// CNI plugins installing their binaries and configuration, CSI and DRA drivers'
    /// socket and plugin directories, device access in storage daemons, log shippers'
    /// position files — where `readOnly` is not an option. Turn it on for repositories of
    /// applications, where a writable host mount is rarely needed. kube-linter's
    /// `writable-host-mount` judges the same mounts.
    pub struct WritableHostMount => "writable-host-mount";
}

impl Rule for WritableHostMount {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        let volumes = host_path_volumes(pod);
        if volumes.is_empty() {
            return;
        }
        for container in all_containers(pod) {
            let Some(mounts) = container.get("volumeMounts") else {
                continue;
            };
            for mount in mounts.items() {
                let Some(name_node) = mount.get("name") else {
                    continue;
                };
                let Some(volume) = volumes.iter().find(|v| name_node.as_str() == Some(v.name))
                else {
                    continue;
                };
                let socket = volume.host_path.get_str("type") == Some("Socket")
                    || volume
                        .path
                        .and_then(|p| p.as_str())
                        .is_some_and(|p| p.trim_end_matches('/').ends_with(".sock"));
                if socket {
                    continue;
                }
                match mount.get_some("readOnly") {
                    Some(read_only) if read_only.as_bool() == Some(true) => continue,
                    Some(read_only) if read_only.as_bool().is_none() => continue,
                    _ => {}
                }
                let path = volume
                    .path
                    .and_then(|p| p.as_str())
                    .map(|p| format!(" (`{p}`)"))
                    .unwrap_or_default();
                out.push(
                    Finding::new(
                        name_node,
                        format!(
                            "{} mounts hostPath volume `{}`{path} writable: a compromised \
                             container can change files on the node that other pods and the \
                             node itself use",
                            describe(&container),
                            volume.name
                        ),
                    )
                    .subject(mount)
                    .help(
                        "add `readOnly: true` to the mount, or move what the container writes \
                         to an `emptyDir` or a persistent volume",
                    ),
                );
            }
        }
    }
}
