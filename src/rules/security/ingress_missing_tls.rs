use super::super::{Finding, Options, Rule, declare_rule};
use crate::model::{Object, is_templated};
use crate::parse::tree::Node;

declare_rule! {
    /// ## What it does
    /// Reports an Ingress that serves traffic without TLS. An Ingress with no `spec.tls` (or
    /// an empty one) is reported once, at its first rule's `host` value (at the `rules` or
    /// `defaultBackend` key when no host is set). An Ingress with `tls` entries is reported at
    /// each rule `host` that no entry's `hosts` covers (exactly, or by a `*.` wildcard for
    /// one label); an entry without `hosts` covers every host, as controllers apply its
    /// certificate to all.
    ///
    /// Not reported: an Ingress whose TLS is terminated by the cloud load balancer in front
    /// of it, as its annotations say (AWS Load Balancer Controller
    /// `alb.ingress.kubernetes.io/certificate-arn`, GKE `pre-shared-cert` and
    /// `networking.gke.io/managed-certificates`, Azure `appgw-ssl-certificate`; the AWS
    /// controller's `listen-ports` naming `HTTPS`, which finds the certificate in ACM by host;
    /// Traefik's `router.tls: "true"`), an Ingress with no rules and no default backend (a
    /// fragment), and hosts left to fill in (templated, or text no host can be: `<your
    /// domain>`, `__HOST__`, upper case).
    ///
    /// ## Why is this bad
    /// Without TLS the Ingress serves plain HTTP: credentials, session cookies and data
    /// cross the network readable and alterable by anyone on the path. A host left out of
    /// `tls` is served with the controller's default (self-signed) certificate on HTTPS and
    /// in clear text on HTTP, which clients reject or, worse, are taught to accept.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Ingress
    /// metadata: {name: shop}
    /// spec:
    ///   rules:
    ///     - host: shop.example.com
    ///       http:
    ///         paths:
    ///           - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Ingress
    /// metadata:
    ///   name: shop
    ///   annotations: {cert-manager.io/cluster-issuer: letsencrypt}
    /// spec:
    ///   tls:
    ///     - hosts: [shop.example.com]
    ///       secretName: shop-tls
    ///   rules:
    ///     - host: shop.example.com
    ///       http:
    ///         paths:
    ///           - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
    /// ```
    ///
    /// ## Measured
    /// On by default. On `../shared/corpus/real`: 32 findings in 29 files, all read (35 in 32
    /// before placeholder hosts such as `__INGRESS_HOST__` were skipped). All true of the
    /// manifests: ingress-nginx's documentation examples (12), EKS workshop modules
    /// (10, ALB Ingresses listening on HTTP only), Argo CD test data (5), GKE's load-balancing
    /// quickstarts (4), Istio's bookinfo Ingress. They are samples that leave TLS out to stay
    /// short; in a production repository each is an Ingress serving plain HTTP, worth fixing,
    /// hence on. No finding was a host covered by a `tls` entry, or an Ingress whose load
    /// balancer terminates TLS by annotation (a certificate annotation of AWS, GKE or Azure,
    /// the AWS Load Balancer Controller listening on `HTTPS`, Traefik's `router.tls: "true"`:
    /// those are never reported).
    ///
    /// Peers: neither kube-score nor kube-linter checks Ingress TLS.
    pub struct IngressMissingTls => "ingress-missing-tls";
}

/// Annotations that say a load balancer in front of the Ingress terminates TLS.
const TERMINATED_IN_FRONT: [&str; 5] = [
    "alb.ingress.kubernetes.io/certificate-arn",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
    "networking.gke.io/managed-certificates",
    "appgw.ingress.kubernetes.io/appgw-ssl-certificate",
    "service.beta.kubernetes.io/aws-load-balancer-ssl-cert",
];

/// A host someone is to fill in: a template expression, or text the API server would refuse
/// as a host (`registry.<your domain>`, `__INGRESS_HOST__`, upper case), as documentation
/// examples write it.
fn placeholder(host: &str) -> bool {
    is_templated(host)
        || host.contains(['<', '>', ' '])
        || host.contains("__")
        || host.bytes().any(|b| b.is_ascii_uppercase())
}

fn covers(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(suffix) => host
            .split_once('.')
            .is_some_and(|(first, rest)| !first.is_empty() && rest == suffix),
        None => pattern == host,
    }
}

impl Rule for IngressMissingTls {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        if object.kind != "Ingress"
            || !matches!(
                crate::k8s::group_of(object.api_version),
                "networking.k8s.io" | "extensions"
            )
        {
            return;
        }
        let Some(spec) = object.root.get("spec") else {
            return;
        };
        let annotations = object.metadata().and_then(|m| m.get("annotations"));
        let annotation = |key: &str| annotations.and_then(|m| m.get_some(key));
        if TERMINATED_IN_FRONT.iter().any(|a| annotation(a).is_some()) {
            return;
        }
        // The AWS Load Balancer Controller listening on HTTPS finds the certificate in ACM by
        // the rules' hosts; Traefik serves TLS for a router marked so, with no `spec.tls`.
        let alb_https = annotation("alb.ingress.kubernetes.io/listen-ports")
            .and_then(|p| p.as_str())
            .is_some_and(|ports| ports.contains("HTTPS"));
        let traefik_tls = annotation("traefik.ingress.kubernetes.io/router.tls")
            .and_then(|v| v.raw())
            .is_some_and(|v| v == "true");
        if alb_https || traefik_tls {
            return;
        }
        let hosts: Vec<Node<'d>> = spec
            .get("rules")
            .iter()
            .flat_map(|r| r.items())
            .filter_map(|r| r.get_some("host"))
            .collect();
        let name = object.name.unwrap_or("?");
        let tls: Vec<Node<'d>> = spec
            .get("tls")
            .iter()
            .flat_map(|t| t.items())
            .filter(|t| t.is_map())
            .collect();
        if tls.is_empty() {
            let anchor = hosts
                .first()
                .copied()
                .or_else(|| {
                    spec.entry("rules")
                        .filter(|(_, v)| v.items().next().is_some())
                        .map(|(k, _)| k)
                })
                .or_else(|| {
                    spec.entry("defaultBackend")
                        .or_else(|| spec.entry("backend"))
                        .map(|(k, _)| k)
                });
            let Some(anchor) = anchor else {
                return;
            };
            if hosts.iter().any(|h| h.raw().is_some_and(placeholder)) {
                return;
            }
            let served = match hosts.iter().filter_map(|h| h.as_str()).collect::<Vec<_>>() {
                list if list.is_empty() => "every host".to_owned(),
                list => list
                    .iter()
                    .map(|h| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            out.push(
                Finding::new(
                    anchor,
                    format!(
                        "Ingress `{name}` has no `tls`: it serves {served} over plain HTTP, \
                         where credentials and cookies cross the network readable by anyone on \
                         the path"
                    ),
                )
                .help(
                    "add `spec.tls` with the hosts and the Secret holding their certificate \
                     (cert-manager can issue it from an annotation)",
                ),
            );
            return;
        }
        let mut patterns = Vec::new();
        for entry in &tls {
            match entry.get_some("hosts") {
                Some(list) if list.items().next().is_some() => {
                    for h in list.items() {
                        match h.raw() {
                            Some(text) if !is_templated(text) => patterns.push(text),
                            // An entry we cannot read may cover anything.
                            _ => return,
                        }
                    }
                }
                _ => return,
            }
        }
        for host in hosts {
            let Some(text) = host.as_str() else {
                continue;
            };
            if placeholder(text) || patterns.iter().any(|p| covers(p, text)) {
                continue;
            }
            out.push(
                Finding::new(
                    host,
                    format!(
                        "host `{text}` of Ingress `{name}` is in no `tls` entry: it is served \
                         with the controller's default certificate on HTTPS and in clear text \
                         on HTTP"
                    ),
                )
                .help(format!(
                    "add `{text}` to the `hosts` of a `tls` entry whose Secret's certificate \
                     names it"
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(covers("shop.example.com", "shop.example.com"));
        assert!(covers("*.example.com", "shop.example.com"));
        assert!(!covers("*.example.com", "a.shop.example.com"));
        assert!(!covers("*.example.com", "example.com"));
    }
}
