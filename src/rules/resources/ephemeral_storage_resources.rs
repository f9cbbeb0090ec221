use super::super::{Finding, Options, Rule, declare_rule};
use super::declared::{Amount, Declared, Section, fix};
use crate::model::quantity::Quantity;
use crate::model::{ContainerKind, Object};

const EPHEMERAL: &str = "ephemeral-storage";

declare_rule! {
    /// ## What it does
    /// Reports a container of any pod-bearing object without an `ephemeral-storage` request
    /// and limit, one finding per container naming what it lacks (at its `resources` key
    /// when it has one, else at its `name`), and a request above its limit (at the request,
    /// which the API server refuses). Off by default: most clusters run without it, and
    /// adopting it is a decision about how node disks are shared.
    ///
    /// Values are read as the API server stores them: a request left out where a limit is set
    /// defaults to that limit, a zero counts as missing, and a value kubelint cannot read (a
    /// template placeholder) counts as set. As for cpu and memory (`missing-resources`), the
    /// pod's effective request is max(largest init container, sum of the app containers and
    /// native sidecars): app containers and sidecars need the request and the limit, a
    /// regular init container only the limit — it runs before the others, inside their
    /// reservation, and an unset request never raises the pod's. Containers without an image
    /// (kustomize fragments) and ephemeral containers (which cannot set resources) are
    /// skipped; pod-level `resources` do not cover ephemeral storage.
    ///
    /// ## Why is this bad
    /// A container's writable layer, its logs and its `emptyDir` volumes (those not in
    /// memory) live on the node's disk. Without a request the scheduler does not count that
    /// space, so it packs pods onto a node whose disk cannot hold them; without a limit one
    /// container can fill the disk, and the kubelet then evicts pods under `DiskPressure` —
    /// ranked by usage above request, so the ones without a request go first, not
    /// necessarily the one that filled it. With a limit, the kubelet evicts only the pod
    /// that exceeds it.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     image: example/api:1.4
    ///     resources:
    ///       requests: {cpu: 100m, memory: 256Mi}
    ///       limits: {memory: 256Mi}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     image: example/api:1.4
    ///     resources:
    ///       requests: {cpu: 100m, memory: 256Mi, ephemeral-storage: 1Gi}
    ///       limits: {memory: 256Mi, ephemeral-storage: 2Gi}
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,635 files, with the rule enabled): 1,249 findings in
    /// 907 files — 1,163 containers with neither request nor limit, 86 without a limit
    /// (init containers, and requests without a limit); no request above its limit. A read
    /// of 10 found each right by the rule; few projects set ephemeral storage at all, which is
    /// why the rule is off by default. kube-score's "Container Ephemeral Storage Request and
    /// Limit" fixtures: 2 of 3 agree (`missing-limit` fires, `request-nomatch-limit`, a
    /// request below its limit, passes). On `missing-request` (a limit of 2Gi, no request)
    /// kube-score warns; the API server defaults the request to the limit, so kubelint
    /// passes it.
    pub struct EphemeralStorageResources => "ephemeral-storage-resources";
}

impl Rule for EphemeralStorageResources {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        for container in &pod.containers {
            if container.get("image").is_none() {
                continue;
            }
            let Some(declared) = Declared::of(container.get("resources")) else {
                continue;
            };
            let name = container.display_name();
            let what = container.kind.describe();
            let request = declared.request(EPHEMERAL);
            let limit = declared.limit(EPHEMERAL);
            let wants_request = container.kind != ContainerKind::Init;
            let mut gaps: Vec<(Section, Amount)> = Vec::new();
            if wants_request && !request.is_set() {
                gaps.push((Section::Requests, request));
            }
            if !limit.is_set() {
                gaps.push((Section::Limits, limit));
            }
            if !gaps.is_empty() {
                let nouns: Vec<String> = gaps
                    .iter()
                    .map(|(section, amount)| {
                        let which = match section {
                            Section::Requests => "request",
                            Section::Limits => "limit",
                        };
                        match amount {
                            Amount::Zero => format!("a zero {EPHEMERAL} {which}"),
                            _ => format!("no {EPHEMERAL} {which}"),
                        }
                    })
                    .collect();
                let why = match gaps.as_slice() {
                    [(Section::Requests, _)] => {
                        "the scheduler does not count its scratch space (writable layer, logs, \
                         emptyDir) when it places the pod"
                    }
                    [(Section::Limits, _)] => {
                        "nothing stops it filling the node's disk, and the kubelet then evicts \
                         pods under DiskPressure, not necessarily this one"
                    }
                    _ => {
                        "the scheduler does not count its scratch space (writable layer, logs, \
                         emptyDir), and nothing stops it filling the node's disk"
                    }
                };
                // A limit equal to the request when there is one, else a starting point.
                let request_text = declared
                    .value(Section::Requests, EPHEMERAL)
                    .filter(|_| request.is_set())
                    .and_then(|n| n.raw())
                    .filter(|t| t.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'));
                let missing: Vec<(Section, &str, String)> = gaps
                    .iter()
                    .map(|(section, _)| {
                        let example = match section {
                            Section::Requests => "1Gi".to_owned(),
                            Section::Limits => request_text.unwrap_or("2Gi").to_owned(),
                        };
                        (*section, EPHEMERAL, example)
                    })
                    .collect();
                let verb = if gaps.iter().any(|(_, a)| *a == Amount::Zero) {
                    "set"
                } else {
                    "add"
                };
                let at = container
                    .node
                    .entry("resources")
                    .map_or(container.anchor_node(), |(key, _)| key);
                out.push(
                    Finding::new(
                        at,
                        format!("{what} `{name}` has {}: {why}", nouns.join(" and ")),
                    )
                    .help(format!(
                        "{verb} {}; the values are examples: size them from what the container \
                         writes to its filesystem, logs and emptyDir volumes",
                        fix(&declared, &missing)
                    )),
                );
                continue;
            }
            // Both set: the API server refuses a request above the limit. (A negative
            // quantity it refuses on its own, and no request is "at most" one.)
            let quantity = |section: Section| {
                let node = declared.value(section, EPHEMERAL)?;
                let q = Quantity::parse(node.raw()?)?;
                (q.is_positive() || q.is_zero()).then_some((node, q))
            };
            if let (Some((request_node, r)), Some((limit_node, l))) =
                (quantity(Section::Requests), quantity(Section::Limits))
                && r > l
            {
                out.push(
                    Finding::new(
                        request_node,
                        format!(
                            "the {EPHEMERAL} request of `{name}` ({}) is above its limit ({}): \
                             the API server refuses the pod",
                            request_node.raw().unwrap_or_default(),
                            limit_node.raw().unwrap_or_default()
                        ),
                    )
                    .label(limit_node, "the limit")
                    .help(format!(
                        "lower the request to at most {}, or raise the limit",
                        limit_node.raw().unwrap_or_default()
                    )),
                );
            }
        }
    }
}
