use super::super::{Finding, Options, Rule, declare_rule};
use crate::model::qos::{self, PodQos, QosClass, ResourceShape};
use crate::model::{Container, ContainerKind, Object};
use crate::parse::tree::Node;

declare_rule! {
    /// ## What it does
    /// Computes the pod's QoS class exactly as Kubernetes does — from the cpu and memory
    /// requests and limits of *every* container, init containers and sidecars included, with
    /// requests defaulting to limits (or from the pod-level `resources` when they are set) —
    /// and reports when it differs from what the author meant:
    ///
    /// - the pod template (or the object) carries the annotation
    ///   `kubelint.io/qos: Guaranteed|Burstable|BestEffort` and the computed class differs; or
    /// - there is no annotation, the pod's application containers say it was meant to be
    ///   Guaranteed, and yet it is Burstable because another container, init containers
    ///   included, is not Guaranteed-shaped (cpu and memory requests equal to their limits).
    ///
    /// Without the annotation, intent is read from the *application containers* only: the
    /// regular containers, minus those that look like well-known sidecars by name or image
    /// (`cloud-sql-proxy`, `istio-proxy`, `envoy`, `linkerd-proxy`, `vault-agent`,
    /// `fluent-bit`, `kube-rbac-proxy`, metrics `*-exporter`s, …; if every regular container
    /// looks like one, all of them count). The pod was meant to be Guaranteed when every
    /// application container that sets cpu or memory resources is Guaranteed-shaped, and at
    /// least one does. Then whatever else breaks the class is reported: an init container
    /// or a sidecar without limits, an application container with no resources at all. A
    /// Guaranteed-shaped sidecar, native sidecar or init container is not evidence (a
    /// `cloud-sql-proxy` with requests equal to limits beside an application sized
    /// Burstable on purpose is fine), and neither is a pod whose application containers
    /// differ (one Guaranteed-shaped, another with requests below its limits): write the
    /// annotation to have those checked.
    ///
    /// The message names each container that breaks the intent and what it lacks.
    ///
    /// ## Why is this bad
    /// QoS decides who is evicted first under node pressure and whether a pod may get exclusive
    /// CPUs (the static CPU manager only pins Guaranteed pods). One init container or sidecar
    /// without limits silently turns a carefully sized Guaranteed pod into a Burstable one —
    /// the case the Kubernetes documentation warns about, since the class is computed over
    /// every container, not only the application's.
    ///
    /// ## Example
    /// ```yaml
    /// initContainers:
    ///   - name: migrate
    ///     image: example/migrate:1.0
    /// containers:
    ///   - name: db
    ///     image: postgres:17
    ///     resources:
    ///       requests: {cpu: "2", memory: 4Gi}
    ///       limits: {cpu: "2", memory: 4Gi}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// initContainers:
    ///   - name: migrate
    ///     image: example/migrate:1.0
    ///     resources:
    ///       limits: {cpu: 500m, memory: 256Mi}
    /// containers:
    ///   - name: db
    ///     image: postgres:17
    ///     resources:
    ///       requests: {cpu: "2", memory: 4Gi}
    ///       limits: {cpu: "2", memory: 4Gi}
    /// ```
    pub struct QosIntentMismatch => "qos-intent-mismatch";
}

pub const QOS_ANNOTATION: &str = "kubelint.io/qos";

fn annotation<'d>(object: &Object<'d>) -> Option<Node<'d>> {
    let pod = object.pod.as_ref()?;
    pod.annotation(QOS_ANNOTATION)
        .or_else(|| object.metadata()?.get("annotations")?.get(QOS_ANNOTATION))
}

/// Why one container keeps the pod from `intended`, or None if it does not.
fn breaks(shape: &ResourceShape, intended: QosClass) -> Option<String> {
    match intended {
        QosClass::Guaranteed if !shape.is_guaranteed() => Some(list(&shape.shortfalls())),
        QosClass::BestEffort if !shape.is_empty() => Some("sets cpu or memory resources".into()),
        _ => None,
    }
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl Rule for QosIntentMismatch {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        let computed = qos::compute(pod);
        match annotation(object) {
            Some(node) => check_annotation(node, &computed, out),
            None => check_implied(&computed, out),
        }
    }
}

fn check_annotation<'d>(node: Node<'d>, computed: &PodQos<'_, 'd>, out: &mut Vec<Finding<'d>>) {
    let Some(intended) = node.as_str().and_then(QosClass::parse) else {
        out.push(
            Finding::new(
                node,
                format!("`{QOS_ANNOTATION}` must be Guaranteed, Burstable or BestEffort"),
            )
            .help("use one of the three Kubernetes QoS class names, spelled exactly"),
        );
        return;
    };
    if intended == computed.class {
        return;
    }
    let mut finding = Finding::new(
        node,
        format!(
            "the pod is {}, not {} as annotated",
            computed.class.as_str(),
            intended.as_str()
        ),
    );
    if let Some(pod_level) = &computed.pod_level {
        let why = breaks(pod_level, intended).unwrap_or_default();
        finding.message = format!(
            "{}: the pod-level resources decide, and {why}",
            finding.message
        );
        out.push(finding);
        return;
    }
    let mut reasons = Vec::new();
    for (container, shape) in &computed.containers {
        if let Some(why) = breaks(shape, intended) {
            reasons.push(format!(
                "{} `{}` ({why})",
                container.kind.describe(),
                container.display_name()
            ));
            let at = container
                .node
                .entry("resources")
                .map_or(container.anchor_node(), |(k, _)| k);
            finding = finding.label(at, why);
        }
    }
    finding.message = match intended {
        QosClass::Burstable if computed.class == QosClass::Guaranteed => format!(
            "{}: every container sets cpu and memory requests equal to their limits",
            finding.message
        ),
        QosClass::Burstable => format!(
            "{}: no container requests or limits cpu or memory",
            finding.message
        ),
        _ => format!("{}: {}", finding.message, reasons.join("; ")),
    };
    finding = finding.help(match intended {
        QosClass::Guaranteed => "give every container, init containers and sidecars included, cpu and memory limits with requests equal to them (or omit the requests)",
        QosClass::BestEffort => "remove cpu and memory requests and limits from every container",
        QosClass::Burstable => "set a cpu or memory request below its limit on one container, or change the annotation",
    });
    out.push(finding);
}

/// Names and image names of containers that run beside an application rather than being it:
/// proxies, agents, log shippers, config reloaders and metrics exporters. Their resources are
/// usually set by whoever injects or templates them, so they say nothing about the
/// application's intent.
const SIDECAR_MARKERS: [&str; 21] = [
    "cloud-sql-proxy",
    "cloudsql-proxy",
    "gce-proxy",
    "alloydb-auth-proxy",
    "istio-proxy",
    "proxyv2",
    "envoy",
    "linkerd-proxy",
    "vault-agent",
    "consul-dataplane",
    "daprd",
    "fluent-bit",
    "fluentbit",
    "fluentd",
    "filebeat",
    "promtail",
    "oauth2-proxy",
    "kube-rbac-proxy",
    "config-reloader",
    "configmap-reload",
    "git-sync",
];

/// Whether a container looks like a well-known sidecar by its name or its image's name.
fn looks_like_sidecar(container: &Container<'_>) -> bool {
    let image = container
        .node
        .get_str("image")
        .map(|i| i.rsplit('/').next().unwrap_or(i))
        .map(|i| i.split(['@', ':']).next().unwrap_or(i));
    [container.name, image].into_iter().flatten().any(|text| {
        let text = text.to_ascii_lowercase();
        SIDECAR_MARKERS.iter().any(|m| text.contains(m)) || text.ends_with("exporter")
    })
}

/// The containers whose resources tell what QoS the author meant: the regular containers
/// that do not look like sidecars (all regular containers if every one does).
fn application_containers<'q, 'p, 'd>(
    computed: &'q PodQos<'p, 'd>,
) -> Vec<&'q (&'p Container<'d>, ResourceShape)> {
    let regular = || {
        computed
            .containers
            .iter()
            .filter(|(c, _)| c.kind == ContainerKind::Regular)
    };
    let apps: Vec<_> = regular().filter(|(c, _)| !looks_like_sidecar(c)).collect();
    if apps.is_empty() {
        regular().collect()
    } else {
        apps
    }
}

fn check_implied<'d>(computed: &PodQos<'_, 'd>, out: &mut Vec<Finding<'d>>) {
    if computed.class != QosClass::Burstable || computed.pod_level.is_some() {
        return;
    }
    // Intent is read from the application containers that size themselves: all of them must
    // be Guaranteed-shaped. Limits on a short init container usually just bound it, and a
    // sidecar's resources are its injector's choice, so neither says what the pod is for.
    let sized: Vec<_> = application_containers(computed)
        .into_iter()
        .filter(|(_, s)| !s.is_empty())
        .collect();
    if sized.is_empty() || !sized.iter().all(|(_, s)| s.is_guaranteed()) {
        return;
    }
    let shaped = sized;
    let breakers: Vec<_> = computed
        .containers
        .iter()
        .filter(|(_, s)| !s.is_guaranteed())
        .collect();
    let Some((first, _)) = breakers.first() else {
        return;
    };
    let names = |items: &[&(&crate::model::Container<'d>, ResourceShape)]| {
        items
            .iter()
            .map(|(c, _)| format!("{} `{}`", c.kind.describe(), c.display_name()))
            .collect::<Vec<_>>()
    };
    let reasons: Vec<String> = breakers
        .iter()
        .map(|(c, s)| {
            format!(
                "{} `{}` has {}",
                c.kind.describe(),
                c.display_name(),
                list(&s.shortfalls())
            )
        })
        .collect();
    let at = first
        .node
        .entry("resources")
        .map_or(first.anchor_node(), |(k, _)| k);
    let mut finding = Finding::new(
        at,
        format!(
            "the pod is Burstable, not Guaranteed: {} {} requests equal to limits, but {}",
            list(&names(&shaped)),
            if shaped.len() == 1 { "sets" } else { "set" },
            reasons.join("; ")
        ),
    )
    .help(format!(
        "give every container cpu and memory limits equal to its requests, or, if Burstable is \
         intended, say so with the pod template annotation `{QOS_ANNOTATION}: Burstable`"
    ));
    for (c, _) in &breakers[1..] {
        let node = c
            .node
            .entry("resources")
            .map_or(c.anchor_node(), |(k, _)| k);
        finding = finding.label(node, "also not Guaranteed-shaped");
    }
    for (c, _) in &shaped {
        let node = c
            .node
            .entry("resources")
            .map_or(c.anchor_node(), |(k, _)| k);
        finding = finding.label(node, "Guaranteed-shaped");
    }
    out.push(finding);
}
