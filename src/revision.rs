//! Another revision of the repository the inputs live in (`--new-from-rev`): its files, read
//! through `git`, and which files were renamed since.
//!
//! Files that differ from the working tree are written to a temporary directory laid out like
//! the repository, so they are linted by exactly the code that lints the working tree
//! (discovery, Helm chart detection, kustomize patches). Files that are the same at both
//! revisions are not written at all: the engine reuses their first pass (`lint::Pass::reuse`),
//! so a pull request that touches three files costs one lint plus three files.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::load;

/// A commit of the repository that holds the working directory.
pub struct Revision {
    /// The name the user gave (`HEAD~1`, `origin/main`, a hash), for messages.
    pub name: String,
    pub commit: String,
    /// The repository's top-level directory, canonical.
    pub toplevel: PathBuf,
}

/// The files of a revision that differ from the working tree, written out (removed when
/// dropped), and the names of all its files under the paths asked for.
pub struct Checkout {
    pub root: tempfile::TempDir,
    /// Every file of the revision under the paths, relative to the top level.
    pub files: HashSet<PathBuf>,
}

/// How the working tree differs from a revision (tracked files; an untracked file is simply
/// not at the revision).
#[derive(Debug, Default)]
pub struct Changes {
    /// Paths, relative to the top level, whose content differs, or that exist on one side only
    /// (both names of a renamed file).
    pub changed: HashSet<PathBuf>,
    /// Renamed files: old path → new path.
    pub renamed: HashMap<PathBuf, PathBuf>,
}

impl Checkout {
    /// Where `path` (as the user typed it for the working tree) is in the checkout: its place
    /// under the top level, or `path` itself when it lies outside the repository (such files
    /// have no revisions, so both runs read them as they are).
    fn place_of(&self, revision: &Revision, path: &Path) -> PathBuf {
        match revision.in_repository(path) {
            Some(relative) => self.root.path().join(relative),
            None => path.to_path_buf(),
        }
    }

    /// The inputs `paths` name at the revision, found as `load::discover` finds them in the
    /// working tree and shown by the names the working tree's files have: a path as the user
    /// typed it, and a file renamed since (`renamed`, relative to the top level) by its new
    /// name, so its findings compare with the working tree's. A path that did not exist at the
    /// revision names nothing.
    pub fn inputs(
        &self,
        revision: &Revision,
        paths: &[PathBuf],
        named: load::Named,
        renamed: &dyn Fn(&Path) -> Option<String>,
    ) -> Vec<load::Input> {
        let mut inputs = Vec::new();
        for typed in paths {
            let place = self.place_of(revision, typed);
            if !place.exists() {
                continue;
            }
            let found = load::discover(std::slice::from_ref(&place), None, named);
            for input in found.inputs {
                let load::Input::File { path, explicit, .. } = input else {
                    continue;
                };
                let suffix = path.strip_prefix(&place).unwrap_or(Path::new(""));
                let typed_path = if suffix.as_os_str().is_empty() {
                    typed.clone()
                } else {
                    typed.join(suffix)
                };
                let display = path
                    .strip_prefix(self.root.path())
                    .ok()
                    .and_then(renamed)
                    .unwrap_or_else(|| load::display_path(&typed_path));
                inputs.push(load::Input::File {
                    path,
                    display,
                    explicit,
                });
            }
        }
        inputs
    }

    /// The working-tree path a file of the checkout stands for (for `exclude` globs).
    pub fn working_path(&self, revision: &Revision, path: &Path) -> PathBuf {
        match path.strip_prefix(self.root.path()) {
            Ok(relative) => revision.toplevel.join(relative),
            Err(_) => path.to_path_buf(),
        }
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output, String> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("--new-from-rev needs `git` on PATH: {e}"))
}

fn stdout_line(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

impl Revision {
    /// Resolves `name` in the repository that holds `dir`.
    pub fn open(name: &str, dir: &Path) -> Result<Revision, String> {
        let top = git(dir, &["rev-parse", "--show-toplevel"])?;
        if !top.status.success() {
            return Err(format!(
                "--new-from-rev {name}: {} is not in a git repository",
                dir.display()
            ));
        }
        let toplevel = PathBuf::from(stdout_line(&top));
        let toplevel = std::fs::canonicalize(&toplevel).unwrap_or(toplevel);
        let spec = format!("{name}^{{commit}}");
        let resolved = git(&toplevel, &["rev-parse", "--verify", "--quiet", &spec])?;
        if !resolved.status.success() {
            let shallow = git(&toplevel, &["rev-parse", "--is-shallow-repository"])?;
            return Err(if stdout_line(&shallow) == "true" {
                format!(
                    "--new-from-rev {name}: no such commit in this shallow clone; fetch it \
                     (`git fetch --deepen=50`, or `fetch-depth: 0` in actions/checkout)"
                )
            } else {
                format!("--new-from-rev {name}: unknown revision (not a commit, branch or tag)")
            });
        }
        Ok(Revision {
            name: name.to_owned(),
            commit: stdout_line(&resolved),
            toplevel,
        })
    }

    /// The path of `path` (relative to the working directory, or absolute) relative to the
    /// repository's top level, or `None` when it lies outside the repository.
    pub fn in_repository(&self, path: &Path) -> Option<PathBuf> {
        let absolute = std::path::absolute(path).ok()?;
        let absolute = canonical_prefix(&absolute);
        absolute
            .strip_prefix(&self.toplevel)
            .ok()
            .map(Path::to_path_buf)
    }

    /// Lists the files under `paths` (relative to the top level) at the revision, and writes
    /// those that `changes` says differ from the working tree into a new temporary directory,
    /// laid out like the repository; the others are read from the working tree. Symbolic
    /// links and submodules are left out.
    pub fn checkout(&self, paths: &[PathBuf], changes: &Changes) -> Result<Checkout, String> {
        let root = tempfile::Builder::new()
            .prefix("kubelint-rev-")
            .tempdir()
            .map_err(|e| format!("--new-from-rev: cannot make a temporary directory: {e}"))?;
        let mut args = vec!["ls-tree", "-r", "-z", "--full-tree", &self.commit, "--"];
        let specs: Vec<String> = paths
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        args.extend(specs.iter().map(String::as_str));
        let listing = git(&self.toplevel, &args)?;
        if !listing.status.success() {
            return Err(format!(
                "--new-from-rev {}: git ls-tree failed: {}",
                self.name,
                String::from_utf8_lossy(&listing.stderr).trim()
            ));
        }
        // `<mode> blob <hash>\t<path>`: regular files only (100644, 100755).
        let blobs: Vec<(&str, &str)> = listing
            .stdout
            .split(|&b| b == 0)
            .filter_map(|entry| std::str::from_utf8(entry).ok())
            .filter_map(|entry| {
                let (meta, path) = entry.split_once('\t')?;
                let mut fields = meta.split(' ');
                let (mode, kind, hash) = (fields.next()?, fields.next()?, fields.next()?);
                (kind == "blob" && (mode == "100644" || mode == "100755")).then_some((hash, path))
            })
            .collect();
        let files = blobs.iter().map(|(_, path)| PathBuf::from(path)).collect();
        let differing: Vec<(&str, &str)> = blobs
            .into_iter()
            .filter(|(_, path)| changes.changed.contains(Path::new(path)))
            .collect();
        self.write_blobs(&differing, root.path())?;
        Ok(Checkout { root, files })
    }

    /// Reads every blob through one `git cat-file --batch` and writes it to its path.
    fn write_blobs(&self, blobs: &[(&str, &str)], root: &Path) -> Result<(), String> {
        if blobs.is_empty() {
            return Ok(());
        }
        let failed = |e: std::io::Error| format!("--new-from-rev {}: git cat-file: {e}", self.name);
        let mut child = Command::new("git")
            .arg("-C")
            .arg(&self.toplevel)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(failed)?;
        let mut stdin = child.stdin.take().expect("piped");
        let hashes: String = blobs.iter().map(|(hash, _)| format!("{hash}\n")).collect();
        // Written from another thread: git answers while it reads, and both pipes are bounded.
        let writer = std::thread::spawn(move || stdin.write_all(hashes.as_bytes()));
        let mut out = BufReader::new(child.stdout.take().expect("piped"));
        let mut header = String::new();
        for (_, path) in blobs {
            header.clear();
            out.read_line(&mut header).map_err(failed)?;
            // `<hash> blob <size>`
            let size: usize = header
                .split_whitespace()
                .nth(2)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| format!("--new-from-rev: unexpected git output `{header}`"))?;
            let mut content = vec![0; size + 1];
            out.read_exact(&mut content).map_err(failed)?;
            content.pop();
            let target = root.join(path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(failed)?;
            }
            std::fs::write(&target, content).map_err(failed)?;
        }
        writer
            .join()
            .map_err(|_| "--new-from-rev: git cat-file writer panicked".to_owned())?
            .map_err(failed)?;
        child.wait().map_err(failed)?;
        Ok(())
    }

    /// How the working tree differs from the revision, with git's rename detection (as
    /// `git diff -M` shows it).
    pub fn changes(&self) -> Result<Changes, String> {
        let diff = git(
            &self.toplevel,
            &["diff", "--name-status", "-z", "-M", &self.commit, "--"],
        )?;
        if !diff.status.success() {
            return Err(format!(
                "--new-from-rev {}: git diff failed: {}",
                self.name,
                String::from_utf8_lossy(&diff.stderr).trim()
            ));
        }
        let mut changes = Changes::default();
        let mut fields = diff
            .stdout
            .split(|&b| b == 0)
            .map(|f| String::from_utf8_lossy(f).into_owned());
        while let Some(status) = fields.next() {
            if status.is_empty() {
                break;
            }
            if status.starts_with('R') || status.starts_with('C') {
                let (Some(old), Some(new)) = (fields.next(), fields.next()) else {
                    break;
                };
                changes.changed.insert(PathBuf::from(&new));
                if status.starts_with('R') {
                    changes.changed.insert(PathBuf::from(&old));
                    changes
                        .renamed
                        .insert(PathBuf::from(old), PathBuf::from(new));
                }
            } else if let Some(path) = fields.next() {
                changes.changed.insert(PathBuf::from(path));
            }
        }
        Ok(changes)
    }
}

/// `path` with its longest existing prefix made canonical (symbolic links resolved, as in the
/// top level git reports), so a path that does not exist yet still compares.
fn canonical_prefix(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    while !existing.exists() {
        let Some(name) = existing.file_name() else {
            return path.to_path_buf();
        };
        rest.push(name.to_owned());
        if !existing.pop() {
            return path.to_path_buf();
        }
    }
    let mut out = std::fs::canonicalize(&existing).unwrap_or(existing);
    out.extend(rest.iter().rev());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    #[test]
    fn checks_out_what_differs_and_sees_renames() {
        let repo = tempfile::tempdir().unwrap();
        let dir = repo.path();
        run(dir, &["init", "-q", "-b", "main"]);
        std::fs::create_dir_all(dir.join("deploy")).unwrap();
        std::fs::write(dir.join("deploy/a.yaml"), "a: 1\n").unwrap();
        std::fs::write(
            dir.join("deploy/b.yaml"),
            "b: 1\nlong: enough to be a rename\n",
        )
        .unwrap();
        std::fs::write(dir.join("deploy/same.yaml"), "s: 1\n").unwrap();
        std::fs::write(dir.join("other.yaml"), "o: 1\n").unwrap();
        run(dir, &["add", "."]);
        run(dir, &["commit", "-q", "-m", "one"]);
        std::fs::write(dir.join("deploy/a.yaml"), "a: 2\n").unwrap();
        run(dir, &["mv", "deploy/b.yaml", "deploy/c.yaml"]);
        run(dir, &["commit", "-q", "-am", "two"]);
        std::fs::write(dir.join("deploy/untracked.yaml"), "u: 1\n").unwrap();

        let revision = Revision::open("HEAD~1", dir).unwrap();
        let changes = revision.changes().unwrap();
        assert_eq!(
            changes.renamed.get(Path::new("deploy/b.yaml")),
            Some(&PathBuf::from("deploy/c.yaml"))
        );
        let checkout = revision
            .checkout(&[PathBuf::from("deploy")], &changes)
            .unwrap();
        let root = checkout.root.path();
        assert_eq!(
            std::fs::read_to_string(root.join("deploy/a.yaml")).unwrap(),
            "a: 1\n",
            "as it was"
        );
        assert!(root.join("deploy/b.yaml").is_file(), "renamed since");
        assert!(
            !root.join("deploy/same.yaml").exists(),
            "unchanged: read from the working tree"
        );
        assert!(!root.join("other.yaml").exists(), "only the named paths");
        let mut files: Vec<_> = checkout.files.iter().collect();
        files.sort();
        assert_eq!(
            files,
            [
                Path::new("deploy/a.yaml"),
                Path::new("deploy/b.yaml"),
                Path::new("deploy/same.yaml")
            ]
        );
        assert_eq!(
            revision.in_repository(&dir.join("deploy/new.yaml")),
            Some(PathBuf::from("deploy/new.yaml"))
        );

        let unknown = Revision::open("no-such-branch", dir).err().unwrap();
        assert!(unknown.contains("unknown revision"), "{unknown}");
        let outside = tempfile::tempdir().unwrap();
        let not_a_repo = Revision::open("HEAD", outside.path()).err().unwrap();
        assert!(
            not_a_repo.contains("not in a git repository"),
            "{not_a_repo}"
        );
    }
}
