use super::super::{GraphFinding, Rule, declare_rule};
use super::{
    closest_workload, describe_namespace, describe_selector, near_miss_label, selects_nothing,
};
use crate::index::{Index, KindFacts};

declare_rule! {
    /// ## What it does
    /// Reports a Service whose `selector` matches the labels of no pod template (Pod,
    /// Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob) in
    /// its namespace, across every file of the run and of `--context`.
    ///
    /// Never reported: a Service without a selector (its endpoints are managed by hand or by
    /// EndpointSlices), an `ExternalName` Service, a namespace whose workloads are not among the
    /// inputs at all (they live elsewhere: pass them with `--context`), and a selector naming a
    /// custom resource that runs pods, in the Service's namespace (for a Service without one,
    /// in its directory), exactly by name, by name and component (`my-cluster-kafka`), by kind
    /// in lower case, or by its labels: operators label the pods they create that way, e.g. a
    /// Prometheus `k8s` runs pods labelled `prometheus: k8s`. A custom resource runs pods when
    /// it spells out containers, when its CRD in the run has a pod template, or when it is a
    /// known operator workload (Prometheus, Elasticsearch, Kafka, postgresql, CephCluster, …).
    ///
    /// ## Why is this bad
    /// The Service gets no endpoints: every connection to it is refused or times out, and
    /// nothing in `kubectl apply` says so. A typo in a label, or a label renamed on one side
    /// only, is enough.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   selector: {app: web-frontend}
    /// ---
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     metadata:
    ///       labels: {app: frontend}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   selector: {app: frontend}
    /// ```
    pub struct DanglingServiceSelector => "dangling-service-selector";
}

impl Rule for DanglingServiceSelector {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        for (i, f) in index.subjects() {
            let KindFacts::Service(service) = &f.kind else {
                continue;
            };
            let (Some(selector), Some(site)) = (&service.selector, &service.selector_site) else {
                continue;
            };
            let ns = index.namespace_of(f);
            if !selects_nothing(index, f, selector) {
                continue;
            }
            let help = match near_miss_label(index, &ns, selector) {
                Some(near) => format!("{near} make the selector and the pod labels agree"),
                None => match closest_workload(index, &ns, selector) {
                    Some(closest) => format!(
                        "the closest match: {closest}; make the selector and the pod labels agree"
                    ),
                    None => "make the selector match the pod template labels of the workload it \
                         should serve; if that workload's manifests are elsewhere, pass them \
                         with `--context`"
                        .to_owned(),
                },
            };
            let message = format!(
                "Service `{}` selects {}, which no pod template in {} carries; it will have no endpoints",
                f.id.name,
                describe_selector(selector),
                describe_namespace(&ns)
            );
            out.push(GraphFinding::new(i, site, message).help(help));
        }
    }
}
