//! Facts for comparing an object with itself at another revision (`--new-from-rev`): the
//! values of its fields the API server will not let change (`model::immutable`).

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::{Facts, Site};
use crate::k8s::group_of;
use crate::model::Object;
use crate::model::immutable::{Guard, immutable_fields};
use crate::parse::tree::Node;
use crate::schema::to_json;

/// A guarded field of an object as it is now.
#[derive(Debug, Clone)]
pub struct GuardedValue {
    pub field: &'static str,
    pub guard: Guard,
    /// As the API server decodes it, without the parts that may change.
    pub value: Value,
    pub site: Site,
}

/// The guarded fields of `object`.
pub fn guarded_values<'d>(
    object: &Object<'d>,
    site: &dyn Fn(Node<'d>) -> Site,
) -> Vec<GuardedValue> {
    immutable_fields(object)
        .into_iter()
        .map(|guarded| {
            let mut value = to_json(guarded.node);
            for path in guarded.mutable_within {
                remove(&mut value, path);
            }
            GuardedValue {
                field: guarded.field,
                guard: guarded.guard,
                value,
                site: site(if guarded.node.is_scalar() {
                    guarded.node
                } else {
                    guarded.key
                }),
            }
        })
        .collect()
}

fn remove(value: &mut Value, path: &[&str]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = value;
    for key in parents {
        match at.get_mut(*key) {
            Some(next) => at = next,
            None => return,
        }
    }
    if let Some(map) = at.as_object_mut() {
        map.remove(*last);
    }
}

/// Which object an object is at another revision: the same group, kind, namespace and name
/// (its file may differ: an object moved between files is the same object to the cluster).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ObjectKey {
    group: String,
    kind: String,
    namespace: Option<String>,
    name: String,
}

impl ObjectKey {
    fn of(facts: &Facts) -> ObjectKey {
        ObjectKey {
            group: group_of(&facts.id.api_version).to_owned(),
            kind: facts.id.kind.clone(),
            namespace: facts.id.namespace.clone(),
            name: facts.id.name.clone(),
        }
    }
}

type Fields = Vec<(&'static str, Value)>;

/// How many objects of the run have each identity.
#[derive(Debug, Default)]
pub struct Identities(HashMap<ObjectKey, usize>);

impl Identities {
    pub fn of<'f>(facts: impl Iterator<Item = &'f Facts>) -> Identities {
        let mut counts = HashMap::new();
        for f in facts.filter(|f| f.guarded.is_some()) {
            *counts.entry(ObjectKey::of(f)).or_insert(0) += 1;
        }
        Identities(counts)
    }
}

/// The guarded fields of every object of a revision.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The revision, as the user named it (`HEAD~1`, `origin/main`), for messages.
    pub revision: String,
    /// Per identity, every object that has it, with its file: a repository of examples or of
    /// per-environment copies holds several objects of one identity, which are not the same
    /// object at all.
    objects: HashMap<ObjectKey, Vec<(Arc<str>, Fields)>>,
}

impl Snapshot {
    pub fn record(&mut self, facts: &Facts) {
        let Some(guarded) = &facts.guarded else {
            return;
        };
        // An object without a name cannot be the same object twice.
        if facts.id.name == "<unnamed>" {
            return;
        }
        let fields = guarded.iter().map(|g| (g.field, g.value.clone())).collect();
        self.objects
            .entry(ObjectKey::of(facts))
            .or_default()
            .push((facts.file.clone(), fields));
    }

    /// The object's guarded fields at the revision, or `None` when it did not exist then or
    /// which object it was is not certain: the one object of its identity (wherever it was:
    /// objects move between files) when `facts` is the only one of it now too, else the one
    /// in the same file (renames followed).
    pub fn fields_of(&self, facts: &Facts, now: &Identities) -> Option<&[(&'static str, Value)]> {
        let key = ObjectKey::of(facts);
        match self.objects.get(&key)?.as_slice() {
            [(_, only)] if now.0.get(&key) == Some(&1) => Some(only),
            several => {
                let mut same_file = several.iter().filter(|(file, _)| *file == facts.file);
                match (same_file.next(), same_file.next()) {
                    (Some((_, fields)), None) => Some(fields),
                    _ => None,
                }
            }
        }
    }
}
