use super::super::pod_security::all_containers;
use super::super::{Finding, Options, Rule, declare_rule};
use crate::model::{ImageRef, Object, is_templated};

declare_rule! {
    /// ## What it does
    /// Reports a container (init, sidecar, regular or ephemeral) whose image has no tag and
    /// no digest (`nginx`, `registry.example.com:5000/shop/api`), or the tag `latest`
    /// without a digest, at the `image` value. A digest (`image@sha256:…`) pins the image
    /// whatever the tag says, and a `:` before the last `/` is a registry port, not a tag.
    /// Images kubelint cannot read are skipped: template placeholders, an empty value,
    /// environment variables (`$PROJECT_ID`), an upper-case repository path (invalid in a
    /// reference, so a stand-in: `gcr.io/PROJECT_ID/app`), and Istio's `image: auto`,
    /// which its injector replaces.
    ///
    /// ## Why is this bad
    /// `latest` is whatever was pushed last: two nodes that pulled at different times run
    /// different code under one pod template, a restart can bring in an untested build, and
    /// rolling back the Deployment brings back the same reference, not the previous image.
    /// Nothing in the manifest says which version runs, so neither a review nor an incident
    /// can tell.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     image: registry.example.com/shop/api:latest
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     image: registry.example.com/shop/api:1.4.2
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real`: 383 findings in 302 files (after skipping `$VAR`,
    /// upper-case placeholder paths and Istio's `auto`: 27 findings fewer); a read of 30
    /// spread over the repositories found 26 images that run as written, untagged or
    /// `:latest` (Argo CD's development manifests, examples' `nginx`, `redis`, test data),
    /// and 4 that a build tool replaces before deploying (Skaffold's `emailservice`, and
    /// kustomize `images:` overrides in overlays that are not ancestors of the file). On by
    /// default: a floating image in a deployed manifest is worth pinning; repositories whose
    /// build tool sets the tags can suppress the rule for those files. kube-linter's
    /// `latest-tag` and kube-score's "Container Image Tag" are mapped.
    pub struct ImageTagLatest => "image-tag-latest";
}

/// A reference someone fills in before deploying: an environment variable (`$PROJECT_ID`),
/// an upper-case repository path (no valid reference has one: `gcr.io/PROJECT_ID/app`), or
/// Istio's `auto`, which its injector replaces with the proxy image.
fn is_placeholder(image: &str) -> bool {
    let name = image.split('@').next().unwrap_or(image);
    let last = name.rsplit('/').next().unwrap_or(name);
    let repository = match last.split_once(':') {
        Some((repo, _)) => &name[..name.len() - last.len() + repo.len()],
        None => name,
    };
    // The registry host may have upper case; the path may not.
    let path = repository.split_once('/').map_or(repository, |(_, p)| p);
    image.contains('$') || image == "auto" || path.chars().any(|c| c.is_ascii_uppercase())
}

impl Rule for ImageTagLatest {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        for container in all_containers(pod) {
            let Some(node) = container.get("image") else {
                continue;
            };
            let Some(image) = node.as_str().map(str::trim) else {
                continue;
            };
            if image.is_empty() || is_templated(image) || is_placeholder(image) {
                continue;
            }
            let reference = ImageRef::parse(image);
            if !reference.is_floating() {
                continue;
            }
            let what = if reference.tag.is_some() {
                "is tagged `latest`"
            } else {
                "has no tag (the runtime pulls `latest`)"
            };
            out.push(
                Finding::new(
                    node,
                    format!(
                        "the image `{image}` of {} {what}: which build runs depends on when \
                         each node pulled it, and a rollback brings back the same moving \
                         reference",
                        super::super::pod_security::describe(&container)
                    ),
                )
                .help(
                    "pin the image to a version tag (`:1.4.2`) or a digest (`@sha256:…`) and \
                     change it in the manifest to upgrade",
                ),
            );
        }
    }
}
