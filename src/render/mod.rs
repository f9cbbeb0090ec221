//! Directories that are built rather than read: kustomizations (`kustomize build`, or
//! `kubectl kustomize`) and Helm charts (`helm template`). What the tool prints is linted as one
//! more input, so every rule sees the objects the cluster will get (namespaces and name prefixes
//! applied, patches merged); `remap` then moves each finding to the file a person edits — the
//! base, the patch or the template the field came from.

pub mod helm;
pub mod kustomize;
mod process;
mod remap;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::load::{Input, LoadError, display_path};

pub use remap::remap;

/// How a directory was rendered, and what its output's origins are relative to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Renderer {
    /// Origin annotations name paths relative to `base` (the temporary kustomization that
    /// referenced the user's).
    Kustomize { base: PathBuf },
    /// `# Source:` comments name each document's template (`helm::sources` gives its path
    /// relative to the chart).
    Helm { chart: PathBuf },
}

/// One rendered directory: the input it became and how to read its output's origins.
#[derive(Debug)]
pub struct Rendering {
    /// The input's name while it is linted (`DIR (kustomize build)`); no finding keeps it.
    pub display: String,
    /// The kustomization file or the chart's `Chart.yaml`: where a finding that has no origin
    /// (a remote base's object) is shown.
    pub file: PathBuf,
    /// The directory as the user sees it (named in every finding's message).
    pub shown_dir: String,
    pub text: Arc<str>,
    pub renderer: Renderer,
    /// Real path → displayed name of every file the run found, so that a finding moved to a
    /// base file is shown under the name the user typed or walked.
    pub shown: Arc<std::collections::HashMap<PathBuf, String>>,
}

/// What rendering does (`kustomize:`/`helm:` in the configuration, `--kustomize`, `--helm`,
/// `--helm-values`).
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub kustomize: bool,
    pub helm: bool,
    pub helm_values: Vec<PathBuf>,
    pub helm_release: Option<String>,
    pub helm_namespace: Option<String>,
}

/// What rendering made of the run's inputs.
#[derive(Debug, Default)]
pub struct Rendered {
    /// The inputs to lint: those no rendering consumed, then one per rendered directory.
    pub inputs: Vec<Input>,
    pub renderings: Vec<Arc<Rendering>>,
    pub errors: Vec<LoadError>,
}

/// Renders the overlay roots among `kustomizations` and the `charts`, and takes the files a
/// successful kustomize build consumed out of `inputs` (they are linted through the build, not
/// twice). A directory that cannot be rendered is an error naming it and why; its files stay
/// plain inputs, linted as without rendering.
pub fn render(
    inputs: Vec<Input>,
    kustomizations: &[PathBuf],
    charts: &[PathBuf],
    options: &Options,
) -> Rendered {
    let wanted =
        (options.kustomize && !kustomizations.is_empty()) || (options.helm && !charts.is_empty());
    if !wanted {
        return Rendered {
            inputs,
            ..Rendered::default()
        };
    }
    let shown: std::collections::HashMap<PathBuf, String> = inputs
        .iter()
        .filter_map(|input| match input {
            Input::File { path, display, .. } => {
                Some((std::fs::canonicalize(path).ok()?, display.clone()))
            }
            _ => None,
        })
        .collect();
    let shown = Arc::new(shown);
    let mut jobs: Vec<Job> = Vec::new();
    let mut errors = Vec::new();
    if options.kustomize && !kustomizations.is_empty() {
        let plan = kustomize::plan(kustomizations);
        match kustomize::Tool::find() {
            Some(tool) => jobs.extend(plan.roots.into_iter().map(|root| Job::Kustomize {
                tool: tool.clone(),
                root,
            })),
            None => errors.extend(plan.roots.iter().map(|root| LoadError {
                path: display_path(&root.dir),
                message: "a kustomization that kubelint would render, but neither `kustomize` \
                          nor `kubectl` is on PATH: install one (https://kubectl.docs.kubernetes.io/\
                          installation/kustomize/), or set `kustomize: never` in .kubelint.yaml; \
                          its files are linted as plain YAML meanwhile"
                    .to_owned(),
            })),
        }
    }
    if options.helm && !charts.is_empty() {
        if helm::available() {
            jobs.extend(charts.iter().map(|chart| Job::Helm {
                chart: chart.clone(),
            }));
        } else {
            errors.extend(charts.iter().map(|chart| LoadError {
                path: display_path(chart),
                message: format!(
                    "a Helm chart, but helm is not installed (https://helm.sh/docs/intro/\
                     install/), so its templates are not linted: install helm, or lint the \
                     rendered chart (helm template {} | kubelint check -), or set \
                     `helm: {{render: never}}` in .kubelint.yaml",
                    display_path(chart)
                ),
            }));
        }
    }
    let outcomes: Vec<(Job, Result<String, String>, Option<PathBuf>)> = jobs
        .into_par_iter()
        .map(|job| {
            let (result, base) = match &job {
                Job::Kustomize { tool, root } => match kustomize::build(tool, &root.dir) {
                    Ok((text, base)) => (Ok(text), Some(base)),
                    Err(e) => (Err(e), None),
                },
                Job::Helm { chart } => (
                    helm::render(
                        chart,
                        &options.helm_values,
                        options.helm_release.as_deref().unwrap_or("release-name"),
                        options.helm_namespace.as_deref(),
                    ),
                    None,
                ),
            };
            (job, result, base)
        })
        .collect();
    let mut consumed = std::collections::HashSet::new();
    let mut renderings = Vec::new();
    for (job, result, base) in outcomes {
        match (job, result) {
            (Job::Kustomize { root, .. }, Ok(text)) => {
                consumed.extend(root.consumed.iter().cloned());
                renderings.push(Arc::new(Rendering {
                    display: format!("{} (kustomize build)", display_path(&root.dir)),
                    file: root.file.clone(),
                    shown_dir: display_path(&root.dir),
                    text: Arc::from(text),
                    renderer: Renderer::Kustomize {
                        base: base.unwrap_or_default(),
                    },
                    shown: shown.clone(),
                }));
            }
            (Job::Helm { chart }, Ok(text)) => renderings.push(Arc::new(Rendering {
                display: format!("{} (helm template)", display_path(&chart)),
                file: chart.join("Chart.yaml"),
                shown_dir: display_path(&chart),
                text: Arc::from(text),
                renderer: Renderer::Helm {
                    chart: std::fs::canonicalize(&chart).unwrap_or(chart),
                },
                shown: shown.clone(),
            })),
            (Job::Kustomize { root, .. }, Err(e)) => errors.push(LoadError {
                path: display_path(&root.dir),
                message: format!(
                    "kustomize build failed, so its files that no other build read are linted \
                     as plain YAML: {e}"
                ),
            }),
            (Job::Helm { chart }, Err(e)) => errors.push(LoadError {
                path: display_path(&chart),
                message: e,
            }),
        }
    }
    let mut inputs: Vec<Input> = inputs
        .into_iter()
        .filter(|input| match input {
            Input::File { path, explicit, .. } if !consumed.is_empty() => {
                *explicit
                    || std::fs::canonicalize(path).map_or(true, |real| !consumed.contains(&real))
            }
            _ => true,
        })
        .collect();
    inputs.extend(renderings.iter().map(|r| Input::Rendered {
        display: r.display.clone(),
        text: r.text.clone(),
    }));
    Rendered {
        inputs,
        renderings,
        errors,
    }
}

enum Job {
    Kustomize {
        tool: kustomize::Tool,
        root: kustomize::Root,
    },
    Helm {
        chart: PathBuf,
    },
}

/// `path` relative to the directory `from` (both absolute): `..` for each component of `from`
/// beyond their common prefix.
pub(crate) fn relative_to(path: &Path, from: &Path) -> PathBuf {
    let path: Vec<_> = path.components().collect();
    let from: Vec<_> = from.components().collect();
    let common = path.iter().zip(&from).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &path[common..] {
        out.push(part);
    }
    out
}

/// `path` with `.` and `..` components folded away, without touching the file system.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_out_of_the_common_prefix() {
        assert_eq!(
            relative_to(Path::new("/work/repo/overlay"), Path::new("/tmp/x")),
            PathBuf::from("../../work/repo/overlay")
        );
        assert_eq!(
            relative_to(Path::new("/a/b/c"), Path::new("/a")),
            PathBuf::from("b/c")
        );
        assert_eq!(
            normalize(Path::new("/tmp/x/../../work/./a")),
            PathBuf::from("/work/a")
        );
    }
}
