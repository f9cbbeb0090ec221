use super::super::{GraphFinding, Rule, declare_rule};
use crate::index::{Index, RefKind};

declare_rule! {
    /// ## What it does
    /// Reports a reference of a pod template (any workload kind; regular, init, sidecar and
    /// ephemeral containers) to a ConfigMap its namespace does not define: `env[].valueFrom.
    /// configMapKeyRef`, `envFrom[].configMapRef`, a `configMap` volume and a projected
    /// volume's `configMap` source. The finding points at the reference's `name` value. A
    /// reference to a ConfigMap that is in the run but lacks the key it reads
    /// (`configMapKeyRef.key`, a volume's `items[].key`) is reported at that `key` value, with
    /// the keys the ConfigMap has (`data` and `binaryData`) and the closest one.
    ///
    /// `optional: true` references are never reported, nor are templated names or keys
    /// (`{{ .Values.x }}`, `${VAR}`). The run must be able to know; a name is reported only when
    /// all of these hold:
    ///
    /// - the referring file's directory holds ConfigMaps of the same namespace (objects without
    ///   a namespace share one with `default`), none with a placeholder name
    ///   (`YOUR_CONFIG`), and some workload of that directory uses one of them: the directory
    ///   keeps its workloads beside their ConfigMaps. Elsewhere ConfigMaps come from outside the
    ///   run (`kubectl create configmap`, a chart, a script), and a directory of unrelated
    ///   examples or test data says nothing;
    /// - the namespace is not `kube-system`, whose ConfigMaps the cluster's installer makes;
    /// - nothing else may create the name: a kustomize `configMapGenerator` of a kustomization
    ///   among the inputs or beside them (any namespace), a cluster component
    ///   (`kube-root-ca.crt`, Istio's `istio-ca-root-cert`, `openshift-service-ca.crt`), a Role
    ///   of the scope (the namespace; for `default`, the directory) that grants `create` on
    ///   `configmaps`, or a custom resource of the scope that mentions the name as a string
    ///   under `spec`, has the name, or whose name the name is built on
    ///   (`rook-ceph-mon-endpoints` for a CephCluster `rook-ceph`);
    /// - the workload is not a kustomize patch, has no patch in the run, and has a container
    ///   with an `image` (else it is a fragment whose base sets the rest).
    ///
    /// A key is judged only where a name would be, and only when every ConfigMap of that name in
    /// the namespace is in the referring file's directory (alternative examples elsewhere define
    /// it with other keys) and none of them is empty or templated.
    ///
    /// ## Why is this bad
    /// The kubelet cannot build the container's environment or mount the volume: the pod sits
    /// in `CreateContainerConfigError` (`configmap "app-config" not found`, `couldn't find key
    /// log_level`) or `ContainerCreating` with `FailedMount` events, and a rollout of a
    /// Deployment stalls with the old pods still serving until someone reads the events.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ConfigMap
    /// metadata:
    ///   name: web-config
    /// data:
    ///   LOG_LEVEL: info
    /// ---
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           envFrom:
    ///             - configMapRef:
    ///                 name: web-confg
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///           envFrom:
    ///             - configMapRef:
    ///                 name: web-config
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (whose files were filtered to Kubernetes objects, so it holds
    /// no kustomization): 0 findings. Of its 328 references to ConfigMaps, 279 resolve; of the
    /// 49 that do not, 26 are in directories without ConfigMaps, 22 name what something else
    /// creates (`istio-ca-root-cert`, Rook's `rook-ceph-mon-endpoints`, operators' names) and
    /// one is in a directory of unrelated test data (Argo CD's `testdata`, excused since no
    /// workload there uses its ConfigMaps). A first version without these trust rules reported
    /// 10, all of them one of those cases or a key of a ConfigMap defined by another
    /// application or alternative example. On by default: what is reported is what the kubelet
    /// refuses, in a directory that shows its ConfigMaps are kept in it. No peer checks this.
    pub struct DanglingConfigmapRef => "dangling-configmap-ref";
}

impl Rule for DanglingConfigmapRef {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        super::named_refs::check(index, RefKind::ConfigMap, out);
    }
}
