//! Paths and stdin → the inputs to lint, and what the kustomizations beside them say about those
//! inputs (patches, generated names). YAML is parsed here only for kustomizations.

use crate::parse::tree::Node;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Files larger than this are refused with an error rather than read into memory.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone)]
pub enum Input {
    File {
        path: PathBuf,
        display: String,
        /// Named on the command line (not found by walking a directory): always linted, and
        /// documents that are not Kubernetes objects are reported.
        explicit: bool,
    },
    Stdin {
        display: String,
    },
    /// Text held in memory, linted like a file found by walking: what a renderer (kustomize,
    /// helm) made of a directory, whose findings are then mapped back to the files the output
    /// came from.
    Rendered {
        display: String,
        text: std::sync::Arc<str>,
    },
    /// An editor's buffer of the file at `path`, which may not be saved: linted like a file
    /// found by walking, from `text`, and known by its path (exclusion, kustomize patches).
    Buffer {
        path: PathBuf,
        display: String,
        text: std::sync::Arc<str>,
    },
}

impl Input {
    pub fn display(&self) -> &str {
        match self {
            Input::File { display, .. }
            | Input::Stdin { display }
            | Input::Rendered { display, .. }
            | Input::Buffer { display, .. } => display,
        }
    }

    pub fn is_explicit(&self) -> bool {
        match self {
            Input::File { explicit, .. } => *explicit,
            Input::Stdin { .. } => true,
            Input::Rendered { .. } | Input::Buffer { .. } => false,
        }
    }
}

/// A path that could not be read: always reported, and the run exits 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

pub enum Content {
    Text(String),
    /// Not UTF-8: the bytes up to the first invalid sequence are valid text.
    NotUtf8 {
        valid_prefix: String,
    },
}

/// The file extensions of manifests (a directory walk reads these; an editor opens these).
pub const EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];

pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_owned()
}

/// What `discover` found.
#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<Input>,
    pub errors: Vec<LoadError>,
    /// Helm charts whose `templates/` were skipped (Go templates are not manifests), by the
    /// chart's directory as displayed: the run says so, since it lints nothing of them.
    pub skipped_charts: Vec<String>,
    /// Directories holding a kustomization, found while walking (not named files): the
    /// candidates for rendering.
    pub kustomizations: Vec<PathBuf>,
    /// Helm charts (directories holding `Chart.yaml`) found while walking or named.
    pub charts: Vec<PathBuf>,
}

/// How files named on the command line are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Named {
    /// Always linted, and a document in them that is not a Kubernetes object is reported: a
    /// person who types a path means it.
    #[default]
    Explicit,
    /// Like files found by walking (`--only-manifests`, what the pre-commit hook passes, since
    /// pre-commit names every staged YAML and JSON file): skipped when they hold no Kubernetes
    /// object or are templates of a Helm chart.
    AsWalked,
}

/// Expands paths into inputs: files as given, directories walked (sorted, hidden entries and
/// `.gitignore`d files skipped, Helm chart templates skipped), `-` for stdin.
pub fn discover(paths: &[PathBuf], stdin_name: Option<&str>, named: Named) -> Discovered {
    let mut found = Discovered::default();
    for path in paths {
        if path.as_os_str() == "-" {
            found.inputs.push(Input::Stdin {
                display: stdin_name.unwrap_or("<stdin>").to_owned(),
            });
            continue;
        }
        match std::fs::metadata(path) {
            Err(e) => found.errors.push(LoadError {
                path: display_path(path),
                message: e.to_string(),
            }),
            Ok(meta) if meta.is_dir() => walk(path, &mut found),
            Ok(_) if named == Named::AsWalked => match helm_chart_of(path) {
                Some(chart) => note_chart(&mut found.skipped_charts, display_path(&chart)),
                None => found.inputs.push(Input::File {
                    path: path.clone(),
                    display: display_path(path),
                    explicit: false,
                }),
            },
            Ok(_) => found.inputs.push(Input::File {
                path: path.clone(),
                display: display_path(path),
                explicit: true,
            }),
        }
    }
    found
}

fn note_chart(charts: &mut Vec<String>, chart: String) {
    if !charts.contains(&chart) {
        charts.push(chart);
    }
}

/// Whether `dir` is the `templates/` directory of a Helm chart (a directory beside
/// `Chart.yaml`).
fn is_chart_templates(dir: &Path) -> bool {
    dir.file_name().is_some_and(|name| name == "templates")
        && chart_dir(dir).join("Chart.yaml").is_file()
}

/// The parent of a chart's `templates/`, where `Chart.yaml` is (`.` for a relative `templates`).
fn chart_dir(templates: &Path) -> PathBuf {
    match templates.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether a chart is rendered on its own: not a subchart (`parent/charts/sub/`, which its
/// parent's rendering includes, with the values and globals it needs) and not a library chart
/// (`type: library`, which helm refuses to render).
fn is_installable_chart(dir: &Path) -> bool {
    let subchart = dir.parent().is_some_and(|charts| {
        charts.file_name().is_some_and(|n| n == "charts")
            && chart_dir(charts).join("Chart.yaml").is_file()
    });
    let library = std::fs::read_to_string(dir.join("Chart.yaml")).is_ok_and(|text| {
        text.lines()
            .any(|line| line.split('#').next().unwrap_or("").trim_end() == "type: library")
    });
    !subchart && !library
}

/// The chart whose `templates/` (at any depth) holds the file at `path`.
fn helm_chart_of(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .skip(1)
        .find(|dir| is_chart_templates(dir))
        .map(chart_dir)
}

fn walk(root: &Path, found: &mut Discovered) {
    let charts = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let skipped = charts.clone();
    let chart_dirs = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen_charts = chart_dirs.clone();
    let walker = ignore::WalkBuilder::new(root)
        .sort_by_file_name(|a, b| a.cmp(b))
        // Helm templates are Go templates, not manifests: render them, then lint the output.
        .filter_entry(move |entry| {
            let templates =
                entry.file_type().is_some_and(|t| t.is_dir()) && is_chart_templates(entry.path());
            if templates && let Ok(mut charts) = skipped.lock() {
                note_chart(&mut charts, display_path(&chart_dir(entry.path())));
                if let Ok(mut dirs) = seen_charts.lock() {
                    dirs.push(chart_dir(entry.path()));
                }
            }
            !templates
        })
        .build();
    for entry in walker {
        match entry {
            Err(e) => found.errors.push(LoadError {
                path: display_path(root),
                message: e.to_string(),
            }),
            Ok(entry) => {
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    continue;
                }
                let path = entry.path();
                if path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| KUSTOMIZATION_FILES.contains(&n))
                    && let Some(dir) = path.parent()
                    && !found.kustomizations.iter().any(|k| k == dir)
                {
                    found.kustomizations.push(dir.to_path_buf());
                }
                let wanted = path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
                if wanted {
                    found.inputs.push(Input::File {
                        path: path.to_path_buf(),
                        display: display_path(path),
                        explicit: false,
                    });
                }
            }
        }
    }
    if let Ok(mut charts) = charts.lock() {
        for chart in charts.drain(..) {
            note_chart(&mut found.skipped_charts, chart);
        }
    }
    if let Ok(mut dirs) = chart_dirs.lock() {
        for dir in dirs.drain(..) {
            if !found.charts.contains(&dir) && is_installable_chart(&dir) {
                found.charts.push(dir);
            }
        }
    }
}

pub fn read(input: &Input) -> Result<Content, LoadError> {
    let error = |message: String| LoadError {
        path: input.display().to_owned(),
        message,
    };
    let bytes = match input {
        Input::File { path, .. } => {
            let meta = std::fs::metadata(path).map_err(|e| error(e.to_string()))?;
            if meta.len() > MAX_FILE_BYTES {
                return Err(error(format!(
                    "file is larger than {} MiB; not read",
                    MAX_FILE_BYTES / 1024 / 1024
                )));
            }
            std::fs::read(path).map_err(|e| error(e.to_string()))?
        }
        Input::Rendered { text, .. } | Input::Buffer { text, .. } => {
            return Ok(Content::Text(text.to_string()));
        }
        Input::Stdin { .. } => {
            let mut buf = Vec::new();
            std::io::stdin()
                .take(MAX_FILE_BYTES + 1)
                .read_to_end(&mut buf)
                .map_err(|e| error(e.to_string()))?;
            if buf.len() as u64 > MAX_FILE_BYTES {
                return Err(error("standard input is larger than 256 MiB".into()));
            }
            buf
        }
    };
    Ok(match String::from_utf8(bytes) {
        Ok(text) => Content::Text(text),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let mut bytes = e.into_bytes();
            bytes.truncate(valid);
            Content::NotUtf8 {
                valid_prefix: String::from_utf8(bytes).unwrap_or_default(),
            }
        }
    })
}

pub const KUSTOMIZATION_FILES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Calls `f` with the directory and the root of every document of each kustomization among
/// the inputs or in the directory of an input file (each read once per call).
fn for_each_kustomization(inputs: &[&Input], mut f: impl FnMut(&Path, Node<'_>)) {
    let mut kustomizations = std::collections::BTreeSet::new();
    for input in inputs {
        if let Input::File { path, .. } = input {
            let dir = path.parent().unwrap_or(Path::new("."));
            for name in KUSTOMIZATION_FILES {
                let candidate = dir.join(name);
                if candidate.is_file() {
                    kustomizations.insert(candidate);
                }
            }
        }
    }
    for file in kustomizations {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let dir = file.parent().unwrap_or(Path::new("."));
        let lines = crate::parse::lines::LineIndex::new(&text);
        let stream = crate::parse::parse_stream(&text, &lines);
        for doc in &stream.documents {
            f(dir, doc.root());
        }
    }
}

/// Files that a kustomization uses as patches (`patches`, `patchesStrategicMerge`,
/// `patchesJson6902`), as canonical paths. They hold fragments of objects whose other fields
/// are elsewhere, so they are not linted as whole objects. Kustomizations are looked for among
/// the inputs and in the directory of every input file.
pub fn kustomize_patches(inputs: &[&Input]) -> std::collections::HashSet<PathBuf> {
    let mut patches = std::collections::HashSet::new();
    for_each_kustomization(inputs, |dir, root| {
        let mut paths = Vec::new();
        if let Some(list) = root.get("patchesStrategicMerge") {
            paths.extend(list.items().filter_map(|i| i.as_str()));
        }
        for key in ["patches", "patchesJson6902"] {
            if let Some(list) = root.get(key) {
                paths.extend(list.items().filter_map(|i| i.get_str("path")));
            }
        }
        for p in paths {
            if let Ok(canonical) = std::fs::canonicalize(dir.join(p)) {
                patches.insert(canonical);
            }
        }
    });
    patches
}

/// The names kustomize `configMapGenerator`s and `secretGenerator`s give, read from the
/// kustomizations `kustomize_patches` finds. A generator's object gets a hash suffix and
/// kustomize rewrites the references to it, so a pod naming it is not dangling.
pub fn kustomize_generated_names(inputs: &[&Input]) -> std::collections::HashSet<String> {
    let mut names = std::collections::HashSet::new();
    for_each_kustomization(inputs, |_, root| {
        for key in ["configMapGenerator", "secretGenerator"] {
            let generators = root.get(key).into_iter().flat_map(|list| list.items());
            names.extend(generators.filter_map(|g| g.get_str("name").map(str::to_owned)));
        }
    });
    names
}
