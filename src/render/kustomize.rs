//! Kustomizations: which to build (the overlay roots: not a base of another kustomization of the
//! run), which files a build consumes (so they are not linted a second time as plain files), and
//! the build itself, with origin annotations so findings can be traced back.

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::load::KUSTOMIZATION_FILES;
use crate::parse::tree::Node;

use super::process;

/// `kustomize build` if it is installed, else `kubectl kustomize` (kubectl embeds kustomize).
#[derive(Debug, Clone)]
pub struct Tool {
    program: PathBuf,
    kubectl: bool,
}

impl Tool {
    pub fn find() -> Option<Tool> {
        if let Some(program) = process::on_path("kustomize") {
            return Some(Tool {
                program,
                kubectl: false,
            });
        }
        process::on_path("kubectl").map(|program| Tool {
            program,
            kubectl: true,
        })
    }
}

/// A kustomization to build.
#[derive(Debug, Clone)]
pub struct Root {
    /// The directory, as found.
    pub dir: PathBuf,
    /// Its kustomization file.
    pub file: PathBuf,
    /// Real paths of every file the build reads: its kustomization files, resources, patches,
    /// and those of its bases and components, recursively.
    pub consumed: Vec<PathBuf>,
}

/// The builds a run makes.
#[derive(Debug, Default)]
pub struct Plan {
    pub roots: Vec<Root>,
}

/// What one kustomization file references.
#[derive(Debug, Default)]
struct References {
    file: PathBuf,
    component: bool,
    /// Directories: bases, components, resource directories.
    dirs: Vec<PathBuf>,
    /// Files: resources, patches, replacements, generator inputs, transformer configs.
    files: Vec<PathBuf>,
}

pub fn kustomization_file(dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_FILES
        .iter()
        .map(|name| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A resource that kustomize fetches (a git URL, an HTTP file): nothing of the run.
fn is_remote(entry: &str) -> bool {
    entry.contains("://")
        || entry.starts_with("git@")
        || entry.starts_with("github.com/")
        || entry.contains("?ref=")
}

fn references(dir: &Path) -> Option<References> {
    let file = kustomization_file(dir)?;
    let text = std::fs::read_to_string(&file).ok()?;
    let lines = crate::parse::lines::LineIndex::new(&text);
    let stream = crate::parse::parse_stream(&text, &lines);
    let mut out = References {
        file: std::fs::canonicalize(&file).unwrap_or(file),
        ..References::default()
    };
    let Some(doc) = stream.documents.first() else {
        return Some(out);
    };
    let root = doc.root();
    out.component = root.get_str("kind") == Some("Component");
    let mut paths: Vec<&str> = Vec::new();
    fn strings<'d>(node: Option<Node<'d>>) -> Vec<&'d str> {
        node.into_iter()
            .flat_map(|list| list.items())
            .filter_map(|item| item.as_str())
            .collect()
    }
    for key in [
        "resources",
        "bases",
        "components",
        "crds",
        "transformers",
        "generators",
    ] {
        paths.extend(strings(root.get(key)));
    }
    // A strategic-merge patch is a file name or, inline, the patch itself.
    paths.extend(
        strings(root.get("patchesStrategicMerge"))
            .into_iter()
            .filter(|p| !p.contains('\n')),
    );
    for key in ["patches", "patchesJson6902", "replacements"] {
        let entries = root.get(key).into_iter().flat_map(|list| list.items());
        paths.extend(entries.filter_map(|entry| entry.get_str("path")));
    }
    for key in ["configMapGenerator", "secretGenerator"] {
        let generators = root.get(key).into_iter().flat_map(|list| list.items());
        for generator in generators {
            for list in ["files", "envs"] {
                // `files` entries may name their key: `key=path`.
                paths.extend(
                    strings(generator.get(list))
                        .into_iter()
                        .map(|f| f.split_once('=').map_or(f, |(_, path)| path)),
                );
            }
        }
    }
    if let Some(path) = root.get("openapi").and_then(|o| o.get_str("path")) {
        paths.push(path);
    }
    for entry in paths {
        if is_remote(entry) {
            continue;
        }
        let Ok(real) = std::fs::canonicalize(dir.join(entry)) else {
            continue;
        };
        if real.is_dir() {
            out.dirs.push(real);
        } else {
            out.files.push(real);
        }
    }
    Some(out)
}

/// The overlay roots among `dirs` (kustomizations found while walking): those no other of them
/// uses as a base, resource or component, and that are not components themselves (a component
/// is built only inside a kustomization).
pub fn plan(dirs: &[PathBuf]) -> Plan {
    let found: Vec<(PathBuf, PathBuf)> = dirs
        .iter()
        .filter_map(|dir| Some((dir.clone(), std::fs::canonicalize(dir).ok()?)))
        .collect();
    let mut closures = Vec::new();
    let mut used_by_another: HashSet<PathBuf> = HashSet::new();
    for (_, real) in &found {
        let closure = closure(real);
        used_by_another.extend(closure.dirs.iter().filter(|d| *d != real).cloned());
        closures.push(closure);
    }
    let mut roots = Vec::new();
    for ((dir, real), closure) in found.into_iter().zip(closures) {
        if used_by_another.contains(&real) || closure.component {
            continue;
        }
        let Some(file) = kustomization_file(&dir) else {
            continue;
        };
        roots.push(Root {
            dir,
            file,
            consumed: closure.files.into_iter().collect(),
        });
    }
    Plan { roots }
}

struct Closure {
    component: bool,
    dirs: BTreeSet<PathBuf>,
    files: BTreeSet<PathBuf>,
}

/// Every directory and file a build of `dir` reads.
fn closure(dir: &Path) -> Closure {
    let mut out = Closure {
        component: false,
        dirs: BTreeSet::new(),
        files: BTreeSet::new(),
    };
    let mut queue = VecDeque::from([dir.to_path_buf()]);
    while let Some(next) = queue.pop_front() {
        if !out.dirs.insert(next.clone()) {
            continue;
        }
        let Some(refs) = references(&next) else {
            continue;
        };
        if next == dir {
            out.component = refs.component;
        }
        out.files.insert(refs.file);
        out.files.extend(refs.files);
        queue.extend(refs.dirs);
    }
    out
}

/// Builds the kustomization in `dir` with origin and transformer annotations, without touching
/// the user's files: a temporary kustomization references theirs (by a relative path, as
/// kustomize requires) and asks for the annotations. Returns the output and the temporary
/// directory's path, which the annotations' paths are relative to.
pub fn build(tool: &Tool, dir: &Path) -> Result<(String, PathBuf), String> {
    let real = std::fs::canonicalize(dir).map_err(|e| e.to_string())?;
    let wrapper = tempfile::Builder::new()
        .prefix("kubelint-kustomize-")
        .tempdir()
        .map_err(|e| format!("cannot make a temporary directory: {e}"))?;
    let base = std::fs::canonicalize(wrapper.path()).map_err(|e| e.to_string())?;
    let reference = super::relative_to(&real, &base);
    // The path goes in as a JSON string (any character escaped), never raw into the YAML.
    let text = format!(
        "# Written by kubelint: builds the kustomization it names with the origin of every \
         object recorded.\n\
         resources:\n- {}\nbuildMetadata: [originAnnotations, transformerAnnotations]\n",
        serde_json::to_string(&reference.to_string_lossy()).map_err(|e| e.to_string())?,
    );
    std::fs::write(base.join("kustomization.yaml"), text)
        .map_err(|e| format!("cannot write a temporary kustomization: {e}"))?;
    let target = base.as_os_str();
    let args: Vec<&OsStr> = if tool.kubectl {
        vec![OsStr::new("kustomize"), target]
    } else {
        vec![OsStr::new("build"), target]
    };
    let output = process::run(&tool.program, &args, None, process::summarize)?;
    Ok((output, base))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, files: &[(&str, &str)]) {
        for (name, text) in files {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    #[test]
    fn overlays_are_roots_and_their_bases_are_consumed() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("base/kustomization.yaml", "resources: [deploy.yaml]\n"),
                ("base/deploy.yaml", "kind: Deployment\n"),
                (
                    "prod/kustomization.yaml",
                    "resources: [../base, https://example.com/x.yaml]\ncomponents: [../comp]\n\
                     patches:\n- path: patch.yaml\nconfigMapGenerator:\n- name: c\n  files: [k=cfg.yaml]\n",
                ),
                ("prod/patch.yaml", "kind: Deployment\n"),
                ("prod/cfg.yaml", "a: b\n"),
                ("prod/stray.yaml", "kind: Service\n"),
                (
                    "comp/kustomization.yaml",
                    "kind: Component\nresources: [np.yaml]\n",
                ),
                ("comp/np.yaml", "kind: NetworkPolicy\n"),
            ],
        );
        let dirs = ["base", "prod", "comp"].map(|d| dir.path().join(d));
        let plan = plan(&dirs);
        assert_eq!(plan.roots.len(), 1, "{plan:?}");
        assert_eq!(plan.roots[0].dir, dir.path().join("prod"));
        let real = std::fs::canonicalize(dir.path()).unwrap();
        let consumed: Vec<String> = plan.roots[0]
            .consumed
            .iter()
            .map(|p| p.strip_prefix(&real).unwrap().display().to_string())
            .collect();
        assert_eq!(
            consumed,
            [
                "base/deploy.yaml",
                "base/kustomization.yaml",
                "comp/kustomization.yaml",
                "comp/np.yaml",
                "prod/cfg.yaml",
                "prod/kustomization.yaml",
                "prod/patch.yaml",
            ]
        );
    }

    #[test]
    fn a_component_alone_and_a_cycle_are_no_roots_and_never_hang() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("a/kustomization.yaml", "resources: [../b]\n"),
                ("b/kustomization.yaml", "resources: [../a]\n"),
                ("c/kustomization.yaml", "kind: Component\n"),
                ("d/kustomization.yaml", "resources: [\"unclosed\n"),
            ],
        );
        let dirs = ["a", "b", "c", "d"].map(|d| dir.path().join(d));
        let roots: Vec<PathBuf> = plan(&dirs).roots.into_iter().map(|r| r.dir).collect();
        // a and b use each other: neither is an overlay nobody else builds. A file kustomize
        // cannot read is still built, so that its error is reported.
        assert_eq!(roots, [dir.path().join("d")]);
    }
}
