use serde::{Deserialize, Serialize};

use super::super::{EditSpec, Finding, FixSpec, Options, OptionsSpec, Rule, declare_rule};
use super::shell::{
    exec_insertion_point, is_exec, is_quick_builtin, is_simple_chain, is_single_simple_command,
    last_command, split_commands, traps_term,
};
use crate::model::Object;
use crate::parse::tree::Node;

declare_rule! {
    /// ## What it does
    /// Reports a container of a long-running workload whose effective argv (`command`, then
    /// `args`) starts a shell — `sh`, `bash`, `ash`, `dash`, `zsh`, `ksh`, `busybox sh`, by any
    /// path, with flags such as `-c`, `-ec`, `-lc`, `-xc` — whose script does not `exec` the
    /// command it runs last.
    ///
    /// Not reported when the last command is `exec`'d; when an init process (tini, dumb-init,
    /// catatonit, s6) comes first; when the script traps TERM to forward it; when the shell is
    /// `bash` and the script is one simple command (bash then replaces itself with the
    /// command); when the script ends with a builtin that returns at once (`exit 1`, `echo`);
    /// for init containers, Jobs, CronJobs and run-once Pods, which run to
    /// completion and are rarely stopped mid-run (the option `jobs: true` checks those too). When `command` is unset, `args` is used only
    /// if it starts with a shell itself, since the image's entrypoint is unknown.
    ///
    /// ## Why is this bad
    /// The shell becomes PID 1 of the container and the application its child. The kernel
    /// does not deliver SIGTERM to a PID 1 that has no handler for it, and a shell waiting for
    /// a child does not forward it: on every rollout, scale-down or node drain the application
    /// never hears it should stop, keeps serving until the grace period (30 s by default) ends,
    /// and is then SIGKILLed, dropping in-flight requests and skipping its shutdown code.
    ///
    /// ## Example
    /// ```yaml
    /// command: ["sh", "-c"]
    /// args: ["python manage.py migrate && gunicorn app:wsgi"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// command: ["sh", "-c"]
    /// args: ["python manage.py migrate && exec gunicorn app:wsgi"]
    /// ```
    /// or, with no shell at all (the exec form):
    /// ```yaml
    /// command: ["gunicorn", "app:wsgi"]
    /// ```
    ///
    /// ## Fix
    /// `--fix` inserts `exec ` before the last command (after its variable assignments), when the
    /// script is a plain chain of commands joined by `&&`, `;` or newlines; elsewhere (after `||`,
    /// inside `if`) the same edit is an unsafe fix (`--unsafe-fixes`), since the script's flow is
    /// for a human to check. Not offered for a loop, a piped command, or a folded scalar.
    ///
    /// ## Options
    /// - `jobs` (default `false`): also check Jobs, CronJobs and run-once Pods (for batch work that must shut down cleanly)
    ///
    /// Set them in `.kubelint.yaml`: `rules: {shell-form-sigterm: {jobs: true}}`
    pub struct ShellFormSigterm => "shell-form-sigterm";
}

const SHELLS: [&str; 7] = ["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"];
const INIT_PROCESSES: [&str; 8] = [
    "tini",
    "tini-static",
    "dumb-init",
    "catatonit",
    "docker-init",
    "s6-svscan",
    "init",
    "pid1",
];

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The container's argv as far as the manifest decides it, with each word's node.
fn argv<'d>(command: Option<Node<'d>>, args: Option<Node<'d>>) -> Option<Vec<(String, Node<'d>)>> {
    let words = |n: Node<'d>| -> Option<Vec<(String, Node<'d>)>> {
        n.items()
            .map(|item| item.raw().map(|s| (s.to_owned(), item)))
            .collect()
    };
    match (command, args) {
        (Some(c), a) => {
            let mut v = words(c)?;
            if let Some(a) = a {
                v.extend(words(a)?);
            }
            Some(v)
        }
        (None, Some(a)) => {
            let v = words(a)?;
            let first = basename(&v.first()?.0).to_owned();
            (SHELLS.contains(&first.as_str()) || first == "busybox").then_some(v)
        }
        (None, None) => None,
    }
}

struct ShellCall<'d> {
    shell: String,
    script: String,
    node: Node<'d>,
}

/// Finds `SHELL [options] -c SCRIPT` at the start of argv (after `env` and its assignments).
fn shell_call<'d>(argv: &[(String, Node<'d>)]) -> Option<ShellCall<'d>> {
    let mut rest = argv;
    if rest.first().map(|(w, _)| basename(w)) == Some("env") {
        rest = &rest[1..];
        while rest
            .first()
            .is_some_and(|(w, _)| w.contains('=') || w.starts_with('-'))
        {
            rest = &rest[1..];
        }
    }
    let (first, _) = rest.first()?;
    let mut shell = basename(first).to_owned();
    rest = &rest[1..];
    if shell == "busybox" {
        shell = basename(&rest.first()?.0).to_owned();
        rest = &rest[1..];
    }
    if !SHELLS.contains(&shell.as_str()) {
        return None;
    }
    let mut has_c = false;
    while let Some((word, _)) = rest.first() {
        if word == "--" {
            rest = &rest[1..];
            break;
        }
        if word == "-o" || word == "+o" || word == "-O" || word == "+O" {
            rest = rest.get(2..)?;
            continue;
        }
        if word.starts_with("--") {
            rest = &rest[1..];
            continue;
        }
        if (word.starts_with('-') || word.starts_with('+')) && word.len() > 1 {
            has_c |= word.starts_with('-') && word[1..].contains('c');
            rest = &rest[1..];
            continue;
        }
        break;
    }
    // Without -c the shell runs a script file we cannot see.
    if !has_c {
        return None;
    }
    let (script, node) = rest.first()?;
    Some(ShellCall {
        shell,
        script: script.clone(),
        node: *node,
    })
}

/// The options of `shell-form-sigterm` (documented under `## Options` above).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ShellFormSigtermOptions {
    /// Also check Jobs, CronJobs and run-once Pods.
    pub jobs: bool,
}

impl Rule for ShellFormSigterm {
    fn options(&self) -> Option<OptionsSpec> {
        Some(OptionsSpec::of::<ShellFormSigtermOptions>())
    }

    fn check_object<'d>(&self, object: &Object<'d>, options: &Options, out: &mut Vec<Finding<'d>>) {
        let Some(pod) = &object.pod else { return };
        if !pod.is_long_running() && !options.get::<ShellFormSigtermOptions>().jobs {
            return;
        }
        let grace = pod
            .spec
            .get("terminationGracePeriodSeconds")
            .and_then(|n| n.as_i64())
            .unwrap_or(30);
        for container in pod.long_running_containers() {
            let Some(argv) = argv(container.get("command"), container.get("args")) else {
                continue;
            };
            if argv
                .first()
                .is_some_and(|(w, _)| INIT_PROCESSES.contains(&basename(w)))
            {
                continue;
            }
            let Some(call) = shell_call(&argv) else {
                continue;
            };
            let commands = split_commands(&call.script);
            let Some(last) = last_command(&commands) else {
                continue;
            };
            if is_exec(last)
                || is_quick_builtin(last)
                || traps_term(&commands)
                || (call.shell == "bash" && is_single_simple_command(&commands))
            {
                continue;
            }
            let last_text = call.script[last.start..last.end].to_owned();
            let (runs, help) = if last.words.last().is_some_and(|w| w == "done") {
                // The shell runs the loop itself: no command to exec, the shell must exit.
                (
                    "runs a loop itself".to_owned(),
                    "if the container only needs to stay up, end the script with `exec sleep \
                     infinity`; otherwise run each wait as `sleep N & wait $!` and add `trap \
                     'exit 0' TERM`, so the shell exits when asked to"
                        .to_owned(),
                )
            } else {
                let fixed = format!(
                    "{}exec {}",
                    &call.script[..last.start],
                    &call.script[last.start..]
                );
                let suggestion = if call.script.contains('\n') || fixed.len() > 100 {
                    format!("put `exec` before the last command: `exec {last_text}`")
                } else {
                    format!("write `{}`", fixed.trim_end())
                };
                let exec_form: Vec<_> = last.words.iter().map(|w| format!("\"{w}\"")).collect();
                (
                    format!("runs `{last_text}` as its child"),
                    format!(
                        "{suggestion}, so the application replaces the shell and receives \
                         SIGTERM; or use the exec form without a shell: command: [{}]",
                        exec_form.join(", ")
                    ),
                )
            };
            let looping = last.words.last().is_some_and(|w| w == "done");
            let fix = exec_insertion_point(&call.script, last)
                .filter(|_| !looping)
                .map(|at| {
                    let edit = EditSpec::InsertInScalar {
                        node: call.node,
                        at: call.script[..at].chars().count(),
                        text: "exec ".to_owned(),
                    };
                    let message = format!("insert `exec` before `{last_text}`");
                    // In a plain chain nothing runs after the last command, so exec'ing it
                    // changes only which process it is; elsewhere (after `||`, inside `if`)
                    // the script's flow is a human's to check.
                    if is_simple_chain(&call.script, &commands, last) {
                        FixSpec::safe(message, vec![edit])
                    } else {
                        FixSpec::unsafe_(message, vec![edit])
                    }
                });
            let mut finding = Finding::new(
                call.node,
                format!(
                    "`{}` stays PID 1 of `{}` and {runs}; SIGTERM never reaches the \
                         application, so the container is killed after its {grace}s grace \
                         period instead of shutting down",
                    call.shell,
                    container.display_name()
                ),
            )
            .help(help);
            finding.fix = fix;
            out.push(finding);
        }
    }
}
