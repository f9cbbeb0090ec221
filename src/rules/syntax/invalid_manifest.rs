use super::super::{Rule, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a document, in a file of Kubernetes manifests (or a file named on the command
    /// line), that is not a Kubernetes object: not a mapping, no `kind`, or a `kind` without
    /// an `apiVersion`.
    ///
    /// ## Why is this bad
    /// `kubectl apply` fails on it ("Object 'Kind' is missing"), often after having applied
    /// the documents before it, leaving a half-applied change.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ConfigMap
    /// metadata:
    ///   name: settings
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: settings
    /// ```
    pub struct InvalidManifest => "invalid-manifest";
}

/// Emitted by the engine while modelling documents, which is where the shape is known.
impl Rule for InvalidManifest {}
