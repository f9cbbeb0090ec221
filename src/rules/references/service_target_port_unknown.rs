use super::super::{GraphFinding, Rule, declare_rule};
use crate::index::{Index, KindFacts};

declare_rule! {
    /// ## What it does
    /// Reports a Service port whose `targetPort` is a name that none of the containers of the
    /// pod templates the Service selects declares in its `ports`. Numeric target ports, and
    /// Services that select no pod template of the inputs, are not checked.
    ///
    /// ## Why is this bad
    /// Kubernetes resolves a named target port in each selected pod; a pod without a port of
    /// that name is left out of the Service's endpoints. With no container declaring it, the
    /// Service has no endpoints on that port and every connection fails.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   ports:
    ///     - port: 80
    ///       targetPort: http-web
    /// ---
    /// # the selected container declares `- name: http`
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   ports:
    ///     - port: 80
    ///       targetPort: http
    /// ```
    pub struct ServiceTargetPortUnknown => "service-target-port-unknown";
}

impl Rule for ServiceTargetPortUnknown {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        for (i, f) in index.subjects() {
            let KindFacts::Service(service) = &f.kind else {
                continue;
            };
            let Some(selector) = &service.selector else {
                continue;
            };
            if service.named_target_ports.is_empty() {
                continue;
            }
            let ns = index.namespace_of(f);
            let selected = index.selected(&ns, selector);
            if selected.is_empty() {
                continue;
            }
            // A workload whose labels live elsewhere may be the one that declares the port.
            if !index.knows_workloads_for(f) {
                continue;
            }
            for (name, site) in &service.named_target_ports {
                if crate::model::is_templated(name) {
                    continue;
                }
                let mut declared: Vec<&str> = selected
                    .iter()
                    .flat_map(|(w, _)| index.port_names_of(w))
                    .collect();
                if declared.contains(&name.as_str()) {
                    continue;
                }
                declared.sort_unstable();
                declared.dedup();
                let workloads: Vec<String> = selected
                    .iter()
                    .map(|(w, _)| format!("{} `{}`", w.id.kind, w.id.name))
                    .collect();
                let help = if declared.is_empty() {
                    format!(
                        "the selected pods declare no named ports; name the container port `{name}` or use its number"
                    )
                } else {
                    format!(
                        "the selected pods declare: {}",
                        declared
                            .iter()
                            .map(|d| format!("`{d}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                let message = format!(
                    "Service `{}` targets port `{name}`, which no container of {} declares; the port has no endpoints",
                    f.id.name,
                    workloads.join(", ")
                );
                out.push(GraphFinding::new(i, site, message).help(help));
            }
        }
    }
}
