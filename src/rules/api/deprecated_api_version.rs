use super::super::{Finding, Options, Rule, declare_rule};
use crate::k8s::api_versions::{self, Status};
use crate::k8s::{KubeVersion, group_of, is_builtin_group};
use crate::model::Object;
use crate::schema;

declare_rule! {
    /// ## What it does
    /// Reports an object whose `apiVersion` the target Kubernetes version still serves for its
    /// kind, but which is on its way out, and names what to use instead:
    /// - a later release removes it (from the removal table in `rules/api-versions.yaml`, or
    ///   because the API of a later release kubelint knows, up to 1.37, no longer has it), such as
    ///   `networking.k8s.io/v1beta1` ServiceCIDR when targeting 1.36 (removed in 1.37);
    /// - or it is an alpha or beta version of a kind that the target also serves as a stable
    ///   version, such as `resource.k8s.io/v1beta2` ResourceClaim next to `resource.k8s.io/v1`.
    ///
    /// The target is `--kubernetes-version` (default: the newest version kubelint knows).
    /// Once the target no longer serves the version, `removed-api-version` reports it instead.
    ///
    /// ## Why is this bad
    /// Pre-release API versions are deprecated once a stable one exists and are removed a few
    /// releases later; the upgrade that removes them turns every apply of the manifest into
    /// an error. Moving while both are served costs nothing.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: resource.k8s.io/v1beta2
    /// kind: ResourceClaim
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: resource.k8s.io/v1
    /// kind: ResourceClaim
    /// ```
    ///
    /// ## Fix
    /// `--fix` changes `apiVersion` to the stable version when the object as written is valid as it
    /// in the target's schemas, so the move is only a rename.
    pub struct DeprecatedApiVersion => "deprecated-api-version";
}

/// How stable an API version is: GA above beta above alpha, then by number.
fn stability(api_version: &str) -> (u8, u32, u32) {
    let version = api_version.rsplit('/').next().unwrap_or(api_version);
    let Some(rest) = version.strip_prefix('v') else {
        return (0, 0, 0);
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let major = digits.parse().unwrap_or(0);
    let tail = &rest[digits.len()..];
    let (level, tail) = if tail.is_empty() {
        (3, "")
    } else if let Some(t) = tail.strip_prefix("beta") {
        (2, t)
    } else if let Some(t) = tail.strip_prefix("alpha") {
        (1, t)
    } else {
        (0, tail)
    };
    (level, major, tail.parse().unwrap_or(0))
}

/// The most stable apiVersion of `kind` in `group` that `version` serves.
fn most_stable(group: &str, kind: &str, version: KubeVersion) -> Option<String> {
    let prefix = if group.is_empty() {
        String::new()
    } else {
        format!("{group}/")
    };
    schema::api_versions_of(kind)
        .into_iter()
        .filter(|av| group_of(av) == group && av.starts_with(&prefix))
        .filter(|av| schema::versions_serving(av, kind).contains(&version))
        .max_by_key(|av| stability(av))
        .map(str::to_owned)
}

impl Rule for DeprecatedApiVersion {
    fn check_object<'d>(&self, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
        let group = group_of(object.api_version);
        if !is_builtin_group(group) {
            return;
        }
        let effective = schema::effective_version(options.target);
        let node = object.root.get("apiVersion").unwrap_or(object.root);
        if options.target < effective {
            // Older than every embedded schema: the removal table is what is known, and a
            // version it removes after the target is still served by the target.
            deprecated_by_table(object, options.target, node, out);
            return;
        }
        let serving = schema::versions_serving(object.api_version, object.kind);
        if !serving.contains(&effective) || options.target < effective {
            return;
        }
        let removal = match api_versions::status(object.api_version, object.kind, options.target) {
            Some(Status::Deprecated(row)) => Some(row.removed),
            _ => None,
        }
        .or_else(|| {
            schema::supported_versions()
                .into_iter()
                .find(|v| *v > options.target && !serving.contains(v))
        });
        let mine = stability(object.api_version);
        if let Some(removed) = removal {
            let replacement =
                most_stable(group, object.kind, effective).filter(|r| stability(r) > mine);
            let help = match &replacement {
                Some(r) => format!(
                    "use `apiVersion: {r}`, which {} already serves",
                    options.target
                ),
                None => format!("plan the move before upgrading to {removed}"),
            };
            out.push(
                Finding::new(
                    node,
                    format!(
                        "`{}` {} is deprecated: Kubernetes {removed} no longer serves it (target: {})",
                        object.api_version, object.kind, options.target
                    ),
                )
                .help(help)
                .fix_some(replacement.as_deref().and_then(|r| super::super::api_version_fix(object, r, options))),
            );
            return;
        }
        if mine.0 < 3
            && let Some(stable) =
                most_stable(group, object.kind, effective).filter(|r| stability(r).0 == 3)
        {
            out.push(
                Finding::new(
                    node,
                    format!(
                        "`{}` {} is a pre-release version that `{stable}` supersedes",
                        object.api_version, object.kind
                    ),
                )
                .help(format!(
                    "use `apiVersion: {stable}`: Kubernetes deprecates alpha and beta versions once a stable one is served, and removes them a few releases later"
                )),
            );
        }
    }
}

/// A version the removal table removes in a release after `target`.
fn deprecated_by_table<'d>(
    object: &Object<'d>,
    target: KubeVersion,
    node: crate::parse::tree::Node<'d>,
    out: &mut Vec<Finding<'d>>,
) {
    let Some(Status::Deprecated(row)) =
        api_versions::status(object.api_version, object.kind, target)
    else {
        return;
    };
    let removed = row.removed;
    let help = match &row.replacement {
        Some(r) => format!("move to `apiVersion: {r}` before upgrading to {removed}"),
        None => format!("plan the move before upgrading to {removed}"),
    };
    out.push(
        Finding::new(
            node,
            format!(
                "`{}` {} is deprecated: Kubernetes {removed} no longer serves it (target: {target})",
                object.api_version, object.kind
            ),
        )
        .help(help),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stability_orders_versions() {
        assert!(stability("apps/v1") > stability("apps/v1beta2"));
        assert!(stability("x/v1beta2") > stability("x/v1beta1"));
        assert!(stability("x/v1beta1") > stability("x/v1alpha3"));
        assert!(stability("x/v2") > stability("x/v1"));
    }
}
