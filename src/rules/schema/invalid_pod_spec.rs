use std::collections::HashMap;

use super::super::{Finding, GraphFinding, Options, Rule, declare_rule};
use crate::index::{Index, KindFacts};
use crate::k8s::KubeVersion;
use crate::k8s::validation::{
    RELAXED_ENV_VAR_NAMES_SINCE, dns1123_label, env_var_name, port_name, port_number,
};
use crate::model::pod::{Container, ContainerKind, PodTemplate, WorkloadKind};
use crate::model::{Object, is_templated};
use crate::parse::tree::Node;

declare_rule! {
    /// ## What it does
    /// Reports what the API server's pod validation refuses in a Pod or in the pod template
    /// of a Deployment, ReplicaSet, ReplicationController, StatefulSet, DaemonSet, Job or
    /// CronJob, after defaulting, for the target version. Each finding points at the
    /// offending value (or key) and says the API server's reason:
    ///
    /// - container names that are not DNS-1123 labels, or used twice across init, sidecar,
    ///   regular and ephemeral containers (at the second name, the first one labelled);
    /// - `ephemeralContainers` in a manifest (they can only be added to a running pod);
    /// - port names that are not IANA service names or are used twice in one container,
    ///   `containerPort` and `hostPort` outside 1-65535, two containers taking the same
    ///   `hostPort` (protocol and `hostIP` alike), and with `hostNetwork: true` a `hostPort`
    ///   other than the `containerPort`;
    /// - volume names that are not DNS-1123 labels or are used twice, a volume with more
    ///   than one source (`emptyDir` and `configMap`); `volumeMounts` and `volumeDevices`
    ///   naming no volume of the pod (nor a StatefulSet claim template) — unless another
    ///   object of the run has the same kind, namespace and name (a kustomize base or patch
    ///   that may declare it), or the object looks like a patch itself (a container without
    ///   an `image`, a controller without `selector`) —, a `volumeDevices` entry naming a
    ///   volume that is not a
    ///   PersistentVolumeClaim, a `mountPath` used twice in one container, a `subPath` that
    ///   is absolute or contains `..`, `subPath` and `subPathExpr` together;
    /// - probes without exactly one handler (`exec`, `httpGet`, `tcpSocket`, `grpc`), negative
    ///   `initialDelaySeconds`, `timeoutSeconds`, `periodSeconds`, `successThreshold` or
    ///   `failureThreshold`, a liveness or startup probe whose `successThreshold` is not 1, a
    ///   probe `terminationGracePeriodSeconds` below 1 or on a readiness probe, a probe port
    ///   number outside 1-65535, probes and `lifecycle` on an init container that is not a
    ///   sidecar; `postStart` and `preStop` without exactly one handler;
    /// - environment variable names the target version refuses (before 1.32 letters, digits,
    ///   `_`, `-` and `.`, not starting with a digit; from 1.32 printable ASCII but `=`),
    ///   `value` and `valueFrom` together, `valueFrom` without exactly one source, `envFrom`
    ///   without exactly one of `configMapRef` and `secretRef` or with an invalid `prefix`;
    /// - `restartPolicy` other than `Always` in a Deployment, ReplicaSet, ReplicationController,
    ///   StatefulSet or DaemonSet template, and a Job or CronJob template whose `restartPolicy`
    ///   is `Always` or absent (it defaults to `Always`, which a Job refuses); a container
    ///   `restartPolicy` on a regular container or other than `Always` on an init container
    ///   (before 1.35, which allows per-container restart rules);
    /// - `activeDeadlineSeconds` below 1, or at all in the template of a controller whose pods
    ///   run forever; `dnsPolicy: None` without `dnsConfig`.
    ///
    /// What defaulting repairs is not reported: a volume without a source becomes an
    /// `emptyDir`, a probe threshold of 0 takes its default, a negative pod
    /// `terminationGracePeriodSeconds` is raised to 1. Values the schema already refuses
    /// (wrong types, unknown `protocol`) are left to `invalid-value`, missing fields to
    /// `missing-required-field`, and Helm-templated values are never judged. Checks that need
    /// the cluster (admission webhooks, quota, PodSecurity) are out of scope.
    ///
    /// A StatefulSet's pod template is validated for its `restartPolicy` and
    /// `activeDeadlineSeconds` only (`ValidatePodTemplateSpecForStatefulSet`): the API server
    /// accepts the StatefulSet and refuses each pod its controller creates, and the other
    /// findings on a StatefulSet say so.
    ///
    /// ## Why is this bad
    /// `kubectl apply` fails with `... is invalid: spec.template.spec.containers[1].name:
    /// Duplicate value: "app"`, so the rollout never starts; in a chart the error appears only
    /// at install time, often for one combination of values no one rendered in review.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata: {name: migrate}
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: migrate
    ///           image: migrate:1.4
    ///           ports: [{name: prometheus-metrics, containerPort: 9090}]
    ///           volumeMounts: [{name: config, mountPath: /etc/migrate}]
    ///         - name: migrate
    ///           image: proxy:2.1
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata: {name: migrate}
    /// spec:
    ///   template:
    ///     spec:
    ///       restartPolicy: Never
    ///       containers:
    ///         - name: migrate
    ///           image: migrate:1.4
    ///           ports: [{name: metrics, containerPort: 9090}]
    ///           volumeMounts: [{name: config, mountPath: /etc/migrate}]
    ///         - name: proxy
    ///           image: proxy:2.1
    ///       volumes:
    ///         - name: config
    ///           configMap: {name: migrate}
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 1 finding in 1 file, read: istio's
    /// `samples/mtls-echo/mtls-echo.yaml` mounts `ca-certs` while its volume is named `ca`, a
    /// real bug (precision 1/1). The first version had 29 findings in 21 files, all read: 21
    /// were mounts of a StatefulSet's `volumeClaimTemplates` (now volumes of the pod), 6 were
    /// kustomize patches kubelint does not recognise as such (now skipped: containers without
    /// an image, a Deployment without `selector`, or a Deployment with the same name as
    /// another object of the run), 2 were real bugs, one of them now silenced by that last
    /// rule (cluster-autoscaler's bizflycloud example mounts `kubeconfig` but declares
    /// `ssl-cekubeconfigrts`, and other examples in the run share its name). Every other
    /// check is silent on the corpus. On by default: every finding is an apply that fails.
    /// No peer checks these.
    pub struct InvalidPodSpec => "invalid-pod-spec";
}

/// The release from which containers may set their own `restartPolicy` (ContainerRestartRules,
/// beta and on by default in 1.35).
const CONTAINER_RESTART_RULES_SINCE: KubeVersion = KubeVersion {
    major: 1,
    minor: 35,
};

const REFUSED: &str = "the API server refuses the object";

impl Rule for InvalidPodSpec {
    fn check_object<'d>(&self, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
        let Some(pod) = &object.pod else { return };
        let start = out.len();
        let relaxed_env = options.target
            >= KubeVersion {
                major: RELAXED_ENV_VAR_NAMES_SINCE.0,
                minor: RELAXED_ENV_VAR_NAMES_SINCE.1,
            };
        let ephemeral: Vec<Container<'d>> = pod.ephemeral_containers().collect();
        container_names(pod, &ephemeral, out);
        if let Some((key, _)) = pod.spec.entry("ephemeralContainers")
            && pod
                .spec
                .get_some("ephemeralContainers")
                .is_some_and(|l| l.items().next().is_some())
        {
            // ValidatePodCreate / ValidatePodTemplateSpec: only the ephemeralcontainers
            // subresource of a running pod may add them.
            out.push(
                Finding::new(key, format!("`ephemeralContainers` cannot be set in a manifest; {REFUSED}: ephemeral containers are only added to a running pod, with `kubectl debug`"))
                    .help("remove `ephemeralContainers`; use `kubectl debug` on the running pod instead"),
            );
        }
        let fragment = pod.is_fragment(object.root);
        let volumes = volumes(object, pod, out).filter(|_| !fragment);
        for container in &pod.containers {
            ports(container, pod.spec, out);
            mounts(container, volumes.as_ref(), out);
            probes(container, out);
            env(container, relaxed_env, out);
            container_restart_policy(container, options.target, out);
        }
        host_port_conflicts(pod, out);
        dns_policy(pod, out);
        if pod.workload == WorkloadKind::StatefulSet {
            super::reword_for_statefulset_pods(&mut out[start..]);
        }
        pod_restart_policy(object, pod, fragment, out);
        active_deadline(pod, out);
    }

    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        for (i, f) in index.subjects() {
            let KindFacts::Workload(w) = &f.kind else {
                continue;
            };
            // Another object of the same kind and name (a kustomize base, an overlay's patch)
            // may declare the volume: the API server sees them merged.
            if w.undeclared_volumes.is_empty()
                || !f.reported
                || f.fragment
                || index.has_patch(f)
                || index.same_identity(f).next().is_some()
            {
                continue;
            }
            for u in &w.undeclared_volumes {
                let how = if u.list == "volumeDevices" {
                    "has a block device from volume"
                } else {
                    "mounts volume"
                };
                let name = &u.name;
                let mut message = format!(
                    "{} `{}` {how} `{name}`, which the pod does not declare; {REFUSED}: `{}` must name a volume of the pod",
                    u.container_kind.describe(),
                    u.container.as_deref().unwrap_or("<unnamed>"),
                    u.list
                );
                if w.workload == WorkloadKind::StatefulSet {
                    message = super::for_statefulset_pods(&message);
                }
                out.push(
                    GraphFinding::new(i, &u.site, message)
                        .help(format!(
                            "add a volume named `{name}` to the pod's `volumes`, or fix the name"
                        ))
                        .container(u.container.clone()),
                );
            }
        }
    }
}

fn templated(node: Node<'_>) -> bool {
    node.raw().is_some_and(is_templated)
}

/// A string value that is not a template expression.
fn literal<'d>(node: Option<Node<'d>>) -> Option<(Node<'d>, &'d str)> {
    let node = node?;
    let text = node.as_str()?;
    (!is_templated(text)).then_some((node, text))
}

fn who(container: &Container<'_>) -> String {
    format!(
        "{} `{}`",
        container.kind.describe(),
        container.display_name()
    )
}

/// validateContainers, validateInitContainers, validateEphemeralContainers: DNS-1123 labels,
/// unique across every kind of container.
fn container_names<'d>(
    pod: &PodTemplate<'d>,
    ephemeral: &[Container<'d>],
    out: &mut Vec<Finding<'d>>,
) {
    let mut first: HashMap<&str, Node<'d>> = HashMap::new();
    for container in pod.containers.iter().chain(ephemeral) {
        let Some((node, name)) = literal(container.node.get("name")) else {
            continue;
        };
        let reasons = dns1123_label(name);
        if !reasons.is_empty() {
            out.push(
                Finding::new(node, format!("{} name `{name}` is not a valid DNS-1123 label; {REFUSED}: {}", container.kind.describe(), reasons.join("; ")))
                    .help("use lowercase letters, digits and `-`, starting and ending with a letter or digit, at most 63 characters"),
            );
        }
        match first.get(name) {
            Some(&earlier) => out.push(
                Finding::new(node, format!("container name `{name}` is used twice; {REFUSED}: container names must be unique across init, regular and ephemeral containers"))
                    .label(earlier, "first used here")
                    .help("rename one of the containers"),
            ),
            None => {
                first.insert(name, node);
            }
        }
    }
}

/// ValidateContainerPorts, validateHostNetwork.
fn ports<'d>(container: &Container<'d>, spec: Node<'d>, out: &mut Vec<Finding<'d>>) {
    let Some(list) = container.get("ports") else {
        return;
    };
    if container.kind == ContainerKind::Ephemeral {
        return;
    }
    let host_network = spec.get("hostNetwork").and_then(|h| h.as_bool()) == Some(true);
    let mut first: HashMap<&str, Node<'d>> = HashMap::new();
    for port in list.items() {
        // validateContainerPorts: an empty name is no name; a duplicate is only looked for
        // among valid names.
        if let Some((node, name)) = literal(port.get("name")).filter(|(_, n)| !n.is_empty()) {
            let reasons = port_name(name);
            if !reasons.is_empty() {
                out.push(
                    Finding::new(node, format!("port name `{name}` of {} is not a valid IANA service name; {REFUSED}: {}", who(container), reasons.join("; ")))
                        .help("use at most 15 lowercase letters, digits and `-`, with at least one letter and no `--`"),
                );
            } else if let Some(&earlier) = first.get(name) {
                out.push(
                    Finding::new(node, format!("port name `{name}` is used twice in {}; {REFUSED}: port names must be unique within a container", who(container)))
                        .label(earlier, "first used here")
                        .help("rename one of the ports"),
                );
            } else {
                first.insert(name, node);
            }
        }
        let container_port = port.get("containerPort");
        if let Some((node, value)) = container_port.and_then(|n| Some((n, n.as_i64()?))) {
            let reasons = port_number(value);
            if !reasons.is_empty() {
                out.push(Finding::new(
                    node,
                    format!(
                        "`containerPort` {value} of {} is out of range; {REFUSED}: {}",
                        who(container),
                        reasons.join("; ")
                    ),
                ));
            }
        }
        let host_port = port.get("hostPort").and_then(|n| Some((n, n.as_i64()?)));
        if let Some((node, value)) = host_port
            && value != 0
        {
            let reasons = port_number(value);
            if !reasons.is_empty() {
                out.push(Finding::new(
                    node,
                    format!(
                        "`hostPort` {value} of {} is out of range; {REFUSED}: {}",
                        who(container),
                        reasons.join("; ")
                    ),
                ));
            } else if host_network
                && container.kind == ContainerKind::Regular
                && let Some(cp) = container_port.and_then(|n| n.as_i64())
                && cp != value
            {
                out.push(
                    Finding::new(node, format!("`hostPort` {value} differs from `containerPort` {cp} of {} in a pod with `hostNetwork: true`; {REFUSED}: with the host's network the two must match", who(container)))
                        .help(format!("set `hostPort: {cp}` or remove it")),
                );
            }
        }
    }
}

/// AccumulateUniqueHostPorts: one host port (per protocol and host IP) for the whole pod.
fn host_port_conflicts<'d>(pod: &PodTemplate<'d>, out: &mut Vec<Finding<'d>>) {
    let mut first: HashMap<(String, String, i64), Node<'d>> = HashMap::new();
    for container in pod
        .containers
        .iter()
        .filter(|c| c.kind == ContainerKind::Regular)
    {
        let Some(list) = container.get("ports") else {
            continue;
        };
        for port in list.items() {
            let Some(node) = port.get("hostPort") else {
                continue;
            };
            let Some(value) = node.as_i64().filter(|v| *v != 0) else {
                continue;
            };
            let Some(protocol) = port.get("protocol").map_or(Some("TCP"), |p| p.as_str()) else {
                continue;
            };
            let Some(ip) = port.get("hostIP").map_or(Some(""), |p| p.as_str()) else {
                continue;
            };
            if is_templated(protocol) || is_templated(ip) {
                continue;
            }
            let key = (ip.to_owned(), protocol.to_owned(), value);
            match first.get(&key) {
                Some(&earlier) => out.push(
                    Finding::new(node, format!("`hostPort` {value}/{protocol} is taken twice in the pod ({}); {REFUSED}: a host port can be used once per pod", who(container)))
                        .label(earlier, "first taken here")
                        .help("give each container its own host port, or remove `hostPort`"),
                ),
                None => {
                    first.insert(key, node);
                }
            }
        }
    }
}

/// What the pod's volumes declare: name to whether it is a claim (block devices need one).
struct Volumes<'d> {
    kinds: HashMap<&'d str, bool>,
}

/// The sources a volume may have (`VolumeSource`); other keys are `unknown-field`'s.
const VOLUME_SOURCES: [&str; 30] = [
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

/// validateVolumes. `None` when the list cannot be known (templated), so mounts are not judged.
/// A StatefulSet's `volumeClaimTemplates` add a claim volume of their name to every pod.
fn volumes<'d>(
    object: &Object<'d>,
    pod: &PodTemplate<'d>,
    out: &mut Vec<Finding<'d>>,
) -> Option<Volumes<'d>> {
    let mut kinds = HashMap::new();
    let mut first: HashMap<&str, Node<'d>> = HashMap::new();
    let mut known = true;
    if pod.workload == WorkloadKind::StatefulSet
        && let Some(claims) = object.root.path(&["spec", "volumeClaimTemplates"])
    {
        if !claims.is_seq() && !claims.is_null() {
            known = false;
        }
        for claim in claims.items() {
            match claim.path(&["metadata", "name"]).and_then(|n| n.as_str()) {
                Some(name) if !is_templated(name) => {
                    kinds.insert(name, true);
                }
                _ => known = false,
            }
        }
    }
    let list = pod.spec.get_some("volumes");
    if list.is_some_and(|l| !l.is_seq()) {
        return None;
    }
    for volume in list.iter().flat_map(|l| l.items()) {
        let Some(name_node) = volume.get("name") else {
            continue;
        };
        let Some(name) = name_node.as_str() else {
            known = false;
            continue;
        };
        let sources: Vec<(Node<'d>, &str)> = volume
            .entries()
            .filter(|(k, v)| {
                k.key_text().is_some_and(|k| VOLUME_SOURCES.contains(&k)) && !v.is_null()
            })
            .filter_map(|(k, _)| Some((k, k.key_text()?)))
            .collect();
        kinds.insert(
            name,
            sources
                .iter()
                .any(|(_, s)| matches!(*s, "persistentVolumeClaim" | "ephemeral")),
        );
        if is_templated(name) {
            known = false;
            continue;
        }
        let reasons = dns1123_label(name);
        if !reasons.is_empty() {
            out.push(
                Finding::new(name_node, format!("volume name `{name}` is not a valid DNS-1123 label; {REFUSED}: {}", reasons.join("; ")))
                    .help("use lowercase letters, digits and `-`, starting and ending with a letter or digit, at most 63 characters"),
            );
        }
        match first.get(name) {
            Some(&earlier) => out.push(
                Finding::new(name_node, format!("volume name `{name}` is used twice; {REFUSED}: volume names must be unique in a pod"))
                    .label(earlier, "first used here")
                    .help("rename one of the volumes (and the mounts that name it)"),
            ),
            None => {
                first.insert(name, name_node);
            }
        }
        if let [(first_source, a), (second, b), ..] = sources[..] {
            out.push(
                Finding::new(second, format!("volume `{name}` has two sources, `{a}` and `{b}`; {REFUSED}: a volume may not specify more than 1 volume type"))
                    .label(first_source, "first source")
                    .help("keep one source, or split it into two volumes (a `projected` volume combines ConfigMaps, Secrets and the downward API)"),
            );
        }
    }
    known.then_some(Volumes { kinds })
}

/// ValidateVolumeMounts, ValidateVolumeDevices, validateLocalDescendingPath.
fn mounts<'d>(
    container: &Container<'d>,
    volumes: Option<&Volumes<'d>>,
    out: &mut Vec<Finding<'d>>,
) {
    let mut paths: HashMap<&str, Node<'d>> = HashMap::new();
    for mount in container.get("volumeMounts").iter().flat_map(|l| l.items()) {
        if let Some((node, path)) = literal(mount.get("mountPath")) {
            match paths.get(path) {
                Some(&earlier) => out.push(
                    Finding::new(node, format!("`mountPath` `{path}` is used twice in {}; {REFUSED}: mount paths must be unique within a container", who(container)))
                        .label(earlier, "first mounted here")
                        .help("mount the second volume elsewhere, or use `subPath` to mount single files under one directory"),
                ),
                None => {
                    paths.insert(path, node);
                }
            }
        }
        let sub_path = mount
            .get_some("subPath")
            .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()));
        if let Some((node, path)) = literal(sub_path) {
            let mut reasons = Vec::new();
            if path.starts_with('/') {
                reasons.push("must be a relative path");
            }
            // validatePathNoBacksteps splits on `/` only (a Linux API server's filepath).
            if path.split('/').any(|segment| segment == "..") {
                reasons.push("must not contain '..'");
            }
            if !reasons.is_empty() {
                out.push(
                    Finding::new(
                        node,
                        format!(
                            "`subPath` `{path}` of {} leaves the volume; {REFUSED}: {}",
                            who(container),
                            reasons.join("; ")
                        ),
                    )
                    .help("give a path inside the volume, such as `config/app.yaml`"),
                );
            }
        }
        if let (Some(node), Some(expr)) = (sub_path, mount.get_some("subPathExpr"))
            && expr.as_str().is_some_and(|s| !s.is_empty())
        {
            out.push(
                Finding::new(mount.entry("subPathExpr").map_or(expr, |(k, _)| k), format!("{} sets both `subPath` and `subPathExpr`; {REFUSED}: they are mutually exclusive", who(container)))
                    .label(node, "`subPath` here")
                    .help("keep one of them"),
            );
        }
    }
    let Some(volumes) = volumes else { return };
    for device in container
        .get("volumeDevices")
        .iter()
        .flat_map(|l| l.items())
    {
        let Some((node, name)) = literal(device.get("name")) else {
            continue;
        };
        match volumes.kinds.get(name) {
            // An undeclared volume is reported by the run (`undeclared_volumes`).
            None => {}
            Some(false) => out.push(
                Finding::new(node, format!("{} uses volume `{name}` as a block device; {REFUSED}: only a `persistentVolumeClaim` or `ephemeral` volume can be used in block mode", who(container)))
                    .help("mount it with `volumeMounts` instead, or back it with a PersistentVolumeClaim of `volumeMode: Block`"),
            ),
            Some(true) => {}
        }
    }
}

const PROBE_HANDLERS: [&str; 4] = ["exec", "httpGet", "tcpSocket", "grpc"];
const LIFECYCLE_HANDLERS: [&str; 4] = ["exec", "httpGet", "tcpSocket", "sleep"];

/// The handlers a probe or hook sets, as (key, name).
fn handlers<'d>(node: Node<'d>, kinds: &[&str]) -> Vec<(Node<'d>, &'d str)> {
    node.entries()
        .filter(|(_, v)| !v.is_null())
        .filter_map(|(k, _)| Some((k, k.key_text()?)))
        .filter(|(_, name)| kinds.contains(name))
        .collect()
}

/// validateHandler / validateLifecycleHandler: exactly one handler.
fn one_handler<'d>(
    key: Node<'d>,
    node: Node<'d>,
    what: &str,
    kinds: &[&str],
    container: &Container<'d>,
    out: &mut Vec<Finding<'d>>,
) {
    let found = handlers(node, kinds);
    let listed = kinds
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match found[..] {
        [] => out.push(
            Finding::new(key, format!("`{what}` of {} has no handler; {REFUSED}: it must specify one of {listed}", who(container)))
                .help(format!("add one of {listed}")),
        ),
        [(first, a), (second, b), ..] => out.push(
            Finding::new(second, format!("`{what}` of {} has two handlers, `{a}` and `{b}`; {REFUSED}: it may not specify more than 1 handler type", who(container)))
                .label(first, "first handler")
                .help("keep one handler"),
        ),
        [_] => {}
    }
}

/// validateProbe, validateLivenessProbe, validateStartupProbe, validateReadinessProbe,
/// validateLifecycle, validateInitContainers.
fn probes<'d>(container: &Container<'d>, out: &mut Vec<Finding<'d>>) {
    if container.kind == ContainerKind::Ephemeral {
        return;
    }
    for kind in ["livenessProbe", "readinessProbe", "startupProbe"] {
        let Some((key, probe)) = container.node.entry(kind).filter(|(_, v)| !v.is_null()) else {
            continue;
        };
        if container.kind == ContainerKind::Init && !restart_policy_templated(container) {
            out.push(
                Finding::new(key, format!("`{kind}` is set on {}; {REFUSED}: probes may not be set for init containers without `restartPolicy: Always`", who(container)))
                    .help("remove the probe: an init container runs to completion before the pod starts (or make it a sidecar with `restartPolicy: Always`)"),
            );
            continue;
        }
        if !probe.is_map() {
            continue;
        }
        one_handler(key, probe, kind, &PROBE_HANDLERS, container, out);
        for field in [
            "initialDelaySeconds",
            "timeoutSeconds",
            "periodSeconds",
            "successThreshold",
            "failureThreshold",
        ] {
            if let Some(node) = probe.get(field)
                && let Some(value) = node.as_i64().filter(|v| *v < 0)
            {
                out.push(Finding::new(
                    node,
                    format!(
                        "`{kind}.{field}` of {} is {value}; {REFUSED}: it must be non-negative",
                        who(container)
                    ),
                ));
            }
        }
        if kind != "readinessProbe"
            && let Some(node) = probe.get("successThreshold")
            && let Some(value) = node.as_i64().filter(|v| *v > 1)
        {
            // 0 defaults to 1; negative values are reported above.
            out.push(
                Finding::new(node, format!("`{kind}.successThreshold` of {} is {value}; {REFUSED}: it must be 1 for liveness and startup probes", who(container)))
                    .help("set `successThreshold: 1` or remove it"),
            );
        }
        if let Some((grace_key, grace)) = probe
            .entry("terminationGracePeriodSeconds")
            .filter(|(_, v)| !v.is_null())
        {
            if kind == "readinessProbe" {
                out.push(
                    Finding::new(grace_key, format!("`readinessProbe.terminationGracePeriodSeconds` is set on {}; {REFUSED}: it must not be set for readiness probes", who(container)))
                        .help("remove it: a failing readiness probe never kills the container"),
                );
            } else if let Some(value) = grace.as_i64().filter(|v| *v < 1) {
                out.push(Finding::new(grace, format!("`{kind}.terminationGracePeriodSeconds` of {} is {value}; {REFUSED}: it must be greater than 0", who(container))));
            }
        }
        for action in ["httpGet", "tcpSocket", "grpc"] {
            if let Some(node) = probe.path(&[action, "port"])
                && let Some(value) = node.as_i64()
            {
                let reasons = port_number(value);
                if !reasons.is_empty() {
                    out.push(Finding::new(
                        node,
                        format!(
                            "`{kind}.{action}.port` {value} of {} is out of range; {REFUSED}: {}",
                            who(container),
                            reasons.join("; ")
                        ),
                    ));
                }
            }
        }
    }
    let Some((key, lifecycle)) = container
        .node
        .entry("lifecycle")
        .filter(|(_, v)| !v.is_null())
    else {
        return;
    };
    if container.kind == ContainerKind::Init {
        if restart_policy_templated(container) {
            return;
        }
        out.push(
            Finding::new(key, format!("`lifecycle` is set on {}; {REFUSED}: lifecycle hooks may not be set for init containers without `restartPolicy: Always`", who(container)))
                .help("remove `lifecycle`, or make the container a sidecar with `restartPolicy: Always`"),
        );
        return;
    }
    for hook in ["postStart", "preStop"] {
        if let Some((hook_key, handler)) = lifecycle.entry(hook).filter(|(_, v)| v.is_map()) {
            one_handler(
                hook_key,
                handler,
                &format!("lifecycle.{hook}"),
                &LIFECYCLE_HANDLERS,
                container,
                out,
            );
        }
    }
}

const ENV_SOURCES: [&str; 5] = [
    "fieldRef",
    "resourceFieldRef",
    "configMapKeyRef",
    "secretKeyRef",
    "fileKeyRef",
];

/// ValidateEnv, validateEnvVarValueFrom, ValidateEnvFrom.
fn env<'d>(container: &Container<'d>, relaxed: bool, out: &mut Vec<Finding<'d>>) {
    for var in container.get("env").iter().flat_map(|l| l.items()) {
        let name = literal(var.get("name"));
        if let Some((node, name)) = name {
            let reasons = env_var_name(name, relaxed);
            if !reasons.is_empty() {
                out.push(
                    Finding::new(
                        node,
                        format!(
                            "environment variable name `{name}` of {} is invalid; {REFUSED}: {}",
                            who(container),
                            reasons.join("; ")
                        ),
                    )
                    .help(if relaxed {
                        "remove the `=`"
                    } else {
                        "use letters, digits, `_`, `-` and `.`, not starting with a digit"
                    }),
                );
            }
        }
        let Some((from_key, from)) = var.entry("valueFrom").filter(|(_, v)| !v.is_null()) else {
            continue;
        };
        let shown = name.map_or("", |(_, n)| n);
        // A null `value` decodes to "", which the API server lets pass; a template may
        // render empty.
        if var
            .get_some("value")
            .and_then(|v| v.raw())
            .is_some_and(|v| !v.is_empty() && !is_templated(v))
        {
            out.push(
                Finding::new(from_key, format!("environment variable `{shown}` of {} sets both `value` and `valueFrom`; {REFUSED}: `valueFrom` may not be specified when `value` is not empty", who(container)))
                    .help("keep one of `value` and `valueFrom`"),
            );
        }
        if !from.is_map() {
            continue;
        }
        let sources = handlers(from, &ENV_SOURCES);
        match sources[..] {
            [] if from.entries().next().is_none() => out.push(
                Finding::new(from_key, format!("`valueFrom` of environment variable `{shown}` of {} is empty; {REFUSED}: it must specify one of `fieldRef`, `resourceFieldRef`, `configMapKeyRef`, `secretKeyRef` or `fileKeyRef`", who(container)))
                    .help("name the source of the value, or use `value`"),
            ),
            [(first, a), (second, b), ..] => out.push(
                Finding::new(second, format!("`valueFrom` of environment variable `{shown}` of {} has two sources, `{a}` and `{b}`; {REFUSED}: it may not have more than one field specified at a time", who(container)))
                    .label(first, "first source")
                    .help("keep one source"),
            ),
            _ => {}
        }
    }
    for source in container.get("envFrom").iter().flat_map(|l| l.items()) {
        if let Some((node, prefix)) = literal(source.get("prefix"))
            && !prefix.is_empty()
        {
            let reasons = env_var_name(prefix, relaxed);
            if !reasons.is_empty() {
                out.push(Finding::new(
                    node,
                    format!(
                        "`envFrom` prefix `{prefix}` of {} is invalid; {REFUSED}: {}",
                        who(container),
                        reasons.join("; ")
                    ),
                ));
            }
        }
        let sources = handlers(source, &["configMapRef", "secretRef"]);
        if sources.is_empty() && source.is_map() {
            let anchor = source.entries().next().map_or(source, |(k, _)| k);
            out.push(
                Finding::new(anchor, format!("an `envFrom` entry of {} names no source; {REFUSED}: it must specify one of `configMapRef` or `secretRef`", who(container)))
                    .subject(source)
                    .help("add `configMapRef: {name: ...}` or `secretRef: {name: ...}`"),
            );
        }
        if let [(first, _), (second, _), ..] = sources[..] {
            out.push(
                Finding::new(second, format!("an `envFrom` entry of {} sets both `configMapRef` and `secretRef`; {REFUSED}: it may not have more than one field specified at a time", who(container)))
                    .label(first, "first source")
                    .help("split it into two `envFrom` entries"),
            );
        }
    }
}

/// validateContainerRestartPolicy (before ContainerRestartRules).
/// An init container whose `restartPolicy` is a template may render `Always`: a sidecar.
fn restart_policy_templated(container: &Container<'_>) -> bool {
    container
        .node
        .get_some("restartPolicy")
        .is_some_and(templated)
}

fn container_restart_policy<'d>(
    container: &Container<'d>,
    target: KubeVersion,
    out: &mut Vec<Finding<'d>>,
) {
    if target >= CONTAINER_RESTART_RULES_SINCE {
        return;
    }
    let Some((node, value)) = literal(container.node.get_some("restartPolicy")) else {
        return;
    };
    match container.kind {
        ContainerKind::Regular => out.push(
            Finding::new(node, format!("`restartPolicy` is set on {}; {REFUSED}: it may not be set for non-init containers before Kubernetes 1.35", who(container)))
                .help("remove it (the pod's `restartPolicy` applies), or move the container to `initContainers` to make it a sidecar"),
        ),
        ContainerKind::Init => out.push(
            Finding::new(node, format!("`restartPolicy: {value}` on {}; {REFUSED}: the only supported value for a container is `Always` (a sidecar)", who(container)))
                .help("remove it, or set `Always` to make the container a sidecar"),
        ),
        ContainerKind::Sidecar | ContainerKind::Ephemeral => {}
    }
}

/// ValidatePodTemplateSpecForReplicaSet / ForRC / ForStatefulSet, ValidateDaemonSetSpec,
/// ValidateJobSpec: the pod `restartPolicy` each controller accepts, after defaulting to
/// `Always`.
fn pod_restart_policy<'d>(
    object: &Object<'d>,
    pod: &PodTemplate<'d>,
    fragment: bool,
    out: &mut Vec<Finding<'d>>,
) {
    let value = pod.spec.get_some("restartPolicy");
    if value.is_some_and(templated) || (value.is_none() && fragment) {
        return;
    }
    let policy = value.and_then(|v| v.as_str());
    match pod.workload {
        WorkloadKind::Job | WorkloadKind::CronJob => {
            if value.is_some() && policy != Some("Always") {
                return;
            }
            let what = if pod.workload == WorkloadKind::Job {
                "Job"
            } else {
                "CronJob"
            };
            let finding = match value {
                Some(node) => Finding::new(
                    node,
                    format!(
                        "a {what}'s pods cannot have `restartPolicy: Always`; {REFUSED}: the supported values are `OnFailure` and `Never`"
                    ),
                ),
                None => {
                    let path: &[&str] = if pod.workload == WorkloadKind::Job {
                        &["spec", "template"]
                    } else {
                        &["spec", "jobTemplate", "spec", "template"]
                    };
                    let key = object
                        .root
                        .path(path)
                        .and_then(|t| t.entry("spec"))
                        .map_or(pod.spec, |(k, _)| k);
                    Finding::new(
                        key,
                        format!(
                            "the pod template of this {what} has no `restartPolicy`; {REFUSED}: it defaults to `Always`, and a {what}'s pods must be `OnFailure` or `Never`"
                        ),
                    )
                }
            };
            out.push(finding.help("set `restartPolicy: Never` (a failed pod is replaced, up to `backoffLimit`) or `OnFailure` (the container restarts in place)"));
        }
        WorkloadKind::Pod => {}
        kind => {
            if let (Some(node), Some(policy)) = (value, policy)
                && policy != "Always"
            {
                out.push(
                    Finding::new(node, format!("`restartPolicy: {policy}` in the pod template of a {kind:?}; {REFUSED}: the only supported value is `Always`"))
                        .help("remove `restartPolicy`; for pods that run to completion use a Job"),
                );
            }
        }
    }
}

/// ValidatePodSpec (activeDeadlineSeconds, dnsPolicy) and the controllers' template checks.
fn active_deadline<'d>(pod: &PodTemplate<'d>, out: &mut Vec<Finding<'d>>) {
    if let Some((key, node)) = pod
        .spec
        .entry("activeDeadlineSeconds")
        .filter(|(_, v)| !v.is_null())
    {
        match pod.workload {
            WorkloadKind::Pod | WorkloadKind::Job | WorkloadKind::CronJob => {
                if let Some(value) = node.as_i64().filter(|v| !(1..=i64::from(i32::MAX)).contains(v)) {
                    out.push(Finding::new(node, format!("`activeDeadlineSeconds` is {value}; {REFUSED}: it must be between 1 and 2147483647, inclusive")));
                }
            }
            kind => out.push(
                Finding::new(key, format!("`activeDeadlineSeconds` is set in the pod template of a {kind:?}; {REFUSED}: it is not supported for pods a controller keeps running"))
                    .help("remove it; to bound a run, use a Job's `activeDeadlineSeconds`"),
            ),
        }
    }
}

fn dns_policy<'d>(pod: &PodTemplate<'d>, out: &mut Vec<Finding<'d>>) {
    if let Some(node) = pod.spec.get("dnsPolicy")
        && node.as_str() == Some("None")
        && pod.spec.get_some("dnsConfig").is_none()
    {
        out.push(
            Finding::new(node, format!("`dnsPolicy: None` without `dnsConfig`; {REFUSED}: it must provide `dnsConfig` when `dnsPolicy` is None"))
                .help("add `dnsConfig` with the nameservers, or use another `dnsPolicy`"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Modeled, objects_of};
    use crate::parse::lines::LineIndex;
    use crate::parse::parse_stream;

    /// The JSON pointers of the findings on `text` for the target `1.minor`.
    fn pointers(text: &str, minor: u32) -> Vec<String> {
        let lines = LineIndex::new(text);
        let stream = parse_stream(text, &lines);
        let options = Options {
            target: KubeVersion { major: 1, minor },
            ..Options::default()
        };
        let mut out = Vec::new();
        for doc in &stream.documents {
            let Modeled::Objects(objects) = objects_of(doc) else {
                continue;
            };
            for object in &objects {
                let mut found = Vec::new();
                InvalidPodSpec.check_object(object, &options, &mut found);
                out.extend(found.iter().map(|f| f.node.pointer()));
            }
        }
        out
    }

    const POD: &str = "apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: setup, image: busybox, restartPolicy: OnFailure}
  containers:
    - name: app
      image: app
      restartPolicy: Always
      env:
        - {name: 1ST_VALUE, value: a}
        - {name: WITH SPACE, value: b}
";

    #[test]
    fn env_var_names_are_relaxed_from_1_32() {
        let strict = pointers(POD, 31);
        assert!(strict.contains(&"/spec/containers/0/env/0/name".to_owned()));
        assert!(strict.contains(&"/spec/containers/0/env/1/name".to_owned()));
        assert!(!pointers(POD, 32).iter().any(|p| p.contains("/env/")));
    }

    #[test]
    fn container_restart_policies_are_allowed_from_1_35() {
        let before = pointers(POD, 34);
        assert!(before.contains(&"/spec/initContainers/0/restartPolicy".to_owned()));
        assert!(before.contains(&"/spec/containers/0/restartPolicy".to_owned()));
        assert!(
            !pointers(POD, 35)
                .iter()
                .any(|p| p.ends_with("restartPolicy"))
        );
    }
}
