//! What the `dangling-*` rules about named objects (ServiceAccounts, PersistentVolumeClaims,
//! PriorityClasses, Roles, StorageClasses) share: which objects of a kind the run defines,
//! where, and the trust rule that decides whether a name the run lacks is dangling.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::index::{Facts, Index, NamespaceKey, parent_dir};

/// The objects of one kind in the run (inputs and `--context`), kustomize patches left out.
pub(crate) struct Defined<'i> {
    /// Names, by namespace (the unnamed namespace is `default`, as `Index` sees it).
    names: HashMap<String, BTreeSet<&'i str>>,
    /// Names of those whose manifest sets no namespace: `kubectl apply -n` or a kustomization's
    /// `namespace:` puts them wherever the referring object goes.
    floating: BTreeSet<&'i str>,
    /// (namespace, directory) pairs holding at least one.
    dirs: HashSet<(String, &'i str)>,
    /// Directories holding at least one, whatever their namespace (cluster-scoped kinds).
    any_dirs: HashSet<&'i str>,
}

pub(crate) fn namespace_name(ns: &NamespaceKey) -> String {
    ns.as_deref().unwrap_or("default").to_owned()
}

impl<'i> Defined<'i> {
    pub(crate) fn of(index: &'i Index, is_kind: impl Fn(&Facts) -> bool) -> Defined<'i> {
        let mut defined = Defined {
            names: HashMap::new(),
            floating: BTreeSet::new(),
            dirs: HashSet::new(),
            any_dirs: HashSet::new(),
        };
        for f in index.facts.iter().filter(|f| !f.fragment && is_kind(f)) {
            let ns = namespace_name(&index.namespace_of(f));
            let dir = parent_dir(&f.file);
            defined.dirs.insert((ns.clone(), dir));
            defined.any_dirs.insert(dir);
            defined.names.entry(ns).or_default().insert(&f.id.name);
            if f.id.namespace.is_none() {
                defined.floating.insert(&f.id.name);
            }
        }
        defined
    }

    /// Whether an object named `name` may be in the namespace of `referrer`: one of its
    /// namespace, one whose manifest names no namespace, or — for a referrer whose own
    /// manifest names none (its namespace is chosen at deploy time, as kustomize's
    /// `namespace:` rewrites every object's) — one of any namespace.
    pub(crate) fn reaches(&self, index: &Index, referrer: &Facts, name: &str) -> bool {
        self.names
            .get(&namespace_name(&index.namespace_of(referrer)))
            .is_some_and(|names| names.contains(name))
            || self.floating.contains(name)
            || (referrer.id.namespace.is_none() && self.has_anywhere(name))
    }

    /// Whether the run defines any object of the kind anywhere (cluster-scoped kinds).
    pub(crate) fn has_anywhere(&self, name: &str) -> bool {
        self.names.values().any(|names| names.contains(name))
    }

    /// A namespace other than `ns` holding an object named `name`, for the help.
    pub(crate) fn namespace_elsewhere(&self, ns: &NamespaceKey, name: &str) -> Option<&str> {
        let own = namespace_name(ns);
        let mut holders: Vec<&str> = self
            .names
            .iter()
            .filter(|(n, names)| **n != own && names.contains(name))
            .map(|(n, _)| n.as_str())
            .collect();
        holders.sort_unstable();
        holders.first().copied()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The trust rule for a namespaced kind: the directory of `file` holds an object of the
    /// kind in namespace `ns`, so this part of the repository declares its own objects of
    /// the kind rather than leaving them to a chart, an operator or another repository.
    pub(crate) fn declared_beside(&self, ns: &NamespaceKey, file: &str) -> bool {
        self.dirs.contains(&(namespace_name(ns), parent_dir(file)))
    }

    /// The trust rule for a cluster-scoped kind: the directory of `file` holds one.
    pub(crate) fn declared_in_dir(&self, file: &str) -> bool {
        self.any_dirs.contains(parent_dir(file))
    }

    /// The names of namespace `ns` (every namespace for `None`), for a did-you-mean.
    pub(crate) fn names_in(&self, ns: Option<&NamespaceKey>) -> BTreeSet<&'i str> {
        match ns {
            Some(ns) => self
                .names
                .get(&namespace_name(ns))
                .cloned()
                .unwrap_or_default(),
            None => self.names.values().flatten().copied().collect(),
        }
    }
}

/// "did you mean `x`? …" when a defined name is a near miss of `name`, else `otherwise`.
pub(crate) fn near_miss_help<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
    where_: &str,
    otherwise: String,
) -> String {
    match crate::text::closest_name(name, candidates) {
        Some(near) => format!("did you mean `{near}`? it is the closest name {where_}"),
        None => otherwise,
    }
}

/// A name no object can have as written, so a placeholder a script or a reader substitutes
/// (`${SA}`, `{{ .Values.x }}`, `$K8S_SA_NAME`, `<KSA_NAME>`, `KSA_NAME`): any character
/// outside lower-case letters, digits, `-`, `.` and `:` (RBAC names such as
/// `system:aggregate-to-view` have colons), or nothing at all.
pub(crate) fn is_placeholder(name: &str) -> bool {
    name.is_empty()
        || crate::model::is_templated(name)
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.:".contains(&b))
}
