use super::super::pod_security::{
    all_containers, container_setting, describe, is_windows, set_container_setting,
};
use super::super::{Finding, FixSpec, Options, Rule, declare_rule};
use crate::model::Object;

declare_rule! {
    /// ## What it does
    /// Reports a container (init, sidecar, regular or ephemeral) whose root filesystem is
    /// writable: an explicit `securityContext.readOnlyRootFilesystem: false` at that value,
    /// an unset one at the container's `name`. The setting exists only on containers (a
    /// pod's `securityContext` has no such field). Windows pods (`spec.os.name: windows`) are
    /// skipped, as Windows containers do not support it, and so are values kubelint cannot
    /// read (template placeholders) and containers without an image that leave the setting
    /// unset (kustomize patches, whose base says the rest).
    ///
    /// ## Why is this bad
    /// A process that takes over a container with a writable root filesystem can install
    /// tools, replace the application's binaries or configuration and persist there until
    /// the container is replaced. A read-only root also makes every place the application
    /// writes explicit (an `emptyDir` or a volume), so nothing grows unseen in the container
    /// layer and fills the node's disk.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     image: example/api:1.4
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     image: example/api:1.4
    ///     securityContext:
    ///       readOnlyRootFilesystem: true
    ///     volumeMounts:
    ///       - name: tmp
    ///         mountPath: /tmp   # where the application writes
    /// volumes:
    ///   - name: tmp
    ///     emptyDir: {}
    /// ```
    ///
    /// ## Measured
    /// Off by default: most images write somewhere in their filesystem (caches, `/tmp`, pid
    /// files), so turning the setting on is a change to test per workload, a hardening
    /// policy rather than a bug.
    ///
    /// On `../shared/corpus/real` (with the rule enabled): 1,044 findings in 894 files. A
    /// read of 30 spread over the repositories found each a container without
    /// `readOnlyRootFilesystem: true`, as reported; 2 more of the first read were kustomize
    /// patches, which led to skipping containers without an image that leave the setting
    /// unset (91 findings fewer). Peers: kube-linter's
    /// `no-read-only-root-fs` and kube-score's "Container Security Context
    /// ReadOnlyRootFilesystem" judge the same setting (agreement in `tests/peer_checks.rs`).
    ///
    /// ## Fix
    /// `--fix --unsafe-fixes` sets `readOnlyRootFilesystem: true`, adding it where missing: unsafe,
    /// since the container may write to its filesystem and need `emptyDir` volumes first.
    pub struct WritableRootFilesystem => "writable-root-filesystem";
}

impl Rule for WritableRootFilesystem {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        if is_windows(pod) {
            return;
        }
        for container in all_containers(pod) {
            let setting = container_setting(&container, &["readOnlyRootFilesystem"]);
            // A container without an image that leaves the setting unset is a fragment (a
            // kustomize patch): its base says the rest.
            if setting.is_none() && container.get("image").is_none() {
                continue;
            }
            let node = match setting {
                Some(value) => match value.as_bool() {
                    Some(true) => continue,
                    Some(false) => value,
                    // A placeholder, or a value the schema rules report.
                    None => continue,
                },
                None => container.anchor_node(),
            };
            out.push(
                Finding::new(
                    node,
                    format!(
                        "{} has a writable root filesystem: a compromised process can change \
                         its binaries and configuration and leave tools behind",
                        describe(&container)
                    ),
                )
                .help(
                    "set `securityContext.readOnlyRootFilesystem: true` on the container and \
                     mount an `emptyDir` where it must write (`/tmp`, caches)",
                )
                // The container may write to its filesystem: a human adds the `emptyDir`s.
                .fix(FixSpec::unsafe_(
                    "set `securityContext.readOnlyRootFilesystem: true`",
                    vec![set_container_setting(
                        &container,
                        "readOnlyRootFilesystem",
                        "true",
                    )],
                )),
            );
        }
    }
}
