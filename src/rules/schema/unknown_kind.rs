use super::super::{Finding, Options, Rule, declare_rule};
use crate::model::Object;
use crate::model::violation::{UnknownKind as Why, ViolationKind};
use crate::text::edit_distance;

declare_rule! {
    /// ## What it does
    /// Reports an object whose kind nothing serves: a kind that no built-in API group has
    /// (`kind: Deploymnet` in `apps/v1`, with the closest kind), a built-in kind under a
    /// version that does not serve it (`apps/v1beta3`), or not yet in the target Kubernetes
    /// version, and a custom resource whose CRD, present in the run, does not serve its
    /// version. With `--strict-kinds` (or `strict-kinds: true`), also a custom resource whose
    /// CRD the run does not have: without it, such resources are skipped, as kubeconform's
    /// `-ignore-missing-schemas` does. API versions the deprecation guide lists as removed are
    /// `removed-api-version`'s.
    ///
    /// ## Why is this bad
    /// The API server answers `no matches for kind "Deploymnet" in version "apps/v1"`, and
    /// nothing of the object is applied. Without a schema, no other check can tell whether
    /// the object is well-formed.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deploymnet
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// ```
    pub struct UnknownKind => "unknown-kind";
}

impl Rule for UnknownKind {
    fn check_object<'d>(&self, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
        for v in super::violations(object, options) {
            if let ViolationKind::UnknownKind(why) = &v.kind {
                let (message, help) = describe(object, why);
                out.push(super::finding(v, message).help(help));
            }
        }
    }
}

/// The message and the help.
fn describe(object: &Object<'_>, why: &Why) -> (String, String) {
    let (api_version, kind) = (object.api_version, object.kind);
    let not_served =
        |target| format!("`{api_version}` {kind} is not served by Kubernetes {target}");
    match why {
        Why::NoCrd => (
            format!("no schema for `{api_version}` {kind}: no CustomResourceDefinition in the inputs, --context or --crds defines it"),
            "pass the CRD with --crds PATH, or drop --strict-kinds to skip custom resources without one".to_owned(),
        ),
        Why::VersionNotServedByCrd { served } => (
            format!("the CustomResourceDefinition of {kind} does not serve `{api_version}`"),
            format!("it serves {}", super::quote_list(served)),
        ),
        Why::NotServedYet { target, first } => (
            not_served(target),
            format!("it is first served in {first}: raise --kubernetes-version, or use a version the target serves"),
        ),
        Why::NotServed { target, newest } => (
            not_served(target),
            format!("the newest version kubelint knows to serve it is {newest}"),
        ),
        Why::OtherApiVersions { served_as } => (
            format!("Kubernetes serves no {kind} in `{api_version}`"),
            format!("{kind} is served as {}", super::quote_list(served_as)),
        ),
        Why::NoSuchKind { group, kinds } => {
            let closest = kinds
                .iter()
                .map(|k| (edit_distance(&k.to_lowercase(), &kind.to_lowercase()), *k))
                .filter(|(d, _)| *d <= 2)
                .min();
            let help = match closest {
                Some((_, k)) => format!("did you mean `{k}`?"),
                None => format!("`{group}` is a built-in API group; check the kind's spelling"),
            };
            (format!("Kubernetes has no kind {kind} in `{api_version}`"), help)
        }
    }
}
