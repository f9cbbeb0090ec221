use super::super::{Finding, Options, Rule, declare_rule};
use crate::model::{ImageRef, Object, is_templated};

declare_rule! {
    /// ## What it does
    /// Reports a container (init containers and native sidecars included) whose effective
    /// `imagePullPolicy` is not `Always`. Off by default: it enforces a policy, not a bug.
    ///
    /// The effective policy is the API server's default when the field is unset: `Always`
    /// for an image without a tag or digest, or tagged `:latest`; `IfNotPresent` otherwise,
    /// a digest (`image@sha256:…`) included. An explicit `IfNotPresent` or `Never` is reported
    /// at its value; an unset policy that defaults to `IfNotPresent` at the container's
    /// `name`. Images and policies kubelint cannot read (template placeholders) and
    /// containers without an image (kustomize fragments) are skipped, and so are ephemeral
    /// containers, which no manifest can create.
    ///
    /// ## Why is this bad
    /// With `IfNotPresent` a node runs whatever it once pulled under the reference: a tag
    /// pushed again (`:1.4`, `:stable`) leaves old and new nodes running different code, and
    /// a rollback or a restart does not bring the current image back. And a private image in
    /// a node's cache can be started by any pod scheduled there, without the
    /// `imagePullSecrets` that would have been needed to pull it (unless the kubelet runs
    /// with the `KubeletEnsureSecretPulledImages` feature, alpha since 1.33). `Always` makes
    /// the kubelet resolve the reference at the registry on every container start, with the
    /// pod's credentials; layers it already has are not downloaded again.
    ///
    /// The trade-off, and why the rule is off by default: with `Always` every container
    /// start needs the registry. A registry outage or a rate limit (Docker Hub's anonymous
    /// pulls) turns restarts and reschedules into `ImagePullBackOff` even on nodes that hold
    /// the image, and each start waits for a round trip. Many teams prefer immutable tags or
    /// digests with `IfNotPresent` (which fixes the first problem, not the second); others
    /// enforce `Always` — kube-score's default — or an admission controller
    /// (`AlwaysPullImages`) that does it for every pod. Turn the rule on when yours is the
    /// second kind: `--enable image-pull-policy`.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     image: registry.example.com/shop/api:1.4
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     image: registry.example.com/shop/api:1.4
    ///     imagePullPolicy: Always
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real` (4,635 files, with the rule enabled): 858 findings in 647
    /// files — 540 unset policies defaulting to `IfNotPresent`, 318 explicit `IfNotPresent` or
    /// `Never`. A read of 20 spread across the repositories found each one a container whose
    /// effective policy is indeed not `Always` (right by the policy; whether it is worth
    /// changing is the team's choice, hence off by default). kube-score's "Container Image
    /// Pull Policy" fixtures: all 5 agree (`Never` and an unset policy with tag `123` fire;
    /// `Always`, an unset policy with `:latest` and with no tag pass). kube-linter has no
    /// such check. kube-score reads a digest (`image@sha256:…`) or a registry port as a tag;
    /// kubelint parses the reference as the API server does.
    pub struct ImagePullPolicy => "image-pull-policy";
}

impl Rule for ImagePullPolicy {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        for container in &pod.containers {
            let Some(image) = container.get("image").and_then(|i| i.as_str()) else {
                continue;
            };
            let name = container.display_name();
            let help = |verb: &str| {
                format!(
                    "{verb} `imagePullPolicy: Always` (or, if your team pins images by immutable \
                     tag or digest instead, leave this rule off)"
                )
            };
            match container.get("imagePullPolicy") {
                Some(policy) if !policy.is_null() => {
                    let Some(value) = policy.as_str() else {
                        continue;
                    };
                    if value == "Always" || is_templated(value) {
                        continue;
                    }
                    let why = match value {
                        "Never" => format!(
                            "the kubelet never pulls `{image}`: a node that lacks it cannot \
                             start the container, and one that has it runs whatever it holds"
                        ),
                        _ => format!(
                            "a node that already has `{image}` runs its cached copy: an \
                             image pushed again under that reference is not picked up, and \
                             the pull credentials are never checked"
                        ),
                    };
                    out.push(
                        Finding::new(
                            policy,
                            format!("`imagePullPolicy: {value}` on `{name}`: {why}"),
                        )
                        .help(help("make it")),
                    );
                }
                _ => {
                    if is_templated(image) || ImageRef::parse(image).defaults_to_always() {
                        continue;
                    }
                    let why = if image.contains('@') {
                        "the digest fixes the image, but a node that has cached it starts it \
                         without checking the pod's pull credentials"
                    } else {
                        "a node that already has the tag runs its cached copy, so an image \
                         pushed again under it is not picked up and the pull credentials are \
                         never checked"
                    };
                    out.push(
                        Finding::new(
                            container.anchor_node(),
                            format!(
                                "{} `{name}` pulls `{image}` only when the node lacks it \
                                 (`imagePullPolicy` unset defaults to IfNotPresent unless the \
                                 image is untagged or `:latest`): {why}",
                                container.kind.describe()
                            ),
                        )
                        .help(help("add")),
                    );
                }
            }
        }
    }
}
