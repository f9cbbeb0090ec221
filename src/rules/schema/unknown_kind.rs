use super::super::{Finding, Options, Rule, declare_rule};
use crate::model::Object;
use crate::schema::Check;

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
        super::report(Check::UnknownKind, object, options, out);
    }
}
