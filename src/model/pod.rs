//! One view of a pod template for every workload kind, so pod rules are written once.

use crate::parse::tree::Node;

/// Whether a rollout of the workload whose `spec` is given starts a new pod before stopping an
/// old one: a Deployment's RollingUpdate (the default strategy) with a `maxSurge` other than 0.
pub fn rollout_surges(workload: WorkloadKind, spec: Option<Node<'_>>) -> bool {
    let strategy = spec.and_then(|s| s.get("strategy"));
    workload == WorkloadKind::Deployment
        && strategy
            .and_then(|s| s.get_str("type"))
            .unwrap_or("RollingUpdate")
            == "RollingUpdate"
        && strategy
            .and_then(|s| s.path(&["rollingUpdate", "maxSurge"]))
            .and_then(|m| m.raw())
            .is_none_or(|m| !matches!(m, "0" | "0%"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    Pod,
    Deployment,
    ReplicaSet,
    ReplicationController,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    Regular,
    Init,
    /// An init container with `restartPolicy: Always`: it starts before, and runs beside, the
    /// regular containers for the pod's whole life.
    Sidecar,
    /// A container added to a running Pod (`kubectl debug`); only a Pod has them, never a
    /// template. Not among `PodTemplate::containers`: see `PodTemplate::ephemeral_containers`.
    Ephemeral,
}

impl ContainerKind {
    /// Runs for the life of the pod (as opposed to running to completion before it starts).
    pub fn is_long_running(self) -> bool {
        matches!(self, ContainerKind::Regular | ContainerKind::Sidecar)
    }

    pub fn describe(self) -> &'static str {
        match self {
            ContainerKind::Regular => "container",
            ContainerKind::Init => "init container",
            ContainerKind::Sidecar => "sidecar container",
            ContainerKind::Ephemeral => "ephemeral container",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Container<'d> {
    pub node: Node<'d>,
    pub kind: ContainerKind,
    pub name: Option<&'d str>,
}

impl<'d> Container<'d> {
    pub fn display_name(&self) -> &'d str {
        self.name.unwrap_or("<unnamed>")
    }

    /// Where findings about the container as a whole point: its `name` value.
    pub fn anchor_node(&self) -> Node<'d> {
        self.node.get("name").unwrap_or(self.node)
    }

    pub fn get(&self, key: &str) -> Option<Node<'d>> {
        self.node.get_some(key)
    }

    /// Whether the container declares a port with this name.
    pub fn declares_port_name(&self, name: &str) -> bool {
        self.node
            .get("ports")
            .is_some_and(|ports| ports.items().any(|p| p.get_str("name") == Some(name)))
    }

    pub fn declared_port_names(&self) -> Vec<&'d str> {
        self.node
            .get("ports")
            .map(|ports| ports.items().filter_map(|p| p.get_str("name")).collect())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
pub struct PodTemplate<'d> {
    pub workload: WorkloadKind,
    /// The PodSpec mapping.
    pub spec: Node<'d>,
    /// The pod's metadata: the template's, or a bare Pod's own.
    pub metadata: Option<Node<'d>>,
    /// Init containers (and sidecars) first, then regular containers, each in written order.
    pub containers: Vec<Container<'d>>,
}

impl<'d> PodTemplate<'d> {
    pub fn of(kind: &str, api_version: &str, root: Node<'d>) -> Option<Self> {
        let group = crate::k8s::group_of(api_version);
        let (workload, path): (WorkloadKind, &[&str]) = match (group, kind) {
            ("", "Pod") => (WorkloadKind::Pod, &[]),
            ("", "ReplicationController") => {
                (WorkloadKind::ReplicationController, &["spec", "template"])
            }
            ("apps" | "extensions", "Deployment") => {
                (WorkloadKind::Deployment, &["spec", "template"])
            }
            ("apps" | "extensions", "ReplicaSet") => {
                (WorkloadKind::ReplicaSet, &["spec", "template"])
            }
            ("apps" | "extensions", "DaemonSet") => {
                (WorkloadKind::DaemonSet, &["spec", "template"])
            }
            ("apps", "StatefulSet") => (WorkloadKind::StatefulSet, &["spec", "template"]),
            ("batch", "Job") => (WorkloadKind::Job, &["spec", "template"]),
            ("batch", "CronJob") => (
                WorkloadKind::CronJob,
                &["spec", "jobTemplate", "spec", "template"],
            ),
            _ => return None,
        };
        let template = root.path(path).filter(|t| t.is_map())?;
        let spec = template.get("spec").filter(|s| s.is_map())?;
        let metadata = template.get("metadata").filter(|m| m.is_map());
        let mut containers = Vec::new();
        if let Some(init) = spec.get("initContainers") {
            for node in init.items().filter(|c| c.is_map()) {
                let kind = if node.get_str("restartPolicy") == Some("Always") {
                    ContainerKind::Sidecar
                } else {
                    ContainerKind::Init
                };
                containers.push(Container {
                    node,
                    kind,
                    name: node.get_str("name"),
                });
            }
        }
        if let Some(regular) = spec.get("containers") {
            for node in regular.items().filter(|c| c.is_map()) {
                containers.push(Container {
                    node,
                    kind: ContainerKind::Regular,
                    name: node.get_str("name"),
                });
            }
        }
        Some(PodTemplate {
            workload,
            spec,
            metadata,
            containers,
        })
    }

    /// `Always` unless the spec says otherwise (Kubernetes' default).
    pub fn restart_policy(&self) -> &'d str {
        self.spec.get_str("restartPolicy").unwrap_or("Always")
    }

    /// Pods that are meant to keep running: controllers' pods, and bare pods that restart.
    /// Jobs and CronJobs run to completion.
    pub fn is_long_running(&self) -> bool {
        match self.workload {
            WorkloadKind::Job | WorkloadKind::CronJob => false,
            WorkloadKind::Pod => self.restart_policy() == "Always",
            _ => true,
        }
    }

    pub fn annotation(&self, key: &str) -> Option<Node<'d>> {
        self.metadata?.get("annotations")?.get(key)
    }

    pub fn long_running_containers(&self) -> impl Iterator<Item = &Container<'d>> {
        self.containers.iter().filter(|c| c.kind.is_long_running())
    }

    /// A Pod's ephemeral containers (debugging containers added to a running pod). Kept apart
    /// from `containers` because they take no probes, ports or resources; the rules that judge
    /// every container of a pod, such as the Pod Security Standards, add them.
    pub fn ephemeral_containers(&self) -> impl Iterator<Item = Container<'d>> + use<'d> {
        self.spec
            .get("ephemeralContainers")
            .into_iter()
            .flat_map(|list| list.items())
            .filter(|c| c.is_map())
            .map(|node| Container {
                node,
                kind: ContainerKind::Ephemeral,
                name: node.get_str("name"),
            })
    }
}

/// A `volumeMounts` or `volumeDevices` entry whose `name` no volume of the pod declares.
pub struct UndeclaredMount<'d> {
    /// The entry's `name` value.
    pub node: Node<'d>,
    pub name: &'d str,
    /// `volumeMounts` or `volumeDevices`.
    pub list: &'static str,
    pub container_kind: ContainerKind,
    pub container: Option<&'d str>,
}

impl<'d> PodTemplate<'d> {
    /// Whether the template is a fragment the API server would never see alone: a container
    /// without an image (a kustomize patch not recognised as one; its base declares what it
    /// leaves out, volumes and `restartPolicy` included), no regular container, or a
    /// controller without the `selector` apps/v1 requires. `root` is the object's root.
    pub fn is_fragment(&self, root: Node<'d>) -> bool {
        self.containers.iter().any(|c| c.get("image").is_none())
            || self
                .containers
                .iter()
                .all(|c| c.kind != ContainerKind::Regular)
            || (matches!(
                self.workload,
                WorkloadKind::Deployment
                    | WorkloadKind::ReplicaSet
                    | WorkloadKind::StatefulSet
                    | WorkloadKind::DaemonSet
            ) && root.path(&["spec", "selector"]).is_none())
    }

    /// The volume names the pod declares (for a StatefulSet, its claim templates too); `None`
    /// when a name cannot be read (templated, not a string, not a list), since any mount
    /// could then be declared.
    pub fn declared_volume_names(
        &self,
        root: Node<'d>,
    ) -> Option<std::collections::HashSet<&'d str>> {
        let literal = |n: Option<Node<'d>>| {
            n.and_then(|n| n.as_str())
                .filter(|t| !super::is_templated(t))
        };
        let mut names = std::collections::HashSet::new();
        if self.workload == WorkloadKind::StatefulSet
            && let Some(claims) = root.path(&["spec", "volumeClaimTemplates"])
        {
            if !claims.is_seq() && !claims.is_null() {
                return None;
            }
            for claim in claims.items() {
                names.insert(literal(claim.path(&["metadata", "name"]))?);
            }
        }
        let list = self.spec.get_some("volumes");
        if list.is_some_and(|l| !l.is_seq()) {
            return None;
        }
        for volume in list.iter().flat_map(|l| l.items()) {
            if let Some(name) = volume.get("name") {
                names.insert(literal(Some(name))?);
            }
        }
        Some(names)
    }

    /// Mounts and devices naming no declared volume; empty for fragments and for volume
    /// lists that cannot be read.
    pub fn undeclared_mounts(&self, root: Node<'d>) -> Vec<UndeclaredMount<'d>> {
        if self.is_fragment(root) {
            return Vec::new();
        }
        let Some(declared) = self.declared_volume_names(root) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for container in &self.containers {
            for list in ["volumeMounts", "volumeDevices"] {
                for item in container.get(list).iter().flat_map(|l| l.items()) {
                    let Some(node) = item.get("name") else {
                        continue;
                    };
                    let Some(name) = node.as_str().filter(|t| !super::is_templated(t)) else {
                        continue;
                    };
                    if !declared.contains(name) {
                        found.push(UndeclaredMount {
                            node,
                            name,
                            list,
                            container_kind: container.kind,
                            container: container.name,
                        });
                    }
                }
            }
        }
        found
    }
}
