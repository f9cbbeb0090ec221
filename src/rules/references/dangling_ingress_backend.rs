use super::super::{GraphFinding, Rule, declare_rule};
use std::collections::{HashMap, HashSet};

use super::{SYSTEM_NAMESPACES, describe_namespace};
use crate::index::{Index, KindFacts, NamespaceKey, PortRef, ServiceFacts, parent_dir};
use crate::text::closest_name;

declare_rule! {
    /// ## What it does
    /// Reports a backend of an Ingress (`networking.k8s.io/v1` `service.name` and
    /// `service.port.number` / `service.port.name`, `defaultBackend`, and the legacy
    /// `serviceName` / `servicePort`) or of a Gateway API HTTPRoute or GRPCRoute
    /// (`backendRefs` of kind `Service`, the default, in the core group, in the route's
    /// namespace or the one it names) that names a Service the run does not have (at the
    /// `name` value), or a port that Service does not have (at the port value). An Ingress
    /// port is the Service's `port` (not its `targetPort`), a port name a Service port's
    /// `name`.
    ///
    /// Only where the run can know the namespace's Services (the index's trust rule, as for
    /// `missing-readiness-probe`): the inputs or `--context` hold Services of that namespace
    /// (for objects without a namespace, in the route's directory), and each of them has a
    /// selector. Never reported: templated names or ports, backends of another kind (a
    /// bucket, an `ExternalName`-like resource), port checks against a Service whose ports
    /// are templated or that declares none, and a missing Service where the scope holds a
    /// custom resource whose operator runs pods (it creates Services too: a Prometheus's
    /// `prometheus-operated`).
    ///
    /// ## Why is this bad
    /// The controller has nowhere to send the traffic: ingress-nginx answers 503 for a
    /// missing Service, a Gateway returns 500 for the rule's share of requests, and `kubectl
    /// apply` accepts it all without a word. A Service renamed on one side, or the
    /// `targetPort` written where the Service's `port` belongs, is enough: ingress-nginx
    /// tolerates a `targetPort` number, but GKE's and AWS's load balancer controllers and
    /// Gateway implementations do not, so the manifest breaks when it moves.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// metadata: {name: web}
    /// spec:
    ///   ports: [{name: http, port: 80, targetPort: 8080}]
    /// ---
    /// kind: Ingress
    /// spec:
    ///   defaultBackend:
    ///     service:
    ///       name: web
    ///       port: {number: 8080}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Ingress
    /// spec:
    ///   defaultBackend:
    ///     service:
    ///       name: web
    ///       port: {number: 80}
    /// ```
    ///
    /// The namespace's Services must also have one Service beside the route (its directory):
    /// repositories of examples spread a namespace over scenarios never deployed together (a
    /// workshop module that adds one Service to the namespace of a base application installed
    /// from elsewhere). When several Services of the unnamed namespace share the name
    /// (unrelated samples), a port is reported only when none of them has it.
    ///
    /// ## Measured
    /// On `../shared/corpus/real`: no findings. The first version had 8, all wrong: 4 port
    /// findings against another sample's Service of the same name in the unnamed namespace
    /// (GKE's `web`, `helloweb-backend`: now every Service of the name is checked), 2 in
    /// eks-workshop modules whose `catalog` Service comes from the base application, not in
    /// the run (now a Service of the namespace must be beside the route), and 2 ingress-nginx
    /// examples naming `kubernetes-dashboard` in `kube-system`, whose Services are installed
    /// with the cluster (never reported, as for the selector rules).
    ///
    /// Peers: agrees with kube-score's "Ingress targets Service" on all 9 fixtures: the three
    /// `…-no-match` fire here, the three matching ones and `ingress_issue388` pass;
    /// `ingress-v1-invalid-backend` and `ingress_issue363` (a `networking.k8s.io/v1` Ingress
    /// written with v1beta1's `serviceName`) are `unknown-field`'s: v1 dropped those fields,
    /// so the backend names no Service. Agrees with kube-linter's `dangling-ingress` on its 6
    /// named objects (`missing-service` and `bad-port` fire, the four `dont-fire…` do not).
    pub struct DanglingIngressBackend => "dangling-ingress-backend";
}

impl Rule for DanglingIngressBackend {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        // Services by (namespace, name), and the directories holding Services of each
        // namespace. The unnamed namespace and `default` are one.
        let norm = |ns: &NamespaceKey| ns.clone().unwrap_or_else(|| "default".to_owned());
        let mut by_name: HashMap<(String, &str), Vec<&ServiceFacts>> = HashMap::new();
        let mut dirs: HashSet<(String, &str)> = HashSet::new();
        // The Service names of each namespace, in the run's order, for "did you mean".
        let mut names_in: HashMap<NamespaceKey, Vec<&str>> = HashMap::new();
        for f in &index.facts {
            if let KindFacts::Service(s) = &f.kind {
                let own = index.namespace_of(f);
                names_in
                    .entry(own.clone())
                    .or_default()
                    .push(f.id.name.as_str());
                let ns = norm(&own);
                dirs.insert((ns.clone(), parent_dir(&f.file)));
                by_name.entry((ns, f.id.name.as_str())).or_default().push(s);
            }
        }
        // Whether an operator may create the scope's Services, asked once per scope: the
        // answer scans the namespace, and routes of one scope are many.
        let mut operator_in: HashMap<(String, &str), bool> = HashMap::new();
        for (i, f) in index.subjects() {
            let KindFacts::Route(backends) = &f.kind else {
                continue;
            };
            if !f.reported {
                continue;
            }
            let own_ns = index.namespace_of(f);
            for b in backends {
                let ns = match &b.namespace {
                    Some(ns) => Some(ns.clone()),
                    None => own_ns.clone(),
                };
                // Repositories of examples spread one namespace over scenarios never deployed
                // together (a workshop's module patches the base application's namespace):
                // only a Service of the namespace beside the route shows that the run holds
                // the Services the route was written with.
                let key = norm(&ns);
                if ns
                    .as_deref()
                    .is_some_and(|n| SYSTEM_NAMESPACES.contains(&n))
                    || !index.knows_services_in(&ns, &f.file)
                    || !dirs.contains(&(key.clone(), parent_dir(&f.file)))
                {
                    continue;
                }
                let Some(candidates) = by_name.get(&(key.clone(), b.service.as_str())) else {
                    let operator = *operator_in
                        .entry((key.clone(), parent_dir(&f.file)))
                        .or_insert_with(|| index.operator_in_scope(&ns, &f.file));
                    if operator {
                        continue;
                    }
                    // The namespace's own first, then its alias's (the unnamed namespace and
                    // `default` are one), as the index orders them.
                    let names: Vec<&str> = Index::same_namespace(&ns)
                        .iter()
                        .flat_map(|k| names_in.get(k).into_iter().flatten().copied())
                        .collect();
                    let help = match closest_name(&b.service, names.iter().copied()) {
                        Some(near) => format!("did you mean `{near}`?"),
                        None => format!(
                            "name a Service of {} ({}), or add the Service; if it is in files \
                             not given, pass them with `--context`",
                            describe_namespace(&ns),
                            list(&names)
                        ),
                    };
                    out.push(
                        GraphFinding::new(
                            i,
                            &b.name_site,
                            format!(
                                "{} `{}` sends traffic to Service `{}`, which is not in {}: \
                                 those requests fail",
                                f.id.kind,
                                f.id.name,
                                b.service,
                                describe_namespace(&ns)
                            ),
                        )
                        .help(help),
                    );
                    continue;
                };
                let Some((port, port_site)) = &b.port else {
                    continue;
                };
                // Several Services of that name (unrelated samples in the unnamed namespace):
                // the port is known missing only when each one is read and none has it.
                let Some(all) = candidates
                    .iter()
                    .map(|s| s.ports.as_ref().filter(|p| !p.is_empty()))
                    .collect::<Option<Vec<_>>>()
                else {
                    continue;
                };
                if all
                    .iter()
                    .any(|ports| ports.iter().any(|p| port.matches(p)))
                {
                    continue;
                }
                let ports = all[0];
                let described: Vec<String> = ports
                    .iter()
                    .map(|p| match (p.port, &p.name) {
                        (Some(n), Some(name)) => format!("{n} (`{name}`)"),
                        (Some(n), None) => n.to_string(),
                        (None, Some(name)) => format!("`{name}`"),
                        (None, None) => "?".to_owned(),
                    })
                    .collect();
                let what = match port {
                    PortRef::Number(_) => "port",
                    PortRef::Name(_) => "port named",
                };
                let fix = match port {
                    PortRef::Number(_) => {
                        "name one of them: a backend port is the Service's `port`, not its \
                         `targetPort`"
                    }
                    PortRef::Name(_) => "name one of them, by number or by name",
                };
                out.push(
                    GraphFinding::new(
                        i,
                        port_site,
                        format!(
                            "{} `{}` sends traffic to {what} {port} of Service `{}`, which has \
                             no such port: those requests fail",
                            f.id.kind, f.id.name, b.service
                        ),
                    )
                    .help(format!(
                        "Service `{}` has ports {}; {fix}",
                        b.service,
                        described.join(", ")
                    )),
                );
            }
        }
    }
}

fn list(names: &[&str]) -> String {
    match names.len() {
        0 => "none".to_owned(),
        n if n <= 5 => names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", "),
        n => format!(
            "{}, … {} in all",
            names[..5]
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", "),
            n
        ),
    }
}
