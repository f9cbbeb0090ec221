use serde::{Deserialize, Serialize};

use super::super::{Finding, Options, OptionsSpec, Rule, declare_rule};
use super::declared::{Amount, Declared, Section, fix};
use crate::model::{ContainerKind, Object};

declare_rule! {
    /// ## What it does
    /// Reports a container of any pod-bearing object (Pod, Deployment, StatefulSet, DaemonSet,
    /// ReplicaSet, ReplicationController, Job, CronJob) that lacks what the scheduler and the
    /// kernel need to share a node fairly: a cpu request, a memory request, a memory limit.
    /// One finding per container names everything it lacks, at its `resources` key when it
    /// has one (the place to add the entries), else at its `name`; the help gives the YAML to
    /// add, with the memory request as the suggested memory limit when there is one.
    ///
    /// The values are read as the API server stores them: a request left out where a limit
    /// is set defaults to that limit (`limits: {cpu: 500m, memory: 1Gi}` alone is complete),
    /// a zero counts as missing (the scheduler and the kubelet ignore it), and a value
    /// kubelint cannot read — a template placeholder, a `resources:` rendered whole by a
    /// template — counts as set. Pod-level `resources` (`spec.resources`) cover their
    /// containers: a cpu or memory request, or a memory limit, set for the pod is not asked of
    /// each container. Ephemeral containers cannot set resources and are not checked.
    ///
    /// Init containers follow the kubelet's effective-request rule: the pod reserves
    /// max(largest init container, sum of the app containers and native sidecars). So
    /// - regular containers and native sidecars (init containers with `restartPolicy:
    ///   Always`, which run beside the app for the pod's whole life and add to that sum) need
    ///   both requests and a memory limit;
    /// - a regular init container needs only a memory limit. It runs to completion before
    ///   the app containers start, inside the reservation made for them, and an unset request
    ///   counts as zero, which is never the larger side of the max: asking for one would
    ///   change nothing, or, if set above the app's sum, inflate what the pod reserves for
    ///   its whole life. Its memory limit, though, is the only thing that bounds it while it
    ///   runs. (A namespace with a ResourceQuota on `requests.cpu` or `requests.memory`
    ///   rejects pods whose init containers lack them too; the manifests do not say whether
    ///   yours has one, so the rule does not guess.)
    ///
    /// A container without an `image` is taken for a fragment (a kustomize patch that
    /// kubelint did not find named by a kustomization) and skipped: its resources may be in
    /// the base.
    ///
    /// ## Why is this bad
    /// Requests are what the scheduler places pods by. A container without a cpu request is
    /// scheduled as if it used no CPU and gets the smallest share under contention; without
    /// a memory request, nodes are overcommitted without anyone deciding to, and under
    /// memory pressure the kubelet evicts first the pods that use most above their requests.
    /// A container without a memory limit can take the node's memory from every other pod
    /// until the kernel's OOM killer picks a victim, not necessarily the leaking one.
    ///
    /// CPU limits are not required by default: CPU is compressible, a container over its
    /// request only slows down, and a limit throttles it even on an idle node (CFS quota
    /// periods hurt latency-sensitive, multi-threaded programs most). Whether to trade that
    /// throttling for protection against noisy neighbours is a cluster policy; set
    /// `require-cpu-limit` to enforce it.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     image: example/api:1.4
    ///     resources:
    ///       requests:
    ///         memory: 256Mi
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     image: example/api:1.4
    ///     resources:
    ///       requests:
    ///         cpu: 100m
    ///         memory: 256Mi
    ///       limits:
    ///         memory: 256Mi
    /// ```
    ///
    /// ## Options
    /// - `require-cpu-limit` (default `false`): also require a cpu limit on every container,
    ///   init containers included (kube-score's default; off here for the throttling reason
    ///   above)
    ///
    /// Set them in `.kubelint.yaml`: `rules: {missing-resources: {require-cpu-limit: true}}`
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,635 files): 1,040 findings in 756 files — 961 app
    /// containers, 77 init containers (memory limit only), 2 native sidecars; 243 in deploy
    /// manifests (Argo CD's install manifests, which ship without resources for users to
    /// patch, ingress-nginx's admission Jobs, Kubeflow, Knative), 463 in examples and docs,
    /// 334 in test data. A read of 50 spread across the repositories found every one a
    /// container that really lacks what the message says; the two wrong ones of the first
    /// read were kustomize patches without an image that no kustomization beside them names,
    /// now skipped (88 findings fewer).
    ///
    /// Peers: kube-score "Container Resources" agrees on `pod-test-resources-none` (fires)
    /// and `pod-test-resources-limits-and-requests` (passes); on `deployment-test-resources`,
    /// `pod-test-resources-only-limits` and `statefulset-test-resources` (limits only)
    /// kube-score warns that requests are not set, while the API server defaults them to the
    /// limits, so kubelint passes them. kube-linter's `unset-cpu-requirements` and
    /// `unset-memory-requirements` fixtures are containers without an image (kubelint reads
    /// them as fragments and stays silent) in a Deployment and an OpenShift DeploymentConfig
    /// (not a kind kubelint models).
    pub struct MissingResources => "missing-resources";
}

/// The options of `missing-resources` (documented under `## Options` above).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct MissingResourcesOptions {
    /// Also require a cpu limit.
    pub require_cpu_limit: bool,
}

/// One thing a container lacks.
struct Gap {
    section: Section,
    resource: &'static str,
    zero: bool,
    /// The value the help suggests.
    example: String,
}

impl Gap {
    fn noun(&self) -> String {
        let what = match self.section {
            Section::Requests => "request",
            Section::Limits => "limit",
        };
        if self.zero {
            format!("a zero {} {what}", self.resource)
        } else {
            format!("no {} {what}", self.resource)
        }
    }
}

impl Rule for MissingResources {
    fn options(&self) -> Option<OptionsSpec> {
        Some(OptionsSpec::of::<MissingResourcesOptions>())
    }

    fn check_object<'d>(&self, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
        let Some(pod) = &object.pod else { return };
        let require_cpu_limit = options.get::<MissingResourcesOptions>().require_cpu_limit;
        // Pod-level resources stand for their containers' (the request defaulting from the
        // limit as for a container); unreadable ones may set anything.
        let Some(pod_level) = Declared::of(pod.spec.get("resources")) else {
            return;
        };
        for container in &pod.containers {
            // A container without an image is a fragment (a kustomize patch kubelint did not
            // recognise as one): its resources may well be in the base.
            if container.get("image").is_none() {
                continue;
            }
            let Some(declared) = Declared::of(container.get("resources")) else {
                continue;
            };
            let mut wanted = Vec::new();
            if container.kind != ContainerKind::Init {
                wanted.push((Section::Requests, "cpu"));
                wanted.push((Section::Requests, "memory"));
            }
            wanted.push((Section::Limits, "memory"));
            if require_cpu_limit {
                wanted.push((Section::Limits, "cpu"));
            }
            let mut gaps = Vec::new();
            for (section, resource) in wanted {
                let (mine, pods) = match section {
                    Section::Requests => (declared.request(resource), pod_level.request(resource)),
                    Section::Limits => (declared.limit(resource), pod_level.limit(resource)),
                };
                if mine.is_set() || pods.is_set() {
                    continue;
                }
                gaps.push(Gap {
                    section,
                    resource,
                    zero: mine == Amount::Zero,
                    example: example(&declared, section, resource),
                });
            }
            if gaps.is_empty() {
                continue;
            }
            let at = container
                .node
                .entry("resources")
                .map_or(container.anchor_node(), |(key, _)| key);
            let nouns: Vec<String> = gaps.iter().map(Gap::noun).collect();
            let missing: Vec<(Section, &str, String)> = gaps
                .iter()
                .map(|g| (g.section, g.resource, g.example.clone()))
                .collect();
            // A zero is replaced rather than added.
            let verb = if gaps.iter().any(|g| g.zero) {
                "set"
            } else {
                "add"
            };
            let help = format!(
                "{verb} {}; the values are examples: size them from the container's measured \
                 usage",
                fix(&declared, &missing)
            );
            out.push(
                Finding::new(
                    at,
                    format!(
                        "{} `{}` has {}: {}",
                        container.kind.describe(),
                        container.display_name(),
                        list(&nouns),
                        consequences(&gaps)
                    ),
                )
                .help(help),
            );
        }
    }
}

/// What the gaps cost, in one clause per section: "the scheduler reserves no CPU or memory for
/// it, and nothing bounds its memory".
fn consequences(gaps: &[Gap]) -> String {
    let of = |section: Section| -> Option<String> {
        let names: Vec<&str> = gaps
            .iter()
            .filter(|g| g.section == section)
            .map(|g| {
                if g.resource == "cpu" {
                    "CPU"
                } else {
                    g.resource
                }
            })
            .collect();
        (!names.is_empty()).then(|| names.join(" or "))
    };
    let requests = of(Section::Requests).map(|r| format!("the scheduler reserves no {r} for it"));
    let limits = of(Section::Limits).map(|l| format!("nothing bounds its {l}"));
    match (requests, limits) {
        (Some(r), Some(l)) => format!("{r}, and {l}"),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => String::new(),
    }
}

/// The value the help suggests: a memory limit equal to the memory request (what the
/// Kubernetes documentation recommends for memory), a cpu limit equal to the cpu request, else
/// a small starting point.
fn example(declared: &Declared<'_>, section: Section, resource: &str) -> String {
    let request = declared
        .value(Section::Requests, resource)
        .filter(|_| declared.request(resource).is_set())
        .and_then(|n| n.raw());
    match (section, resource, request) {
        (Section::Limits, _, Some(text)) => yaml_scalar(text),
        (_, "cpu", _) => "100m".into(),
        _ => "128Mi".into(),
    }
}

/// A quantity as it would be written in flow YAML: numbers such as `1` or `0.5` need quotes to
/// stay strings only for readers that care; keep what the user wrote, quoted if it has spaces.
fn yaml_scalar(text: &str) -> String {
    if text.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
        text.to_owned()
    } else {
        format!("\"{text}\"")
    }
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
