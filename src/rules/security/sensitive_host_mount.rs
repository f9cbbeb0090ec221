use serde::{Deserialize, Serialize};

use super::super::pod_security::all_containers;
use super::super::{Finding, Options, OptionsSpec, Rule, declare_rule};
use super::{host_path_volumes, is_under, normalize_host_path};
use crate::model::{Object, is_templated};

declare_rule! {
    /// ## What it does
    /// Reports a `hostPath` volume that a container of the pod mounts and whose path is
    /// sensitive, at the `path` value. The path is read as the node resolves it (`.`, `..`
    /// and trailing slashes applied, `/var/run` read as `/run`).
    ///
    /// Sensitive are the host's root and system directories themselves (`/`, `/etc`, `/dev`,
    /// `/proc`, `/sys`, `/usr`, `/lib`, `/bin`, `/sbin`, `/var`, `/var/lib`, `/run`, `/home`),
    /// and anything at or below the places that hold the node's keys and its control over
    /// containers: `/root`, `/boot`, `/etc/kubernetes`, `/etc/ssh`, `/var/lib/kubelet` (but
    /// not its plugin socket directories `plugins`, `plugins_registry`, `device-plugins` and
    /// `pod-resources`, which node plugins must mount), `/var/lib/etcd`, the container
    /// runtimes' sockets (`/run/docker.sock`, `/run/docker`,
    /// `/run/containerd`, `/run/crio`, `/run/podman`). The runtimes' state directories
    /// (`/var/lib/docker`, `/var/lib/containerd`, `/var/lib/containers`) count as a whole
    /// only. A subdirectory of a system directory (`/var/log`, `/etc/ssl/certs`,
    /// `/sys/fs/bpf`, `/var/lib/docker/containers`) is not reported: mounting one is how log
    /// shippers, certificate readers and network agents work. Values kubelint cannot read
    /// (template placeholders) are skipped; volumes no container mounts are left alone.
    ///
    /// ## Why is this bad
    /// The container runtime's socket is the node: whoever can reach it starts a privileged
    /// container. `/etc/kubernetes` and `/var/lib/kubelet` hold the kubelet's credentials and
    /// every pod's secrets on the node; `/`, `/etc` or `/root` give the container the node's
    /// users, keys and configuration; `/proc` and `/sys` expose every process and the
    /// kernel's settings. A process that breaks into the container owns the node, and
    /// reaches the rest of the cluster with the node's identity.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: docker
    ///     hostPath:
    ///       path: /var/run/docker.sock
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// # Build images without the node's runtime (kaniko, buildkit rootless), or run the
    /// # agent that needs the socket as a vetted, separately reviewed DaemonSet.
    /// volumes:
    ///   - name: workspace
    ///     emptyDir: {}
    /// ```
    ///
    /// ## Options
    /// - `extra-paths` (default `[]`): more host paths to report, with everything below
    ///   them (`/opt/secrets`, `/srv/backups`)
    ///
    /// Set them in `.kubelint.yaml`:
    /// `rules: {sensitive-host-mount: {extra-paths: [/opt/secrets]}}`
    ///
    /// ## Measured
    /// On `../shared/corpus/real`: 31 findings in 15 files, all read, all true of the
    /// manifests: node agents (monitoring: `/`, `/sys`, `/proc`, `/dev`, the Docker socket;
    /// CSI drivers: `/var/lib/kubelet/pods`; GPU driver installers: `/`, `/sys`), a
    /// cluster-autoscaler example reading `/etc/kubernetes/cloud.config` and
    /// `/root/.kube/config`, and a security demo mounting `/etc`. Before narrowing, log
    /// shippers' `/var/lib/docker/containers` (6 findings) were reported too; that directory
    /// now counts only as a whole. The kubelet's plugin directories (`plugins`,
    /// `plugins_registry`, `device-plugins`, `pod-resources`), where every CSI, DRA and device
    /// plugin must put its socket, are not sensitive either (4 findings of a first version). On by default: each one gives the pod the node, and is
    /// worth a review and a suppression with the reason when it is the agent's job.
    /// kube-linter's `sensitive-host-mounts` (exact `/`, `/boot`, `/dev`, `/etc`, `/lib`,
    /// `/proc`, `/sys`, `/usr`) and `docker-sock` map to this rule.
    pub struct SensitiveHostMount => "sensitive-host-mount";
}

/// The options of `sensitive-host-mount` (documented under `## Options` above).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct SensitiveHostMountOptions {
    /// More sensitive host paths, each with everything below it.
    pub extra_paths: Vec<String>,
}

/// Directories sensitive as a whole; what is below them is the node's ordinary content.
const SYSTEM_DIRS: &[&str] = &[
    "/",
    "/bin",
    "/dev",
    "/etc",
    "/home",
    "/lib",
    "/lib64",
    "/proc",
    "/run",
    "/sbin",
    "/sys",
    "/usr",
    "/var",
    "/var/lib",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/containers",
];

/// Paths sensitive with everything below them, and what they give away.
const SENSITIVE_TREES: &[(&str, &str)] = &[
    ("/root", "the node's root user's home (keys, credentials)"),
    ("/boot", "the node's kernel and boot loader"),
    (
        "/etc/kubernetes",
        "the node's Kubernetes credentials and certificates",
    ),
    ("/etc/ssh", "the node's SSH keys and configuration"),
    (
        "/var/lib/kubelet",
        "the kubelet's state: every pod's secrets and volumes on the node",
    ),
    (
        "/var/lib/etcd",
        "etcd's data: every object and secret of the cluster",
    ),
    (
        "/run/docker.sock",
        "the Docker socket: full control of the node's containers",
    ),
    ("/run/docker", "Docker's runtime directory and socket"),
    (
        "/run/dockershim.sock",
        "the dockershim socket: full control of the node's containers",
    ),
    (
        "/run/containerd",
        "containerd's socket: full control of the node's containers",
    ),
    (
        "/run/crio",
        "CRI-O's socket: full control of the node's containers",
    ),
    (
        "/run/podman",
        "Podman's socket: full control of the node's containers",
    ),
];

/// Below `/var/lib/kubelet`: the registration and socket directories of node plugins.
const KUBELET_PLUGIN_DIRS: &[&str] = &[
    "/var/lib/kubelet/plugins",
    "/var/lib/kubelet/plugins_registry",
    "/var/lib/kubelet/device-plugins",
    "/var/lib/kubelet/pod-resources",
];

fn sensitivity(path: &str, extra: &[String]) -> Option<String> {
    if SYSTEM_DIRS.contains(&path) {
        return Some(match path {
            "/" => "the node's whole filesystem".to_owned(),
            "/proc" => "every process of the node".to_owned(),
            "/sys" => "the node's kernel and device settings".to_owned(),
            "/dev" => "the node's devices".to_owned(),
            "/etc" => "the node's configuration, users and keys".to_owned(),
            "/var/lib/docker" | "/var/lib/containerd" | "/var/lib/containers" => {
                "the container runtime's images and containers".to_owned()
            }
            "/run" | "/var" | "/var/lib" => {
                "the node's runtime state, container runtime sockets included".to_owned()
            }
            _ => format!("the node's system directory `{path}`"),
        });
    }
    // The kubelet's plugin directories are where every CSI, DRA and device plugin must put
    // its socket: mounting them is how node plugins work, not access to the kubelet's state.
    if KUBELET_PLUGIN_DIRS.iter().any(|dir| is_under(path, dir)) {
        return None;
    }
    if let Some((_, what)) = SENSITIVE_TREES.iter().find(|(dir, _)| is_under(path, dir)) {
        return Some((*what).to_owned());
    }
    extra
        .iter()
        .filter_map(|dir| normalize_host_path(dir))
        .find(|dir| is_under(path, dir))
        .map(|dir| format!("`{dir}`, configured as sensitive"))
}

impl Rule for SensitiveHostMount {
    fn options(&self) -> Option<OptionsSpec> {
        Some(OptionsSpec::of::<SensitiveHostMountOptions>())
    }

    fn check_object<'d>(&self, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
        let Some(pod) = &object.pod else { return };
        let volumes = host_path_volumes(pod);
        if volumes.is_empty() {
            return;
        }
        let extra = &options.get::<SensitiveHostMountOptions>().extra_paths;
        let containers = all_containers(pod);
        for volume in volumes {
            let Some(node) = volume.path else { continue };
            let Some(raw) = node.as_str() else { continue };
            if is_templated(raw) {
                continue;
            }
            let Some(path) = normalize_host_path(raw) else {
                continue;
            };
            let Some(what) = sensitivity(&path, extra) else {
                continue;
            };
            let mounted_by: Vec<String> = containers
                .iter()
                .filter(|c| {
                    c.get("volumeMounts")
                        .into_iter()
                        .flat_map(|m| m.items())
                        .any(|m| m.get_str("name") == Some(volume.name))
                })
                .map(super::super::pod_security::describe)
                .collect();
            if mounted_by.is_empty() {
                continue;
            }
            let shown = if path == raw {
                format!("`{raw}`")
            } else {
                format!("`{raw}` (`{path}`)")
            };
            out.push(
                Finding::new(
                    node,
                    format!(
                        "hostPath volume `{}` mounts {shown} from the node into {}: {what}; a \
                         process that breaks into the container can take over the node",
                        volume.name,
                        mounted_by.join(", ")
                    ),
                )
                .help(
                    "remove the hostPath volume, or narrow it to the one file or directory the \
                     container needs, mounted with `readOnly: true`",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::normalize_host_path;
    use super::sensitivity;

    #[test]
    fn paths_as_the_node_resolves_them() {
        for (raw, sensitive) in [
            ("/", true),
            ("//", true),
            ("/etc/", true),
            ("/etc/../etc", true),
            ("/var/run/docker.sock", true),
            ("/run/containerd/containerd.sock", true),
            ("/var/run/crio/crio.sock", true),
            ("/etc/kubernetes/pki", true),
            ("/var/lib/kubelet/pods", true),
            ("/var/lib/kubelet/plugins/csi.example.com", false),
            ("/var/lib/kubelet/plugins_registry", false),
            ("/var/lib/kubelet/device-plugins", false),
            ("/proc", true),
            ("/var/log", false),
            ("/etc/ssl/certs", false),
            ("/etc/localtime", false),
            ("/sys/fs/bpf", false),
            ("/data", false),
            ("/var/lib/kubeletx", false),
        ] {
            let path = normalize_host_path(raw).unwrap();
            assert_eq!(sensitivity(&path, &[]).is_some(), sensitive, "{raw}");
        }
        assert!(sensitivity("/opt/secrets/a", &["/opt/secrets/".to_owned()]).is_some());
    }
}
