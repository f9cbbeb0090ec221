//! What `dangling-configmap-ref` and `dangling-secret-ref` share: a pod template's reference
//! to a ConfigMap or Secret, resolved in the index under its trust rules.

use std::collections::{BTreeSet, HashSet};

use super::super::GraphFinding;
use super::describe_namespace;
use crate::index::{Facts, Index, KindFacts, NamedRef, NamespaceKey, RefKind, parent_dir};
use crate::text::closest_name;

const SHOWN: usize = 5;

fn listing(names: &BTreeSet<&str>) -> String {
    let mut shown: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    if names.len() > SHOWN {
        shown.push(format!("and {} more", names.len() - SHOWN));
    }
    shown.join(", ")
}

/// What a missing reference does to the pod.
fn consequence(r: &NamedRef, kind: RefKind) -> &'static str {
    if r.used_by.starts_with("`imagePullSecrets`") {
        "the kubelet pulls without it, and an image of a private registry fails with `ErrImagePull`"
    } else if r.container.is_none() {
        "the volume cannot be mounted (`FailedMount`) and the pod never starts"
    } else if kind == RefKind::Secret {
        "the container is never started (`CreateContainerConfigError`: secret not found)"
    } else {
        "the container is never started (`CreateContainerConfigError`: configmap not found)"
    }
}

/// Reports each reference of kind `kind` that the run shows to be dangling (see the rules'
/// `## What it does` for the trust rules).
pub(crate) fn check(index: &Index, kind: RefKind, out: &mut Vec<GraphFinding>) {
    let what = kind.kind();
    let dir = |f: &Facts| parent_dir(&f.file).to_owned();
    // Directories where a workload's reference resolves to an object of the same directory:
    // they keep each workload beside its ConfigMaps (Secrets). One whose objects no workload of
    // it uses holds unrelated examples or test data, and says nothing of what the others need.
    let mut paired: HashSet<(NamespaceKey, String)> = HashSet::new();
    for f in &index.facts {
        let KindFacts::Workload(w) = &f.kind else {
            continue;
        };
        let ns = index.namespace_of(f);
        let here = dir(f);
        if w.named_refs.iter().any(|r| {
            r.kind == kind
                && index
                    .configs_named(kind, &ns, &r.name)
                    .any(|d| parent_dir(&d.file) == here)
        }) {
            paired.insert((ns, here));
        }
    }
    for (i, f) in index.subjects() {
        let KindFacts::Workload(w) = &f.kind else {
            continue;
        };
        // Patches and fragments: the base or the overlay may set or change the references.
        if !f.reported || f.fragment || w.service_account.fragment || index.has_patch(f) {
            continue;
        }
        let ns = index.namespace_of(f);
        for r in w.named_refs.iter().filter(|r| r.kind == kind) {
            let defined: Vec<_> = index.configs_named(kind, &ns, &r.name).collect();
            if defined.is_empty() {
                let system = ns
                    .as_deref()
                    .is_some_and(|n| super::SYSTEM_NAMESPACES.contains(&n));
                if system
                    || !paired.contains(&(ns.clone(), dir(f)))
                    || !index.knows_configs_for(kind, &ns, f)
                    || index.may_be_created(kind, &ns, &r.name, f)
                {
                    continue;
                }
                // In `default`, which unrelated examples share, only the directory's are offered.
                let shared = ns.as_deref().is_none_or(|n| n == "default");
                let others: BTreeSet<&str> = index
                    .configs_of(kind, &ns)
                    .filter(|o| !shared || parent_dir(&o.file) == dir(f))
                    .map(|o| o.id.name.as_str())
                    .collect();
                let help = match closest_name(&r.name, others.iter().copied()) {
                    Some(near) => format!(
                        "did you mean `{near}`? it is the {what} in {} whose name is closest",
                        describe_namespace(&ns)
                    ),
                    None => format!(
                        "the {what}s in {} are: {}; add `{}` or fix the name{}",
                        describe_namespace(&ns),
                        listing(&others),
                        r.name,
                        if r.used_by.starts_with("`imagePullSecrets`") {
                            ""
                        } else {
                            ", or mark the reference `optional: true` if the pod may run without it"
                        }
                    ),
                };
                out.push(
                    GraphFinding::new(
                        i,
                        &r.site,
                        format!(
                            "{} names {what} `{}`, which is not in {}: {}",
                            r.used_by,
                            r.name,
                            describe_namespace(&ns),
                            consequence(r, kind)
                        ),
                    )
                    .help(help)
                    .container(r.container.clone()),
                );
                continue;
            }
            // Keys are judged only where names are (in the directory of the referring file, all
            // definitions of the name there: alternative examples elsewhere in the namespace
            // define it with other keys), and of an object nothing else may fill.
            if r.keys.is_empty()
                || !index.knows_configs_for(kind, &ns, f)
                || !defined.iter().all(|d| parent_dir(&d.file) == dir(f))
                || index.may_be_created(kind, &ns, &r.name, f)
            {
                continue;
            }
            // A base and its patches are one object: its keys are all of theirs, and unknown
            // if any one's are.
            let mut keys = BTreeSet::new();
            let mut known = true;
            for d in &defined {
                match &d.kind {
                    KindFacts::ConfigMap { keys: Some(k) }
                    | KindFacts::Secret { keys: Some(k) } => {
                        keys.extend(k.iter().map(String::as_str));
                    }
                    _ => known = false,
                }
            }
            if !known {
                continue;
            }
            for (key, site) in &r.keys {
                if keys.contains(key.as_str()) {
                    continue;
                }
                let help = match closest_name(key, keys.iter().copied()) {
                    Some(near) => format!(
                        "did you mean `{near}`? the keys of {what} `{}` are: {}",
                        r.name,
                        listing(&keys)
                    ),
                    None => format!("the keys of {what} `{}` are: {}", r.name, listing(&keys)),
                };
                let failure = if r.container.is_none() {
                    "the volume cannot be mounted (`FailedMount`) and the pod never starts"
                } else {
                    "the container is never started (`CreateContainerConfigError`)"
                };
                out.push(
                    GraphFinding::new(
                        i,
                        site,
                        format!(
                            "{} reads key `{key}` of {what} `{}`, which has no such key: {failure}",
                            r.used_by, r.name
                        ),
                    )
                    .help(help)
                    .container(r.container.clone()),
                );
            }
        }
    }
}
