use super::super::{GraphFinding, Rule, declare_rule};
use crate::index::{Index, RefKind};

declare_rule! {
    /// ## What it does
    /// Reports a reference of a pod template (any workload kind; regular, init, sidecar and
    /// ephemeral containers) to a Secret its namespace does not define: `env[].valueFrom.
    /// secretKeyRef`, `envFrom[].secretRef`, a `secret` volume (`secretName`), a projected
    /// volume's `secret` source and `imagePullSecrets`. The finding points at the reference's
    /// name value. A reference to a Secret that is in the run but lacks the key it reads
    /// (`secretKeyRef.key`, a volume's `items[].key`) is reported at that `key` value, with the
    /// keys the Secret has (`data`, `stringData`) and the closest one.
    ///
    /// `optional: true` references are never reported, nor are templated names or keys
    /// (`{{ .Values.x }}`, `${VAR}`). The run must be able to know; a name is reported only when
    /// all of these hold:
    ///
    /// - the referring file's directory holds Secrets of the same namespace (objects without a
    ///   namespace share one with `default`), none with a placeholder name
    ///   (`bootstrap-token-YOUR_TOKEN_ID`), and some workload of that directory uses one of
    ///   them: the directory keeps its workloads beside their Secrets. Elsewhere Secrets come
    ///   from outside the run (`kubectl create secret`, CI, a secret store), and a directory of
    ///   unrelated examples or test data says nothing;
    /// - the namespace is not `kube-system`, whose Secrets the cluster's installer and cloud
    ///   provider make;
    /// - nothing else may create the name: a kustomize `secretGenerator` of a kustomization
    ///   among the inputs or beside them (any namespace); a Role of the scope (the namespace;
    ///   for `default`, the directory) that grants `create` on `secrets` (a Job of the run that
    ///   makes its own, as Argo CD's `argocd-redis` initialiser does); or a custom resource of
    ///   the scope that mentions the name as a string under `spec` (a cert-manager
    ///   Certificate's `secretName`, an ExternalSecret's `target.name`, a Strimzi KafkaUser's),
    ///   has the name (a SealedSecret, an ExternalSecret without `target.name`), or whose name
    ///   the name is built on (`my-cluster-app` of a CloudNativePG Cluster `my-cluster`,
    ///   `user.my-cluster.credentials.postgresql.acid.zalan.do` of a zalando `postgresql`);
    /// - the workload is not a kustomize patch, has no patch in the run, and has a container
    ///   with an `image` (else it is a fragment whose base sets the rest).
    ///
    /// A key is judged only where a name would be, and only when every Secret of that name in
    /// the namespace is in the referring file's directory and none of them is empty (a
    /// service-account token or a certificate's Secret that a controller fills) or templated.
    ///
    /// ## Why is this bad
    /// The kubelet cannot build the container's environment or mount the volume: the pod sits
    /// in `CreateContainerConfigError` (`secret "db-credentials" not found`) or
    /// `ContainerCreating` with `FailedMount` events, and a rollout stalls until someone reads
    /// the events. A missing image pull secret makes the kubelet pull anonymously, which a
    /// private registry refuses (`ErrImagePull`).
    ///
    /// ## Example
    /// ```yaml
    /// kind: Secret
    /// metadata:
    ///   name: db-credentials
    /// stringData:
    ///   password: s3cr3t
    /// ---
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           env:
    ///             - name: DB_PASSWORD
    ///               valueFrom:
    ///                 secretKeyRef:
    ///                   name: db-credentials
    ///                   key: pasword
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///                 secretKeyRef:
    ///                   name: db-credentials
    ///                   key: password
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (whose files were filtered to Kubernetes objects, so it holds
    /// no kustomization): 1 finding in 1 file, read: kubeflow's `dex-oidc-client`, which the
    /// `secretGenerator` of the kustomization beside it makes (the rule reads it in a real
    /// checkout; the corpus dropped the file). Of the 440 references to Secrets, 111 resolve; of
    /// the 329 that do not, 27 are in `kube-system`, 176 in directories without Secrets, 123
    /// name what something else creates (Argo CD's `argocd-redis` by its initialiser Job,
    /// zalando and CloudNativePG credentials, Rook's `rook-ceph-mon`, cert-manager
    /// certificates), and 2 are in directories whose Secrets no workload uses (a workshop's
    /// deliberately broken scenario, and Gateway API conformance Secrets its test harness
    /// creates). A first version without these trust rules reported 65, all of them such cases
    /// but that scenario and two misread keys. Off by default: Secrets, far more than
    /// ConfigMaps, are kept out of version control on purpose (made by hand, by CI, by a secret
    /// store's operator whose resources may live in another repository), so even a directory
    /// that commits some Secrets may rightly lack the others; enable it where every Secret is in
    /// the repository (sealed or generated). No peer checks this.
    pub struct DanglingSecretRef => "dangling-secret-ref";
}

impl Rule for DanglingSecretRef {
    fn check_graph(&self, index: &Index, out: &mut Vec<GraphFinding>) {
        super::named_refs::check(index, RefKind::Secret, out);
    }
}
