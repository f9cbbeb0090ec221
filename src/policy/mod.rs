//! Policies written in CEL: the ValidatingAdmissionPolicies (and their bindings) a repository
//! deploys, evaluated offline against its manifests, and kubelint's own policy files.
//!
//! A policy is a rule that lives beside the manifests: its findings carry its id (`vap/NAME`
//! for an admission policy, the `id` of a policy file), so `--select`, suppressions and
//! baselines treat it as a built-in rule. Policies are found before the file-by-file pass
//! (`discover`), then every object is checked against them while its tree is at hand, so a
//! failed validation points at the node its expression read.

pub mod cel_lib;
mod defaults;
mod discover;
pub mod expr;
mod matching;
pub mod own;
#[cfg(test)]
mod tests;
mod vap;

use std::collections::HashMap;
use std::sync::Arc;

use cel::Value;

use crate::diagnostic::{Diagnostic, Severity};
use crate::index::Labels;
use crate::model::Object;
use crate::parse::tree::Node;
use crate::rules::Finding;

pub use discover::discover;

/// The rules about policies, which the policy stage reports.
pub const RULES: &[&str] = &[
    crate::rules::policies::invalid_policy::InvalidPolicy::ID,
    crate::rules::policies::policy_not_evaluated::PolicyNotEvaluated::ID,
];
use expr::{Bindings, Expression, Root};
pub use matching::Match;

pub use crate::rules::PolicySelection as Selection;

pub use crate::rules::is_policy_id;

/// A validation a policy makes: its expression, and what a failure says.
#[derive(Debug)]
pub struct Validation {
    pub expression: Expression,
    pub message: Option<String>,
    pub message_expression: Option<Expression>,
    pub reason: Option<String>,
}

/// Where a policy's params come from, per binding.
#[derive(Debug, Clone)]
pub struct ParamRef {
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub selector: Option<crate::index::Selector>,
    /// `parameterNotFoundAction: Deny` (the default), else `Allow`.
    pub deny_when_missing: bool,
}

/// How a policy applies: for an admission policy, one of its bindings; for a policy file, the
/// file itself.
#[derive(Debug, Clone)]
pub struct Binding {
    pub name: String,
    /// The binding's own `matchResources`, which narrows the policy's.
    pub resources: Option<Match>,
    pub param_ref: Option<ParamRef>,
    pub severity: Severity,
}

#[derive(Debug)]
pub struct Policy {
    pub id: &'static str,
    pub summary: String,
    pub help: Option<String>,
    /// The file that declares it, as shown.
    pub file: Arc<str>,
    pub matches: Match,
    pub conditions: Vec<(String, Expression)>,
    pub variables: Vec<(String, Expression)>,
    pub validations: Vec<Validation>,
    /// `(group, kind)` of the params, if the policy takes any.
    pub param_kind: Option<(String, String)>,
    /// `failurePolicy: Fail` (the default): an expression that cannot be evaluated is a
    /// finding; `Ignore` drops it.
    pub fail_on_error: bool,
    pub bindings: Vec<Binding>,
    /// The paths of `object` its expressions read (`None` until first asked).
    pub reads: std::sync::OnceLock<Vec<Vec<String>>>,
}

impl Policy {
    /// Every expression of the policy: match conditions, variables, validations and messages.
    fn expressions(&self) -> impl Iterator<Item = &Expression> {
        self.conditions
            .iter()
            .chain(&self.variables)
            .map(|(_, e)| e)
            .chain(
                self.validations
                    .iter()
                    .flat_map(|v| std::iter::once(&v.expression).chain(&v.message_expression)),
            )
    }

    /// Whether any of its expressions names `identifier`.
    pub fn uses(&self, identifier: &str) -> bool {
        self.expressions().any(|e| e.source.contains(identifier))
    }

    /// The field paths of `object` the policy's expressions read, each up to where it stops
    /// being a plain field name (a list item, a computed key): what it sees of an object.
    pub fn reads(&self) -> &[Vec<String>] {
        self.reads.get_or_init(|| {
            let mut reads: Vec<Vec<String>> = Vec::new();
            for e in self.expressions() {
                for (root, steps) in &e.paths {
                    if *root != Root::Object {
                        continue;
                    }
                    let fields: Vec<String> = steps
                        .iter()
                        .map_while(|s| match s {
                            expr::Step::Field(f) => Some(f.clone()),
                            _ => None,
                        })
                        .collect();
                    if !reads.contains(&fields) {
                        reads.push(fields);
                    }
                }
            }
            reads
        })
    }
}

/// A Namespace of the run, as namespaceSelector and `namespaceObject` see it.
#[derive(Debug, Clone)]
pub struct Namespace {
    pub labels: Labels,
    pub value: Value,
}

/// An object a binding's `paramRef` may name.
#[derive(Debug, Clone)]
pub struct Param {
    pub group: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub labels: Labels,
    pub value: Value,
}

/// The policies of a run and what evaluating them needs from other objects.
#[derive(Debug, Default)]
pub struct PolicySet {
    pub policies: Vec<Policy>,
    pub namespaces: HashMap<String, Namespace>,
    /// `(group, kind)` → plural resource, from the run's CRDs.
    pub plurals: HashMap<(String, String), String>,
    pub params: Vec<Param>,
    /// Findings about the policies themselves (`invalid-policy`, `policy-not-evaluated`), for
    /// the files that declare them.
    pub diagnostics: Vec<Diagnostic>,
    /// Errors in policy files that are not inputs of the run: reported as load errors.
    pub errors: Vec<crate::load::LoadError>,
    /// The namespace of objects that name none (`--namespace`, else `default`, where
    /// `kubectl apply` without `-n` puts them).
    pub default_namespace: Option<String>,
}

/// A finding of a policy, with the severity its binding gives it.
pub struct PolicyFinding<'d> {
    pub rule: &'static str,
    pub severity: Severity,
    pub finding: Finding<'d>,
    /// The policy could not be evaluated on the object (missing params, an expression that
    /// failed to run): under `failurePolicy: Fail` that denies too, but no validation said no.
    pub evaluation_error: bool,
}

impl PolicySet {
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// Every policy as a rule description, for reports that list rules.
    pub fn descriptors(&self) -> Vec<crate::run_report::PolicyDescriptor> {
        self.policies
            .iter()
            .map(|p| crate::run_report::PolicyDescriptor {
                id: p.id,
                summary: p.summary.clone(),
                help: p.help.clone(),
                file: p.file.to_string(),
                severity: p
                    .bindings
                    .iter()
                    .map(|b| b.severity)
                    .max()
                    .unwrap_or(Severity::Info),
            })
            .collect()
    }

    /// Every policy and binding that applies to `object`, evaluated.
    pub fn check<'d>(
        &self,
        object: &Object<'d>,
        selection: &Selection,
        out: &mut Vec<PolicyFinding<'d>>,
    ) {
        if is_partial(object) {
            return;
        }
        self.check_whole(object, selection, out);
    }

    /// `check` for an object taken as whole even if it looks like a fragment: the sample
    /// objects of a policy file's tests are as small as the policy allows.
    pub fn check_whole<'d>(
        &self,
        object: &Object<'d>,
        selection: &Selection,
        out: &mut Vec<PolicyFinding<'d>>,
    ) {
        let target = matching::Target::of(object, self);
        let applying: Vec<(&Policy, &Binding)> = self
            .policies
            .iter()
            .filter(|p| selection.selects(p.id) && p.matches.matches(&target, self))
            .flat_map(|p| {
                p.bindings
                    .iter()
                    .filter(|b| {
                        b.resources
                            .as_ref()
                            .is_none_or(|r| r.matches(&target, self))
                    })
                    .map(move |b| (p, b))
            })
            .collect();
        if applying.is_empty() {
            return;
        }
        // Only what the policies read of the object becomes a CEL value: a CRD's schema is
        // megabytes that a policy on its group never looks at.
        let mut reads: Vec<&[String]> = Vec::new();
        for (policy, _) in &applying {
            reads.extend(policy.reads().iter().map(Vec::as_slice));
        }
        let prepared = Prepared::of(object, &target, self, &reads);
        for (policy, binding) in applying {
            self.evaluate(policy, binding, object, &prepared, out);
        }
    }

    fn evaluate<'d>(
        &self,
        policy: &Policy,
        binding: &Binding,
        object: &Object<'d>,
        prepared: &Prepared,
        out: &mut Vec<PolicyFinding<'d>>,
    ) {
        let report = |out: &mut Vec<PolicyFinding<'d>>, finding: Finding<'d>, severity| {
            out.push(PolicyFinding {
                rule: policy.id,
                severity,
                finding,
                evaluation_error: true,
            })
        };
        let params: Vec<Option<&Param>> = match (&policy.param_kind, &binding.param_ref) {
            (Some((group, kind)), Some(param_ref)) => {
                let found = self.params_for(group, kind, param_ref, object.namespace);
                if found.is_empty() {
                    if param_ref.deny_when_missing {
                        let what = param_ref.name.as_deref().map_or_else(
                            || "no params match the binding's selector".to_owned(),
                            |name| format!("its params `{kind}` `{name}` are not in the run"),
                        );
                        report(
                            out,
                            Finding::new(object.anchor_node(), format!(
                                "admission policy `{}` (binding `{}`) denies this object: {what} and the binding's parameterNotFoundAction is Deny",
                                policy_name(policy), binding.name
                            ))
                            .help("add the params object to the run (or to --context), or set `parameterNotFoundAction: Allow`"),
                            binding.severity,
                        );
                    }
                    return;
                }
                found.into_iter().map(Some).collect()
            }
            _ => vec![None],
        };
        for param in params {
            let mut bindings = prepared.bindings.child();
            bindings.set("params", param.map_or(Value::Null, |p| p.value.clone()));
            let fan_out = prepared
                .fan_out
                .max(param.map_or(0, |p| value_fan_out(&p.value)));
            // matchConditions: all must hold for the policy to apply.
            for (name, condition) in &policy.conditions {
                match self.run_within_budget(condition, &bindings, fan_out) {
                    Ok(Value::Bool(true)) => {}
                    Ok(Value::Bool(false)) => return,
                    other => {
                        if policy.fail_on_error {
                            let why = error_text(other);
                            report(
                                out,
                                Finding::new(
                                    object.anchor_node(),
                                    format!(
                                        "admission policy `{}`: match condition `{name}` could not be evaluated ({why}); with failurePolicy Fail the request is denied",
                                        policy_name(policy)
                                    ),
                                ),
                                binding.severity,
                            );
                        }
                        return;
                    }
                }
            }
            let mut variables: HashMap<String, Value> = HashMap::new();
            let mut broken: HashMap<&str, String> = HashMap::new();
            for (name, variable) in &policy.variables {
                bindings.set("variables", Value::Map(variables.clone().into()));
                match self.run_within_budget(variable, &bindings, fan_out) {
                    Ok(value) => {
                        variables.insert(name.clone(), value);
                    }
                    Err(why) => {
                        broken.insert(name, why);
                    }
                }
            }
            bindings.set("variables", Value::Map(variables.into()));
            for validation in &policy.validations {
                let result = self.run_within_budget(&validation.expression, &bindings, fan_out);
                let failed = match result {
                    Ok(Value::Bool(true)) => continue,
                    Ok(Value::Bool(false)) => None,
                    Ok(other) => Some(format!(
                        "the expression gave {} instead of a bool",
                        type_name(&other)
                    )),
                    Err(why) => Some(
                        validation
                            .expression
                            .variables
                            .iter()
                            .find_map(|v| {
                                broken
                                    .get(v.as_str())
                                    .map(|e| format!("variable `{v}`: {e}"))
                            })
                            .unwrap_or(why),
                    ),
                };
                // Tracing re-runs parts of the expression: only one the budget let run.
                let traced = validation.expression.within_budget(fan_out);
                let node = self.place(object, policy, validation, &bindings, traced);
                // A value a template engine fills in later cannot be judged now.
                if node.as_str().is_some_and(crate::model::is_templated) {
                    continue;
                }
                let evaluation_error = failed.is_some();
                let finding = match failed {
                    None => {
                        let message = validation
                            .message_expression
                            .as_ref()
                            .and_then(|m| match self.run_within_budget(m, &bindings, fan_out) {
                                Ok(Value::String(s)) if !s.trim().is_empty() => Some(s.to_string()),
                                _ => None,
                            })
                            .or_else(|| validation.message.clone())
                            .unwrap_or_else(|| {
                                format!("failed expression: {}", validation.expression.short())
                            });
                        let reason = validation
                            .reason
                            .as_deref()
                            .map(|r| format!(" ({r})"))
                            .unwrap_or_default();
                        let mut finding = Finding::new(node, format!("{message}{reason}"));
                        if let Some(help) = &policy.help {
                            finding = finding.help(help.clone());
                        }
                        finding
                    }
                    Some(why) => {
                        if !policy.fail_on_error {
                            continue;
                        }
                        Finding::new(
                            node,
                            format!(
                                "`{}` could not be evaluated: {why}",
                                validation.expression.short()
                            ),
                        )
                        .help("with failurePolicy Fail, an expression that cannot be evaluated denies the request; guard optional fields with has() or `.?field.orValue(…)`")
                    }
                };
                out.push(PolicyFinding {
                    rule: policy.id,
                    severity: binding.severity,
                    finding,
                    evaluation_error,
                });
            }
        }
    }

    fn run_within_budget(
        &self,
        expression: &Expression,
        bindings: &Bindings<'_>,
        fan_out: usize,
    ) -> Result<Value, String> {
        if !expression.within_budget(fan_out) {
            return Err(format!(
                "with lists of up to {fan_out} items, its nested comprehensions could exceed the cost budget of {:e} steps",
                expr::COST_BUDGET
            ));
        }
        expression.run(bindings)
    }

    /// The node a failed validation points at: the last field of `object` its expression (or
    /// a variable it reads) names, or as far along that path as the object goes, else `kind`.
    fn place<'d>(
        &self,
        object: &Object<'d>,
        policy: &Policy,
        validation: &Validation,
        bindings: &Bindings<'_>,
        traced: bool,
    ) -> Node<'d> {
        let variables: Vec<(String, Option<expr::Path>)> = policy
            .variables
            .iter()
            .map(|(name, e)| (name.clone(), e.as_path()))
            .collect();
        if traced
            && let Some((Root::Object, steps)) = validation.expression.blame(bindings, &variables)
            && !steps.is_empty()
        {
            return at_path(object, &steps);
        }
        let mut paths: Vec<&expr::Path> = Vec::new();
        for name in &validation.expression.variables {
            if let Some((_, variable)) = policy.variables.iter().find(|(n, _)| n == name) {
                paths.extend(&variable.paths);
            }
        }
        paths.extend(&validation.expression.paths);
        let Some((_, steps)) = paths
            .iter()
            .rev()
            .find(|(root, steps)| *root == Root::Object && !steps.is_empty())
        else {
            return object.anchor_node();
        };
        at_path(object, steps)
    }

    fn params_for(
        &self,
        group: &str,
        kind: &str,
        param_ref: &ParamRef,
        namespace: Option<&str>,
    ) -> Vec<&Param> {
        let namespace = param_ref.namespace.as_deref().or(namespace);
        self.params
            .iter()
            .filter(|p| p.group == group && p.kind == kind)
            .filter(|p| p.namespace.is_none() || p.namespace.as_deref() == namespace)
            .filter(|p| match (&param_ref.name, &param_ref.selector) {
                (Some(name), _) => &p.name == name,
                (None, Some(selector)) => selector.matches(&p.labels),
                (None, None) => false,
            })
            .collect()
    }
}

/// Whether the object is a piece of one, which the API server never sees alone: a kustomize
/// patch (`$patch: delete`, a workload or pod without its pod spec, a container without an
/// image), or a CRD patch without the group and names every CRD declares. Its base is what
/// admission sees.
fn is_partial(object: &Object<'_>) -> bool {
    if object.root.get("$patch").is_some() {
        return true;
    }
    if let Some(pod) = &object.pod {
        return pod.is_fragment(object.root);
    }
    let pod_bearing = matches!(
        (crate::k8s::group_of(object.api_version), object.kind),
        (
            "apps",
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
        ) | ("batch", "Job" | "CronJob")
            | ("", "Pod" | "ReplicationController" | "PodTemplate")
    );
    pod_bearing
        || (object.kind == "CustomResourceDefinition"
            && object.root.get_some("spec").is_none_or(|spec| {
                spec.get_some("group").is_none() || spec.get_some("names").is_none()
            }))
}

/// The node at `steps` in the object, or, when the path goes further than the object, the key
/// of the deepest map it reaches (a missing field is reported where it would be written).
fn at_path<'d>(object: &Object<'d>, steps: &[expr::Step]) -> Node<'d> {
    let found = expr::locate(object.root, steps);
    let node = found.node;
    if node.id() == object.root.id() {
        return object.anchor_node();
    }
    if found.whole && node.is_scalar() {
        return node;
    }
    // A map or list is shown by its key: one line, where the fix goes; a list item by its
    // `name` (a container), else its first key.
    found
        .key
        .or_else(|| {
            node.entry("name")
                .map(|(k, _)| k)
                .or_else(|| node.entries().next().map(|(k, _)| k))
        })
        .unwrap_or(node)
}

fn policy_name(policy: &Policy) -> &str {
    policy.id.strip_prefix("vap/").unwrap_or(policy.id)
}

fn error_text(result: Result<Value, String>) -> String {
    match result {
        Ok(value) => format!("it gave {} instead of a bool", type_name(&value)),
        Err(e) => e,
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::List(_) => "a list",
        Value::Map(_) => "a map",
        Value::Int(_) | Value::UInt(_) => "an int",
        Value::Float(_) => "a double",
        Value::String(_) => "a string",
        Value::Bytes(_) => "bytes",
        Value::Bool(_) => "a bool",
        Value::Null => "null",
        _ => "a value",
    }
}

fn value_fan_out(value: &Value) -> usize {
    match value {
        Value::List(items) => items
            .len()
            .max(items.iter().map(value_fan_out).max().unwrap_or(0)),
        Value::Map(map) => map
            .map
            .len()
            .max(map.map.values().map(value_fan_out).max().unwrap_or(0)),
        _ => 0,
    }
}

/// The object as a CEL value with only the parts `reads` name (each path whole, from where
/// it ends); an empty path is the whole object.
fn pruned_value(node: Node<'_>, reads: &[&[String]]) -> Value {
    if reads.iter().any(|r| r.is_empty()) || !node.is_map() {
        return expr::value_of(node);
    }
    let mut map: HashMap<String, Value> = HashMap::new();
    for (key, child) in node.entries() {
        let Some(key) = key.key_text() else {
            continue;
        };
        let below: Vec<&[String]> = reads
            .iter()
            .filter(|r| r[0] == key)
            .map(|r| &r[1..])
            .collect();
        if !below.is_empty() {
            map.insert(key.to_owned(), pruned_value(child, &below));
        }
    }
    Value::Map(map.into())
}

/// What every policy evaluated on one object shares: its CEL value and the request.
struct Prepared {
    bindings: Bindings<'static>,
    fan_out: usize,
}

impl Prepared {
    fn of(
        object: &Object<'_>,
        target: &matching::Target<'_>,
        set: &PolicySet,
        reads: &[&[String]],
    ) -> Prepared {
        let mut bindings = Bindings::default();
        let namespace = target.namespace.as_deref();
        let mut value = pruned_value(object.root, reads);
        let fan_out = value_fan_out(&value);
        defaults::apply(object.kind, namespace, &mut value);
        bindings.set("object", value);
        bindings.set("oldObject", Value::Null);
        let (group, version, resource) = (target.group, target.version, &target.resource);
        let map = |pairs: Vec<(&str, Value)>| {
            let map: HashMap<String, Value> =
                pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            Value::Map(map.into())
        };
        let text = |s: &str| Value::String(Arc::new(s.to_owned()));
        let request = map(vec![
            (
                "kind",
                map(vec![
                    ("group", text(group)),
                    ("version", text(version)),
                    ("kind", text(object.kind)),
                ]),
            ),
            (
                "resource",
                map(vec![
                    ("group", text(group)),
                    ("version", text(version)),
                    ("resource", text(resource)),
                ]),
            ),
            ("name", text(object.name.unwrap_or_default())),
            ("namespace", text(namespace.unwrap_or_default())),
            ("operation", text("CREATE")),
            ("dryRun", Value::Bool(false)),
            (
                "userInfo",
                map(vec![
                    ("username", text("")),
                    ("groups", Value::List(Arc::new(Vec::new()))),
                ]),
            ),
        ]);
        bindings.set("request", request);
        let namespace_object = namespace.map_or(Value::Null, |ns| {
            set.namespaces.get(ns).map_or_else(
                || {
                    map(vec![(
                        "metadata",
                        map(vec![
                            ("name", text(ns)),
                            (
                                "labels",
                                map(vec![("kubernetes.io/metadata.name", text(ns))]),
                            ),
                        ]),
                    )])
                },
                |n| n.value.clone(),
            )
        });
        bindings.set("namespaceObject", namespace_object);
        bindings.set(
            "variables",
            Value::Map(HashMap::<String, Value>::new().into()),
        );
        Prepared { bindings, fan_out }
    }
}
