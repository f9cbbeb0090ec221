//! Command-line interface: argument parsing, exit codes, and where output goes.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostic::Severity;
use crate::lint::{self, RuleSet};
use crate::load;
use crate::report::{self, Format};
use crate::rules;

#[derive(Parser, Debug)]
#[command(
    name = "kubelint",
    version,
    about = "Lint Kubernetes manifests: exact positions, no cluster needed"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Lint manifests (files, directories, or `-` for stdin; default: the current directory)
    Check(CheckArgs),
    /// List the built-in rules
    Rules {
        /// Output format
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Show a rule's documentation
    Explain {
        /// The rule id, e.g. shell-form-sigterm
        rule: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ListFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// Files or directories to lint; `-` reads standard input
    paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, short, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to this file instead of standard output
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Exit 1 when a finding at or above this severity is reported
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    fail_on: FailOn,
    /// The file name to report for standard input
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
    /// Colour the human output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// More manifests (files or directories) used only to resolve cross-object references
    /// (a Service's pods, an HPA's target); never reported on. Repeatable.
    #[arg(long, value_name = "PATH")]
    context: Vec<PathBuf>,
    /// The namespace of objects that set none (default: they share one unnamed namespace,
    /// which also matches objects in `default`)
    #[arg(long, value_name = "NAME")]
    namespace: Option<String>,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check(args),
        Command::Rules { format } => {
            print!("{}", list_rules(format));
            ExitCode::SUCCESS
        }
        Command::Explain { rule } => match rules::find(&rule) {
            Some(entry) => {
                println!(
                    "# {} ({}, {})\n\n{}\n\n{}",
                    entry.id(),
                    entry.meta.category,
                    entry.meta.severity.as_str(),
                    entry.meta.summary,
                    entry.doc()
                );
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("error: no rule named `{rule}`; `kubelint rules` lists them");
                ExitCode::from(2)
            }
        },
    }
}

fn list_rules(format: ListFormat) -> String {
    let registry = rules::registry();
    match format {
        ListFormat::Json => {
            let list: Vec<_> = registry
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "id": e.id(),
                        "category": e.meta.category,
                        "severity": e.meta.severity,
                        "summary": e.meta.summary,
                        "help_uri": e.help_uri(),
                    })
                })
                .collect();
            serde_json::to_string_pretty(&list).unwrap_or_default() + "\n"
        }
        ListFormat::Human => {
            let width = registry.iter().map(|e| e.id().len()).max().unwrap_or(0);
            let mut out = String::new();
            for e in registry {
                out.push_str(&format!(
                    "{:width$}  {:9}  {:7}  {}\n",
                    e.id(),
                    e.meta.category,
                    e.meta.severity.as_str(),
                    e.meta.summary
                ));
            }
            out
        }
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let (inputs, mut load_errors) = load::discover(&paths, args.stdin_filename.as_deref());
    let (mut context, mut context_errors) = load::discover(&args.context, None);
    load_errors.append(&mut context_errors);
    // Context files only resolve references, so files in it that hold no object are skipped.
    for input in &mut context {
        if let load::Input::File { explicit, .. } = input {
            *explicit = false;
        }
    }
    let rule_set = RuleSet::all();
    let options = lint::RunOptions {
        namespace: args.namespace,
    };
    let mut report = lint::run(&inputs, &context, &rule_set, &options);
    load_errors.append(&mut report.errors);
    report.errors = load_errors;
    for e in &report.errors {
        eprintln!("error: {e}");
    }

    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let rendered = report::render(args.format, &report, color);
    let written = match &args.output {
        Some(path) => write_atomically(path, rendered.as_bytes()),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(rendered.as_bytes())
                .and_then(|()| stdout.flush())
        }
    };
    if let Err(e) = written {
        // A closed pipe (`kubelint check | head`) is the reader's choice, not our failure.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the report: {e}");
            return ExitCode::from(2);
        }
    }
    if !report.errors.is_empty() {
        return ExitCode::from(2);
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| report.diagnostics().any(|d| d.severity >= t));
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Writes to a temporary file beside `path` and renames it into place, so a reader never sees
/// a half-written report and a failed run leaves the previous report intact.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("the output path names no file"))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
