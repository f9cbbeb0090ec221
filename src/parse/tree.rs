//! The spanned tree of one YAML document.
//!
//! Nodes live in one arena per document and refer to each other by index. An alias is the
//! same index as its anchor, so the tree is a DAG: an alias costs nothing, and a finding on a
//! value reached through an alias carries the anchor's span — the place the user can fix.

use std::borrow::Cow;
use std::cell::OnceCell;

use super::scalar::ScalarValue;

pub type NodeId = u32;

/// Byte range in the file the document came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ByteSpan {
    pub start: u32,
    pub end: u32,
}

#[derive(Debug, Clone)]
pub(crate) enum NodeKind<'a> {
    Scalar {
        raw: Cow<'a, str>,
        value: ScalarValue,
        quoted: bool,
    },
    Seq {
        start: u32,
        len: u32,
    },
    Map {
        start: u32,
        len: u32,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct NodeData<'a> {
    pub kind: NodeKind<'a>,
    pub span: ByteSpan,
}

/// A duplicate key in a mapping: the later key wins, as it does for the API server's decoder.
#[derive(Debug, Clone, Copy)]
pub struct DuplicateKey {
    pub first: NodeId,
    pub again: NodeId,
}

#[derive(Debug)]
pub struct Document<'a> {
    pub(crate) nodes: Vec<NodeData<'a>>,
    pub(crate) items: Vec<NodeId>,
    pub(crate) entries: Vec<(NodeId, NodeId)>,
    pub(crate) root: NodeId,
    pub duplicate_keys: Vec<DuplicateKey>,
    /// 0-based index of the document in its file's stream.
    pub index: usize,
    /// The anchored nodes (`&name`) that an alias or a merge key uses again: an edit inside
    /// one changes more than the place it is made.
    pub anchored: Vec<NodeId>,
    parents: OnceCell<Vec<(NodeId, u32)>>,
}

const NO_PARENT: NodeId = NodeId::MAX;
/// Marks, in the parent table, that a node is the key (not the value) of a map entry.
const KEY_FLAG: u32 = 1 << 31;

impl<'a> Document<'a> {
    pub(crate) fn new(
        nodes: Vec<NodeData<'a>>,
        items: Vec<NodeId>,
        entries: Vec<(NodeId, NodeId)>,
        root: NodeId,
        duplicate_keys: Vec<DuplicateKey>,
        index: usize,
    ) -> Self {
        Document {
            nodes,
            items,
            entries,
            root,
            duplicate_keys,
            index,
            anchored: Vec::new(),
            parents: OnceCell::new(),
        }
    }

    pub fn root(&self) -> Node<'_> {
        self.node(self.root)
    }

    pub fn node(&self, id: NodeId) -> Node<'_> {
        Node { doc: self, id }
    }

    /// Whether `span` touches an anchored node that an alias or a merge key uses again: an
    /// edit there would change every place it is used.
    pub fn touches_anchored(&self, span: ByteSpan) -> bool {
        self.anchored.iter().any(|&id| {
            let shared = self.nodes[id as usize].span;
            shared.start <= span.end && span.start <= shared.end
        })
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// JSON pointer (RFC 6901) of a node, from the document root.
    ///
    /// Computed only when a finding needs it: the first call records, for every node, the first
    /// parent a depth-first walk reaches it from (for an alias, its anchor's place).
    pub fn pointer(&self, id: NodeId) -> String {
        let parents = self.parents.get_or_init(|| self.parent_table());
        let mut segments = Vec::new();
        let mut current = id;
        while let Some(&(parent, slot)) = parents.get(current as usize) {
            if parent == NO_PARENT {
                break;
            }
            let index = (slot & !KEY_FLAG) as usize;
            match &self.nodes[parent as usize].kind {
                NodeKind::Map { start, .. } => {
                    let (key, _) = self.entries[*start as usize + index];
                    segments.push(self.node(key).key_text().unwrap_or("").to_owned());
                }
                _ => segments.push(index.to_string()),
            }
            current = parent;
        }
        let mut out = String::new();
        for seg in segments.iter().rev() {
            out.push('/');
            out.push_str(&seg.replace('~', "~0").replace('/', "~1"));
        }
        out
    }

    /// The node at a JSON pointer, if there is one.
    pub fn resolve(&self, pointer: &str) -> Option<Node<'_>> {
        let mut node = self.root();
        for raw in pointer.split('/').skip(1) {
            let segment = raw.replace("~1", "/").replace("~0", "~");
            node = if node.is_seq() {
                node.items().nth(segment.parse().ok()?)?
            } else {
                node.get(&segment)?
            };
        }
        Some(node)
    }

    fn parent_table(&self) -> Vec<(NodeId, u32)> {
        let mut parents = vec![(NO_PARENT, 0u32); self.nodes.len()];
        let mut visited = vec![false; self.nodes.len()];
        let mut stack = vec![self.root];
        visited[self.root as usize] = true;
        while let Some(id) = stack.pop() {
            let mut children: Vec<(NodeId, u32)> = Vec::new();
            match self.nodes[id as usize].kind {
                NodeKind::Seq { start, len } => {
                    for i in 0..len {
                        children.push((self.items[(start + i) as usize], i));
                    }
                }
                NodeKind::Map { start, len } => {
                    for i in 0..len {
                        let (k, v) = self.entries[(start + i) as usize];
                        children.push((k, i | KEY_FLAG));
                        children.push((v, i));
                    }
                }
                NodeKind::Scalar { .. } => {}
            }
            // Claim children in document order, so an alias's target keeps its first place,
            // then push them reversed so the walk also proceeds in document order.
            let first = stack.len();
            for &(child, slot) in &children {
                if !visited[child as usize] {
                    visited[child as usize] = true;
                    parents[child as usize] = (id, slot);
                    stack.push(child);
                }
            }
            stack[first..].reverse();
        }
        parents
    }
}

/// A node of a document, with the accessors rules navigate by.
#[derive(Clone, Copy)]
pub struct Node<'d> {
    doc: &'d Document<'d>,
    id: NodeId,
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Node({}, {:?})", self.id, self.data().kind)
    }
}

impl<'d> Node<'d> {
    fn data(&self) -> &'d NodeData<'d> {
        &self.doc.nodes[self.id as usize]
    }

    pub fn id(&self) -> NodeId {
        self.id
    }

    pub fn document(&self) -> &'d Document<'d> {
        self.doc
    }

    pub fn span(&self) -> ByteSpan {
        self.data().span
    }

    pub fn is_map(&self) -> bool {
        matches!(self.data().kind, NodeKind::Map { .. })
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.data().kind, NodeKind::Seq { .. })
    }

    pub fn is_scalar(&self) -> bool {
        matches!(self.data().kind, NodeKind::Scalar { .. })
    }

    pub fn is_null(&self) -> bool {
        matches!(
            self.data().kind,
            NodeKind::Scalar {
                value: ScalarValue::Null,
                ..
            }
        )
    }

    pub fn scalar_value(&self) -> Option<ScalarValue> {
        match &self.data().kind {
            NodeKind::Scalar { value, .. } => Some(*value),
            _ => None,
        }
    }

    /// The text of any scalar as written (after YAML unescaping): `0644` stays `0644`.
    pub fn raw(&self) -> Option<&'d str> {
        match &self.data().kind {
            NodeKind::Scalar { raw, .. } => Some(raw.as_ref()),
            _ => None,
        }
    }

    pub fn is_quoted(&self) -> bool {
        matches!(self.data().kind, NodeKind::Scalar { quoted: true, .. })
    }

    /// The value if the scalar resolves to a string.
    pub fn as_str(&self) -> Option<&'d str> {
        match &self.data().kind {
            NodeKind::Scalar {
                raw,
                value: ScalarValue::Str,
                ..
            } => Some(raw.as_ref()),
            _ => None,
        }
    }

    /// Mapping keys compare as text, as sigs.k8s.io/yaml turns every key into a JSON string.
    pub fn key_text(&self) -> Option<&'d str> {
        self.raw()
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.scalar_value()? {
            ScalarValue::Int(i) => Some(i),
            ScalarValue::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.scalar_value()? {
            ScalarValue::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// Items of a sequence; empty for anything else.
    pub fn items(&self) -> Items<'d> {
        let doc = self.doc;
        let ids: &'d [NodeId] = match self.data().kind {
            NodeKind::Seq { start, len } => &doc.items[start as usize..(start + len) as usize],
            _ => &[],
        };
        Items {
            doc,
            ids: ids.iter(),
        }
    }

    /// Entries of a mapping, merge keys resolved; empty for anything else.
    pub fn entries(&self) -> Entries<'d> {
        let doc = self.doc;
        let pairs: &'d [(NodeId, NodeId)] = match self.data().kind {
            NodeKind::Map { start, len } => &doc.entries[start as usize..(start + len) as usize],
            _ => &[],
        };
        Entries {
            doc,
            pairs: pairs.iter(),
        }
    }

    /// The key node and value node of `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(Node<'d>, Node<'d>)> {
        self.entries().find(|(k, _)| k.key_text() == Some(key))
    }

    pub fn get(&self, key: &str) -> Option<Node<'d>> {
        self.entry(key).map(|(_, v)| v)
    }

    /// `get` that treats an explicit `null` as absent, as the API server does for optional fields.
    pub fn get_some(&self, key: &str) -> Option<Node<'d>> {
        self.get(key).filter(|v| !v.is_null())
    }

    pub fn get_str(&self, key: &str) -> Option<&'d str> {
        self.get(key).and_then(|v| v.as_str())
    }

    /// Follows a chain of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<Node<'d>> {
        keys.iter().try_fold(*self, |node, key| node.get(key))
    }

    pub fn pointer(&self) -> String {
        self.doc.pointer(self.id)
    }

    /// The collection this node is a key, value or item of (for a node shared through an
    /// alias, the first place it is used).
    pub fn parent(&self) -> Option<Node<'d>> {
        let parents = self.doc.parents.get_or_init(|| self.doc.parent_table());
        let &(parent, _) = parents.get(self.id as usize)?;
        (parent != NO_PARENT).then(|| self.doc.node(parent))
    }

    /// Structural equality of values, ignoring positions and how scalars were quoted.
    pub fn same_value(&self, other: &Node<'_>) -> bool {
        self.same_value_at(other, 0)
    }

    fn same_value_at(&self, other: &Node<'_>, depth: usize) -> bool {
        if depth > super::MAX_DEPTH {
            return false;
        }
        match (&self.data().kind, &other.data().kind) {
            (
                NodeKind::Scalar {
                    raw: a, value: va, ..
                },
                NodeKind::Scalar {
                    raw: b, value: vb, ..
                },
            ) => match (va, vb) {
                (ScalarValue::Str, ScalarValue::Str) => a == b,
                (ScalarValue::Float(x), ScalarValue::Int(y))
                | (ScalarValue::Int(y), ScalarValue::Float(x)) => *x == *y as f64,
                _ => va == vb,
            },
            (NodeKind::Seq { .. }, NodeKind::Seq { .. }) => {
                self.items().len() == other.items().len()
                    && self
                        .items()
                        .zip(other.items())
                        .all(|(x, y)| x.same_value_at(&y, depth + 1))
            }
            (NodeKind::Map { .. }, NodeKind::Map { .. }) => {
                self.entries().len() == other.entries().len()
                    && self.entries().all(|(k, v)| {
                        k.key_text()
                            .and_then(|key| other.get(key))
                            .is_some_and(|ov| v.same_value_at(&ov, depth + 1))
                    })
            }
            _ => false,
        }
    }
}

/// The items of a sequence node (`Node::items`), as a type that can be named.
#[derive(Clone)]
pub struct Items<'d> {
    doc: &'d Document<'d>,
    ids: std::slice::Iter<'d, NodeId>,
}

impl<'d> Iterator for Items<'d> {
    type Item = Node<'d>;

    fn next(&mut self) -> Option<Node<'d>> {
        let &id = self.ids.next()?;
        Some(Node { doc: self.doc, id })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.ids.size_hint()
    }
}

impl ExactSizeIterator for Items<'_> {}

/// The entries of a mapping node (`Node::entries`), as a type that can be named.
#[derive(Clone)]
pub struct Entries<'d> {
    doc: &'d Document<'d>,
    pairs: std::slice::Iter<'d, (NodeId, NodeId)>,
}

impl<'d> Iterator for Entries<'d> {
    type Item = (Node<'d>, Node<'d>);

    fn next(&mut self) -> Option<Self::Item> {
        let &(k, v) = self.pairs.next()?;
        Some((
            Node {
                doc: self.doc,
                id: k,
            },
            Node {
                doc: self.doc,
                id: v,
            },
        ))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.pairs.size_hint()
    }
}

impl ExactSizeIterator for Entries<'_> {}
