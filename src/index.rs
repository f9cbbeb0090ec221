//! The run-wide index that cross-object rules query.
//!
//! Built once per run from small owned facts that each file contributes while it is parsed
//! (labels, selectors, claim references, and the pre-computed location of every node a
//! cross-object rule may point at), so file texts and trees are still dropped file by file.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::diagnostic::Location;
use crate::k8s::pod_security::NamespacePolicy;
use crate::model::pod::WorkloadKind;
use crate::model::{Object, ObjectId};
use crate::parse::tree::Node;

pub mod named_refs;
mod revision;
pub mod routes;
pub mod spread;
pub use named_refs::{NamedRef, RefKind};
pub use revision::{GuardedValue, Identities, Snapshot, guarded_values};
pub use routes::{Backend, PortRef};
pub use spread::HostSpread;

pub type Labels = BTreeMap<String, String>;

/// A place a cross-object finding can point at.
#[derive(Debug, Clone)]
pub struct Site {
    pub file: Arc<str>,
    pub location: Location,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

/// A label selector evaluated exactly as the API server does (`labels.Selector`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    pub match_labels: Vec<(String, String)>,
    pub expressions: Vec<Requirement>,
}

/// What a selector field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectorField {
    /// Absent or null: for a LabelSelector this selects nothing.
    Missing,
    /// Something we cannot evaluate (an unknown operator, a templated value): never reported.
    Unknown,
    Selector(Selector),
}

fn scalar_text(node: Node<'_>) -> Option<String> {
    if node.is_scalar() && !node.is_null() {
        node.raw().map(str::to_owned)
    } else {
        None
    }
}

impl Selector {
    /// A `metav1.LabelSelector` (Deployments, NetworkPolicies, PDBs).
    pub fn label_selector(node: Option<Node<'_>>) -> SelectorField {
        let Some(node) = node.filter(|n| !n.is_null()) else {
            return SelectorField::Missing;
        };
        if !node.is_map() {
            return SelectorField::Unknown;
        }
        let mut selector = Selector::default();
        if let Some(labels) = node.get_some("matchLabels") {
            match Selector::map(labels) {
                Some(pairs) => selector.match_labels = pairs,
                None => return SelectorField::Unknown,
            }
        }
        if let Some(expressions) = node.get_some("matchExpressions") {
            if !expressions.is_seq() {
                return SelectorField::Unknown;
            }
            for e in expressions.items() {
                let (Some(key), Some(op)) =
                    (e.get("key").and_then(scalar_text), e.get_str("operator"))
                else {
                    return SelectorField::Unknown;
                };
                let operator = match op {
                    "In" => Operator::In,
                    "NotIn" => Operator::NotIn,
                    "Exists" => Operator::Exists,
                    "DoesNotExist" => Operator::DoesNotExist,
                    _ => return SelectorField::Unknown,
                };
                let mut values = Vec::new();
                if let Some(list) = e.get_some("values") {
                    for v in list.items() {
                        match scalar_text(v) {
                            Some(v) => values.push(v),
                            None => return SelectorField::Unknown,
                        }
                    }
                }
                selector.expressions.push(Requirement {
                    key,
                    operator,
                    values,
                });
            }
        }
        SelectorField::Selector(selector)
    }

    /// A plain `key: value` map (a Service's or ReplicationController's selector, labels).
    pub fn map(node: Node<'_>) -> Option<Vec<(String, String)>> {
        if node.is_null() {
            return Some(Vec::new());
        }
        if !node.is_map() {
            return None;
        }
        node.entries()
            .map(|(k, v)| Some((k.key_text()?.to_owned(), scalar_text(v)?)))
            .collect()
    }

    pub fn from_map(pairs: Vec<(String, String)>) -> Selector {
        Selector {
            match_labels: pairs,
            expressions: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.expressions.is_empty()
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| GENERATED_LABELS.contains(&k.as_str()) || labels.get(k) == Some(v))
            && self.expressions.iter().all(|r| {
                if GENERATED_LABELS.contains(&r.key.as_str()) {
                    return true;
                }
                let value = labels.get(&r.key);
                match r.operator {
                    Operator::In => value.is_some_and(|v| r.values.contains(v)),
                    Operator::NotIn => value.is_none_or(|v| !r.values.contains(v)),
                    Operator::Exists => value.is_some(),
                    Operator::DoesNotExist => value.is_none(),
                }
            })
    }

    /// Whether a value is a placeholder for a template engine (`${NAME}`, `{{ .Values.x }}`).
    pub fn is_templated(&self) -> bool {
        let templated = crate::model::is_templated;
        self.match_labels
            .iter()
            .any(|(k, v)| templated(k) || templated(v))
            || self
                .expressions
                .iter()
                .any(|r| templated(&r.key) || r.values.iter().any(|v| templated(v)))
    }

    /// Every label key the selector names.
    fn keys(&self) -> impl Iterator<Item = &str> {
        self.match_labels
            .iter()
            .map(|(k, _)| k.as_str())
            .chain(self.expressions.iter().map(|r| r.key.as_str()))
    }

    /// Every label value the selector names (for recognising operator-managed pods).
    fn values(&self) -> impl Iterator<Item = &str> {
        self.match_labels.iter().map(|(_, v)| v.as_str()).chain(
            self.expressions
                .iter()
                .flat_map(|r| r.values.iter().map(String::as_str)),
        )
    }
}

/// Whether pods of `workload` may carry label `key` without their template saying so: true
/// for any label that is not controller-generated, and for a generated one only on the pods of
/// the controllers that add it.
fn may_carry_generated(workload: WorkloadKind, key: &str) -> bool {
    use WorkloadKind::*;
    match key {
        "pod-template-hash" => matches!(workload, Deployment | ReplicaSet),
        "controller-revision-hash" => matches!(workload, StatefulSet | DaemonSet),
        "pod-template-generation" => workload == DaemonSet,
        "statefulset.kubernetes.io/pod-name" | "apps.kubernetes.io/pod-index" => {
            workload == StatefulSet
        }
        k if GENERATED_LABELS.contains(&k) => matches!(workload, Job | CronJob),
        _ => true,
    }
}

/// Labels that controllers add to the pods they create, with values a manifest cannot know
/// (`pod-template-hash`) or that differ per pod (`statefulset.kubernetes.io/pod-name`). A
/// selector may name them; a template never spells them out, so they match any value.
pub const GENERATED_LABELS: [&str; 11] = [
    "pod-template-hash",
    "controller-revision-hash",
    "pod-template-generation",
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "controller-uid",
    "job-name",
    "batch.kubernetes.io/controller-uid",
    "batch.kubernetes.io/job-name",
    "batch.kubernetes.io/job-completion-index",
    "batch.kubernetes.io/job-index",
];

#[derive(Debug, Clone)]
pub struct ClaimMount {
    pub claim: String,
    pub site: Site,
}

/// A volume mount or device naming no volume of its pod (see `WorkloadFacts::undeclared_volumes`).
#[derive(Debug, Clone)]
pub struct UndeclaredVolume {
    pub site: Site,
    pub name: String,
    /// `volumeMounts` or `volumeDevices`.
    pub list: &'static str,
    pub container_kind: crate::model::pod::ContainerKind,
    pub container: Option<String>,
}

/// A container of a long-running pod that has no readiness probe.
#[derive(Debug, Clone)]
pub struct UnprobedContainer {
    /// `container` or `sidecar container`.
    pub kind: &'static str,
    pub name: Option<String>,
    /// Its `name` value (the container itself when it has none).
    pub site: Site,
}

#[derive(Debug, Clone)]
pub struct WorkloadFacts {
    pub workload: WorkloadKind,
    pub labels: Labels,
    /// False for a template without labels: no complete workload lacks them, so the object is
    /// a fragment (a kustomize patch) whose real labels are elsewhere.
    pub labels_known: bool,
    /// Names of every port every container of the template declares.
    pub port_names: Vec<String>,
    /// `spec.replicas`; None when unset (the API server defaults it to 1).
    pub replicas: Option<i64>,
    /// Where `spec.replicas` is set, if it is.
    pub replicas_site: Option<Site>,
    /// A Deployment whose rollout starts a new pod before stopping an old one.
    pub surges: bool,
    /// Where findings about the workload as a whole point: its `metadata.name` value.
    pub name_site: Site,
    /// A Deployment's `strategy.type: Recreate` value (boxed: rarely set, and `KindFacts` stays small).
    pub recreate_site: Option<Box<Site>>,
    /// A Deployment's `strategy.rollingUpdate.maxUnavailable`, where set and readable.
    pub max_unavailable: Option<(Budget, Site)>,
    /// Marks of a workload meant to run one pod: a container enabling leader election
    /// (`--leader-elect`), or `metadata.ownerReferences` (an operator manages its scale).
    pub leader_elected: bool,
    pub owned: bool,
    /// A container requests an extended resource (`nvidia.com/gpu`, `google.com/tpu`…) or a
    /// host port: a surge pod may find no node with a free one, so `Recreate` is deliberate.
    pub scarce_resources: bool,
    pub claims: Vec<ClaimMount>,
    /// `volumeMounts`/`volumeDevices` naming no volume of the pod (reported objects only;
    /// `invalid-pod-spec` reports them when no other object of the same identity could
    /// declare the volume).
    pub undeclared_volumes: Vec<UndeclaredVolume>,
    /// Containers of a long-running pod without a readiness probe (reported objects only).
    pub without_readiness: Vec<UnprobedContainer>,
    /// How a Deployment's, StatefulSet's or ReplicaSet's template keeps its replicas off one
    /// node (`Covered` for other kinds).
    pub host_spread: HostSpread,
    /// `hostNetwork: true`: NetworkPolicies do not apply to its pods.
    pub host_network: bool,
    /// `runtimeClassName`: a runtime class the cluster's PodSecurity configuration exempts
    /// takes the pods out of admission.
    pub runtime_class: Option<String>,
    /// Boxed: read by two rules only, and `KindFacts` stays small.
    pub service_account: Box<ServiceAccountUse>,
    /// The ConfigMaps and Secrets the template needs (`optional: true` ones left out).
    pub named_refs: Vec<NamedRef>,
    /// Boxed: read by the `dangling-*` reference rules only.
    pub object_refs: Box<ObjectRefs>,
}

/// Names of cluster objects a pod template refers to, beyond its service account and its
/// claims (`claims`): what the `dangling-*` rules resolve.
#[derive(Debug, Clone, Default)]
pub struct ObjectRefs {
    /// `priorityClassName`, with its place (templated values too: rules skip them).
    pub priority_class: Option<(String, Site)>,
    /// A StatefulSet's `volumeClaimTemplates`: the claims its controller creates.
    pub claim_templates: Vec<ClaimTemplate>,
    /// Names of the generic ephemeral volumes (`ephemeral.volumeClaimTemplate`): each pod
    /// gets a claim `<pod>-<volume>`.
    pub ephemeral_volumes: Vec<String>,
}

/// One `volumeClaimTemplates` item: its controller creates claim `<name>-<statefulset>-<n>`.
#[derive(Debug, Clone)]
pub struct ClaimTemplate {
    pub name: String,
    /// `spec.storageClassName`, with its place.
    pub storage_class: Option<(String, Site)>,
}

fn object_refs<'d>(
    pod: &crate::model::pod::PodTemplate<'d>,
    spec: Option<Node<'d>>,
    site: &dyn Fn(Node<'d>) -> Site,
) -> ObjectRefs {
    let valued = |n: Node<'d>| scalar_text(n).map(|t| (t, site(n)));
    ObjectRefs {
        priority_class: pod.spec.get_some("priorityClassName").and_then(valued),
        claim_templates: spec
            .filter(|_| pod.workload == WorkloadKind::StatefulSet)
            .and_then(|s| s.get("volumeClaimTemplates"))
            .into_iter()
            .flat_map(|t| t.items())
            .filter_map(|t| {
                Some(ClaimTemplate {
                    name: t.path(&["metadata", "name"]).and_then(scalar_text)?,
                    storage_class: t
                        .path(&["spec", "storageClassName"])
                        .filter(|n| !n.is_null())
                        .and_then(valued),
                })
            })
            .collect(),
        ephemeral_volumes: pod
            .spec
            .get("volumes")
            .into_iter()
            .flat_map(|v| v.items())
            .filter(|v| v.get_some("ephemeral").is_some())
            .filter_map(|v| v.get("name").and_then(scalar_text))
            .collect(),
    }
}

/// A boolean field as the run can read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Unset,
    Set(bool),
    /// A template placeholder or a value of the wrong type.
    Unreadable,
}

impl Flag {
    fn of(node: Option<Node<'_>>) -> Flag {
        match node.filter(|n| !n.is_null()) {
            None => Flag::Unset,
            Some(n) => n.as_bool().map_or(Flag::Unreadable, Flag::Set),
        }
    }
}

/// Which service account a pod template runs as, and whether its token is mounted.
#[derive(Debug, Clone)]
pub struct ServiceAccountUse {
    /// `serviceAccountName` (else the deprecated `serviceAccount`); `default` when neither is
    /// set or both are empty. None when it cannot be read (a template placeholder).
    pub name: Option<String>,
    /// Where the name is set, if it is.
    pub name_site: Option<Site>,
    /// The pod's `automountServiceAccountToken`, and where it is set.
    pub automount: Flag,
    pub automount_site: Option<Site>,
    /// No container of the template has an image: a fragment (a kustomize patch) whose base
    /// sets the rest, the service account included.
    pub fragment: bool,
}

#[derive(Debug, Clone)]
pub struct ServiceFacts {
    /// None: no selector (manual Endpoints or EndpointSlices), or type ExternalName.
    pub selector: Option<Selector>,
    /// No selector on a Service that is not `ExternalName`: its endpoints are managed by hand,
    /// or (in a kustomize base) the selector comes from `labels`/`commonLabels` elsewhere.
    pub selector_elsewhere: bool,
    pub selector_site: Option<Site>,
    pub named_target_ports: Vec<(String, Site)>,
    /// Every port is named for metrics scraping (`metrics`, `http-metrics`, `monitoring`…):
    /// the Service exposes a controller's telemetry, not traffic its clients wait on.
    pub metrics_only: bool,
    /// `spec.ports`; None when they cannot be read (templated, not a list).
    pub ports: Option<Vec<ServicePort>>,
}

/// A Service port as a backend names it: by `port` number or by `name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePort {
    pub port: Option<i64>,
    pub name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NetworkPolicyFacts {
    pub pod_selector: SelectorField,
    pub pod_selector_site: Option<Site>,
    /// Peers with a podSelector and no namespaceSelector: they select in the policy's namespace.
    pub local_peers: Vec<(Selector, Site)>,
    /// Whether the policy isolates the pods it selects for ingress, and for egress: per
    /// `policyTypes`, or without it Ingress always and Egress when it has `egress` rules.
    /// Both true when `policyTypes` cannot be read.
    pub isolates_ingress: bool,
    pub isolates_egress: bool,
}

/// A PodDisruptionBudget's `minAvailable` or `maxUnavailable`: a number of pods or a
/// percentage of them (an int-or-string, as the API server reads it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Budget {
    Pods(i64),
    Percent(f64),
}

impl Budget {
    fn of(node: Node<'_>) -> Option<Budget> {
        if let Some(n) = node.as_i64() {
            return Some(Budget::Pods(n));
        }
        // As intstr does: a string is a whole-number percentage (`strconv.Atoi` of what
        // precedes `%`), or the API server rejects it (`"3"`, `"inf%"`, `"1e3%"`).
        let percent = node.as_str()?.strip_suffix('%')?;
        percent
            .parse::<i64>()
            .ok()
            .map(|p| Budget::Percent(p as f64))
    }
}

#[derive(Debug, Clone)]
pub struct HpaFacts {
    pub target_kind: String,
    pub target_name: String,
    pub name_site: Site,
    pub max_replicas: Option<i64>,
    /// `spec.minReplicas`; None when unset (the API server defaults it to 1).
    pub min_replicas: Option<i64>,
}

/// One `rules[]` item of a Role or ClusterRole: each listed value with where it is written.
/// Templated values are left out (they cannot be judged).
#[derive(Debug, Clone)]
pub struct PolicyRuleFacts {
    pub api_groups: Vec<(String, Site)>,
    pub resources: Vec<(String, Site)>,
    pub verbs: Vec<(String, Site)>,
    /// `resourceNames` is set: the rule covers those objects only.
    pub resource_names: bool,
}

/// A Role or ClusterRole.
#[derive(Debug, Clone)]
pub struct RoleFacts {
    pub cluster: bool,
    pub rules: Vec<PolicyRuleFacts>,
    /// `metadata.labels`, which aggregating ClusterRoles select.
    pub labels: Labels,
    /// A ClusterRole's `aggregationRule.clusterRoleSelectors`: its rules are those of the
    /// ClusterRoles they select (the controller overwrites its own). None without one.
    pub aggregates: Option<Vec<SelectorField>>,
}

/// A RoleBinding or ClusterRoleBinding.
#[derive(Debug, Clone)]
pub struct BindingFacts {
    pub cluster: bool,
    /// `roleRef.kind` (`Role` or `ClusterRole`) and `roleRef.name`, with the name's place.
    pub role_kind: String,
    pub role_name: String,
    pub role_site: Site,
    /// Each subject as RBAC authenticates it: a user or group name, or a service account as
    /// `system:serviceaccount:NAMESPACE:NAME` (the binding's namespace when unset).
    pub subjects: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum KindFacts {
    /// Boxed: a workload's facts are several times those of any other kind, and a run holds
    /// the facts of every object.
    Workload(Box<WorkloadFacts>),
    Service(ServiceFacts),
    NetworkPolicy(NetworkPolicyFacts),
    PodDisruptionBudget {
        selector: SelectorField,
        site: Site,
        /// `minAvailable` and `maxUnavailable`, where set.
        min_available: Option<(Budget, Site)>,
        max_unavailable: Option<(Budget, Site)>,
    },
    HorizontalPodAutoscaler(HpaFacts),
    /// A custom resource that scales a workload through `spec.scaleTargetRef` (a KEDA
    /// ScaledObject, which creates and drives an HPA of its own).
    Scaler {
        target_kind: String,
        target_name: String,
    },
    /// An Ingress, HTTPRoute or GRPCRoute: the Services it sends traffic to.
    Route(Vec<Backend>),
    PersistentVolumeClaim {
        access_modes: Vec<String>,
        /// `spec.storageClassName`, with its place, when set and not null.
        storage_class: Option<(String, Site)>,
    },
    /// A Namespace, with the PodSecurity policy its `pod-security.kubernetes.io/` labels set
    /// (`None` without such labels).
    Namespace(Option<NamespacePolicy>),
    /// A Role or ClusterRole, and a RoleBinding or ClusterRoleBinding.
    Role(RoleFacts),
    Binding(BindingFacts),
    /// A ServiceAccount: whether pods running as it get its token by default.
    ServiceAccount {
        automount: Flag,
    },
    /// A CustomResourceDefinition whose schema has a pod template: its resources may own pods.
    PodOwningCrd {
        group: String,
        kind: String,
    },
    /// A ConfigMap or Secret, with its keys (`data`, `binaryData`, `stringData`); `None` when
    /// the run cannot tell them all (templated, or no data: a controller fills it).
    ConfigMap {
        keys: Option<Vec<String>>,
    },
    Secret {
        keys: Option<Vec<String>>,
    },
    Other,
}

/// What one object contributes to the index.
#[derive(Debug, Clone)]
pub struct Facts {
    pub id: ObjectId,
    /// The file the object is in.
    pub file: Arc<str>,
    /// The object's own `metadata.labels` (kept for custom resources only).
    pub own_labels: Labels,
    /// From `--context`: resolves references, is never reported on.
    pub reported: bool,
    /// A kind outside the built-in API groups (a custom resource).
    pub custom: bool,
    /// A custom resource that runs pods by what it holds or what it is: it embeds a pod spec
    /// (a `containers` list), or its kind is in `POD_OWNING_KINDS`. (Kinds whose CRD in the run
    /// has a pod template are added by `Index::build`.)
    pub runs_pods: bool,
    pub kind: KindFacts,
    /// The fields the API server will not let change, when the run compares revisions
    /// (`--new-from-rev`); `None` otherwise, so an ordinary run pays nothing for them.
    pub guarded: Option<Vec<GuardedValue>>,
    /// A kustomize patch of the object (see `mark_fragment`).
    pub fragment: bool,
    /// A custom resource's name and the strings under its `spec`: names of ConfigMaps or
    /// Secrets its operator may create (`Index::may_be_created`). Empty for built-in kinds.
    pub mentions: Vec<String>,
}

/// Custom resources known to run pods even when neither their CRD nor their own text shows a
/// pod template: the workload kinds of common operators, whose resources describe a database,
/// broker or monitoring server and leave the pod spec to the operator (a `Prometheus` becomes
/// a StatefulSet, a zalando `postgresql` a Spilo StatefulSet). Kinds whose instances spell out
/// their containers (Argo Rollouts, Knative Services, LeaderWorkerSets, …) need no entry.
const POD_OWNING_KINDS: &[(&str, &[&str])] = &[
    // prometheus-operator: StatefulSets (DaemonSet for PrometheusAgent) per resource.
    (
        "monitoring.coreos.com",
        &[
            "Prometheus",
            "PrometheusAgent",
            "Alertmanager",
            "ThanosRuler",
        ],
    ),
    // Elastic Cloud on Kubernetes: one StatefulSet per node set, a Deployment per application.
    ("elasticsearch.k8s.elastic.co", &["Elasticsearch"]),
    ("kibana.k8s.elastic.co", &["Kibana"]),
    ("apm.k8s.elastic.co", &["ApmServer"]),
    ("beat.k8s.elastic.co", &["Beat"]),
    ("agent.k8s.elastic.co", &["Agent"]),
    ("logstash.k8s.elastic.co", &["Logstash"]),
    ("enterprisesearch.k8s.elastic.co", &["EnterpriseSearch"]),
    ("maps.k8s.elastic.co", &["ElasticMapsServer"]),
    // Strimzi and Confluent for Kubernetes: brokers, controllers and connectors.
    (
        "kafka.strimzi.io",
        &[
            "Kafka",
            "KafkaNodePool",
            "KafkaConnect",
            "KafkaMirrorMaker2",
            "KafkaBridge",
        ],
    ),
    (
        "platform.confluent.io",
        &[
            "Kafka",
            "KRaftController",
            "Zookeeper",
            "Connect",
            "SchemaRegistry",
            "KsqlDB",
            "ControlCenter",
            "KafkaRestProxy",
        ],
    ),
    // Databases and caches.
    ("acid.zalan.do", &["postgresql"]),
    ("postgresql.cnpg.io", &["Cluster", "Pooler"]),
    ("postgres-operator.crunchydata.com", &["PostgresCluster"]),
    ("mysql.oracle.com", &["InnoDBCluster"]),
    ("pxc.percona.com", &["PerconaXtraDBCluster"]),
    ("psmdb.percona.com", &["PerconaServerMongoDB"]),
    ("mongodbcommunity.mongodb.com", &["MongoDBCommunity"]),
    ("rabbitmq.com", &["RabbitmqCluster"]),
    ("databases.spotahome.com", &["RedisFailover"]),
    (
        "redis.redis.opstreelabs.in",
        &["Redis", "RedisCluster", "RedisReplication", "RedisSentinel"],
    ),
    ("app.redislabs.com", &["RedisEnterpriseCluster"]),
    ("minio.min.io", &["Tenant"]),
    // Rook: the Ceph daemons (mon, mgr, osd, mds, rgw, nfs, mirrors).
    (
        "ceph.rook.io",
        &[
            "CephCluster",
            "CephFilesystem",
            "CephObjectStore",
            "CephNFS",
            "CephRBDMirror",
            "CephFilesystemMirror",
        ],
    ),
    // Model serving and tracing, whose resources usually name a model or a strategy only.
    ("serving.kserve.io", &["InferenceService"]),
    ("jaegertracing.io", &["Jaeger"]),
    ("opentelemetry.io", &["OpenTelemetryCollector"]),
];

fn known_to_run_pods(group: &str, kind: &str) -> bool {
    POD_OWNING_KINDS
        .iter()
        .any(|(g, kinds)| *g == group && kinds.contains(&kind))
}

/// Whether an object embeds a pod spec: a `containers` list of mappings anywhere in it.
fn embeds_containers(node: Node<'_>, depth: usize) -> bool {
    if depth > 64 {
        return false;
    }
    if node.is_map() {
        node.entries().any(|(k, v)| {
            (k.key_text() == Some("containers") && v.is_seq() && v.items().any(|c| c.is_map()))
                || embeds_containers(v, depth + 1)
        })
    } else {
        node.items().any(|item| embeds_containers(item, depth + 1))
    }
}

/// Whether an OpenAPI schema (a CRD's) defines a pod template: a `containers` property of
/// type array, at any depth of `properties`, `items`, `additionalProperties` or a combinator.
fn schema_has_containers(schema: Node<'_>, depth: usize) -> bool {
    if depth > 128 || !schema.is_map() {
        return false;
    }
    if let Some(properties) = schema.get("properties") {
        for (key, sub) in properties.entries() {
            if key.key_text() == Some("containers") && sub.get_str("type") == Some("array") {
                return true;
            }
            if schema_has_containers(sub, depth + 1) {
                return true;
            }
        }
    }
    ["items", "additionalProperties"]
        .iter()
        .filter_map(|k| schema.get(k))
        .any(|sub| schema_has_containers(sub, depth + 1))
        || ["allOf", "anyOf", "oneOf"]
            .iter()
            .filter_map(|k| schema.get(k))
            .any(|list| {
                list.items()
                    .any(|sub| schema_has_containers(sub, depth + 1))
            })
}

/// A CRD's facts: the kind it defines, if one of its versions' schemas has a pod template.
fn crd_facts(spec: Option<Node<'_>>) -> KindFacts {
    let Some(spec) = spec else {
        return KindFacts::Other;
    };
    let (Some(group), Some(kind)) = (spec.get_str("group"), spec.path(&["names", "kind"])) else {
        return KindFacts::Other;
    };
    let Some(kind) = kind.as_str() else {
        return KindFacts::Other;
    };
    let mut schemas = spec
        .get("versions")
        .into_iter()
        .flat_map(|v| v.items())
        .filter_map(|v| v.path(&["schema", "openAPIV3Schema"]))
        .chain(spec.path(&["validation", "openAPIV3Schema"]));
    if schemas.any(|s| schema_has_containers(s, 0)) {
        KindFacts::PodOwningCrd {
            group: group.to_owned(),
            kind: kind.to_owned(),
        }
    } else {
        KindFacts::Other
    }
}

/// Whether a command-line word turns leader election on (`--leader-elect`,
/// `--leader-election=true`, `--enable-leader-election`): the program is written to run one
/// active replica at a time.
fn enables_leader_election(word: &str) -> bool {
    let flag = word.trim_start_matches('-').to_ascii_lowercase();
    let (name, value) = flag.split_once('=').unwrap_or((&flag, "true"));
    (name.starts_with("leader-elect") || name.starts_with("enable-leader-elect"))
        && !name.contains("namespace")
        && !name.contains("lease")
        && !name.contains("id")
        && value != "false"
}

/// The values of a list of strings with their places, templated ones left out.
fn listed<'d>(list: Option<Node<'d>>, site: &dyn Fn(Node<'d>) -> Site) -> Vec<(String, Site)> {
    list.iter()
        .flat_map(|l| l.items())
        .filter_map(|v| {
            let text = scalar_text(v)?;
            (!crate::model::is_templated(&text)).then(|| (text, site(v)))
        })
        .collect()
}

fn role_facts<'d>(object: &Object<'d>, site: &dyn Fn(Node<'d>) -> Site) -> RoleFacts {
    let rules = object
        .root
        .get("rules")
        .iter()
        .flat_map(|r| r.items())
        .filter(|r| r.is_map())
        .map(|r| PolicyRuleFacts {
            api_groups: listed(r.get("apiGroups"), site),
            resources: listed(r.get("resources"), site),
            verbs: listed(r.get("verbs"), site),
            resource_names: r
                .get_some("resourceNames")
                .is_some_and(|n| n.items().next().is_some()),
        })
        .collect();
    let aggregates = object
        .root
        .get_some("aggregationRule")
        .filter(|_| object.kind == "ClusterRole")
        .map(|a| {
            a.get("clusterRoleSelectors")
                .iter()
                .flat_map(|s| s.items())
                .map(|s| Selector::label_selector(Some(s)))
                .collect()
        });
    RoleFacts {
        cluster: object.kind == "ClusterRole",
        rules,
        labels: object
            .metadata()
            .and_then(|m| m.get("labels"))
            .and_then(Selector::map)
            .unwrap_or_default()
            .into_iter()
            .collect(),
        aggregates,
    }
}

fn binding_facts<'d>(object: &Object<'d>, site: &dyn Fn(Node<'d>) -> Site) -> Option<BindingFacts> {
    let role_ref = object.root.get("roleRef")?;
    let name = role_ref.get("name")?;
    let subjects = object
        .root
        .get("subjects")
        .iter()
        .flat_map(|s| s.items())
        .filter_map(|s| {
            let name = s.get("name").and_then(scalar_text)?;
            Some(match s.get_str("kind") {
                Some("ServiceAccount") => format!(
                    "system:serviceaccount:{}:{name}",
                    // Left empty when neither says: `Index::build` puts the run's namespace
                    // for objects that name none (`--namespace`, else `default`).
                    s.get("namespace")
                        .and_then(scalar_text)
                        .or_else(|| object.namespace.map(str::to_owned))
                        .unwrap_or_default()
                ),
                _ => name,
            })
        })
        .collect();
    Some(BindingFacts {
        cluster: object.kind == "ClusterRoleBinding",
        role_kind: role_ref.get_str("kind").unwrap_or("ClusterRole").to_owned(),
        role_name: scalar_text(name)?,
        role_site: site(name),
        subjects,
    })
}

pub fn parent_dir(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Reads the facts of one object. `site` turns a node into a reportable place.
pub fn extract<'d>(
    object: &Object<'d>,
    file: &Arc<str>,
    reported: bool,
    site: &dyn Fn(Node<'d>) -> Site,
) -> Facts {
    let group = crate::k8s::group_of(object.api_version);
    let spec = object.root.get("spec");
    let key_site = |parent: Option<Node<'d>>, key: &str| {
        parent.and_then(|p| p.entry(key)).map(|(k, _)| site(k))
    };
    let kind = if let Some(pod) = &object.pod {
        let label_pairs = pod
            .metadata
            .and_then(|m| m.get("labels"))
            .and_then(Selector::map);
        // Controllers must select their template's labels, so one without labels is a fragment.
        // Pods and Jobs may well have none.
        let labels_known = matches!(
            pod.workload,
            WorkloadKind::Pod | WorkloadKind::Job | WorkloadKind::CronJob
        ) || label_pairs.as_ref().is_some_and(|p| !p.is_empty());
        let labels = label_pairs.unwrap_or_default().into_iter().collect();
        let port_names = pod
            .containers
            .iter()
            .flat_map(|c| c.declared_port_names())
            .map(str::to_owned)
            .collect();
        let claims = pod
            .spec
            .get("volumes")
            .map(|vols| {
                vols.items()
                    .filter_map(|v| {
                        let name = v.get("persistentVolumeClaim")?.get("claimName")?;
                        Some(ClaimMount {
                            claim: scalar_text(name)?,
                            site: site(name),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let strategy = spec.and_then(|s| s.get("strategy"));
        let surges = crate::model::pod::rollout_surges(pod.workload, spec);
        let recreate_site = strategy
            .and_then(|s| s.get("type"))
            .filter(|t| pod.workload == WorkloadKind::Deployment && t.as_str() == Some("Recreate"))
            .map(|t| Box::new(site(t)));
        let max_unavailable = strategy
            .filter(|_| pod.workload == WorkloadKind::Deployment)
            .and_then(|s| s.path(&["rollingUpdate", "maxUnavailable"]))
            .and_then(|m| Some((Budget::of(m)?, site(m))));
        let leader_elected = pod.containers.iter().any(|c| {
            ["command", "args"]
                .iter()
                .filter_map(|k| c.get(k))
                .flat_map(|list| list.items())
                .filter_map(|a| a.as_str())
                .flat_map(str::split_whitespace)
                .any(enables_leader_election)
        });
        let scarce_resources = pod.containers.iter().any(|c| {
            let extended = ["limits", "requests"]
                .iter()
                .filter_map(|k| c.get("resources").and_then(|r| r.get(k)))
                .flat_map(|m| m.entries())
                .any(|(k, _)| {
                    k.key_text()
                        .is_some_and(|k| k.contains('/') && !k.starts_with("kubernetes.io/"))
                });
            let host_port = c
                .get("ports")
                .is_some_and(|ports| ports.items().any(|p| p.get_some("hostPort").is_some()));
            extended || host_port
        });
        let owned = object
            .metadata()
            .and_then(|m| m.get_some("ownerReferences"))
            .is_some_and(|o| o.items().next().is_some());
        let without_readiness = if reported && pod.is_long_running() {
            pod.long_running_containers()
                .filter(|c| c.get("readinessProbe").is_none())
                .map(|c| UnprobedContainer {
                    kind: c.kind.describe(),
                    name: c.name.map(str::to_owned),
                    site: site(c.anchor_node()),
                })
                .collect()
        } else {
            Vec::new()
        };
        let undeclared_volumes = if reported {
            pod.undeclared_mounts(object.root)
                .into_iter()
                .map(|u| UndeclaredVolume {
                    site: site(u.node),
                    name: u.name.to_owned(),
                    list: u.list,
                    container_kind: u.container_kind,
                    container: u.container.map(str::to_owned),
                })
                .collect()
        } else {
            Vec::new()
        };
        KindFacts::Workload(Box::new(WorkloadFacts {
            workload: pod.workload,
            labels,
            labels_known,
            port_names,
            replicas: spec
                .and_then(|s| s.get("replicas"))
                .and_then(|r| r.as_i64()),
            replicas_site: spec.and_then(|s| s.get_some("replicas")).map(site),
            surges,
            name_site: site(object.anchor_node()),
            recreate_site,
            max_unavailable,
            leader_elected,
            owned,
            scarce_resources,
            claims,
            undeclared_volumes,
            without_readiness,
            host_spread: if matches!(
                pod.workload,
                WorkloadKind::Deployment | WorkloadKind::StatefulSet | WorkloadKind::ReplicaSet
            ) {
                spread::host_spread(pod, object.namespace, site)
            } else {
                HostSpread::Covered
            },
            host_network: pod.spec.get("hostNetwork").and_then(|h| h.as_bool()) == Some(true),
            runtime_class: pod.spec.get_some("runtimeClassName").and_then(scalar_text),
            service_account: {
                let named = ["serviceAccountName", "serviceAccount"]
                    .iter()
                    .filter_map(|k| pod.spec.get_some(k))
                    .find(|n| n.raw().is_none_or(|r| !r.trim().is_empty()));
                let automount = pod.spec.get_some("automountServiceAccountToken");
                Box::new(ServiceAccountUse {
                    name: match named {
                        None => Some("default".to_owned()),
                        Some(n) => scalar_text(n).filter(|t| !crate::model::is_templated(t)),
                    },
                    name_site: named.map(site),
                    automount: Flag::of(automount),
                    automount_site: automount.map(site),
                    fragment: !pod.containers.iter().any(|c| c.get("image").is_some()),
                })
            },
            named_refs: named_refs::pod_refs(pod, site),
            object_refs: Box::new(object_refs(pod, spec, site)),
        }))
    } else {
        match (group, object.kind) {
            ("", "Namespace") => KindFacts::Namespace(NamespacePolicy::from_labels(
                object
                    .metadata()
                    .and_then(|m| m.get_some("labels"))
                    .into_iter()
                    .flat_map(|labels| labels.entries())
                    .filter_map(|(k, v)| Some((k.key_text()?, v.raw()?))),
            )),
            ("", "Service") => {
                let is_external = spec.and_then(|s| s.get_str("type")) == Some("ExternalName");
                let selector = spec
                    .and_then(|s| s.get_some("selector"))
                    .filter(|_| !is_external)
                    .and_then(Selector::map)
                    .filter(|pairs| !pairs.is_empty())
                    .map(Selector::from_map);
                let named_target_ports = spec
                    .and_then(|s| s.get("ports"))
                    .map(|ports| {
                        ports
                            .items()
                            .filter_map(|p| {
                                let target = p.get("targetPort")?;
                                let name = target.as_str()?;
                                name.parse::<i64>()
                                    .is_err()
                                    .then(|| (name.to_owned(), site(target)))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let port_names: Vec<Option<&str>> = spec
                    .and_then(|s| s.get("ports"))
                    .map(|ports| ports.items().map(|p| p.get_str("name")).collect())
                    .unwrap_or_default();
                let metrics_only = !port_names.is_empty()
                    && port_names.iter().all(|name| {
                        name.is_some_and(|n| {
                            ["metrics", "monitoring", "prometheus", "telemetry"]
                                .iter()
                                .any(|m| n.contains(m))
                        })
                    });
                let ports = match spec.and_then(|s| s.get_some("ports")) {
                    None => Some(Vec::new()),
                    Some(list) if list.is_seq() => list
                        .items()
                        .map(|p| {
                            let name = p.get_some("name");
                            let number = p.get_some("port");
                            let templated = |n: Option<Node<'_>>| {
                                n.and_then(|n| n.raw())
                                    .is_some_and(crate::model::is_templated)
                            };
                            (p.is_map() && !templated(name) && !templated(number)).then(|| {
                                ServicePort {
                                    port: number.and_then(|n| n.as_i64()),
                                    name: name.and_then(scalar_text),
                                }
                            })
                        })
                        .collect(),
                    Some(_) => None,
                };
                KindFacts::Service(ServiceFacts {
                    ports,
                    selector_elsewhere: !is_external && selector.is_none(),
                    selector,
                    selector_site: key_site(spec, "selector"),
                    named_target_ports,
                    metrics_only,
                })
            }
            ("networking.k8s.io", "NetworkPolicy") => {
                let mut local_peers = Vec::new();
                for (direction, peer_key) in [("ingress", "from"), ("egress", "to")] {
                    let rules = spec.and_then(|s| s.get(direction));
                    for rule in rules.iter().flat_map(|r| r.items()) {
                        for peer in rule.get(peer_key).iter().flat_map(|p| p.items()) {
                            if peer.get_some("namespaceSelector").is_some() {
                                continue;
                            }
                            let Some((key, value)) = peer.entry("podSelector") else {
                                continue;
                            };
                            if let SelectorField::Selector(sel) =
                                Selector::label_selector(Some(value))
                                && !sel.is_empty()
                            {
                                local_peers.push((sel, site(key)));
                            }
                        }
                    }
                }
                let types = spec.and_then(|s| s.get_some("policyTypes"));
                let (isolates_ingress, isolates_egress) = match types {
                    None => (true, spec.and_then(|s| s.get_some("egress")).is_some()),
                    Some(list) => {
                        let names: Option<Vec<&str>> = list.items().map(|t| t.as_str()).collect();
                        match names.filter(|n| list.is_seq() && !n.is_empty()) {
                            Some(n) => (n.contains(&"Ingress"), n.contains(&"Egress")),
                            None => (true, true),
                        }
                    }
                };
                KindFacts::NetworkPolicy(NetworkPolicyFacts {
                    isolates_ingress,
                    isolates_egress,
                    pod_selector: Selector::label_selector(spec.and_then(|s| s.get("podSelector"))),
                    pod_selector_site: key_site(spec, "podSelector"),
                    local_peers,
                })
            }
            ("policy", "PodDisruptionBudget") => {
                let budget = |key: &str| {
                    let node = spec.and_then(|s| s.get_some(key))?;
                    Some((Budget::of(node)?, site(node)))
                };
                KindFacts::PodDisruptionBudget {
                    selector: Selector::label_selector(spec.and_then(|s| s.get("selector"))),
                    site: key_site(spec, "selector").unwrap_or_else(|| site(object.anchor_node())),
                    min_available: budget("minAvailable"),
                    max_unavailable: budget("maxUnavailable"),
                }
            }
            ("autoscaling", "HorizontalPodAutoscaler") => {
                let target = spec.and_then(|s| s.get("scaleTargetRef"));
                match (
                    target.and_then(|t| t.get_str("kind")),
                    target.and_then(|t| t.get("name")),
                ) {
                    (Some(kind), Some(name)) if scalar_text(name).is_some() => {
                        KindFacts::HorizontalPodAutoscaler(HpaFacts {
                            target_kind: kind.to_owned(),
                            target_name: scalar_text(name).unwrap_or_default(),
                            name_site: site(name),
                            max_replicas: spec
                                .and_then(|s| s.get("maxReplicas"))
                                .and_then(|m| m.as_i64()),
                            min_replicas: spec
                                .and_then(|s| s.get("minReplicas"))
                                .and_then(|m| m.as_i64()),
                        })
                    }
                    _ => KindFacts::Other,
                }
            }
            ("", "ServiceAccount") => KindFacts::ServiceAccount {
                automount: Flag::of(object.root.get("automountServiceAccountToken")),
            },
            ("apiextensions.k8s.io", "CustomResourceDefinition") => crd_facts(spec),
            ("", "ConfigMap") => KindFacts::ConfigMap {
                keys: named_refs::data_keys(object.root),
            },
            ("", "Secret") => KindFacts::Secret {
                keys: named_refs::data_keys(object.root),
            },
            ("rbac.authorization.k8s.io", "Role" | "ClusterRole") => {
                KindFacts::Role(role_facts(object, site))
            }
            ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
                binding_facts(object, site).map_or(KindFacts::Other, KindFacts::Binding)
            }
            ("networking.k8s.io" | "extensions", "Ingress")
            | ("gateway.networking.k8s.io", "HTTPRoute" | "GRPCRoute") => {
                routes::backends(object, site).map_or(KindFacts::Other, KindFacts::Route)
            }
            ("", "PersistentVolumeClaim") => KindFacts::PersistentVolumeClaim {
                access_modes: spec
                    .and_then(|s| s.get("accessModes"))
                    .map(|m| m.items().filter_map(scalar_text).collect())
                    .unwrap_or_default(),
                storage_class: spec
                    .and_then(|s| s.get_some("storageClassName"))
                    .and_then(|n| scalar_text(n).map(|t| (t, site(n)))),
            },
            _ => {
                let target = spec.and_then(|s| s.get("scaleTargetRef"));
                match target.and_then(|t| t.get("name")).and_then(scalar_text) {
                    Some(name) if !crate::k8s::is_builtin_group(group) => KindFacts::Scaler {
                        // KEDA's default target kind.
                        target_kind: target
                            .and_then(|t| t.get_str("kind"))
                            .unwrap_or("Deployment")
                            .to_owned(),
                        target_name: name,
                    },
                    _ => KindFacts::Other,
                }
            }
        }
    };
    let custom = !crate::k8s::is_builtin_group(group);
    let own_labels = if custom {
        object
            .metadata()
            .and_then(|m| m.get("labels"))
            .and_then(Selector::map)
            .unwrap_or_default()
            .into_iter()
            .collect()
    } else {
        Labels::new()
    };
    let runs_pods =
        custom && (known_to_run_pods(group, object.kind) || embeds_containers(object.root, 0));
    Facts {
        id: object.id(),
        file: file.clone(),
        own_labels,
        reported,
        custom,
        runs_pods,
        kind,
        guarded: None,
        fragment: false,
        mentions: if custom {
            named_refs::mentioned_names(object.root, &object.id().name)
        } else {
            Vec::new()
        },
    }
}

impl Facts {
    /// A kustomize patch: never reported on, and its workload's real labels are elsewhere.
    pub fn mark_fragment(&mut self) {
        self.reported = false;
        self.fragment = true;
        if let KindFacts::Workload(w) = &mut self.kind {
            w.labels_known = false;
        }
    }
}

/// Namespaces as the run sees them: an object without one is in `--namespace` if given;
/// otherwise it is in an unnamed namespace that matches other unnamed ones and `default`.
pub type NamespaceKey = Option<String>;

/// What the inputs say about the workloads of a namespace (or of one directory of it).
#[derive(Debug, Clone, Copy)]
struct Evidence {
    all_labels_known: bool,
}

pub struct Index {
    pub facts: Vec<Arc<Facts>>,
    default_namespace: Option<String>,
    evidence_by_namespace: HashMap<NamespaceKey, Evidence>,
    evidence_by_dir: HashMap<(NamespaceKey, String), Evidence>,
    /// Where the inputs hold Services, by namespace and by (namespace, directory): true when
    /// every one of them has a selector (`ServiceFacts::selector_elsewhere` is false).
    services_by_namespace: HashMap<NamespaceKey, bool>,
    services_by_dir: HashMap<(NamespaceKey, String), bool>,
    /// Where the inputs hold PodDisruptionBudgets, by namespace and by (namespace,
    /// directory): true when every one of them has a selector that can be evaluated.
    budgets_by_namespace: HashMap<NamespaceKey, bool>,
    budgets_by_dir: HashMap<(NamespaceKey, String), bool>,
    by_namespace: HashMap<NamespaceKey, Vec<usize>>,
    workloads_by_label: HashMap<(NamespaceKey, String, String), Vec<usize>>,
    /// Every object by (kind, namespace, name), in input order: a kustomize base and its
    /// overlay's copy share one.
    by_name: HashMap<(String, NamespaceKey, String), Vec<usize>>,
    /// HorizontalPodAutoscalers by (namespace, target kind, target name), in input order.
    autoscalers: HashMap<(NamespaceKey, String, String), Vec<usize>>,
    /// (group, kind) of the custom resources whose CRD in the run has a pod template.
    pod_owning_kinds: HashSet<(String, String)>,
    /// (kind, namespace, name) of the objects a kustomize patch of the run changes.
    patched: HashSet<(String, NamespaceKey, String)>,
    /// The Namespaces of the run (inputs and context), with their PodSecurity labels; `None`
    /// for a name whose objects disagree (kustomize bases and overlays, patches, unrelated
    /// directories), whose policy the run therefore cannot tell.
    namespaces: HashMap<String, Option<Option<NamespacePolicy>>>,
    /// The guarded fields of every object at the revision the run compares with
    /// (`--new-from-rev`).
    pub previous: Option<Arc<Snapshot>>,
    /// What the run says of its ConfigMaps and Secrets and of what else may create them.
    configs: named_refs::Evidence,
    /// The names kustomize `configMapGenerator`s and `secretGenerator`s of the run give (any
    /// namespace: an overlay's `namespace:` decides it), set by the engine.
    pub generated_names: HashSet<String>,
}

impl Index {
    pub fn build(mut facts: Vec<Arc<Facts>>, default_namespace: Option<String>) -> Index {
        let unnamed = default_namespace.as_deref().unwrap_or("default");
        for f in &mut facts {
            let unqualified = |f: &Facts| match &f.kind {
                KindFacts::Binding(binding) => binding
                    .subjects
                    .iter()
                    .any(|s| s.starts_with("system:serviceaccount::")),
                _ => false,
            };
            if !unqualified(f) {
                continue;
            }
            if let KindFacts::Binding(binding) = &mut Arc::make_mut(f).kind {
                for subject in &mut binding.subjects {
                    if let Some(name) = subject.strip_prefix("system:serviceaccount::") {
                        *subject = format!("system:serviceaccount:{unnamed}:{name}");
                    }
                }
            }
        }
        let mut index = Index {
            facts: Vec::new(),
            default_namespace,
            evidence_by_namespace: HashMap::new(),
            evidence_by_dir: HashMap::new(),
            services_by_namespace: HashMap::new(),
            services_by_dir: HashMap::new(),
            budgets_by_namespace: HashMap::new(),
            budgets_by_dir: HashMap::new(),
            by_namespace: HashMap::new(),
            workloads_by_label: HashMap::new(),
            by_name: HashMap::new(),
            autoscalers: HashMap::new(),
            pod_owning_kinds: HashSet::new(),
            namespaces: HashMap::new(),
            patched: HashSet::new(),
            previous: None,
            configs: named_refs::Evidence::default(),
            generated_names: HashSet::new(),
        };
        index.configs = named_refs::Evidence::build(&facts, &index.default_namespace);
        for (i, f) in facts.iter().enumerate() {
            let ns = index.namespace_of(f);
            index.by_namespace.entry(ns.clone()).or_default().push(i);
            index
                .by_name
                .entry((f.id.kind.clone(), ns.clone(), f.id.name.clone()))
                .or_default()
                .push(i);
            if let KindFacts::Service(s) = &f.kind {
                let known = !s.selector_elsewhere;
                *index
                    .services_by_namespace
                    .entry(ns.clone())
                    .or_insert(true) &= known;
                *index
                    .services_by_dir
                    .entry((ns.clone(), parent_dir(&f.file).to_owned()))
                    .or_insert(true) &= known;
            }
            if let KindFacts::PodDisruptionBudget { selector, .. } = &f.kind {
                let known = match selector {
                    SelectorField::Selector(s) => !s.is_templated(),
                    SelectorField::Missing => true,
                    SelectorField::Unknown => false,
                };
                *index.budgets_by_namespace.entry(ns.clone()).or_insert(true) &= known;
                *index
                    .budgets_by_dir
                    .entry((ns.clone(), parent_dir(&f.file).to_owned()))
                    .or_insert(true) &= known;
            }
            if let KindFacts::PodOwningCrd { group, kind } = &f.kind {
                index.pod_owning_kinds.insert((group.clone(), kind.clone()));
            }
            if let KindFacts::HorizontalPodAutoscaler(h) = &f.kind {
                index
                    .autoscalers
                    .entry((ns.clone(), h.target_kind.clone(), h.target_name.clone()))
                    .or_default()
                    .push(i);
            }
            if f.fragment {
                // A patch and its base share namespace keys as `same_identity` compares them.
                for key in Self::same_namespace(&ns) {
                    index
                        .patched
                        .insert((f.id.kind.clone(), key, f.id.name.clone()));
                }
            }
            if let KindFacts::Namespace(policy) = &f.kind {
                index
                    .namespaces
                    .entry(f.id.name.clone())
                    .and_modify(|known| {
                        if *known != Some(*policy) {
                            *known = None;
                        }
                    })
                    .or_insert(Some(*policy));
            }
            if let KindFacts::Workload(w) = &f.kind {
                let seen = Evidence {
                    all_labels_known: w.labels_known,
                };
                let merge = |e: &mut Evidence| e.all_labels_known &= w.labels_known;
                index
                    .evidence_by_namespace
                    .entry(ns.clone())
                    .and_modify(merge)
                    .or_insert(seen);
                index
                    .evidence_by_dir
                    .entry((ns.clone(), parent_dir(&f.file).to_owned()))
                    .and_modify(merge)
                    .or_insert(seen);
                for (k, v) in &w.labels {
                    index
                        .workloads_by_label
                        .entry((ns.clone(), k.clone(), v.clone()))
                        .or_default()
                        .push(i);
                }
            }
        }
        index.facts = facts;
        index
    }

    /// The namespace key of an object that names `namespace` (or none).
    pub fn namespace_named(&self, namespace: Option<&str>) -> NamespaceKey {
        namespace
            .map(str::to_owned)
            .or_else(|| self.default_namespace.clone())
    }

    /// Whether the run holds namespace `ns`'s Namespace object, and the PodSecurity policy its
    /// labels set: `None` when the run does not hold it (or holds several that disagree),
    /// `Some(None)` when it has no such labels. The unnamed namespace is `default`.
    pub fn namespace_policy(&self, ns: &NamespaceKey) -> Option<Option<NamespacePolicy>> {
        self.namespaces
            .get(ns.as_deref().unwrap_or("default"))
            .copied()
            .flatten()
    }

    /// The objects findings may be reported on, with their positions in `facts`: not those of
    /// context files (`--context`, a language server's workspace), which only resolve
    /// references. A rule that reports on the object it looks at iterates these, so a large
    /// context costs lookups, not checks.
    pub fn subjects(&self) -> impl Iterator<Item = (usize, &Facts)> {
        self.facts
            .iter()
            .map(|f| &**f)
            .enumerate()
            .filter(|(_, f)| f.reported)
    }

    pub fn namespace_of(&self, f: &Facts) -> NamespaceKey {
        f.id.namespace
            .clone()
            .or_else(|| self.default_namespace.clone())
    }

    /// The ServiceAccount `name` of namespace `ns`, if the run has it.
    pub fn service_account(&self, ns: &NamespaceKey, name: &str) -> Option<(&Facts, Flag)> {
        // Through `by_name`, not a scan of the namespace: rules ask this per workload.
        Self::same_namespace(ns).into_iter().find_map(|key| {
            let all = self
                .by_name
                .get(&("ServiceAccount".to_owned(), key, name.to_owned()))?;
            all.iter().find_map(|&i| match &self.facts[i].kind {
                KindFacts::ServiceAccount { automount } => Some((&*self.facts[i], *automount)),
                _ => None,
            })
        })
    }

    /// The bindings of the run that grant a role to service account `name` of namespace `ns`
    /// (by name, or through the `system:serviceaccounts[:NS]` groups), with the name of the
    /// role each grants.
    pub fn bindings_of(&self, ns: &NamespaceKey, name: &str) -> Vec<(&Facts, &str)> {
        let namespaces: Vec<String> = Self::same_namespace(ns)
            .into_iter()
            .map(|k| k.unwrap_or_else(|| "default".to_owned()))
            .collect();
        self.facts
            .iter()
            .filter_map(|f| match &f.kind {
                KindFacts::Binding(binding) => binding
                    .subjects
                    .iter()
                    .any(|s| {
                        // The account itself, or the groups every service account (of its
                        // namespace) is in.
                        s == "system:serviceaccounts"
                            || s.strip_prefix("system:serviceaccounts:")
                                .is_some_and(|group_ns| namespaces.iter().any(|n| n == group_ns))
                            || s.strip_prefix("system:serviceaccount:")
                                .and_then(|rest| rest.split_once(':'))
                                .is_some_and(|(sa_ns, sa)| {
                                    sa == name && namespaces.iter().any(|n| n == sa_ns)
                                })
                    })
                    .then_some((&**f, binding.role_name.as_str())),
                _ => None,
            })
            .collect()
    }

    /// The keys an object in `ns` shares its namespace with.
    pub(crate) fn same_namespace(ns: &NamespaceKey) -> Vec<NamespaceKey> {
        match ns.as_deref() {
            None => vec![None, Some("default".to_owned())],
            Some("default") => vec![Some("default".to_owned()), None],
            Some(_) => vec![ns.clone()],
        }
    }

    /// The objects sharing namespace `ns`. The iterator borrows only the index, not `ns`.
    fn in_namespace<'s>(&'s self, ns: &NamespaceKey) -> impl Iterator<Item = &'s Facts> + use<'s> {
        Self::same_namespace(ns)
            .into_iter()
            .flat_map(|k| self.by_namespace.get(&k).into_iter().flatten())
            .map(|&i| &*self.facts[i])
    }

    pub fn workloads_in(
        &self,
        ns: &NamespaceKey,
    ) -> impl Iterator<Item = (&Facts, &WorkloadFacts)> {
        self.in_namespace(ns).filter_map(|f| match &f.kind {
            KindFacts::Workload(w) => Some((f, &**w)),
            _ => None,
        })
    }

    /// Whether the inputs hold the workloads that `f` refers to, all with known labels. A
    /// reference is only called dangling when they do: otherwise the workloads live in files
    /// not given, or their labels in a kustomize base that is not. For a named namespace, its
    /// workloads are the evidence. Objects that name no namespace share one across the whole
    /// run — in a repository of unrelated examples, across all of them — so there only the
    /// workloads in the referring object's own directory count.
    pub fn knows_workloads_for(&self, f: &Facts) -> bool {
        let ns = self.namespace_of(f);
        let dir = ns.is_none().then(|| parent_dir(&f.file));
        let mut any = false;
        for key in Self::same_namespace(&ns) {
            let evidence = match dir {
                Some(d) => self.evidence_by_dir.get(&(key, d.to_owned())),
                None => self.evidence_by_namespace.get(&key),
            };
            if let Some(e) = evidence {
                if !e.all_labels_known {
                    return false;
                }
                any = true;
            }
        }
        any
    }

    /// Whether the inputs hold the Services that could select `f`'s pods, scoped as
    /// `knows_workloads_for`: Services of a named namespace; for the unnamed one, Services in
    /// `f`'s directory. A Service there without a selector (a kustomize base whose selector
    /// `commonLabels` adds, or endpoints managed by hand) means they are not all known.
    pub fn knows_services_for(&self, f: &Facts) -> bool {
        self.knows_services_in(&self.namespace_of(f), &f.file)
    }

    /// `knows_services_for`, for namespace `ns` as seen from an object in `file` (a route
    /// may name a Service of another namespace).
    pub fn knows_services_in(&self, ns: &NamespaceKey, file: &str) -> bool {
        let dir = ns.is_none().then(|| parent_dir(file));
        Self::all_known(ns, dir, &self.services_by_dir, &self.services_by_namespace)
    }

    /// Whether the objects of one kind that could concern scope `ns` (in directory `dir`,
    /// when given) are all in the run: the scope holds at least one, and none that cannot be
    /// evaluated (a `false` entry).
    fn all_known(
        ns: &NamespaceKey,
        dir: Option<&str>,
        by_dir: &HashMap<(NamespaceKey, String), bool>,
        by_namespace: &HashMap<NamespaceKey, bool>,
    ) -> bool {
        let mut any = false;
        for key in Self::same_namespace(ns) {
            let known = match dir {
                Some(d) => by_dir.get(&(key, d.to_owned())),
                None => by_namespace.get(&key),
            };
            match known {
                Some(false) => return false,
                Some(true) => any = true,
                None => {}
            }
        }
        any
    }

    /// Whether the inputs hold the PodDisruptionBudgets that could select `f`'s pods, scoped as
    /// `knows_workloads_for`: budgets of a named namespace; for the unnamed one and `default`,
    /// budgets in `f`'s directory. A namespace (or directory) without any budget in the run is not known:
    /// its budgets may be in files not given (a separate policy repository, a chart's
    /// optional template). A budget whose selector cannot be evaluated (templated) makes them
    /// unknown too.
    pub fn knows_budgets_for(&self, f: &Facts) -> bool {
        let ns = self.namespace_of(f);
        // `default` is the unnamed namespace too, which unrelated examples share across the
        // run: there only the directory's budgets are evidence.
        let dir = ns
            .as_deref()
            .is_none_or(|n| n == "default")
            .then(|| parent_dir(&f.file));
        Self::all_known(&ns, dir, &self.budgets_by_dir, &self.budgets_by_namespace)
    }

    /// The workloads (indices into `facts`) whose pods some Service of the run selects; a
    /// Service with a templated selector counts as selecting every pod of its namespace.
    pub fn served_workloads(&self) -> HashSet<usize> {
        let mut served = HashSet::new();
        for f in &self.facts {
            let KindFacts::Service(ServiceFacts {
                selector: Some(selector),
                ..
            }) = &f.kind
            else {
                continue;
            };
            let ns = self.namespace_of(f);
            if selector.is_templated() {
                served.extend(self.workload_indices(&ns));
            } else {
                // A controller-generated label matches any value, but only on the pods of the
                // controllers that add it: `job-name` selects no Deployment's pods.
                served.extend(
                    self.selected_indices(&ns, selector)
                        .into_iter()
                        .filter(|&i| match &self.facts[i].kind {
                            KindFacts::Workload(w) => selector
                                .keys()
                                .all(|key| may_carry_generated(w.workload, key)),
                            _ => false,
                        }),
                );
            }
        }
        served
    }

    fn workload_indices(&self, ns: &NamespaceKey) -> Vec<usize> {
        Self::same_namespace(ns)
            .into_iter()
            .flat_map(|k| self.by_namespace.get(&k).into_iter().flatten().copied())
            .filter(|&i| matches!(self.facts[i].kind, KindFacts::Workload(_)))
            .collect()
    }

    /// Whether a kustomize patch of the run changes `f` (a patch of the same kind, namespace
    /// and name).
    pub fn has_patch(&self, f: &Facts) -> bool {
        !f.fragment
            && self
                .patched
                .contains(&(f.id.kind.clone(), self.namespace_of(f), f.id.name.clone()))
    }

    /// Other objects of the run with the same kind, namespace and name as `f`: a kustomize
    /// base and its patches are one object spread over several files.
    pub fn same_identity<'s>(&'s self, f: &'s Facts) -> impl Iterator<Item = &'s Facts> {
        // Through `by_name`, not a scan of the namespace: rules ask this per selected workload.
        Self::same_namespace(&self.namespace_of(f))
            .into_iter()
            .flat_map(move |key| {
                self.by_name
                    .get(&(f.id.kind.clone(), key, f.id.name.clone()))
                    .into_iter()
                    .flatten()
                    .map(move |&i| &*self.facts[i])
            })
            .filter(move |o| !std::ptr::eq(*o, f))
    }

    /// Pod templates of `ns` that `selector` selects; through a label posting list when the
    /// selector has a `matchLabels` pair, so matching stays linear in the number of objects.
    pub fn selected<'s>(
        &'s self,
        ns: &NamespaceKey,
        selector: &'s Selector,
    ) -> Vec<(&'s Facts, &'s WorkloadFacts)> {
        self.selected_indices(ns, selector)
            .into_iter()
            .filter_map(|i| match &self.facts[i].kind {
                KindFacts::Workload(w) => Some((&*self.facts[i], &**w)),
                _ => None,
            })
            .collect()
    }

    /// `selected`, as indices into `facts`.
    pub fn selected_indices(&self, ns: &NamespaceKey, selector: &Selector) -> Vec<usize> {
        let indexed = selector
            .match_labels
            .iter()
            .find(|(k, _)| !GENERATED_LABELS.contains(&k.as_str()));
        let candidates: Vec<usize> = match indexed {
            Some((k, v)) => Self::same_namespace(ns)
                .into_iter()
                .flat_map(|key| {
                    self.workloads_by_label
                        .get(&(key, k.clone(), v.clone()))
                        .into_iter()
                        .flatten()
                        .copied()
                })
                .collect(),
            None => Self::same_namespace(ns)
                .into_iter()
                .flat_map(|k| self.by_namespace.get(&k).into_iter().flatten().copied())
                .collect(),
        };
        candidates
            .into_iter()
            .filter(|&i| match &self.facts[i].kind {
                KindFacts::Workload(w) => selector.matches(&w.labels),
                _ => false,
            })
            .collect()
    }

    /// Whether a custom resource may be what runs the pods `selector` (of `subject`) selects:
    /// operators label the pods they create with their resource's name, kind or own labels (a
    /// Prometheus `k8s` runs pods labelled `prometheus: k8s` and `app.kubernetes.io/name:
    /// prometheus`; a Strimzi Kafka `my-cluster` pods labelled `strimzi.io/name:
    /// my-cluster-kafka`), so a selector naming one is not dangling. To count, the resource must
    ///
    /// - be able to own pods (`may_run_pods`): an ApplicationSet or an HTTPRoute that happens to
    ///   share a name with the label value runs nothing;
    /// - be in the subject's scope, as in `knows_workloads_for`: its namespace, and for the
    ///   unnamed namespace its directory, since unrelated examples share that namespace;
    /// - be named exactly: a selector value equal to its name (case-sensitive: `MyApp` is not
    ///   `myapp`) or to its name followed by `-` and a component (`my-cluster-kafka`), equal to
    ///   its kind in lower case (`prometheus`), or a `matchLabels` selector its own labels
    ///   satisfy.
    pub fn operator_may_own(&self, subject: &Facts, selector: &Selector) -> bool {
        let ns = self.namespace_of(subject);
        let dir = ns.is_none().then(|| parent_dir(&subject.file));
        let values: Vec<&str> = selector.values().collect();
        let names = |v: &str, name: &str| {
            v.strip_prefix(name)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
        };
        self.in_namespace(&ns).any(|f| {
            self.may_run_pods(f)
                && dir.is_none_or(|d| parent_dir(&f.file) == d)
                && (values.iter().any(|v| {
                    names(v, &f.id.name)
                        || (v.bytes().all(|b| !b.is_ascii_uppercase())
                            && v.eq_ignore_ascii_case(&f.id.kind))
                }) || (!selector.match_labels.is_empty() && selector.matches(&f.own_labels)))
        })
    }

    /// Whether scope `ns` (for the unnamed namespace and `default`, the directory of `file`)
    /// holds a custom resource that can run pods: its operator also creates Services (a
    /// Prometheus's `prometheus-operated`, a Strimzi Kafka's `…-kafka-bootstrap`), so a
    /// Service missing from the run may be one of them.
    pub fn operator_in_scope(&self, ns: &NamespaceKey, file: &str) -> bool {
        let dir = ns
            .as_deref()
            .is_none_or(|n| n == "default")
            .then(|| parent_dir(file));
        self.in_namespace(ns)
            .any(|f| self.may_run_pods(f) && dir.is_none_or(|d| parent_dir(&f.file) == d))
    }

    /// Whether a custom resource can own pods: it embeds a pod spec, its kind is a known
    /// operator workload (`POD_OWNING_KINDS`), or its CRD in the run has a pod template.
    fn may_run_pods(&self, f: &Facts) -> bool {
        f.custom
            && (f.runs_pods
                || self.pod_owning_kinds.contains(&(
                    crate::k8s::group_of(&f.id.api_version).to_owned(),
                    f.id.kind.clone(),
                )))
    }

    /// Named ports of a workload together with those of its kustomize patches.
    pub fn port_names_of<'s>(&'s self, f: &'s Facts) -> Vec<&'s str> {
        std::iter::once(f)
            .chain(self.same_identity(f))
            .filter_map(|o| match &o.kind {
                KindFacts::Workload(w) => Some(w.port_names.iter().map(String::as_str)),
                _ => None,
            })
            .flatten()
            .collect()
    }

    pub fn find(&self, kind: &str, ns: &NamespaceKey, name: &str) -> Option<&Facts> {
        self.find_index(kind, ns, name).map(|i| &*self.facts[i])
    }

    /// `find`, as an index into `facts` (what a `GraphFinding` names its subject by).
    pub fn find_index(&self, kind: &str, ns: &NamespaceKey, name: &str) -> Option<usize> {
        Self::same_namespace(ns).into_iter().find_map(|key| {
            self.by_name
                .get(&(kind.to_owned(), key, name.to_owned()))
                .and_then(|all| all.first().copied())
        })
    }

    /// The largest `maxReplicas` of the HPAs that scale this workload.
    pub fn hpa_max_replicas(&self, target: &Facts) -> Option<i64> {
        self.autoscalers_of(target)
            .map(|h| h.max_replicas.unwrap_or(1))
            .max()
    }

    /// The smallest `minReplicas` (default 1) of the HPAs that scale this workload: how few
    /// pods it may run.
    pub fn hpa_min_replicas(&self, target: &Facts) -> Option<i64> {
        self.autoscalers_of(target)
            .map(|h| h.min_replicas.unwrap_or(1))
            .min()
    }

    /// Through `autoscalers`, not a scan of the namespace: rules ask this per selected workload.
    fn autoscalers_of<'s>(&'s self, target: &'s Facts) -> impl Iterator<Item = &'s HpaFacts> {
        Self::same_namespace(&self.namespace_of(target))
            .into_iter()
            .flat_map(move |key| {
                self.autoscalers
                    .get(&(key, target.id.kind.clone(), target.id.name.clone()))
                    .into_iter()
                    .flatten()
            })
            .filter_map(move |&i| match &self.facts[i].kind {
                KindFacts::HorizontalPodAutoscaler(h) => Some(h),
                _ => None,
            })
    }
}

/// ConfigMaps and Secrets: which the run defines, and which something else may create.
impl Index {
    /// Whether the run holds the ConfigMaps (resp. Secrets) that `f`, in namespace `ns`,
    /// could refer to: see `named_refs::Evidence::knows_names_for`.
    pub fn knows_configs_for(&self, kind: RefKind, ns: &NamespaceKey, f: &Facts) -> bool {
        self.configs.knows_names_for(kind, ns, &f.file)
    }

    /// Whether a ConfigMap or Secret `name` that `f` names may be created by something other
    /// than a manifest: a kustomize generator of the run, a cluster component, an operator
    /// (see `named_refs::Evidence::may_create`).
    pub fn may_be_created(&self, kind: RefKind, ns: &NamespaceKey, name: &str, f: &Facts) -> bool {
        self.generated_names.contains(name) || self.configs.may_create(kind, ns, name, &f.file)
    }

    /// The ConfigMaps (resp. Secrets) of namespace `ns` in the run.
    pub fn configs_of<'s>(
        &'s self,
        kind: RefKind,
        ns: &NamespaceKey,
    ) -> impl Iterator<Item = &'s Facts> + use<'s> {
        self.in_namespace(ns).filter(move |f| {
            matches!(
                (&f.kind, kind),
                (KindFacts::ConfigMap { .. }, RefKind::ConfigMap)
                    | (KindFacts::Secret { .. }, RefKind::Secret)
            )
        })
    }

    /// The ConfigMaps (resp. Secrets) named `name` of namespace `ns` in the run: a base and
    /// its kustomize patches are one object spread over several files.
    pub fn configs_named<'s>(
        &'s self,
        kind: RefKind,
        ns: &NamespaceKey,
        name: &'s str,
    ) -> impl Iterator<Item = &'s Facts> + use<'s> {
        self.configs_of(kind, ns).filter(move |f| f.id.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn selector(yaml: &str) -> SelectorField {
        let lines = crate::parse::lines::LineIndex::new(yaml);
        let stream = crate::parse::parse_stream(yaml, &lines);
        Selector::label_selector(Some(stream.documents[0].root()))
    }

    fn matches(yaml: &str, l: &[(&str, &str)]) -> bool {
        match selector(yaml) {
            SelectorField::Selector(s) => s.matches(&labels(l)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn selectors_evaluate_as_kubernetes_does() {
        let web = [("app", "web"), ("tier", "front")];
        assert!(matches("matchLabels: {app: web}", &web));
        assert!(!matches("matchLabels: {app: web, tier: back}", &web));
        assert!(matches("{}", &web), "an empty selector selects everything");
        assert!(matches(
            "matchExpressions: [{key: app, operator: In, values: [web, api]}]",
            &web
        ));
        assert!(!matches(
            "matchExpressions: [{key: zone, operator: In, values: [a]}]",
            &web
        ));
        assert!(
            matches(
                "matchExpressions: [{key: zone, operator: NotIn, values: [a]}]",
                &web
            ),
            "NotIn matches a missing label"
        );
        assert!(!matches(
            "matchExpressions: [{key: app, operator: NotIn, values: [web]}]",
            &web
        ));
        assert!(matches(
            "matchExpressions: [{key: tier, operator: Exists}]",
            &web
        ));
        assert!(matches(
            "matchExpressions: [{key: zone, operator: DoesNotExist}]",
            &web
        ));
        assert!(!matches(
            "matchExpressions: [{key: app, operator: DoesNotExist}]",
            &web
        ));
        assert!(
            matches("matchLabels: {app: web, pod-template-hash: 5d8f7}", &web),
            "controller-added labels match"
        );
        assert_eq!(
            selector("matchExpressions: [{key: a, operator: Gt, values: ['1']}]"),
            SelectorField::Unknown
        );
        assert_eq!(Selector::label_selector(None), SelectorField::Missing);
    }

    #[test]
    fn templated_selectors_are_recognised() {
        let SelectorField::Selector(s) = selector("matchLabels: {app: '${APP_NAME}'}") else {
            panic!()
        };
        assert!(s.is_templated());
    }
}
