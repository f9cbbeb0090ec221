use super::super::{Finding, Options, Rule, declare_rule};
use super::invalid_name::placeholder;
use crate::k8s::KubeVersion;
use crate::k8s::validation::qualified_name;
use crate::model::pod::WorkloadKind;
use crate::model::quantity::Quantity;
use crate::model::{Container, Object};
use crate::parse::tree::Node;

declare_rule! {
    /// ## What it does
    /// Reports container and pod resources the API server refuses (`ValidateResourceRequirements`),
    /// for every container (init, sidecar, regular and ephemeral) of every workload kind, at
    /// the offending value or key:
    ///
    /// - a negative request or limit (`must be greater than or equal to 0`);
    /// - a request above its limit, when both are written (`must be less than or equal to
    ///   cpu limit of 2`); a request that is not written defaults to the limit, so a limit
    ///   alone is never reported;
    /// - a resource name the API server does not know (`validateContainerResourceName`): a
    ///   name without a `/` must be `cpu`, `memory`, `ephemeral-storage` or `hugepages-<size>`;
    ///   any name must be a qualified name; a name outside `kubernetes.io` must be a valid
    ///   extended resource name;
    /// - an extended resource (`nvidia.com/gpu`) or hugepages value that is not allowed: an
    ///   extended resource must be a whole number; both must have a limit when they have a
    ///   request, and a request equal to the limit (they cannot be overcommitted);
    /// - a hugepages value that is not a multiple of its page size, and hugepages without a
    ///   `cpu` or `memory` request or limit (`HugePages require cpu or memory`);
    /// - the pod-level `spec.resources` (Kubernetes 1.34 and later, where it is on by
    ///   default): negative values and requests above limits.
    ///
    /// Malformed quantities (`512MB`) are `invalid-value`'s; values with a template
    /// placeholder are not judged. Out of scope, as they depend on the cluster: LimitRanges and
    /// ResourceQuotas, and whether a node offers an extended resource.
    ///
    /// A StatefulSet's pod template is not validated by the API server
    /// (`ValidatePodTemplateSpecForStatefulSet`): it accepts the StatefulSet and refuses each
    /// pod its controller creates, and the findings on a StatefulSet say so.
    ///
    /// ## Why is this bad
    /// The API server refuses the whole object (`spec.containers[0].resources.requests:
    /// Invalid value: "3": must be less than or equal to cpu limit of 2`), so the apply fails
    /// in the pipeline; for a workload, nothing is rolled out.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: example/app:1.0
    ///     resources:
    ///       limits: {cpu: "2", memory: "-1", nvidia.com/gpu: 1}
    ///       requests: {cpu: "3", memory: 1Gi, gpu: 1}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: example/app:1.0
    ///     resources:
    ///       limits: {cpu: "3", memory: 1Gi, nvidia.com/gpu: 1}
    ///       requests: {cpu: "2", memory: 1Gi}
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 3 findings in 3 files, all read, all true:
    /// the gke-shift-left-cost samples request `memory: 64Mi` under a limit of `64M`
    /// (67,108,864 bytes above 64,000,000), which the API server refuses. On by default:
    /// every finding is an apply that fails. No peer checks these (kubeconform and
    /// kube-linter pass the issue's example).
    pub struct InvalidResources => "invalid-resources";
}

/// The release from which pod-level `resources` are on by default (PodLevelResources beta);
/// before it, the API server drops the field.
const POD_LEVEL_RESOURCES_SINCE: KubeVersion = KubeVersion {
    major: 1,
    minor: 34,
};

impl Rule for InvalidResources {
    fn check_object<'d>(&self, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
        let Some(pod) = &object.pod else { return };
        let start = out.len();
        for container in pod
            .containers
            .iter()
            .cloned()
            .chain(pod.ephemeral_containers())
        {
            if let Some(resources) = container.get("resources") {
                let who = describe(&container);
                check(resources, &who, true, out);
            }
        }
        if options.target >= POD_LEVEL_RESOURCES_SINCE
            && let Some(resources) = pod.spec.get_some("resources")
        {
            check(resources, "the pod", false, out);
        }
        if pod.workload == WorkloadKind::StatefulSet {
            super::reword_for_statefulset_pods(&mut out[start..]);
        }
    }
}

fn describe(container: &Container<'_>) -> String {
    format!(
        "{} `{}`",
        container.kind.describe(),
        container.display_name()
    )
}

/// One entry of `limits` or `requests`.
struct Entry<'d> {
    key: Node<'d>,
    value: Node<'d>,
    name: &'d str,
    quantity: Option<Quantity>,
}

fn entries<'d>(resources: Node<'d>, section: &str) -> Vec<Entry<'d>> {
    let Some(list) = resources.get_some(section) else {
        return Vec::new();
    };
    list.entries()
        .filter_map(|(key, value)| {
            let name = key.key_text()?;
            if placeholder(name) {
                return None;
            }
            // A number or a string; malformed ones are invalid-value's.
            let quantity = value
                .raw()
                .filter(|raw| !value.is_null() && !placeholder(raw))
                .and_then(Quantity::parse);
            Some(Entry {
                key,
                value,
                name,
                quantity,
            })
        })
        .collect()
}

/// `IsNativeResource`: no domain, or a `kubernetes.io` one.
fn is_native(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

fn is_hugepages(name: &str) -> bool {
    name.starts_with("hugepages-")
}

/// `IsExtendedResourceName`.
fn is_extended(name: &str) -> bool {
    !is_native(name)
        && !name.starts_with("requests.")
        && qualified_name(&format!("requests.{name}")).is_empty()
}

/// `IsOvercommitAllowed`: only native resources other than hugepages may have a request
/// below their limit.
fn overcommit_allowed(name: &str) -> bool {
    is_native(name) && !is_hugepages(name)
}

/// `validateContainerResourceName`'s reasons.
fn name_reasons(name: &str) -> Vec<String> {
    let reasons = qualified_name(name);
    if !reasons.is_empty() {
        return reasons;
    }
    if !name.contains('/') {
        if !matches!(name, "cpu" | "memory" | "ephemeral-storage") && !is_hugepages(name) {
            return vec!["must be a standard resource for containers".to_owned()];
        }
    } else if !is_native(name) && !is_extended(name) {
        return vec!["doesn't follow extended resource name standard".to_owned()];
    }
    Vec::new()
}

fn raw<'d>(node: Node<'d>) -> &'d str {
    node.raw().unwrap_or("?")
}

fn check<'d>(resources: Node<'d>, who: &str, container: bool, out: &mut Vec<Finding<'d>>) {
    let limits = entries(resources, "limits");
    let requests = entries(resources, "requests");
    let mut cpu_or_memory = false;
    let mut hugepages = None;
    for (section, list) in [("limit", &limits), ("request", &requests)] {
        for entry in list.iter() {
            let name = entry.name;
            cpu_or_memory |= matches!(name, "cpu" | "memory");
            if is_hugepages(name) && hugepages.is_none() {
                hugepages = Some(entry.key);
            }
            if container {
                let reasons = name_reasons(name);
                if !reasons.is_empty() {
                    out.push(
                        Finding::new(
                            entry.key,
                            format!(
                                "{who}: resource name `{name}` is refused by the API server: {}",
                                reasons.join("; ")
                            ),
                        )
                        .help("a container takes `cpu`, `memory`, `ephemeral-storage`, `hugepages-<size>`, or an extended resource with a domain, such as `nvidia.com/gpu`"),
                    );
                    continue;
                }
            }
            let Some(quantity) = entry.quantity else {
                continue;
            };
            // ValidateResourceQuantityValue
            if quantity.is_negative() {
                out.push(
                    Finding::new(
                        entry.value,
                        format!(
                            "{who}: {name} {section} `{}` is negative; the API server refuses it: must be greater than or equal to 0",
                            raw(entry.value)
                        ),
                    )
                    .help(format!("set a positive {name} {section}")),
                );
                continue;
            }
            if is_extended(name) && !quantity.is_integer() {
                out.push(
                    Finding::new(
                        entry.value,
                        format!(
                            "{who}: {name} {section} `{}` is refused by the API server: an extended resource must be an integer",
                            raw(entry.value)
                        ),
                    )
                    .help("extended resources are counted in whole units: use a whole number"),
                );
            }
            // validateResourceQuantityHugePageValue
            if is_hugepages(name)
                && let Some(page) = Quantity::parse(&name["hugepages-".len()..])
                && page.is_positive()
                && !quantity.is_multiple_of(page)
            {
                let size = &name["hugepages-".len()..];
                out.push(
                    Finding::new(
                        entry.value,
                        format!(
                            "{who}: {name} {section} `{}` is refused by the API server: it is not a positive integer multiple of the page size {size}",
                            raw(entry.value)
                        ),
                    )
                    .help(format!("use a multiple of {size}")),
                );
            }
        }
    }
    for request in &requests {
        let name = request.name;
        let limit = limits.iter().find(|l| l.name == name);
        let overcommit = overcommit_allowed(name);
        match limit {
            Some(limit) => {
                let (Some(req), Some(lim)) = (request.quantity, limit.quantity) else {
                    continue;
                };
                if req.is_negative() {
                    continue;
                }
                let (rel, consequence) = if !overcommit && req != lim {
                    (
                        "must be equal to",
                        "this resource cannot be overcommitted, so its request and limit must be the same",
                    )
                } else if req > lim {
                    (
                        "must be less than or equal to",
                        "a request above its limit could never be met",
                    )
                } else {
                    continue;
                };
                out.push(
                    Finding::new(
                        request.value,
                        format!(
                            "{who}: {name} request `{}` is refused by the API server: {rel} {name} limit of {} ({consequence})",
                            raw(request.value),
                            raw(limit.value)
                        ),
                    )
                    .label(limit.value, format!("{name} limit set here"))
                    .help(if overcommit {
                        format!("lower the {name} request to at most the limit, or raise the limit")
                    } else {
                        format!("set the {name} request equal to its limit, or remove the request (it defaults to the limit)")
                    }),
                );
            }
            None if !overcommit && container => {
                out.push(
                    Finding::new(
                        request.key,
                        format!(
                            "{who}: {name} has a request but no limit; the API server refuses it: Limit must be set for non overcommitable resources"
                        ),
                    )
                    .help(format!(
                        "set `limits: {{{name}: {}}}` (a request without a limit is not allowed for this resource; a limit alone sets the request too)",
                        raw(request.value)
                    )),
                );
            }
            None => {}
        }
    }
    if container
        && !cpu_or_memory
        && let Some(key) = hugepages
    {
        out.push(
            Finding::new(
                key,
                format!(
                    "{who} asks for hugepages without a cpu or memory request or limit; the API server refuses it: HugePages require cpu or memory"
                ),
            )
            .help("add a memory (or cpu) request and limit beside the hugepages"),
        );
    }
}
