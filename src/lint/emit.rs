//! Findings to diagnostics: the one place rule output gets positions, JSON pointers,
//! excerpts, severities and the object and container it is about.

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Label, Location};
use crate::model::{self, ObjectId};
use crate::parse::lines::LineIndex;
use crate::parse::tree::{Document, Node};
use crate::policy::{PolicyFinding, PolicySet};
use crate::rules::{Finding, RuleEntry, RuleSet};

/// What turns one file's findings into diagnostics.
pub(super) struct Emitter<'t> {
    pub text: &'t str,
    pub lines: &'t LineIndex,
    pub file: Arc<str>,
    pub rules: &'t RuleSet,
    /// The policies of the run, if it has any.
    pub policies: Option<&'t PolicySet>,
}

impl Emitter<'_> {
    /// Runs `entries` on one object, each with its own options, and emits their findings.
    pub(super) fn check_object<'d>(
        &self,
        entries: impl Iterator<Item = &'static RuleEntry>,
        document: &'d Document<'d>,
        object: &model::Object<'d>,
        findings: &mut Vec<Finding<'d>>,
        out: &mut Vec<Diagnostic>,
    ) {
        let id = object.id();
        for entry in entries {
            entry
                .rule
                .check_object(object, self.rules.options_of(entry.id()), findings);
            self.emit(entry.id(), document, findings, Some(&id), out);
        }
    }

    /// Evaluates the run's policies on one object and emits their findings, each at the
    /// severity its binding gives it.
    pub(super) fn check_policies<'d>(
        &self,
        document: &'d Document<'d>,
        object: &model::Object<'d>,
        out: &mut Vec<Diagnostic>,
    ) {
        let Some(policies) = self.policies else {
            return;
        };
        let mut found = Vec::new();
        policies.check(object, &self.rules.policy_selection, &mut found);
        if found.is_empty() {
            return;
        }
        let id = object.id();
        let mut seen = std::collections::HashSet::new();
        for PolicyFinding {
            rule,
            severity,
            finding,
            ..
        } in found
        {
            // Two declarations of one policy (channels, overlays) that say the same thing at
            // the same node say it once.
            if seen.insert((rule, finding.node.id(), finding.message.clone())) {
                self.emit_at(rule, severity, document, finding, Some(&id), out);
            }
        }
    }

    /// Turns the findings a document rule just made into diagnostics, each attributed to the
    /// object it lies in (an item of a `kind: List` is an object of its own), if any.
    pub(super) fn emit_in_document<'d>(
        &self,
        rule: &'static str,
        document: &'d Document<'d>,
        findings: &mut Vec<Finding<'d>>,
        objects: &[model::Object<'d>],
        out: &mut Vec<Diagnostic>,
    ) {
        let mut one = Vec::with_capacity(1);
        for finding in findings.drain(..) {
            let at = finding.node.span();
            let object = objects
                .iter()
                .find(|o| {
                    let root = o.root.span();
                    root.start <= at.start && at.end <= root.end
                })
                .map(model::Object::id);
            one.push(finding);
            self.emit(rule, document, &mut one, object.as_ref(), out);
        }
    }

    /// Turns the findings `rule` just made into diagnostics.
    pub(super) fn emit<'d>(
        &self,
        rule: &'static str,
        document: &'d Document<'d>,
        findings: &mut Vec<Finding<'d>>,
        object: Option<&ObjectId>,
        out: &mut Vec<Diagnostic>,
    ) {
        if findings.is_empty() {
            return;
        }
        let Some(severity) = self.rules.severity(rule) else {
            findings.clear();
            return;
        };
        for finding in findings.drain(..) {
            self.emit_at(rule, severity, document, finding, object, out);
        }
    }

    fn emit_at<'d>(
        &self,
        rule: &'static str,
        severity: crate::diagnostic::Severity,
        document: &'d Document<'d>,
        finding: Finding<'d>,
        object: Option<&ObjectId>,
        out: &mut Vec<Diagnostic>,
    ) {
        let mut location = self.node_location(document, finding.node);
        if let Some(subject) = finding.subject {
            location.path = document.pointer(subject.id());
        }
        let container = container_of(document, &location.path);
        let labels = finding
            .labels
            .into_iter()
            .map(|(node, message)| Label {
                location: self.node_location(document, node),
                message,
            })
            .collect();
        let fix = finding
            .fix
            .map(|spec| super::fixes::resolve(self.text, self.lines, document, spec));
        out.push(
            Diagnostic::new(rule, severity, self.file.clone(), location, finding.message)
                .with_fix(fix)
                .with_help(finding.help)
                .with_labels(labels)
                .in_object(object.cloned())
                .in_container(container)
                .with_policy(finding.policy),
        );
    }

    pub(super) fn node_location(&self, document: &Document<'_>, node: Node<'_>) -> Location {
        Location::of_span(
            self.text,
            self.lines,
            node.span(),
            document.pointer(node.id()),
        )
    }
}

/// The name of the container a JSON pointer leads into (`…/containers/2/…`), if any.
fn container_of(document: &Document<'_>, pointer: &str) -> Option<String> {
    let segments: Vec<&str> = pointer.split('/').collect();
    let at = segments.windows(2).position(|w| {
        matches!(
            w[0],
            "containers" | "initContainers" | "ephemeralContainers"
        ) && w[1].parse::<usize>().is_ok()
    })?;
    let prefix = segments[..at + 2].join("/");
    document
        .resolve(&prefix)?
        .get_str("name")
        .map(str::to_owned)
}
