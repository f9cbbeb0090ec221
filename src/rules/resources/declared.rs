//! What a container (or the pod-level `resources`) declares for one resource, read as the API
//! server's defaulting leaves it, for the rules that ask "is it set?".

use crate::model::quantity::Quantity;
use crate::parse::tree::Node;

/// One request or limit of one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    /// A value the cluster will use: a positive quantity, or one kubelint cannot read (a
    /// template placeholder, a typo the schema rules report), which is given the benefit of the
    /// doubt.
    Set,
    /// Written as zero: the scheduler and the kubelet treat it as nothing.
    Zero,
    Unset,
}

impl Amount {
    pub fn is_set(self) -> bool {
        self == Amount::Set
    }
}

/// A container's `resources`, or the pod's, when kubelint can read them: `None` for a
/// `resources` (or its `requests`/`limits`) that is neither a mapping nor null, such as a
/// template placeholder that renders the whole block.
#[derive(Debug, Clone, Copy)]
pub struct Declared<'d> {
    /// The `resources` mapping, if the container has one.
    pub resources: Option<Node<'d>>,
    requests: Option<Node<'d>>,
    limits: Option<Node<'d>>,
}

impl<'d> Declared<'d> {
    pub fn of(resources: Option<Node<'d>>) -> Option<Declared<'d>> {
        let resources = resources.filter(|r| !r.is_null());
        if resources.is_some_and(|r| !r.is_map()) {
            return None;
        }
        let section = |key: &str| -> Result<Option<Node<'d>>, ()> {
            match resources.and_then(|r| r.get_some(key)) {
                None => Ok(None),
                Some(s) if s.is_map() => Ok(Some(s)),
                Some(_) => Err(()),
            }
        };
        Some(Declared {
            resources,
            requests: section("requests").ok()?,
            limits: section("limits").ok()?,
        })
    }

    /// The value node of `section.name`, when written and not null.
    pub fn value(&self, section: Section, name: &str) -> Option<Node<'d>> {
        match section {
            Section::Requests => self.requests,
            Section::Limits => self.limits,
        }?
        .get_some(name)
    }

    pub fn limit(&self, name: &str) -> Amount {
        amount(self.value(Section::Limits, name))
    }

    /// The request after defaulting: a resource with a limit and no request gets the limit as
    /// its request (an explicit request, even zero, stays).
    pub fn request(&self, name: &str) -> Amount {
        match self.value(Section::Requests, name) {
            Some(node) => amount(Some(node)),
            None => self.limit(name),
        }
    }

    /// Whether `section` is written (as a mapping).
    pub fn has(&self, section: Section) -> bool {
        match section {
            Section::Requests => self.requests.is_some(),
            Section::Limits => self.limits.is_some(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Requests,
    Limits,
}

impl Section {
    pub fn key(self) -> &'static str {
        match self {
            Section::Requests => "requests",
            Section::Limits => "limits",
        }
    }
}

fn amount(node: Option<Node<'_>>) -> Amount {
    let Some(node) = node else {
        return Amount::Unset;
    };
    match node.raw().and_then(Quantity::parse) {
        Some(q) if q.is_zero() => Amount::Zero,
        _ => Amount::Set,
    }
}

/// Where and what YAML to add (the caller says "add" or "set") for `missing` entries (section, resource, example value) of a container
/// whose resources are `declared`: a whole `resources:` block when it has none, else the
/// sections or entries under the one it has.
pub fn fix(declared: &Declared<'_>, missing: &[(Section, &str, String)]) -> String {
    let flow = |section: Section| -> Option<String> {
        let entries: Vec<String> = missing
            .iter()
            .filter(|(s, _, _)| *s == section)
            .map(|(_, name, value)| format!("{name}: {value}"))
            .collect();
        (!entries.is_empty()).then(|| entries.join(", "))
    };
    let sections = [Section::Requests, Section::Limits];
    if declared.resources.is_none() {
        let body: Vec<String> = sections
            .iter()
            .filter_map(|&s| flow(s).map(|f| format!("{}: {{{f}}}", s.key())))
            .collect();
        return format!("`resources: {{{}}}` to the container", body.join(", "));
    }
    let parts: Vec<String> = sections
        .iter()
        .filter_map(|&s| {
            let entries = flow(s)?;
            Some(if declared.has(s) {
                format!("`{entries}` under `resources.{}`", s.key())
            } else {
                format!("`{}: {{{entries}}}` under `resources`", s.key())
            })
        })
        .collect();
    parts.join(" and ")
}
