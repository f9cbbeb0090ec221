use super::super::{Finding, Options, Rule, declare_rule};
use crate::k8s::validation::{
    DNS1123_LABEL_MAX, dns1035_label, dns1123_label, dns1123_subdomain, path_segment_name,
};
use crate::k8s::{KubeVersion, group_of};
use crate::model::Object;
use crate::parse::tree::Node;

declare_rule! {
    /// ## What it does
    /// Reports a `metadata.name` or `metadata.generateName` the API server refuses for the
    /// object's kind, at the name's value, with the API server's reasons:
    ///
    /// - a Namespace name must be a DNS-1123 label (lowercase letters, digits and `-`, at most
    ///   63 characters);
    /// - a Service name must be a DNS-1035 label: the same, but starting with a letter (it
    ///   becomes a DNS name and the prefix of environment variables);
    /// - a StatefulSet name must be a DNS-1123 label (from Kubernetes 1.27: it becomes each
    ///   pod's hostname);
    /// - a Role, ClusterRole, RoleBinding or ClusterRoleBinding name must be a path segment
    ///   (not `.` or `..`, no `/` or `%`; `system:controller:x` is fine);
    /// - every other kind's name, custom resources included, must be a DNS-1123 subdomain
    ///   (lowercase letters, digits, `-` and `.`, at most 253 characters);
    /// - a CronJob name must be at most 52 characters (its Jobs are named after it plus an
    ///   11-character suffix);
    /// - a Job name must be at most 63 characters unless `manualSelector` is true (it becomes
    ///   the value of the `job-name` labels the API server adds to its pods), and for an
    ///   `Indexed` Job, `<name>-<completions - 1>` must be a DNS-1123 label (the pods'
    ///   hostnames);
    /// - `generateName` is checked by the same rule as a name, with a trailing `-` allowed
    ///   (the API server appends five random characters).
    ///
    /// A name with a template placeholder (`{{ .Values.name }}`, `${NAME}`, `$(NAME)`), or with
    /// a stand-in a sample asks the reader to replace (`<node-hostname>`, `PV_NAME`,
    /// `bootstrap-token-YOUR_TOKEN_ID`, a kustomize patch's `*`) is not judged: its value is
    /// not known. Kinds whose names the API server does not constrain
    /// (CertificateSigningRequest, Events) or that are served by another API server with its
    /// own rules (APIService, `*.openshift.io`) and configuration files that are not API
    /// objects (`kustomize.config.k8s.io`, `kubeadm.k8s.io`, kind and k3d clusters) are not
    /// checked. A missing name is `missing-required-field`'s.
    ///
    /// ## Why is this bad
    /// The API server refuses the whole object (`metadata.name: Invalid value: "My_App": a
    /// lowercase RFC 1123 subdomain must consist of…`), so the apply fails in the pipeline;
    /// a too long CronJob name is accepted by older clusters and then never creates a Job.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: 2048-game
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: My_App
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: game-2048
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: my-app
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,645 files): 3 findings in 3 files, all read, all true:
    /// istio's sidecar-injection test inputs name a Deployment `statusPort`, which the API
    /// server refuses. Before the sample stand-ins were skipped there were 8 more, all
    /// placeholders a reader replaces (`PV_NAME`, `bootstrap-token-YOUR_TOKEN_ID`,
    /// `rook-ceph-cleanup-<node-hostname>`, a kustomize patch named `*`) or Argo CD's
    /// `ConfigManagementPlugin` file, which is no API object. On by default: every finding is
    /// an apply that fails. No peer checks names (kubeconform and kube-linter pass them).
    pub struct InvalidName => "invalid-name";
}

/// The release from which a StatefulSet's name must be a DNS label (kubernetes#114172).
const STATEFULSET_LABEL_NAMES_SINCE: KubeVersion = KubeVersion {
    major: 1,
    minor: 27,
};

/// The longest CronJob name: a Job name (63) less the `-<minutes since epoch>` suffix (11).
const CRONJOB_NAME_MAX: usize = DNS1123_LABEL_MAX - 11;

/// Which of the API server's name functions decides an object's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameRule {
    /// `NameIsDNSSubdomain`
    Subdomain,
    /// `NameIsDNSLabel`
    Label,
    /// `NameIsDNS1035Label`
    Dns1035Label,
    /// `ValidateRBACName` (`path.IsValidPathSegmentName`)
    PathSegment,
}

impl NameRule {
    fn of(object: &Object<'_>, target: KubeVersion) -> Option<NameRule> {
        let group = group_of(object.api_version);
        Some(match (group, object.kind) {
            // ValidateNamespaceName
            ("", "Namespace") => NameRule::Label,
            // ValidateServiceName
            ("", "Service") => NameRule::Dns1035Label,
            // Events are named by their sources (`pod.17a3…`); not something one applies.
            ("", "Event") | ("events.k8s.io", _) => return None,
            // ValidateStatefulSetName
            ("apps", "StatefulSet") if target >= STATEFULSET_LABEL_NAMES_SINCE => NameRule::Label,
            // ValidateRBACName
            (
                "rbac.authorization.k8s.io",
                "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding",
            ) => NameRule::PathSegment,
            // ValidateCertificateRequestName accepts anything; APIService names are
            // `<version>.<group>`, checked against the spec.
            ("certificates.k8s.io", _) | ("apiregistration.k8s.io", _) => return None,
            (group, _) if !is_api_object_group(group) => return None,
            ("", "Config") => return None,
            // Argo CD reads this from the plugin sidecar's file system; it is no API object.
            ("argoproj.io", "ConfigManagementPlugin") => return None,
            _ => NameRule::Subdomain,
        })
    }

    fn check(self, name: &str, prefix: bool) -> Vec<String> {
        // ValidateObjectMeta calls the kind's function with prefix=true for generateName:
        // maskTrailingDash replaces a final `-` (with the character before it, an upstream
        // quirk reproduced as is) by `a`.
        let masked;
        let name = if prefix && name.len() > 1 && name.ends_with('-') {
            // Go cuts the byte before the dash; when that byte ends a longer character, the
            // bytes left are not UTF-8 and the name fails, as U+FFFD makes it fail here.
            let head = &name[..name.len() - 1];
            let cut = head.char_indices().last().map_or(0, |(at, _)| at);
            let broken = if head.len() - cut > 1 { "\u{fffd}" } else { "" };
            masked = format!("{}{broken}a", &head[..cut]);
            masked.as_str()
        } else {
            name
        };
        match self {
            NameRule::Subdomain => dns1123_subdomain(name),
            NameRule::Label => dns1123_label(name),
            NameRule::Dns1035Label => dns1035_label(name),
            NameRule::PathSegment => path_segment_name(name),
        }
    }

    fn what(self) -> &'static str {
        match self {
            NameRule::Subdomain => "a DNS-1123 subdomain",
            NameRule::Label => "a DNS-1123 label",
            NameRule::Dns1035Label => "a DNS-1035 label",
            NameRule::PathSegment => "a path segment",
        }
    }
}

/// Whether objects of this group are API objects a cluster validates, as opposed to
/// configuration files shaped like them, or objects of an API server with its own rules.
fn is_api_object_group(group: &str) -> bool {
    !(group.ends_with(".config.k8s.io")
        || group.ends_with("config.x-k8s.io")
        || group.ends_with(".openshift.io")
        || matches!(
            group,
            "kubeadm.k8s.io" | "kind.x-k8s.io" | "k3d.io" | "audit.k8s.io" | "ctlptl.dev"
        ))
}

/// Whether a value is a placeholder that a template engine or kustomize fills in before the
/// API server sees it: `{{ .Values.x }}`, `${VAR}`, or `$(VAR)`.
pub(super) fn placeholder(text: &str) -> bool {
    crate::model::is_templated(text) || text.contains("$(")
}

/// Whether a name is what the API server will see: not empty (that is
/// `missing-required-field`'s), no template placeholder, and none of the stand-ins samples
/// ask the reader to replace before applying: `<node-hostname>`, `PV_NAME`,
/// `bootstrap-token-YOUR_TOKEN_ID`, or a kustomize patch's `*` target.
fn judged(name: &str) -> bool {
    let stand_in = name.is_empty()
        || placeholder(name)
        || name.contains('*')
        || (name.contains('<') && name.contains('>'))
        || has_upper_snake_token(name);
    !stand_in
}

/// `PV_NAME`, `YOUR_TOKEN_ID`: an upper-case word with an underscore, the way samples spell
/// what the reader fills in.
fn has_upper_snake_token(name: &str) -> bool {
    name.split(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
        .any(|token| {
            token.contains('_') && token.chars().filter(|c| c.is_ascii_uppercase()).count() >= 2
        })
}

impl Rule for InvalidName {
    fn check_object<'d>(&self, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
        let Some(metadata) = object.metadata() else {
            return;
        };
        let Some(rule) = NameRule::of(object, options.target) else {
            return;
        };
        let name = metadata.get("name").and_then(|n| Some((n, n.as_str()?)));
        if let Some((node, name)) = name.filter(|(_, n)| judged(n)) {
            let reasons = rule.check(name, false);
            if !reasons.is_empty() {
                out.push(refused(object, node, "name", name, rule, &reasons));
            } else {
                kind_limits(object, node, name, out);
            }
        }
        let generated = metadata
            .get("generateName")
            .and_then(|n| Some((n, n.as_str()?)));
        if let Some((node, prefix)) = generated.filter(|(_, n)| judged(n)) {
            let reasons = rule.check(prefix, true);
            if !reasons.is_empty() {
                out.push(refused(
                    object,
                    node,
                    "generateName",
                    prefix,
                    rule,
                    &reasons,
                ));
            }
        }
    }
}

fn refused<'d>(
    object: &Object<'_>,
    node: Node<'d>,
    field: &str,
    value: &str,
    rule: NameRule,
    reasons: &[String],
) -> Finding<'d> {
    let kind = object.kind;
    let suffix = if field == "generateName" {
        " (a trailing `-` is allowed)"
    } else {
        ""
    };
    Finding::new(
        node,
        format!(
            "{kind} {field} `{value}` is refused by the API server: {}",
            reasons.join("; ")
        ),
    )
    .help(format!(
        "a {kind} {field} must be {}{suffix}; rename it, e.g. `{}{}`",
        rule.what(),
        suggestion(value, rule),
        if field == "generateName" { "-" } else { "" }
    ))
}

/// A name of the required shape close to `value`: lowercase, other characters as `-`.
fn suggestion(value: &str, rule: NameRule) -> String {
    let keep_dots = matches!(rule, NameRule::Subdomain);
    let mut out: String = value
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9') => c,
            '.' if keep_dots => '.',
            _ => '-',
        })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    let mut out = out.trim_matches(|c| c == '-' || c == '.').to_owned();
    if rule == NameRule::Dns1035Label && out.starts_with(|c: char| c.is_ascii_digit()) {
        out = format!("svc-{out}");
    }
    let max = if keep_dots { 253 } else { DNS1123_LABEL_MAX };
    out.truncate(max);
    let out = out.trim_end_matches(['-', '.']).to_owned();
    if out.is_empty() {
        "my-name".to_owned()
    } else {
        out
    }
}

/// The limits a kind puts on a name that is otherwise valid.
fn kind_limits<'d>(object: &Object<'d>, node: Node<'d>, name: &str, out: &mut Vec<Finding<'d>>) {
    match (group_of(object.api_version), object.kind) {
        // ValidateCronJob: `must be no more than 52 characters`.
        ("batch", "CronJob") if name.len() > CRONJOB_NAME_MAX => out.push(
            Finding::new(
                node,
                format!(
                    "CronJob name `{name}` is {} characters; the API server refuses it: must be no more than {CRONJOB_NAME_MAX} characters (the CronJob's Jobs are named `{name}-<11-digit time>`, and a Job name is at most 63 characters)",
                    name.len()
                ),
            )
            .help(format!("shorten the name to at most {CRONJOB_NAME_MAX} characters")),
        ),
        ("batch", "Job") => {
            let spec = object.root.get("spec");
            let manual = spec
                .and_then(|s| s.get("manualSelector"))
                .and_then(|m| m.as_bool())
                == Some(true);
            // validateGeneratedSelector: the API server labels the pod template with
            // `batch.kubernetes.io/job-name: <name>`, and a label value is at most 63.
            if !manual && name.len() > DNS1123_LABEL_MAX {
                out.push(
                    Finding::new(
                        node,
                        format!(
                            "Job name `{name}` is {} characters; the API server refuses it: it labels the Job's pods `batch.kubernetes.io/job-name: {name}`, and a label value must be no more than 63 characters",
                            name.len()
                        ),
                    )
                    .help("shorten the name to at most 63 characters"),
                );
                return;
            }
            // ValidateJob: an Indexed Job's pods are named and hostnamed `<name>-<index>`.
            let indexed = spec.and_then(|s| s.get_str("completionMode")) == Some("Indexed");
            let completions = spec.and_then(|s| s.get("completions")).and_then(|c| c.as_i64());
            if let (true, Some(completions)) = (indexed, completions.filter(|c| *c > 0)) {
                let hostname = format!("{name}-{}", completions - 1);
                let reasons = dns1123_label(&hostname);
                if !reasons.is_empty() {
                    out.push(
                        Finding::new(
                            node,
                            format!(
                                "Indexed Job name `{name}` is refused by the API server: its last pod's hostname `{hostname}` is not a valid DNS label: {}",
                                reasons.join("; ")
                            ),
                        )
                        .help("use a name of lowercase letters, digits and `-`, short enough for `-<index>` to fit in 63 characters"),
                    );
                }
            }
        }
        _ => {}
    }
}
