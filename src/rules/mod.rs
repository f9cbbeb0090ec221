//! The rule engine: the `Rule` trait, rule metadata, and the registry of built-in rules.
//!
//! A rule looks at one object (or one document) and returns findings that point at nodes. It
//! never reads files and never formats output: the engine turns findings into diagnostics.

pub mod api;
pub mod lifecycle;
pub mod meta;
pub mod pod_security;
pub mod policies;
pub mod probes;
pub mod references;
pub mod reliability;
pub mod resources;
pub mod schema;
pub mod security;
mod set;
pub mod syntax;
pub mod volumes;

use std::any::Any;
use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use set::{POLICY_CATEGORY, PolicySelection, RuleSet, is_policy_id};

use crate::diagnostic::{Applicability, Severity};
use crate::index::{Index, Site};
use crate::k8s::KubeVersion;
use crate::k8s::pod_security::PolicyGate;
use crate::model::Object;
use crate::parse::tree::{Document, Node};
use crate::parse::{de, emit};
use crate::text::closest_name;

/// Declares a rule struct whose doc comment is its documentation (`kubelint explain`, SARIF
/// rule help and docs/rules.md are all generated from it).
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])* pub struct $name:ident => $id:literal;) => {
        $(#[doc = $doc])*
        #[derive(Debug, Default, Clone, Copy)]
        pub struct $name;

        impl $name {
            /// The rule's id, for code that names the rule (the engine emits some rules
            /// itself): a misspelt `ID` does not compile, a misspelt string would silently
            /// match nothing.
            pub const ID: &'static str = $id;
        }

        impl $crate::rules::Described for $name {
            fn id(&self) -> &'static str {
                $id
            }
            fn doc(&self) -> &'static str {
                concat!($($doc, "\n"),*)
            }
        }
    };
}
pub(crate) use declare_rule;

/// What a rule reports: a node and a message, positions are the engine's business.
#[derive(Debug, Clone)]
pub struct Finding<'d> {
    /// Where the finding is shown (its line, column and carets) and, unless `subject` says
    /// otherwise, what its JSON pointer names.
    pub node: Node<'d>,
    /// The node the JSON pointer names when it is not `node`: a list item that lacks a field
    /// is shown at its first key but is the subject of the finding.
    pub subject: Option<Node<'d>>,
    pub message: String,
    pub help: Option<String>,
    pub labels: Vec<(Node<'d>, String)>,
    /// For a `pod-security` rule: the control's level and the versions of the standards under
    /// which this is a violation, so the run can tell what each namespace's admission refuses.
    pub policy: Option<PolicyGate>,
    /// How to fix it, in nodes: the engine turns it into edits of the file's bytes.
    pub fix: Option<FixSpec<'d>>,
}

/// The fix that moves an object to `replacement` of its API, when that is only a rename of
/// `apiVersion` for it: the object as written is valid as the new version in the target's
/// schemas.
pub fn api_version_fix<'d>(
    object: &Object<'d>,
    replacement: &str,
    options: &Options,
) -> Option<FixSpec<'d>> {
    let node = object.root.get("apiVersion")?;
    if !crate::schema::valid_as(object, replacement, options.target) {
        return None;
    }
    let message = format!("change `apiVersion` to `{replacement}`");
    let edits = vec![EditSpec::ReplaceString {
        node,
        to: replacement.to_owned(),
    }];
    // Where the successor defaults or reads a field differently, the same text means
    // something else: `extensions/v1beta1` and `apps/v1beta1` workloads (update strategy,
    // history limit, progress deadline), and a PodDisruptionBudget whose empty selector
    // selected nothing in `policy/v1beta1` and selects every pod in `policy/v1`.
    let empty_selector = object.kind == "PodDisruptionBudget"
        && object
            .root
            .path(&["spec", "selector"])
            .is_none_or(|s| s.entries().next().is_none());
    let defaults_differ =
        object.api_version.starts_with("extensions/") || object.api_version == "apps/v1beta1";
    Some(if empty_selector || defaults_differ {
        FixSpec::unsafe_(message, edits)
    } else {
        FixSpec::safe(message, edits)
    })
}

/// A fix as a rule sees it: changes to nodes. Where the file's layout makes one unsafe to
/// write (an anchor shared elsewhere, a folded scalar), the engine refuses it with a reason.
#[derive(Debug, Clone)]
pub struct FixSpec<'d> {
    /// What the fix does, in the imperative.
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<EditSpec<'d>>,
}

impl<'d> FixSpec<'d> {
    pub fn safe(message: impl Into<String>, edits: Vec<EditSpec<'d>>) -> Self {
        FixSpec {
            message: message.into(),
            applicability: Applicability::Safe,
            edits,
        }
    }

    pub fn unsafe_(message: impl Into<String>, edits: Vec<EditSpec<'d>>) -> Self {
        FixSpec {
            message: message.into(),
            applicability: Applicability::Unsafe,
            edits,
        }
    }
}

/// One change a fix makes.
#[derive(Debug, Clone)]
pub enum EditSpec<'d> {
    /// The scalar's text (quotes included) becomes `text`, written as is.
    ReplaceScalar { node: Node<'d>, text: String },
    /// The mapping key is renamed, its quoting kept.
    RenameKey { key: Node<'d>, to: String },
    /// The string scalar becomes `to`, its quoting kept (`"apps/v1"` stays quoted in JSON).
    ReplaceString { node: Node<'d>, to: String },
    /// `text` goes before the `at`-th character of the scalar's value.
    InsertInScalar {
        node: Node<'d>,
        at: usize,
        text: String,
    },
    /// The sequence item goes, with its lines in block style.
    RemoveItem { item: Node<'d> },
    /// `key` of the mapping is set to `value`: the existing value replaced (or, for a nested
    /// mapping, set within), else the entry added after the last one.
    SetEntry {
        map: Node<'d>,
        key: &'static str,
        value: NewValue,
    },
}

/// A value a fix writes: a plain scalar, or a mapping of one key (`securityContext:
/// {runAsNonRoot: true}` where there is no `securityContext` yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewValue {
    Scalar(&'static str),
    Map(&'static str, Box<NewValue>),
}

impl<'d> Finding<'d> {
    pub fn new(node: Node<'d>, message: impl Into<String>) -> Self {
        Finding {
            node,
            subject: None,
            message: message.into(),
            help: None,
            labels: Vec::new(),
            policy: None,
            fix: None,
        }
    }

    pub fn fix(mut self, fix: FixSpec<'d>) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn fix_some(mut self, fix: Option<FixSpec<'d>>) -> Self {
        self.fix = fix;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Names `subject` in the JSON pointer while the position stays on `node`.
    pub fn subject(mut self, subject: Node<'d>) -> Self {
        self.subject = Some(subject);
        self
    }

    pub fn label(mut self, node: Node<'d>, message: impl Into<String>) -> Self {
        self.labels.push((node, message.into()));
        self
    }

    /// Marks the finding as a violation of a Pod Security Standards control.
    pub fn policy(mut self, gate: PolicyGate) -> Self {
        self.policy = Some(gate);
        self
    }
}

pub trait Described {
    fn id(&self) -> &'static str;
    fn doc(&self) -> &'static str;
}

/// What a cross-object rule reports: places were fixed when the index was built.
#[derive(Debug)]
pub struct GraphFinding {
    /// The object reported on: an index into `Index::facts`.
    pub subject: usize,
    pub site: Site,
    pub message: String,
    pub help: Option<String>,
    pub labels: Vec<(Site, String)>,
    /// The container the finding is about, for `suppress:` entries naming one.
    pub container: Option<String>,
    /// The severity the rule gives this finding instead of its default one. A severity the
    /// user configured for the rule (`severity:`, `--severity`) always wins over it.
    pub severity: Option<Severity>,
}

impl GraphFinding {
    pub fn new(subject: usize, site: &Site, message: impl Into<String>) -> Self {
        GraphFinding {
            subject,
            site: site.clone(),
            message: message.into(),
            help: None,
            labels: Vec::new(),
            container: None,
            severity: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn container(mut self, name: Option<String>) -> Self {
        self.container = name;
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }
}

/// What a rule runs with: its own options as configured, the target version, the CRDs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The rule's options struct as the configuration gave it; read it with [`Options::get`].
    pub configured: Option<Arc<dyn RuleOptions>>,
    pub target: KubeVersion,
    /// The CRDs of the run, for the schema rules.
    pub catalog: crate::schema::Catalog,
}

impl Options {
    /// The rule's options struct `T` (the one its [`Rule::options`] declares): as configured,
    /// or `T::default()` when the configuration says nothing about the rule.
    pub fn get<T: Any + Default + Clone>(&self) -> Cow<'_, T> {
        self.configured
            .as_deref()
            .and_then(|o| o.as_any().downcast_ref::<T>())
            .map_or_else(|| Cow::Owned(T::default()), Cow::Borrowed)
    }
}

/// A rule's options struct, type-erased so that one `RuleSet` (and one `Config`) holds every
/// rule's. Implemented for every `Serialize` type; rules read theirs with [`Options::get`].
pub trait RuleOptions: Any + Send + Sync + std::fmt::Debug {
    fn as_any(&self) -> &dyn Any;
    /// The options as a YAML value, for `kubelint config` and for comparing configurations.
    fn to_value(&self) -> emit::Value;
}

impl<T: Serialize + Any + Send + Sync + std::fmt::Debug> RuleOptions for T {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn to_value(&self) -> emit::Value {
        emit::to_value(self).unwrap_or(emit::Value::Null)
    }
}

/// The options a rule takes, declared by [`Rule::options`] as `OptionsSpec::of::<T>()` for its
/// options struct `T` — `#[derive(Deserialize, Serialize, Default)]` with
/// `#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]`, each field documented
/// under `## Options` in the rule's doc comment (a test checks it).
#[derive(Clone, Copy)]
pub struct OptionsSpec {
    read: fn(Node<'_>) -> Result<Arc<dyn RuleOptions>, de::Error>,
    fields: fn() -> &'static [&'static str],
}

impl OptionsSpec {
    pub fn of<T>() -> OptionsSpec
    where
        T: DeserializeOwned + Serialize + Default + std::fmt::Debug + Send + Sync + 'static,
    {
        fn read<T>(node: Node<'_>) -> Result<Arc<dyn RuleOptions>, de::Error>
        where
            T: DeserializeOwned + Serialize + Default + std::fmt::Debug + Send + Sync + 'static,
        {
            if node.is_null() {
                return Ok(Arc::new(T::default()));
            }
            Ok(Arc::new(de::from_node::<T>(node)?))
        }
        OptionsSpec {
            read: read::<T>,
            fields: de::struct_fields::<T>,
        }
    }

    /// The option names (the struct's fields, as written in the configuration).
    pub fn names(&self) -> &'static [&'static str] {
        (self.fields)()
    }
}

/// The options the configuration gives one rule (`rules: {RULE: {...}}`): the rule's options
/// struct, or `None` for a rule that takes none. Serialises as the struct (`{}` for none).
#[derive(Debug, Clone, Default)]
pub struct RuleConfig(pub Option<Arc<dyn RuleOptions>>);

impl PartialEq for RuleConfig {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_ref().map(|o| o.to_value()) == other.0.as_ref().map(|o| o.to_value())
    }
}

impl Eq for RuleConfig {}

impl Serialize for RuleConfig {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Some(options) => options.to_value().serialize(serializer),
            None => emit::Value::Map(Vec::new()).serialize(serializer),
        }
    }
}

pub trait Rule: Described + Send + Sync {
    /// The options the rule takes, if any (`OptionsSpec::of::<ItsOptions>()`); the
    /// configuration rejects options for a rule that takes none.
    fn options(&self) -> Option<OptionsSpec> {
        None
    }
    fn check_object<'d>(
        &self,
        _object: &Object<'d>,
        _options: &Options,
        _out: &mut Vec<Finding<'d>>,
    ) {
    }
    fn check_document<'d>(&self, _document: &'d Document<'d>, _out: &mut Vec<Finding<'d>>) {}
    /// Cross-object rules: run once per run, over the index of every input and context file.
    fn check_graph(&self, _index: &Index, _out: &mut Vec<GraphFinding>) {}
    /// `check_graph` for a cross-object rule that takes options; the engine calls this one.
    fn check_graph_with(&self, index: &Index, _options: &Options, out: &mut Vec<GraphFinding>) {
        self.check_graph(index, out);
    }
}

/// Rule metadata kept as data in `rules/rules.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub id: String,
    pub category: String,
    pub severity: Severity,
    pub summary: String,
    /// `false` for a rule that runs only when asked for: it reports a policy some teams
    /// choose and others do not, so running it everywhere would bury the findings that are
    /// bugs for everyone. Named by id in `select`, or in `enable`, it runs.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

/// A rule with its metadata.
pub struct RuleEntry {
    pub rule: &'static dyn Rule,
    pub meta: RuleMeta,
}

impl RuleEntry {
    pub fn id(&self) -> &'static str {
        self.rule.id()
    }

    /// The doc comment with rustdoc's leading space removed from each line.
    pub fn doc(&self) -> String {
        self.rule
            .doc()
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned()
    }

    /// What `kubelint explain` and an editor's hover show: heading, summary and documentation.
    pub fn explanation(&self) -> String {
        format!(
            "# {} ({}, {})\n\n{}\n\n{}\n",
            self.id(),
            self.meta.category,
            self.meta.severity.as_str(),
            self.meta.summary,
            self.doc()
        )
    }

    /// Reads the rule's entry of the configuration's `rules:` (null means the defaults). Errors
    /// point at the offending node: an option the rule does not take (with the closest one and
    /// the list of those it takes), a value of the wrong type.
    pub fn configure(&self, node: Node<'_>) -> Result<RuleConfig, de::Error> {
        let id = self.id();
        if !node.is_map() && !node.is_null() {
            return Err(de::Error::new(
                node.span().start,
                "expected a mapping of options",
            ));
        }
        let Some(spec) = self.rule.options() else {
            return match node.entries().next() {
                Some((key, _)) => Err(de::Error::new(
                    key.span().start,
                    format!(
                        "`{id}` has no option `{}`; it takes no options",
                        key.key_text().unwrap_or("")
                    ),
                )),
                None => Ok(RuleConfig(None)),
            };
        };
        (spec.read)(node).map(|o| RuleConfig(Some(o))).map_err(|e| {
            let Some((field, expected)) = e.unknown_field() else {
                return e;
            };
            let hint = closest_name(field, expected.iter().copied())
                .map(|near| format!(" (did you mean `{near}`?)"))
                .unwrap_or_default();
            let message = format!(
                "`{id}` has no option `{field}`; it takes: {}{hint}",
                expected.join(", ")
            );
            e.with_message(message)
        })
    }

    pub fn help_uri(&self) -> String {
        format!("{}/blob/main/docs/rules.md#{}", crate::HOMEPAGE, self.id())
    }
}

const BUILTIN: &[&dyn Rule] = &[
    &syntax::invalid_yaml::InvalidYaml,
    &syntax::duplicate_key::DuplicateKey,
    &syntax::invalid_manifest::InvalidManifest,
    &meta::unused_suppression::UnusedSuppression,
    &api::removed_api_version::RemovedApiVersion,
    &api::deprecated_api_version::DeprecatedApiVersion,
    &schema::unknown_field::UnknownField,
    &schema::invalid_value::InvalidValue,
    &schema::missing_required_field::MissingRequiredField,
    &schema::unknown_kind::UnknownKind,
    &schema::invalid_name::InvalidName,
    &schema::invalid_label::InvalidLabel,
    &schema::invalid_resources::InvalidResources,
    &schema::invalid_pod_spec::InvalidPodSpec,
    &schema::invalid_workload_spec::InvalidWorkloadSpec,
    &schema::invalid_service_spec::InvalidServiceSpec,
    &schema::invalid_hpa_spec::InvalidHpaSpec,
    &schema::invalid_pdb_spec::InvalidPdbSpec,
    &schema::invalid_ingress_spec::InvalidIngressSpec,
    &schema::invalid_network_policy_spec::InvalidNetworkPolicySpec,
    &probes::missing_readiness_probe::MissingReadinessProbe,
    &probes::missing_liveness_probe::MissingLivenessProbe,
    &probes::identical_liveness_readiness::IdenticalLivenessReadiness,
    &probes::probe_unknown_port::ProbeUnknownPort,
    &resources::qos_intent_mismatch::QosIntentMismatch,
    &resources::missing_resources::MissingResources,
    &resources::ephemeral_storage_resources::EphemeralStorageResources,
    &lifecycle::shell_form_sigterm::ShellFormSigterm,
    &references::selector_template_mismatch::SelectorTemplateMismatch,
    &references::dangling_service_selector::DanglingServiceSelector,
    &references::dangling_networkpolicy_selector::DanglingNetworkpolicySelector,
    &references::dangling_networkpolicy_peer::DanglingNetworkpolicyPeer,
    &references::dangling_pdb_selector::DanglingPdbSelector,
    &references::dangling_hpa_target::DanglingHpaTarget,
    &references::service_target_port_unknown::ServiceTargetPortUnknown,
    &references::immutable_field_changed::ImmutableFieldChanged,
    &references::dangling_ingress_backend::DanglingIngressBackend,
    &references::dangling_configmap_ref::DanglingConfigmapRef,
    &references::dangling_secret_ref::DanglingSecretRef,
    &references::dangling_service_account::DanglingServiceAccount,
    &references::dangling_pvc_ref::DanglingPvcRef,
    &references::dangling_priority_class::DanglingPriorityClass,
    &references::dangling_role_ref::DanglingRoleRef,
    &references::dangling_storage_class::DanglingStorageClass,
    &volumes::rwo_volume_scaled::RwoVolumeScaled,
    &volumes::rwo_volume_rolling_update::RwoVolumeRollingUpdate,
    &reliability::duplicate_env_var::DuplicateEnvVar,
    &reliability::hpa_target_has_replicas::HpaTargetHasReplicas,
    &reliability::pdb_blocks_eviction::PdbBlocksEviction,
    &reliability::min_replicas::MinReplicas,
    &reliability::hpa_min_replicas::HpaMinReplicas,
    &reliability::missing_pdb::MissingPdb,
    &reliability::rolling_update_strategy::RollingUpdateStrategy,
    &reliability::pdb_unhealthy_eviction_policy::PdbUnhealthyEvictionPolicy,
    &reliability::image_pull_policy::ImagePullPolicy,
    &reliability::missing_priority_class::MissingPriorityClass,
    &reliability::missing_pod_anti_affinity::MissingPodAntiAffinity,
    &reliability::topology_spread_invalid::TopologySpreadInvalid,
    &security::missing_network_policy::MissingNetworkPolicy,
    &security::cluster_admin_binding::ClusterAdminBinding,
    &security::rbac_wildcard::RbacWildcard,
    &security::rbac_pod_exec_attach::RbacPodExecAttach,
    &security::rbac_secrets_access::RbacSecretsAccess,
    &security::exposed_service_type::ExposedServiceType,
    &security::ingress_missing_tls::IngressMissingTls,
    &security::sensitive_configmap_content::SensitiveConfigmapContent,
    &security::writable_root_filesystem::WritableRootFilesystem,
    &security::sensitive_host_mount::SensitiveHostMount,
    &security::writable_host_mount::WritableHostMount,
    &security::automount_service_account_token::AutomountServiceAccountToken,
    &security::default_service_account::DefaultServiceAccount,
    &security::secret_in_env::SecretInEnv,
    &security::ssh_port::SshPort,
    &security::image_tag_latest::ImageTagLatest,
    &pod_security::privileged_container::PrivilegedContainer,
    &pod_security::host_process::HostProcess,
    &pod_security::host_network::HostNetwork,
    &pod_security::host_pid::HostPid,
    &pod_security::host_ipc::HostIpc,
    &pod_security::host_path_volume::HostPathVolume,
    &pod_security::host_port::HostPort,
    &pod_security::host_probe_lifecycle::HostProbeLifecycle,
    &pod_security::added_capabilities::AddedCapabilities,
    &pod_security::apparmor_unconfined::ApparmorUnconfined,
    &pod_security::selinux_options::SelinuxOptions,
    &pod_security::unsafe_proc_mount::UnsafeProcMount,
    &pod_security::seccomp_unconfined::SeccompUnconfined,
    &pod_security::unsafe_sysctls::UnsafeSysctls,
    &pod_security::restricted_volume_types::RestrictedVolumeTypes,
    &pod_security::privilege_escalation_allowed::PrivilegeEscalationAllowed,
    &pod_security::run_as_root::RunAsRoot,
    &pod_security::missing_seccomp_profile::MissingSeccompProfile,
    &pod_security::capabilities_not_dropped::CapabilitiesNotDropped,
    &policies::invalid_policy::InvalidPolicy,
    &policies::policy_not_evaluated::PolicyNotEvaluated,
];

const METADATA: &str = include_str!("../../rules/rules.yaml");

/// Every built-in rule with its metadata, in the order of `rules/rules.yaml`.
pub fn registry() -> &'static [RuleEntry] {
    static REGISTRY: OnceLock<Vec<RuleEntry>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let metas = parse_metadata(METADATA).expect("rules/rules.yaml is valid (tested)");
        metas
            .into_iter()
            .filter_map(|meta| {
                let rule = BUILTIN.iter().find(|r| r.id() == meta.id)?;
                Some(RuleEntry { rule: *rule, meta })
            })
            .collect()
    })
}

pub fn find(id: &str) -> Option<&'static RuleEntry> {
    registry().iter().find(|r| r.id() == id)
}

/// docs/rules.md: every rule's metadata and documentation, generated from the same sources as
/// `kubelint explain` and the SARIF rule metadata.
pub fn docs_markdown() -> String {
    let mut out = String::from(
        "<!-- Generated from src/rules/**/*.rs and rules/rules.yaml by `KUBELINT_BLESS=1 cargo test docs_are_current`; do not edit. -->\n\n# kubelint rules\n\n| id | category | default severity | summary |\n|---|---|---|---|\n",
    );
    for e in registry() {
        out.push_str(&format!(
            "| [`{id}`](#{id}) | {} | {}{} | {} |\n",
            e.meta.category,
            e.meta.severity.as_str(),
            if e.meta.enabled {
                ""
            } else {
                " (off by default)"
            },
            e.meta.summary,
            id = e.id()
        ));
    }
    for e in registry() {
        let body = e
            .doc()
            .replace("\n## ", "\n### ")
            .replacen("## ", "### ", 1);
        let off = if e.meta.enabled {
            String::new()
        } else {
            format!(
                " · off by default: run it with `--enable {id}` or `enable: [{id}]` in the \
                 configuration",
                id = e.id()
            )
        };
        out.push_str(&format!(
            "\n## {}\n\nCategory: {} · default severity: {}{off}\n\n{}\n",
            e.id(),
            e.meta.category,
            e.meta.severity.as_str(),
            body
        ));
    }
    out
}

/// Reads `rules/rules.yaml` through our deserializer: a list of {id, category, severity,
/// summary, enabled}.
pub fn parse_metadata(text: &str) -> Result<Vec<RuleMeta>, String> {
    de::from_str(text).map_err(|e| {
        let lines = crate::parse::lines::LineIndex::new(text);
        let p = e.position(text, &lines);
        format!("rules/rules.yaml:{}:{}: {}", p.line, p.column, e.message())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_metadata_and_every_entry_a_rule() {
        let metas = parse_metadata(METADATA).unwrap();
        for rule in BUILTIN {
            assert!(
                metas.iter().any(|m| m.id == rule.id()),
                "{} has no entry in rules/rules.yaml",
                rule.id()
            );
        }
        for meta in &metas {
            assert!(
                BUILTIN.iter().any(|r| r.id() == meta.id),
                "rules/rules.yaml names unknown rule {}",
                meta.id
            );
        }
        assert_eq!(registry().len(), BUILTIN.len());
    }

    /// The fixtures of every rule: each `fail-*` triggers it (the diagnostics pinned as insta
    /// snapshots in `src/rules/snapshots/<id>@<fixture>.snap`), no `pass-*` does.
    #[test]
    fn every_rule_passes_its_fixtures() {
        crate::testing::assert_every_rule_fixtures();
    }

    #[test]
    fn every_rule_doc_has_the_four_parts_and_no_todo() {
        for entry in registry() {
            let doc = entry.doc();
            for part in [
                "## What it does",
                "## Why is this bad",
                "## Example",
                "## Use instead",
            ] {
                assert!(doc.contains(part), "{} doc lacks `{part}`", entry.id());
            }
            // Every option is documented under `## Options`, and only a rule with options has it.
            let names = entry.rule.options().map_or(&[][..], |spec| spec.names());
            let section = doc
                .split_once("## Options")
                .map(|(_, rest)| rest.split("\n## ").next().unwrap_or(rest));
            assert_eq!(
                section.is_some(),
                !names.is_empty(),
                "{}: a rule documents its options, and only then, under `## Options`",
                entry.id()
            );
            for name in names {
                assert!(
                    section.is_some_and(|s| s.contains(&format!("- `{name}`"))),
                    "{}: option `{name}` is not documented under `## Options`",
                    entry.id()
                );
            }
            // What scripts/new-rule leaves for the author to write.
            assert!(
                !doc.contains("TODO") && !entry.meta.summary.contains("TODO"),
                "{}: the doc comment or the summary in rules/rules.yaml still has a TODO",
                entry.id()
            );
        }
    }

    #[test]
    fn docs_are_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
        let generated = docs_markdown();
        if std::env::var_os("KUBELINT_BLESS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == generated,
            "docs/rules.md is stale: run `KUBELINT_BLESS=1 cargo test docs_are_current`"
        );
    }

    #[test]
    fn readme_lists_every_rule() {
        let readme = include_str!("../../README.md");
        for e in registry() {
            assert!(
                readme.contains(&format!("`{}`", e.id())),
                "README lacks {}",
                e.id()
            );
        }
    }

    #[test]
    fn ids_are_kebab_case() {
        for entry in registry() {
            let id = entry.id();
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{id}"
            );
        }
    }
}
