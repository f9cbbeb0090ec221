//! Running a renderer: found on PATH, given no terminal, stopped if it hangs.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A renderer that fetches a remote base can hang on the network; a build takes seconds.
const TIMEOUT: Duration = Duration::from_secs(120);
/// What a renderer may print before kubelint stops reading (the largest input it reads).
const MAX_OUTPUT: u64 = crate::load::MAX_FILE_BYTES;

/// The executable `name` on PATH, if any. Empty and relative entries (`PATH=/usr/bin:`) are
/// skipped: they name the working directory, and a repository being linted must not choose
/// the program that builds it.
pub fn on_path(name: &str) -> Option<PathBuf> {
    in_path(&std::env::var_os("PATH")?, &[name])
}

/// The first executable of `names` in the absolute directories of a `PATH` value, directory
/// by directory.
pub fn in_path(path: &std::ffi::OsStr, names: &[&str]) -> Option<PathBuf> {
    std::env::split_paths(path)
        .filter(|dir| dir.is_absolute())
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| is_executable(candidate))
}

pub fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// Runs `program args` in `dir` and returns its standard output, or a one-paragraph error:
/// what the program said on standard error (as `explain` sums it up), or that it did not
/// finish.
pub fn run(
    program: &Path,
    args: &[&std::ffi::OsStr],
    dir: Option<&Path>,
    explain: fn(&str) -> String,
) -> Result<String, String> {
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // A remote base must not stop the run at a credentials prompt.
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
    // Its own process group, so that a timeout stops the git and ssh it started too.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let name = program
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run {name}: {e}"))?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let out = std::thread::spawn(move || read_capped(stdout, MAX_OUTPUT + 1));
    let err = std::thread::spawn(move || read_capped(stderr, 64 * 1024));
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIMEOUT => {
                kill_group(&mut child);
                let _ = child.wait();
                return Err(format!(
                    "{name} did not finish within {} s (a remote resource?)",
                    TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("{name}: {e}")),
        }
    };
    let out = out.join().unwrap_or_default();
    let err = err.join().unwrap_or_default();
    if out.len() as u64 > MAX_OUTPUT {
        return Err(format!(
            "{name} printed more than {} MiB",
            MAX_OUTPUT / 1024 / 1024
        ));
    }
    if !status.success() {
        let said = String::from_utf8_lossy(&err);
        let said = explain(&said);
        return Err(if said.is_empty() {
            format!("{name} failed ({status})")
        } else {
            format!("{name} failed: {said}")
        });
    }
    String::from_utf8(out).map_err(|_| format!("{name} printed text that is not UTF-8"))
}

/// Up to `cap` bytes of a pipe, then the rest drained unread: a child whose pipe closed early
/// would die of SIGPIPE and look like a failed build.
fn read_capped(pipe: Option<impl Read>, cap: u64) -> Vec<u8> {
    let mut buf = Vec::new();
    if let Some(mut pipe) = pipe {
        let _ = (&mut pipe).take(cap).read_to_end(&mut buf);
        let _ = std::io::copy(&mut pipe, &mut std::io::sink());
    }
    buf
}

/// Stops a renderer and whatever it started (its process group), then reaps it.
fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        // The group was made with the child's pid as its id; `kill -- -PID` signals it.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Longest summary of a renderer's error kept.
const MAX_SUMMARY_CHARS: usize = 400;

/// What a failing renderer said, as one line: its warnings dropped, the logger's prefix
/// (`E1201 11:28:02.81 23377 run.go:72] "command failed" err=`) cut, and of kustomize's nested
/// "accumulating resources from …: …" chain the cause at its end (a missing file, a remote base
/// that could not be fetched).
pub fn summarize(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("# Warning:") && !l.starts_with("Warning:"))
        .collect();
    let mut said = lines.join(" ");
    if let Some(at) = said.find("] \"command failed\" err=") {
        said = said[at + "] \"command failed\" err=".len()..].to_owned();
    }
    let said = said
        .trim_start_matches(['<', '"', ' '])
        .trim_end_matches(['>', '"', ' ']);
    // The innermost cause follows the last "': " of the chain.
    let cause = said.rsplit_once("': ").map_or(said, |(_, cause)| cause);
    let cause = cause.trim_matches(|c: char| c == '\'' || c.is_whitespace());
    // A missing file is said last, after the paths kustomize tried it as.
    let cause = cause.rfind("lstat ").map_or(cause, |at| &cause[at..]);
    let remote = said
        .split(['\'', ' ', '"'])
        .find(|w| w.starts_with("https://") || w.starts_with("git@") || w.starts_with("ssh://"));
    let summary = match remote {
        Some(url) if !cause.contains(url) => format!("{cause} (fetching {url})"),
        _ => cause.to_owned(),
    };
    if summary.chars().count() > MAX_SUMMARY_CHARS {
        let cut: String = summary.chars().take(MAX_SUMMARY_CHARS).collect();
        format!("{cut}…")
    } else {
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_SUMMARY_CHARS, summarize};

    #[test]
    fn kustomize_errors_are_cut_to_their_cause() {
        let missing = "E1201 11:28:02.811941   23377 run.go:72] \"command failed\" err=\"accumulating resources: accumulation err='accumulating resources from '../kf/app': '/tmp/kf/app' must resolve to a file': recursed accumulation of path '/tmp/kf/app': accumulating resources: accumulation err='accumulating resources from 'policy.yaml': evalsymlink failure on '/tmp/kf/app/policy.yaml' : lstat /tmp/kf/app/policy.yaml: no such file or directory': must build at directory: not a valid directory: evalsymlink failure on '/tmp/kf/app/policy.yaml' : lstat /tmp/kf/app/policy.yaml: no such file or directory\"\n";
        assert_eq!(
            summarize(missing),
            "lstat /tmp/kf/app/policy.yaml: no such file or directory"
        );
        let remote = "# Warning: 'vars' is deprecated.\nE1201 11:28:17.82 23906 run.go:72] \"command failed\" err=<\n\taccumulating resources: accumulation err='accumulating resources from 'https://github.com/argoproj/argo-workflows/manifests/base?ref=v3.7.3': Get \"https://github.com/argoproj/argo-workflows/manifests/base?ref=v3.7.3\": dial tcp: lookup github.com: no such host': git cmd = '/usr/local/bin/git fetch --depth=1 https://github.com/argoproj/argo-workflows v3.7.3': exit status 128\n >\n";
        assert_eq!(
            summarize(remote),
            "exit status 128 (fetching https://github.com/argoproj/argo-workflows/manifests/base?ref=v3.7.3)"
        );
        assert_eq!(summarize(""), "");
        assert_eq!(summarize("plain failure"), "plain failure");
        assert!(summarize(&"x".repeat(10_000)).chars().count() <= MAX_SUMMARY_CHARS + 1);
    }
}
