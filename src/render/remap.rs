//! Findings on rendered output, moved to the files a person edits. A kustomize build names each
//! object's origin file (`config.kubernetes.io/origin`) and the kustomizations that transformed
//! it (`alpha.config.kubernetes.io/transformations`); a finding's JSON pointer is looked up in
//! the patches those kustomizations apply to the object (last applied first), then in the origin
//! file's object. Helm output names each document's template (`# Source:`), where the field's
//! key is searched line by line. A finding that cannot be placed exactly says so.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Label, Location};
use crate::parse::lines::LineIndex;
use crate::parse::tree::{ByteSpan, Document, Node};
use crate::parse::{ParsedStream, parse_stream};
use crate::rules::RuleSet;
use crate::rules::meta::unused_suppression::UnusedSuppression;
use crate::run_report::FileReport;
use crate::suppress;

use super::{Renderer, Rendering, helm, normalize};

const ORIGIN: &str = "config.kubernetes.io/origin";
const TRANSFORMATIONS: &str = "alpha.config.kubernetes.io/transformations";

/// Replaces the report of each rendered input by reports of the files its objects came from,
/// each finding placed in them, and applies those files' `# kubelint-ignore` comments. A base
/// that several overlays build has each of its findings once, naming every overlay.
pub fn remap(files: &mut Vec<FileReport>, renderings: &[Arc<Rendering>], rules: &RuleSet) {
    let mut moved: BTreeMap<PathBuf, Moved> = BTreeMap::new();
    for rendering in renderings {
        let Some(at) = files.iter().position(|f| *f.path == *rendering.display) else {
            continue;
        };
        let rendered = files.remove(at);
        remap_one(rendering, rendered, &mut moved);
    }
    let mut reports = Vec::new();
    for (path, mut m) in moved {
        m.report.diagnostics = merge(m.pending);
        if m.kustomized
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            // kustomize drops comments: a base file's own comments are read here. (Helm
            // keeps them in its output, where they were applied already.)
            let lines = LineIndex::new(&text);
            let mut suppressions = suppress::inline(&text, &lines);
            suppress::apply_to_report(&mut m.report, &mut suppressions, rules);
        }
        // A file linted as itself too (named on the command line) keeps one report: what the
        // plain lint already says there is not said again, and its stale suppressions were
        // judged by the plain lint.
        if let Some(existing) = files.iter_mut().find(|f| f.path == m.report.path) {
            let said: std::collections::HashSet<(&str, u32)> = existing
                .diagnostics
                .iter()
                .map(|d| (d.rule, d.location.start.offset))
                .collect();
            let new: Vec<Diagnostic> = m
                .report
                .diagnostics
                .into_iter()
                .filter(|d| {
                    d.rule != UnusedSuppression::ID
                        && !said.contains(&(d.rule, d.location.start.offset))
                })
                .collect();
            existing.diagnostics.extend(new);
            existing.objects += m.report.objects;
            existing.object_ids.append(&mut m.report.object_ids);
            existing.sort();
            continue;
        }
        m.report.sort();
        reports.push(m.report);
    }
    // Each file where a walk would have listed it: directory by directory, names sorted.
    let order = |path: &str| -> Vec<String> {
        Path::new(path)
            .iter()
            .map(|c| c.to_string_lossy().into_owned())
            .collect()
    };
    for report in reports {
        let key = order(&report.path);
        let at = files
            .iter()
            .position(|f| order(&f.path) > key)
            .unwrap_or(files.len());
        files.insert(at, report);
    }
}

/// The findings moved to one file, before those that several builds share are merged.
struct Moved {
    report: FileReport,
    pending: Vec<Pending>,
    kustomized: bool,
}

struct Pending {
    diagnostic: Diagnostic,
    what: &'static str,
    dir: String,
    placed: Placed,
}

/// One diagnostic per finding and place, its message naming every build it was found in.
fn merge(pending: Vec<Pending>) -> Vec<Diagnostic> {
    let mut groups: Vec<(Pending, Vec<String>)> = Vec::new();
    for p in pending {
        let same = |(g, _): &&mut (Pending, Vec<String>)| {
            let (a, b) = (&g.diagnostic, &p.diagnostic);
            a.rule == b.rule
                && a.severity == b.severity
                && a.location.start == b.location.start
                && a.location.end == b.location.end
                && a.message == b.message
                && g.what == p.what
                && g.placed == p.placed
        };
        match groups.iter_mut().find(same) {
            Some((_, dirs)) => {
                if !dirs.contains(&p.dir) {
                    dirs.push(p.dir);
                }
            }
            None => {
                let dir = p.dir.clone();
                groups.push((p, vec![dir]));
            }
        }
    }
    groups
        .into_iter()
        .map(|(p, dirs)| {
            let what = p.what;
            let (builds, dirs) = match dirs.as_slice() {
                [one] => (format!("the {what}"), format!("`{one}`")),
                [a, b] => (format!("the {what}s"), format!("`{a}` and `{b}`")),
                [a, b, rest @ ..] => (
                    format!("the {what}s"),
                    format!("`{a}`, `{b}` and {} more", rest.len()),
                ),
                [] => (String::new(), String::new()),
            };
            let note = match &p.placed {
                Placed::Exact => format!("in {builds} of {dirs}"),
                Placed::ValueChanged => {
                    let verb = if builds.ends_with('s') {
                        "change"
                    } else {
                        "changes"
                    };
                    format!("after {builds} of {dirs}, which {verb} this value")
                }
                Placed::Nearest if what == "helm template" => {
                    format!("in {builds} of {dirs}, at the nearest line the template writes")
                }
                Placed::Nearest => {
                    format!("after {builds} of {dirs}; the field is not in this file")
                }
                Placed::FromValues(values) => {
                    format!("from `.Values.{values}` in {builds} of {dirs}")
                }
            };
            Diagnostic {
                message: format!("{} ({note})", p.diagnostic.message),
                ..p.diagnostic
            }
        })
        .collect()
}

/// Where a rendered document came from.
#[derive(Debug, Default)]
struct Origin {
    /// The file its object is in (absolute).
    file: Option<PathBuf>,
    /// For a generated object: the kustomization whose generator made it.
    generated_in: Option<PathBuf>,
    /// The kustomization files that patched it, in the order they were applied.
    patched_in: Vec<PathBuf>,
}

/// A patch a kustomization applies, and which objects it targets.
#[derive(Debug)]
struct Patch {
    file: PathBuf,
    target_kind: Option<String>,
    target_name: Option<String>,
    /// A patch written inline (`patches: [{patch: |- …}]`): its entry's index in `patches`
    /// of the kustomization `file`.
    inline: Option<usize>,
}

/// How exactly a finding was placed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Placed {
    /// The field, with the value the rendered object has.
    Exact,
    /// The field, but rendering changed its value (an `images:` tag, a replacement).
    ValueChanged,
    /// The field is not in any file: the nearest node that is.
    Nearest,
    /// A Helm template line that inserts values (`toYaml .Values.x`).
    FromValues(String),
}

struct Target {
    file: PathBuf,
    span: ByteSpan,
    pointer: String,
    placed: Placed,
}

/// The files a rendering's findings may move to, read and parsed once.
struct Sources {
    texts: HashMap<PathBuf, (String, LineIndex)>,
}

impl Sources {
    fn read(paths: impl IntoIterator<Item = PathBuf>) -> Sources {
        let mut texts = HashMap::new();
        for path in paths {
            if texts.contains_key(&path) {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(&path) {
                let lines = LineIndex::new(&text);
                texts.insert(path, (text, lines));
            }
        }
        Sources { texts }
    }

    fn parsed(&self) -> HashMap<&Path, ParsedStream<'_>> {
        self.texts
            .iter()
            .map(|(path, (text, lines))| (path.as_path(), parse_stream(text, lines)))
            .collect()
    }
}

fn remap_one(rendering: &Rendering, rendered: FileReport, out: &mut BTreeMap<PathBuf, Moved>) {
    let text = &*rendering.text;
    let lines = LineIndex::new(text);
    let stream = parse_stream(text, &lines);
    let docs = &stream.documents;
    let helm_sources = match &rendering.renderer {
        Renderer::Helm { .. } => helm::sources(text),
        Renderer::Kustomize { .. } => Vec::new(),
    };
    // Where each document came from, and every file that may be needed to place a finding.
    let origins: Vec<Origin> = docs
        .iter()
        .map(|doc| origin_of(doc, rendering, &helm_sources))
        .collect();
    let mut patches: HashMap<PathBuf, Vec<Patch>> = HashMap::new();
    for origin in &origins {
        for kustomization in &origin.patched_in {
            patches
                .entry(kustomization.clone())
                .or_insert_with(|| patches_of(kustomization));
        }
    }
    let needed = origins
        .iter()
        .flat_map(|o| o.file.iter().chain(&o.generated_in))
        .cloned()
        .chain(patches.values().flatten().map(|p| p.file.clone()))
        .collect::<Vec<_>>();
    let sources = Sources::read(needed);
    let parsed = sources.parsed();
    // Every origin file gets a report, so the files a build linted are counted.
    for origin in &origins {
        if let Some(file) = &origin.file
            && let (Some((text, _)), Some(stream)) =
                (sources.texts.get(file), parsed.get(file.as_path()))
        {
            out.entry(file.clone()).or_insert_with(|| Moved {
                report: FileReport {
                    path: Arc::from(shown(rendering, file)),
                    bytes: text.len(),
                    documents: stream.documents.len(),
                    ..FileReport::default()
                },
                pending: Vec::new(),
                kustomized: matches!(rendering.renderer, Renderer::Kustomize { .. }),
            });
        }
    }
    // The built objects are counted in the files they came from (JSON totals, JUnit test
    // cases, and a clean build is not "nothing to lint"). A rendered stream holds one object
    // per document; were it otherwise, the first origin counts them all.
    let mut object_ids = rendered.object_ids;
    if object_ids.len() == docs.len() {
        for (origin, id) in origins.iter().zip(object_ids.drain(..)) {
            if let Some(moved) = origin.file.as_ref().and_then(|f| out.get_mut(f)) {
                moved.report.objects += 1;
                moved.report.object_ids.push(id);
            }
        }
    }
    if let Some(first) = origins
        .iter()
        .filter_map(|o| o.file.as_ref())
        .find(|f| out.contains_key(*f))
        && let Some(moved) = out.get_mut(first)
    {
        moved.report.objects += object_ids.len();
        moved.report.object_ids.append(&mut object_ids);
    }
    let fallback_file =
        std::fs::canonicalize(&rendering.file).unwrap_or_else(|_| rendering.file.clone());
    let place = |location: &Location| -> Option<Target> {
        let at = location.start.offset as usize;
        // In Helm's output a comment above a document's first key is in that document's
        // part (from its `---`), though before its root.
        let part = helm_sources.iter().find(|s| s.start <= at && at < s.end);
        let doc_index = part
            .and_then(|part| {
                docs.iter().position(|d| {
                    let start = d.root().span().start as usize;
                    part.start <= start && start <= part.end
                })
            })
            .or_else(|| {
                docs.iter()
                    .rposition(|d| d.root().span().start <= location.start.offset)
            })
            .unwrap_or(0);
        let doc = docs.get(doc_index)?;
        let origin = &origins[doc_index];
        match &rendering.renderer {
            Renderer::Kustomize { .. } => {
                place_kustomized(doc, origin, location, &patches, &parsed, &sources.texts)
            }
            Renderer::Helm { .. } => {
                let file = origin.file.clone()?;
                let (template, _) = sources.texts.get(&file)?;
                // A comment (a stale suppression): helm copies it, so it is found as is.
                if location.path.is_empty()
                    && let Some(said) = text
                        .get(location.start.offset as usize..location.end.offset as usize)
                        .filter(|said| said.starts_with('#'))
                    && let Some(found) = template.find(said)
                {
                    let found = found as u32;
                    return Some(Target {
                        file,
                        span: ByteSpan {
                            start: found,
                            end: found + said.len() as u32,
                        },
                        pointer: String::new(),
                        placed: Placed::Exact,
                    });
                }
                let keys: Vec<String> = tokens(&location.path).into_iter().map(unescape).collect();
                let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
                let spot = helm::locate(template, &keys);
                let rendered_text = text
                    .get(location.start.offset as usize..location.end.offset as usize)
                    .unwrap_or("");
                let (span, placed) =
                    refine_in_template(template, &spot, rendered_text, keys.last());
                Some(Target {
                    file,
                    span,
                    pointer: location.path.clone(),
                    placed,
                })
            }
        }
    };
    let what = match rendering.renderer {
        Renderer::Kustomize { .. } => "kustomize build",
        Renderer::Helm { .. } => "helm template",
    };
    for diagnostic in rendered.diagnostics {
        let target = place(&diagnostic.location);
        let (file, location, placed) = match &target {
            Some(t) => match sources.texts.get(&t.file) {
                Some((text, lines)) => (
                    t.file.clone(),
                    Location::of_span(text, lines, t.span, t.pointer.clone()),
                    t.placed.clone(),
                ),
                None => continue,
            },
            // No origin at all (a remote base): the kustomization, at its first line.
            None => match std::fs::read_to_string(&fallback_file) {
                Ok(text) => {
                    let lines = LineIndex::new(&text);
                    (
                        fallback_file.clone(),
                        Location::point(&text, &lines, 0),
                        Placed::Nearest,
                    )
                }
                Err(_) => continue,
            },
        };
        let labels = diagnostic
            .labels
            .iter()
            .filter_map(|label| {
                let t = place(&label.location)?;
                if t.file != file {
                    return None;
                }
                let (text, lines) = sources.texts.get(&t.file)?;
                Some(Label {
                    location: Location::of_span(text, lines, t.span, t.pointer),
                    message: label.message.clone(),
                })
            })
            .collect();
        let moved = out.entry(file.clone()).or_insert_with(|| Moved {
            report: FileReport {
                path: Arc::from(shown(rendering, &file)),
                ..FileReport::default()
            },
            pending: Vec::new(),
            kustomized: false,
        });
        moved.kustomized |= matches!(rendering.renderer, Renderer::Kustomize { .. });
        moved.pending.push(Pending {
            diagnostic: Diagnostic {
                file: moved.report.path.clone(),
                location,
                labels,
                // Its edits are of the rendered stream, which nobody edits.
                fix: None,
                ..diagnostic
            },
            what,
            dir: rendering.shown_dir.clone(),
            placed,
        });
    }
}

/// The name a file is shown under: as the run found it, else relative to the working
/// directory.
fn shown(rendering: &Rendering, file: &Path) -> String {
    if let Some(shown) = rendering.shown.get(file) {
        return shown.clone();
    }
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| std::fs::canonicalize(d).ok());
    match cwd {
        Some(cwd) if file.starts_with(&cwd) => super::relative_to(file, &cwd).display().to_string(),
        _ => file.display().to_string(),
    }
}

/// Narrows the line `helm::locate` found to the rendered value itself when the template
/// writes it literally there (an item of a flow list, a value after its key), or to the
/// `{{ … .Values.x … }}` action that writes it.
fn refine_in_template(
    template: &str,
    spot: &helm::TemplateSpot,
    rendered: &str,
    last_key: Option<&&str>,
) -> (ByteSpan, Placed) {
    let span = |start: usize, end: usize| ByteSpan {
        start: start as u32,
        end: end as u32,
    };
    let found = span(spot.start, spot.end);
    if let Some(values) = &spot.values_path {
        return (found, Placed::FromValues(values.clone()));
    }
    let line_end = template
        .get(spot.start..)
        .and_then(|rest| rest.find('\n'))
        .map_or(template.len(), |at| spot.start + at);
    let on_line = template.get(spot.end.min(line_end)..line_end).unwrap_or("");
    let is_key = last_key.is_some_and(|k| *k == rendered.trim_matches(['"', '\'']));
    if !rendered.is_empty() && !is_key {
        if let Some(at) = on_line.find(rendered) {
            let start = spot.end.min(line_end) + at;
            return (span(start, start + rendered.len()), Placed::Exact);
        }
        if let Some(open) = on_line.find("{{")
            && let Some(close) = on_line[open..].rfind("}}")
        {
            let action = &on_line[open..open + close + 2];
            let start = spot.end.min(line_end) + open;
            let values = action
                .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
                .find_map(|word| word.strip_prefix(".Values."));
            let placed = values.map_or(Placed::Exact, |v| Placed::FromValues(v.to_owned()));
            return (span(start, start + action.len()), placed);
        }
    }
    let placed = if spot.exact {
        Placed::Exact
    } else {
        Placed::Nearest
    };
    (found, placed)
}

/// A string annotation of a rendered object, itself parsed as YAML.
fn annotation<'d>(doc: &'d Document<'_>, key: &str) -> Option<&'d str> {
    doc.root()
        .path(&["metadata", "annotations"])?
        .get(key)?
        .as_str()
}

fn origin_of(doc: &Document<'_>, rendering: &Rendering, helm: &[helm::SourcedDocument]) -> Origin {
    match &rendering.renderer {
        Renderer::Helm { chart } => {
            let start = doc.root().span().start as usize;
            let file = helm
                .iter()
                .find(|s| s.start <= start && start <= s.end)
                .map(|s| chart.join(&s.template));
            Origin {
                file,
                ..Origin::default()
            }
        }
        Renderer::Kustomize { base } => {
            let mut origin = Origin::default();
            let resolve = |p: &str| std::fs::canonicalize(normalize(&base.join(p))).ok();
            if let Some(text) = annotation(doc, ORIGIN) {
                let lines = LineIndex::new(text);
                let parsed = parse_stream(text, &lines);
                // A remote base's object names its repository, and a path inside it.
                if let Some(meta) = parsed.documents.first().map(|d| d.root())
                    && meta.get("repo").is_none()
                {
                    origin.file = meta.get_str("path").and_then(resolve);
                    if origin.file.is_none() {
                        origin.generated_in = meta.get_str("configuredIn").and_then(resolve);
                    }
                }
            }
            if let Some(text) = annotation(doc, TRANSFORMATIONS) {
                let lines = LineIndex::new(text);
                let parsed = parse_stream(text, &lines);
                for step in parsed.documents.iter().flat_map(|d| d.root().items()) {
                    let by = step
                        .path(&["configuredBy", "kind"])
                        .and_then(|k| k.as_str());
                    if by.is_some_and(|k| k.starts_with("Patch"))
                        && let Some(file) = step.get_str("configuredIn").and_then(resolve)
                        && !origin.patched_in.contains(&file)
                    {
                        origin.patched_in.push(file);
                    }
                }
            }
            origin
        }
    }
}

/// The patch files a kustomization applies, with their targets.
fn patches_of(kustomization: &Path) -> Vec<Patch> {
    let Ok(text) = std::fs::read_to_string(kustomization) else {
        return Vec::new();
    };
    let dir = kustomization.parent().unwrap_or(Path::new("."));
    let lines = LineIndex::new(&text);
    let parsed = parse_stream(&text, &lines);
    let Some(root) = parsed.documents.first().map(|d| d.root()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut add = |file: PathBuf, target: Option<Node<'_>>, inline: Option<usize>| {
        out.push(Patch {
            file,
            target_kind: target.and_then(|t| t.get_str("kind")).map(str::to_owned),
            target_name: target.and_then(|t| t.get_str("name")).map(str::to_owned),
            inline,
        });
    };
    let file = |path: &str| std::fs::canonicalize(dir.join(path)).ok();
    for entry in root
        .get("patchesStrategicMerge")
        .into_iter()
        .flat_map(|l| l.items())
    {
        if let Some(path) = entry.as_str().filter(|p| !p.contains('\n'))
            && let Some(path) = file(path)
        {
            add(path, None, None);
        }
    }
    for key in ["patchesJson6902", "patches"] {
        for (index, entry) in root
            .get(key)
            .into_iter()
            .flat_map(|l| l.items())
            .enumerate()
        {
            if let Some(path) = entry.get_str("path").and_then(file) {
                add(path, entry.get("target"), None);
            } else if key == "patches" && entry.get_str("patch").is_some() {
                add(
                    kustomization.to_path_buf(),
                    entry.get("target"),
                    Some(index),
                );
            }
        }
    }
    out
}

/// JSON pointer → its tokens, still escaped.
fn tokens(pointer: &str) -> Vec<&str> {
    pointer.split('/').skip(1).collect()
}

/// The node at a JSON pointer under `node`.
fn resolve<'d>(node: Node<'d>, pointer: &str) -> Option<Node<'d>> {
    let mut at = node;
    for token in tokens(pointer) {
        let token = unescape(token);
        at = if at.is_seq() {
            at.items().nth(token.parse().ok()?)?
        } else {
            at.get(&token)?
        };
    }
    Some(at)
}

/// Which item of the rendered list at `list` an append (`list/-`) of `value` became, when
/// `pointer` points into that list: the item with the value's `name`, else the last.
fn appended_index(rendered: Node<'_>, list: &str, value: Node<'_>, pointer: &str) -> Option<usize> {
    let index: usize = pointer
        .strip_prefix(list)?
        .strip_prefix('/')?
        .split('/')
        .next()?
        .parse()
        .ok()?;
    let items = resolve(rendered, list)?;
    let item = items.items().nth(index)?;
    let same = match value.get_str("name") {
        Some(name) => item.get_str("name") == Some(name),
        None => index + 1 == items.items().count(),
    };
    same.then_some(index)
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// How far a pointer leads in a source file, walked beside the rendered object: the last node
/// reached there (with the key it is the value of), and whether the whole pointer was.
struct Walk<'r, 's> {
    node: Node<'s>,
    key: Option<Node<'s>>,
    rendered_key: Option<ByteSpan>,
    rendered: Option<Node<'r>>,
    complete: bool,
}

fn walk<'r, 's>(rendered: Node<'r>, source: Node<'s>, tokens: &[&str]) -> Walk<'r, 's> {
    let (mut r, mut s) = (rendered, source);
    let mut key = None;
    let mut rendered_key = None;
    for token in tokens {
        let token = unescape(token);
        if r.is_seq() {
            let (Ok(i), true) = (token.parse::<usize>(), s.is_seq()) else {
                return walked(s, key, rendered_key, r, false);
            };
            let Some(item) = r.items().nth(i) else {
                return walked(s, key, rendered_key, r, false);
            };
            // A strategic merge matches list items by name; otherwise the lists line up.
            let matched = match item.get_str("name") {
                Some(name) => s.items().find(|x| x.get_str("name") == Some(name)),
                None if s.items().count() == r.items().count() => s.items().nth(i),
                None => None,
            };
            let Some(matched) = matched else {
                return walked(s, key, rendered_key, r, false);
            };
            (r, s) = (item, matched);
            key = None;
            rendered_key = None;
        } else {
            let (Some((rk, rv)), Some((sk, sv))) = (r.entry(&token), s.entry(&token)) else {
                return walked(s, key, rendered_key, r, false);
            };
            (r, s) = (rv, sv);
            key = Some(sk);
            rendered_key = Some(rk.span());
        }
    }
    walked(s, key, rendered_key, r, true)
}

/// Where a walk stopped (`complete`: at the end of the pointer).
fn walked<'r, 's>(
    node: Node<'s>,
    key: Option<Node<'s>>,
    rendered_key: Option<ByteSpan>,
    rendered: Node<'r>,
    complete: bool,
) -> Walk<'r, 's> {
    Walk {
        node,
        key,
        rendered_key,
        rendered: Some(rendered),
        complete,
    }
}

/// The document of `file` that holds the rendered object: same kind, and the name the
/// rendered one was made from (a prefix or suffix may have been added).
fn find_object<'s>(
    stream: &'s ParsedStream<'s>,
    kind: Option<&str>,
    name: Option<&str>,
) -> Option<&'s Document<'s>> {
    let of_kind: Vec<&Document<'_>> = stream
        .documents
        .iter()
        .filter(|d| d.root().get_str("kind") == kind)
        .collect();
    let name_of = |d: &Document<'_>| {
        d.root()
            .path(&["metadata", "name"])
            .and_then(|n| n.as_str())
            .map(str::to_owned)
    };
    if let Some(name) = name {
        if let Some(exact) = of_kind.iter().find(|d| name_of(d).as_deref() == Some(name)) {
            return Some(exact);
        }
        if let Some(part) = of_kind
            .iter()
            .filter(|d| name_of(d).is_some_and(|n| name.contains(n.as_str())))
            .max_by_key(|d| name_of(d).map_or(0, |n| n.len()))
        {
            return Some(part);
        }
    }
    match of_kind.as_slice() {
        [only] => Some(only),
        _ => stream.documents.first(),
    }
}

fn place_kustomized(
    doc: &Document<'_>,
    origin: &Origin,
    location: &Location,
    patches: &HashMap<PathBuf, Vec<Patch>>,
    parsed: &HashMap<&Path, ParsedStream<'_>>,
    texts: &HashMap<PathBuf, (String, LineIndex)>,
) -> Option<Target> {
    let root = doc.root();
    let kind = root.get_str("kind");
    let rendered_name = root.path(&["metadata", "name"]).and_then(|n| n.as_str());
    let tokens = tokens(&location.path);
    let object = origin
        .file
        .as_deref()
        .and_then(|f| parsed.get(f))
        .and_then(|stream| find_object(stream, kind, rendered_name));
    let name = object
        .and_then(|o| o.root().path(&["metadata", "name"]))
        .and_then(|n| n.as_str())
        .or(rendered_name);
    let target = |file: &Path, walk: &Walk<'_, '_>, doc: &Document<'_>| {
        let at_key = walk
            .rendered_key
            .is_some_and(|k| k.start == location.start.offset);
        let node = match (at_key, walk.key) {
            (true, Some(key)) => key,
            _ => walk.node,
        };
        let changed = walk
            .rendered
            .is_some_and(|r| r.is_scalar() && !r.same_value(&walk.node));
        Target {
            file: file.to_path_buf(),
            span: node.span(),
            pointer: doc.pointer(node.id()),
            placed: if changed {
                Placed::ValueChanged
            } else {
                Placed::Exact
            },
        }
    };
    // A patch's documents: a strategic merge patch of the object, or JSON 6902 operations.
    let in_patch = |patch: &Patch, documents: &[Document<'_>]| -> Option<Target> {
        let targeted = patch.target_kind.as_deref().is_none_or(|k| Some(k) == kind)
            && patch.target_name.as_deref().is_none_or(|n| Some(n) == name);
        for patch_doc in documents {
            let patch_root = patch_doc.root();
            if patch_root.is_seq() {
                if !targeted || patch.target_kind.is_none() {
                    continue;
                }
                if let Some(t) = place_in_json_patch(patch_doc, root, &tokens, &patch.file) {
                    return Some(t);
                }
                continue;
            }
            let same_object = patch_root.get_str("kind") == kind
                && patch_root
                    .path(&["metadata", "name"])
                    .and_then(|n| n.as_str())
                    == name;
            let applies = if patch.target_kind.is_some() {
                targeted
            } else {
                same_object
            };
            if !applies {
                continue;
            }
            let w = walk(root, patch_root, &tokens);
            // `kind`, `apiVersion` and the name are only how a patch finds its object.
            // So is a list item's `name` (the key a strategic merge matches items by)...
            let identifies = matches!(
                tokens.as_slice(),
                ["kind"] | ["apiVersion"] | ["metadata", "name"] | ["metadata"] | []
            ) || matches!(tokens.as_slice(), [.., index, "name"] if index.parse::<usize>().is_ok());
            // ... unless the item exists only in the patch (a sidecar it adds).
            let in_origin = || object.is_some_and(|o| walk(root, o.root(), &tokens).complete);
            if w.complete && !(identifies && in_origin()) {
                return Some(target(&patch.file, &w, patch_doc));
            }
        }
        None
    };
    // The last patch applied wins; each is tried before the object it patches.
    for kustomization in origin.patched_in.iter().rev() {
        for patch in patches.get(kustomization).into_iter().flatten().rev() {
            let Some(stream) = parsed.get(patch.file.as_path()) else {
                continue;
            };
            let Some(index) = patch.inline else {
                if let Some(t) = in_patch(patch, &stream.documents) {
                    return Some(t);
                }
                continue;
            };
            // An inline patch is parsed from its scalar, and its places mapped back into
            // the kustomization file.
            let Some(scalar) = stream
                .documents
                .first()
                .and_then(|d| d.root().get("patches"))
                .and_then(|l| l.items().nth(index))
                .and_then(|entry| entry.get("patch"))
            else {
                continue;
            };
            let (Some(value), Some((file_text, _))) = (scalar.as_str(), texts.get(&patch.file))
            else {
                continue;
            };
            let lines = LineIndex::new(value);
            let inner = parse_stream(value, &lines);
            if let Some(mut t) = in_patch(patch, &inner.documents) {
                let in_file = |offset: u32| {
                    let chars = value
                        .get(..offset as usize)
                        .map_or(0, |before| before.chars().count());
                    crate::parse::offset_in_scalar(file_text, scalar, chars)
                };
                t.span = ByteSpan {
                    start: in_file(t.span.start),
                    end: in_file(t.span.end),
                };
                t.pointer = scalar.pointer();
                return Some(t);
            }
        }
    }
    if let (Some(file), Some(object)) = (origin.file.as_deref(), object) {
        let w = walk(root, object.root(), &tokens);
        if w.complete {
            return Some(target(file, &w, object));
        }
        let node = w.key.unwrap_or_else(|| {
            object
                .root()
                .path(&["metadata", "name"])
                .unwrap_or(object.root())
        });
        return Some(Target {
            file: file.to_path_buf(),
            span: node.span(),
            pointer: object.pointer(node.id()),
            placed: Placed::Nearest,
        });
    }
    // A generated object: its generator's entry in the kustomization.
    let kustomization = origin.generated_in.as_deref()?;
    let stream = parsed.get(kustomization)?;
    let root_k = stream.documents.first()?.root();
    let entry = ["configMapGenerator", "secretGenerator"]
        .iter()
        .flat_map(|key| root_k.get(key).into_iter().flat_map(|l| l.items()))
        .filter_map(|g| g.get("name"))
        .filter(|n| {
            n.as_str()
                .is_some_and(|n| rendered_name.is_some_and(|r| r.contains(n)))
        })
        .max_by_key(|n| n.as_str().map_or(0, str::len))?;
    Some(Target {
        file: kustomization.to_path_buf(),
        span: entry.span(),
        pointer: stream.documents.first()?.pointer(entry.id()),
        placed: Placed::Nearest,
    })
}

/// A JSON 6902 patch (a list of operations): the operation whose `path` is the pointer, or a
/// prefix of it (then the place inside its `value`).
fn place_in_json_patch(
    patch: &Document<'_>,
    rendered: Node<'_>,
    tokens: &[&str],
    file: &Path,
) -> Option<Target> {
    let pointer = format!("/{}", tokens.join("/"));
    let ops: Vec<Node<'_>> = patch.root().items().collect();
    for op in ops.into_iter().rev() {
        let (Some(path), Some(value)) = (op.get_str("path"), op.get("value")) else {
            continue;
        };
        // `/list/-` appends: it is the rendered item of that list that is the value (found by
        // name, or the last one).
        let path = match path.strip_suffix("/-") {
            Some(list) => match appended_index(rendered, list, value, &pointer) {
                Some(index) => format!("{list}/{index}"),
                None => continue,
            },
            None => path.to_owned(),
        };
        let rest = if pointer == path {
            ""
        } else if let Some(rest) = pointer.strip_prefix(&path).filter(|r| r.starts_with('/')) {
            rest
        } else {
            continue;
        };
        let Some(at) = resolve(rendered, &path) else {
            continue;
        };
        let w = walk(at, value, &self::tokens(rest));
        if w.complete {
            return Some(Target {
                file: file.to_path_buf(),
                span: w.node.span(),
                pointer: patch.pointer(w.node.id()),
                placed: Placed::Exact,
            });
        }
    }
    None
}
