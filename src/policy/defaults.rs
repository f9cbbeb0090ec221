//! The defaults the API server fills in before admission policies run. A policy sees the
//! object after defaulting: `object.spec.replicas` of a Deployment that leaves it out is 1,
//! not an error. The common defaults of workloads, pod templates and Services are applied to
//! the CEL value (never to the manifest: findings still point at what is written).

use std::collections::HashMap;
use std::sync::Arc;

use cel::Value;
use cel::objects::Key;

fn text(s: &str) -> Value {
    Value::String(Arc::new(s.to_owned()))
}

/// The map at `key` of `map`, created empty when absent; `None` when it holds something else.
fn child<'m>(map: &'m mut HashMap<Key, Value>, key: &str) -> Option<&'m mut HashMap<Key, Value>> {
    let slot = map
        .entry(Key::from(key))
        .or_insert_with(|| Value::Map(HashMap::<Key, Value>::new().into()));
    match slot {
        Value::Map(m) => Some(Arc::make_mut(&mut m.map)),
        _ => None,
    }
}

fn existing<'m>(
    map: &'m mut HashMap<Key, Value>,
    key: &str,
) -> Option<&'m mut HashMap<Key, Value>> {
    match map.get_mut(&Key::from(key))? {
        Value::Map(m) => Some(Arc::make_mut(&mut m.map)),
        _ => None,
    }
}

fn set_default(map: &mut HashMap<Key, Value>, key: &str, value: Value) {
    let slot = map.entry(Key::from(key)).or_insert(Value::Null);
    if matches!(slot, Value::Null) {
        *slot = value;
    }
}

/// Applies the API server's defaults for `kind` to `object`, and the namespace the request
/// names (`namespace`, none for a cluster-scoped object) when the manifest leaves it to
/// `kubectl apply`.
pub fn apply(kind: &str, namespace: Option<&str>, object: &mut Value) {
    let Value::Map(root) = object else {
        return;
    };
    let root = Arc::make_mut(&mut root.map);
    if let Some(namespace) = namespace
        && let Some(metadata) = child(root, "metadata")
    {
        set_default(metadata, "namespace", text(namespace));
    }
    match kind {
        "Pod" => {
            if let Some(spec) = existing(root, "spec") {
                pod_spec(spec);
                default_tolerations(spec);
            }
        }
        "Deployment"
        | "StatefulSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "DaemonSet"
        | "Job" => {
            let Some(spec) = existing(root, "spec") else {
                return;
            };
            if matches!(
                kind,
                "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController"
            ) {
                set_default(spec, "replicas", Value::Int(1));
            }
            if kind == "Deployment" {
                set_default(spec, "revisionHistoryLimit", Value::Int(10));
                set_default(spec, "progressDeadlineSeconds", Value::Int(600));
            }
            if let Some(template) = existing(spec, "template")
                && let Some(pod) = existing(template, "spec")
            {
                pod_spec(pod);
                if kind == "Job" {
                    // A Job's pods never restart in place unless told to.
                    set_default(pod, "restartPolicy", text("Never"));
                }
            }
        }
        "CronJob" => {
            let Some(spec) = existing(root, "spec") else {
                return;
            };
            set_default(spec, "concurrencyPolicy", text("Allow"));
            set_default(spec, "suspend", Value::Bool(false));
            if let Some(job) = existing(spec, "jobTemplate")
                && let Some(job_spec) = existing(job, "spec")
                && let Some(template) = existing(job_spec, "template")
                && let Some(pod) = existing(template, "spec")
            {
                pod_spec(pod);
            }
        }
        "Service" => {
            let Some(spec) = child(root, "spec") else {
                return;
            };
            if !spec.contains_key(&Key::from("externalName")) {
                set_default(spec, "type", text("ClusterIP"));
            }
            set_default(spec, "sessionAffinity", text("None"));
            if let Some(Value::List(ports)) = spec.get_mut(&Key::from("ports")) {
                for port in Arc::make_mut(ports).iter_mut() {
                    if let Value::Map(p) = port {
                        let p = Arc::make_mut(&mut p.map);
                        set_default(p, "protocol", text("TCP"));
                        if let Some(number) = p.get(&Key::from("port")).cloned() {
                            set_default(p, "targetPort", number);
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

fn pod_spec(spec: &mut HashMap<Key, Value>) {
    set_default(spec, "restartPolicy", text("Always"));
    set_default(spec, "dnsPolicy", text("ClusterFirst"));
    set_default(spec, "schedulerName", text("default-scheduler"));
    set_default(spec, "terminationGracePeriodSeconds", Value::Int(30));
    let _ = child(spec, "securityContext");
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        if let Some(Value::List(containers)) = spec.get_mut(&Key::from(list)) {
            for container in Arc::make_mut(containers).iter_mut() {
                if let Value::Map(c) = container {
                    container_defaults(Arc::make_mut(&mut c.map));
                }
            }
        }
    }
}

/// The DefaultTolerationSeconds admission plugin (on by default) adds, to a pod that does not
/// tolerate them, 300 s tolerations of the `not-ready` and `unreachable` taints — before any
/// validating policy sees the pod.
fn default_tolerations(spec: &mut HashMap<Key, Value>) {
    let slot = spec
        .entry(Key::from("tolerations"))
        .or_insert_with(|| Value::List(Arc::new(Vec::new())));
    let Value::List(tolerations) = slot else {
        return;
    };
    let tolerations = Arc::make_mut(tolerations);
    for taint in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        let tolerated = tolerations.iter().any(|t| match t {
            Value::Map(m) => {
                m.map.get(&Key::from("key")) == Some(&text(taint))
                    || (m.map.get(&Key::from("operator")) == Some(&text("Exists"))
                        && !m.map.contains_key(&Key::from("key")))
            }
            _ => false,
        });
        if !tolerated {
            let toleration: HashMap<Key, Value> = HashMap::from([
                (Key::from("key"), text(taint)),
                (Key::from("operator"), text("Exists")),
                (Key::from("effect"), text("NoExecute")),
                (Key::from("tolerationSeconds"), Value::Int(300)),
            ]);
            tolerations.push(Value::Map(toleration.into()));
        }
    }
}

fn container_defaults(container: &mut HashMap<Key, Value>) {
    let image = match container.get(&Key::from("image")) {
        Some(Value::String(s)) => s.to_string(),
        _ => String::new(),
    };
    // `Always` for `:latest` or no tag (and no digest), else `IfNotPresent`.
    let name = image.rsplit('/').next().unwrap_or_default();
    let latest = !image.contains('@') && name.split_once(':').is_none_or(|(_, t)| t == "latest");
    set_default(
        container,
        "imagePullPolicy",
        text(if latest { "Always" } else { "IfNotPresent" }),
    );
    set_default(
        container,
        "terminationMessagePath",
        text("/dev/termination-log"),
    );
    set_default(container, "terminationMessagePolicy", text("File"));
    if let Some(Value::List(ports)) = container.get_mut(&Key::from("ports")) {
        for port in Arc::make_mut(ports).iter_mut() {
            if let Value::Map(p) = port {
                set_default(Arc::make_mut(&mut p.map), "protocol", text("TCP"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::lines::LineIndex;
    use crate::parse::parse_stream;
    use crate::policy::expr::{Bindings, Expression, value_of};

    fn eval(kind: &str, yaml: &str, source: &str) -> Value {
        let lines = LineIndex::new(yaml);
        let stream = parse_stream(yaml, &lines);
        let mut object = value_of(stream.documents[0].root());
        apply(kind, None, &mut object);
        let mut bindings = Bindings::default();
        bindings.set("object", object);
        Expression::compile(source).unwrap().run(&bindings).unwrap()
    }

    #[test]
    fn a_deployment_is_seen_as_the_api_server_defaults_it() {
        let yaml = "spec:\n  template:\n    spec:\n      containers:\n      - {name: a, image: 'nginx'}\n      - {name: b, image: 'nginx:1.27', ports: [{containerPort: 80}]}\n";
        let source = "object.spec.replicas == 1 && object.spec.template.spec.restartPolicy == 'Always' \
            && object.spec.template.spec.containers[0].imagePullPolicy == 'Always' \
            && object.spec.template.spec.containers[1].imagePullPolicy == 'IfNotPresent' \
            && object.spec.template.spec.containers[1].ports[0].protocol == 'TCP' \
            && has(object.spec.template.spec.securityContext)";
        assert_eq!(eval("Deployment", yaml, source), Value::Bool(true));
    }

    #[test]
    fn what_is_written_wins() {
        let yaml = "spec:\n  replicas: 3\n  template:\n    spec:\n      restartPolicy: OnFailure\n      containers: []\n";
        assert_eq!(
            eval(
                "Deployment",
                yaml,
                "object.spec.replicas == 3 && object.spec.template.spec.restartPolicy == 'OnFailure'"
            ),
            Value::Bool(true)
        );
    }

    #[test]
    fn a_service_port_targets_itself() {
        let yaml = "spec:\n  ports:\n  - port: 80\n";
        assert_eq!(
            eval(
                "Service",
                yaml,
                "object.spec.type == 'ClusterIP' && object.spec.ports[0].targetPort == 80"
            ),
            Value::Bool(true)
        );
    }
}
