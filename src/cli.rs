//! Command-line interface: argument parsing, exit codes, and where output goes.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::baseline;
use crate::config::{self, Config};
use crate::diagnostic::Severity;
use crate::k8s::KubeVersion;
use crate::lint;
use crate::load;
use crate::render;
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
    Check(Box<CheckArgs>),
    /// List the built-in rules
    Rules {
        /// Output format
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Print the effective configuration (the file found, with flags applied)
    Config {
        /// Where to look for .kubelint.yaml (default: the current directory)
        path: Option<PathBuf>,
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// Show a rule's documentation
    Explain {
        /// The rule id, e.g. shell-form-sigterm
        rule: String,
    },
    /// Work with kubelint policy files
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Run the language server (LSP over stdio) for editors
    Server,
}

#[derive(Subcommand, Debug)]
enum PolicyCommand {
    /// Run the inline `tests:` of policy files (default: those of the configuration)
    Test {
        /// Policy files or directories
        paths: Vec<PathBuf>,
        #[command(flatten)]
        config: ConfigArgs,
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

#[derive(clap::Args, Debug, Clone)]
struct CheckArgs {
    /// Files or directories to lint; `-` reads standard input
    paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, short, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to this file instead of standard output
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Exit 1 when a finding at or above this severity is reported [default: warning]
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
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
    /// Report only findings that this baseline file does not record
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Files or directories of CustomResourceDefinitions to check custom resources against
    /// (CRDs among the inputs and --context are used too). Repeatable.
    #[arg(long, value_name = "PATH")]
    crds: Vec<PathBuf>,
    /// Files or directories of ValidatingAdmissionPolicies and their bindings to evaluate
    /// against the inputs, besides those among the inputs and --context. Repeatable.
    #[arg(long, value_name = "PATH")]
    policies: Vec<PathBuf>,
    /// Report custom resources whose CRD the run does not have (`unknown-kind`), instead of
    /// skipping them
    #[arg(long)]
    strict_kinds: bool,
    /// Treat named files like files found by walking: skip those that hold no Kubernetes object
    /// and Helm chart templates, and do not fail when nothing is left (for the pre-commit hook,
    /// which names every staged YAML and JSON file)
    #[arg(long)]
    only_manifests: bool,
    /// Report `suppress:` entries of the configuration that suppress nothing
    /// (`unused-suppression`, in the configuration file)
    #[arg(long)]
    report_unused_config: bool,
    /// Record the current findings in FILE (then `--baseline FILE` reports only new ones)
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<PathBuf>,
    /// Report only findings that the paths did not have at git revision REV (a commit,
    /// branch or tag; in a pull request, its base), and changes to fields the API server
    /// will not update (`immutable-field-changed`)
    #[arg(long, value_name = "REV", conflicts_with = "write_baseline")]
    new_from_rev: Option<String>,
    /// Build the kustomizations found in directories (overlay roots) and lint what they build,
    /// findings shown in the base and patch files; `never` lints their files as plain YAML
    /// [default: the configuration's `kustomize:`, else auto]
    #[arg(long, value_enum, value_name = "WHEN")]
    kustomize: Option<RenderWhen>,
    /// Render the Helm charts found in directories with `helm template` and lint the output,
    /// findings shown in the templates [default: the configuration's `helm.render`, else auto]
    #[arg(long, value_enum, value_name = "WHEN")]
    helm: Option<RenderWhen>,
    /// A values file for `helm template`, after the chart's own values.yaml. Repeatable.
    #[arg(long, value_name = "FILE")]
    helm_values: Vec<PathBuf>,
    /// Apply the safe fixes of the findings to the files, then report what remains. A file is
    /// changed only if the fixed text lints clean of what was fixed and of anything new.
    #[arg(long, conflicts_with_all = ["diff", "write_baseline"])]
    fix: bool,
    /// With --fix or --diff: also apply fixes that change behaviour (security settings the
    /// workload may rely on)
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the fixes as a unified diff and change no file (exit 1 if there are any)
    #[arg(long, conflicts_with = "write_baseline")]
    diff: bool,
    #[command(flatten)]
    config: ConfigArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum RenderWhen {
    Auto,
    Never,
}

/// Flags that override the configuration file.
#[derive(clap::Args, Debug, Default, Clone)]
struct ConfigArgs {
    /// The configuration file (default: the nearest .kubelint.yaml above the first path)
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Run only these rules or categories (comma-separated, repeatable)
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    select: Vec<String>,
    /// Also run these rules or categories, including rules off by default (comma-separated,
    /// repeatable)
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    enable: Vec<String>,
    /// Do not run these rules or categories (comma-separated, repeatable)
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    ignore: Vec<String>,
    /// Report RULE at LEVEL (error, warning or info); repeatable
    #[arg(long, value_name = "RULE=LEVEL")]
    severity: Vec<String>,
    /// The target Kubernetes version (X.Y), overriding the configuration's kubernetes-version
    #[arg(long, value_name = "X.Y", value_parser = parse_version)]
    kubernetes_version: Option<KubeVersion>,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check(*args),
        Command::Rules { format } => {
            // The policy files of the configuration here are rules of this repository too.
            let policies = effective_config(&ConfigArgs::default(), Path::new("."))
                .map(|c| {
                    let (policies, _) = crate::policy::own::load(&c.policy_files());
                    crate::policy::PolicySet {
                        policies,
                        ..Default::default()
                    }
                    .descriptors()
                })
                .unwrap_or_default();
            print!("{}", list_rules(format, &policies));
            ExitCode::SUCCESS
        }
        Command::Config { path, config } => {
            match effective_config(&config, &path.unwrap_or_else(|| PathBuf::from("."))) {
                Ok(c) => {
                    print!("{}", c.to_yaml());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Policy(PolicyCommand::Test { paths, config }) => policy_test(paths, &config),
        Command::Server => crate::server::run(),
        Command::Explain { rule } => match explain(&rule) {
            Ok(text) => {
                print!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
    }
}

/// A rule's documentation, or for a category the list of its rules.
fn explain(name: &str) -> Result<String, String> {
    if let Some(policy) = name.strip_prefix("vap/") {
        return Ok(format!(
            "# {name} (policies)\n\nThe ValidatingAdmissionPolicy `{policy}` of the run: its manifest is its documentation, and \
             its bindings' validationActions give its severity (README: \"Your own policies\").\n"
        ));
    }
    if crate::rules::is_policy_id(name) {
        let files = effective_config(&ConfigArgs::default(), Path::new("."))?.policy_files();
        let (policies, _) = crate::policy::own::load(&files);
        let set = crate::policy::PolicySet {
            policies,
            ..Default::default()
        };
        return set
            .descriptors()
            .into_iter()
            .find(|p| p.id == name)
            .map(|p| {
                format!(
                    "# {} (policies, {})\n\n{}\n\nDeclared in {}.{}\n",
                    p.id,
                    p.severity.as_str(),
                    p.summary,
                    p.file,
                    p.help.map(|h| format!("\n\n{h}")).unwrap_or_default()
                )
            })
            .ok_or_else(|| {
                format!("no policy file of this directory's configuration declares `{name}`")
            });
    }
    if let Some(entry) = rules::find(name) {
        return Ok(entry.explanation());
    }
    let members: Vec<_> = rules::registry()
        .iter()
        .filter(|e| e.meta.category == name)
        .collect();
    if members.is_empty() {
        return Err(config::not_a_rule(name));
    }
    let width = members.iter().map(|e| e.id().len()).max().unwrap_or(0);
    let mut out = format!(
        "# {name}: {} rules (`kubelint explain RULE` for one)\n\n",
        members.len()
    );
    for e in members {
        out.push_str(&format!(
            "{:width$}  {:7}  {}\n",
            e.id(),
            e.meta.severity.as_str(),
            e.meta.summary
        ));
    }
    Ok(out)
}

/// `kubelint policy test`: every inline test of the policy files, one line each.
fn policy_test(paths: Vec<PathBuf>, config: &ConfigArgs) -> ExitCode {
    let paths = if paths.is_empty() {
        match effective_config(config, Path::new(".")) {
            Ok(c) => c.policy_files(),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        paths
    };
    if paths.is_empty() {
        eprintln!(
            "error: no policy files: name them, or keep them in .kubelint/policies/ (or `policies:` in .kubelint.yaml)"
        );
        return ExitCode::from(2);
    }
    let (results, errors) = crate::policy::own::run_tests(&paths);
    for e in &errors {
        eprintln!("error: {e}");
    }
    let failed = results.iter().filter(|r| r.failure.is_some()).count();
    for r in &results {
        match &r.failure {
            None => println!("ok    {}:{} {} — {}", r.file, r.line, r.policy, r.name),
            Some(why) => println!(
                "FAIL  {}:{} {} — {}: {why}",
                r.file, r.line, r.policy, r.name
            ),
        }
    }
    println!(
        "{} tests, {} passed, {failed} failed",
        results.len(),
        results.len() - failed
    );
    if !errors.is_empty() {
        ExitCode::from(2)
    } else if failed > 0 || results.is_empty() {
        if results.is_empty() {
            eprintln!("error: the policy files hold no `tests:`");
        }
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn list_rules(format: ListFormat, policies: &[crate::run_report::PolicyDescriptor]) -> String {
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
                        "enabled": e.meta.enabled,
                        "help_uri": e.help_uri(),
                    })
                })
                .chain(policies.iter().map(|p| {
                    serde_json::json!({
                        "id": p.id,
                        "category": rules::POLICY_CATEGORY,
                        "severity": p.severity,
                        "summary": p.summary,
                        "enabled": true,
                        "file": p.file,
                    })
                }))
                .collect();
            serde_json::to_string_pretty(&list).unwrap_or_default() + "\n"
        }
        ListFormat::Human => {
            let width = registry
                .iter()
                .map(|e| e.id().len())
                .chain(policies.iter().map(|p| p.id.len()))
                .max()
                .unwrap_or(0);
            let category_width = registry
                .iter()
                .map(|e| e.meta.category.len())
                .max()
                .unwrap_or(0);
            let mut out = String::new();
            for e in registry {
                let off = if e.meta.enabled {
                    ""
                } else {
                    " (off by default)"
                };
                out.push_str(&format!(
                    "{:width$}  {:category_width$}  {:7}  {}{off}\n",
                    e.id(),
                    e.meta.category,
                    e.meta.severity.as_str(),
                    e.meta.summary
                ));
            }
            for p in policies {
                out.push_str(&format!(
                    "{:width$}  {:category_width$}  {:7}  {} ({})\n",
                    p.id,
                    rules::POLICY_CATEGORY,
                    p.severity.as_str(),
                    p.summary,
                    p.file
                ));
            }
            out
        }
    }
}

fn parse_version(text: &str) -> Result<KubeVersion, String> {
    KubeVersion::parse(text)
        .ok_or_else(|| format!("`{text}` is not a Kubernetes version like 1.33"))
}

/// Refuses a target version kubelint cannot know (newer than its newest, or not 1.x), and
/// warns when the schemas it validates against are newer than the target.
fn target_version_notice(target: crate::k8s::KubeVersion) -> Result<Option<String>, String> {
    let supported = crate::schema::supported_versions();
    let (Some(&oldest), Some(&newest)) = (supported.first(), supported.last()) else {
        return Ok(None);
    };
    if target.major != 1 || target > newest {
        return Err(format!(
            "Kubernetes {target} is unknown to this kubelint, which knows releases up to {newest}: \
             set --kubernetes-version (or kubernetes-version in the configuration) to {newest} \
             or older, or upgrade kubelint"
        ));
    }
    Ok((target < oldest).then(|| {
        format!(
            "kubelint embeds the schemas of Kubernetes {oldest} to {newest}: objects are \
             validated against {oldest}'s, which may accept or suggest fields that {target} \
             does not have; the API-version rules (removed-api-version, \
             deprecated-api-version) judge {target} itself"
        )
    }))
}

/// The note for Helm charts whose templates the walk skipped.
fn skipped_charts_note(charts: &[String]) -> Option<String> {
    let first = charts.first()?;
    let named = match charts.len() {
        1 => format!("the Helm chart `{first}`"),
        n => format!("{n} Helm charts (`{first}`, …)"),
    };
    Some(format!(
        "note: skipped the templates/ of {named}: they are Go templates, not manifests; \
         lint the rendered chart instead: helm template {first} | kubelint check -"
    ))
}

/// Errors for a run that had nothing to lint, so a green run always means manifests were
/// checked: standard input that holds no document (the command before the pipe failed), and
/// inputs that hold no Kubernetes object at all, when objects are expected (not with
/// `--only-manifests`, nor when an input could not be read, which is its own error).
fn nothing_to_lint(
    report: &crate::run_report::RunReport,
    inputs: &[load::Input],
    paths: &[PathBuf],
    expect_objects: bool,
) -> Vec<load::LoadError> {
    let mut errors = Vec::new();
    for input in inputs {
        if let load::Input::Stdin { display } = input
            && report
                .files
                .iter()
                .any(|f| &*f.path == display && f.documents == 0)
        {
            errors.push(load::LoadError {
                path: display.clone(),
                message: "standard input is empty: nothing to lint (did the command that \
                          writes to the pipe fail?)"
                    .into(),
            });
        }
    }
    let found_nothing = report.files.iter().all(|f| f.objects == 0)
        && report.diagnostics().next().is_none()
        && report.errors.is_empty();
    if found_nothing && errors.is_empty() && expect_objects {
        for path in paths.iter().filter(|p| p.as_os_str() != "-") {
            errors.push(load::LoadError {
                path: path.to_string_lossy().into_owned(),
                message: "holds no Kubernetes object (no YAML or JSON document with \
                          `apiVersion` and `kind`): nothing was linted"
                    .into(),
            });
        }
    }
    errors
}

/// The configuration file (found from `start`, or named), with the command-line flags applied.
fn effective_config(args: &ConfigArgs, start: &Path) -> Result<Config, String> {
    let overrides = config::Overrides {
        config: args.config.clone(),
        select: args.select.clone(),
        enable: args.enable.clone(),
        ignore: args.ignore.clone(),
        severity: args.severity.clone(),
        kubernetes_version: args.kubernetes_version,
    };
    config::effective(&overrides, start)
}

/// Drops inputs that match the configuration's `exclude` globs (relative to its directory).
fn exclude(inputs: Vec<load::Input>, config: &Config) -> Result<Vec<load::Input>, String> {
    config.without_excluded(inputs, &|path| path.to_path_buf())
}

/// The directories of `dirs` whose file `name` the configuration's `exclude` globs keep.
fn not_excluded(dirs: &[PathBuf], name: &str, config: &Config) -> Result<Vec<PathBuf>, String> {
    let probes = dirs
        .iter()
        .map(|dir| load::Input::File {
            path: dir.join(name),
            display: String::new(),
            explicit: false,
        })
        .collect();
    Ok(exclude(probes, config)?
        .into_iter()
        .filter_map(|probe| match probe {
            load::Input::File { path, .. } => path.parent().map(Path::to_path_buf),
            _ => None,
        })
        .collect())
}

/// The paths a run names, as typed.
struct Revisioned<'p> {
    targets: &'p [PathBuf],
    context: &'p [PathBuf],
    crds: &'p [PathBuf],
}

/// Lints `paths` as they were at git revision `rev`, with the same configuration and rules,
/// reusing `now`'s first pass for every file that is the same at both, and records the
/// guarded fields of its objects for `immutable-field-changed`. Files are shown by their
/// working-tree names (renames followed), so findings compare.
fn lint_at_revision(
    rev: &str,
    paths: &Revisioned<'_>,
    named: load::Named,
    now: &lint::Pass,
    config: &Config,
    rule_set: &rules::RuleSet,
    options: &lint::RunOptions,
) -> Result<(crate::run_report::RunReport, crate::index::Snapshot), String> {
    if paths.targets.iter().any(|p| p.as_os_str() == "-") {
        return Err(format!(
            "--new-from-rev {rev}: standard input has no revisions; name the files instead"
        ));
    }
    // The repository is the one that holds the first path (the working directory's, if none).
    let first = paths
        .targets
        .first()
        .map_or(Path::new("."), PathBuf::as_path);
    let dir = if first.is_dir() {
        first
    } else {
        first
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    };
    let revision = crate::revision::Revision::open(rev, dir)?;
    let in_repository: Vec<PathBuf> = [paths.targets, paths.context, paths.crds]
        .concat()
        .iter()
        .filter_map(|p| revision.in_repository(p))
        .map(|p| {
            if p.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                p
            }
        })
        .collect();
    let changes = revision.changes()?;
    let checkout = revision.checkout(&in_repository, &changes)?;
    // Where each file of the working tree lies in the repository (`None`: outside it),
    // resolved once for the display names of renamed files and for the reuse below.
    let now_in_repository: std::collections::HashMap<&Path, (Option<PathBuf>, &str)> = now
        .inputs()
        .filter_map(|input| match input {
            load::Input::File { path, display, .. } => Some((
                path.as_path(),
                (revision.in_repository(path), display.as_str()),
            )),
            load::Input::Stdin { .. }
            | load::Input::Rendered { .. }
            | load::Input::Buffer { .. } => None,
        })
        .collect();
    let shown_now: std::collections::HashMap<&Path, &str> = now_in_repository
        .values()
        .filter_map(|(relative, display)| Some((relative.as_deref()?, *display)))
        .collect();
    let renamed = |relative: &Path| {
        let new = changes.renamed.get(relative)?;
        shown_now.get(new.as_path()).map(|d| (*d).to_owned())
    };
    // Only the files that differ are in the checkout; the others are the working tree's.
    let targets = config.without_excluded(
        checkout.inputs(&revision, paths.targets, named, &renamed),
        &|path| checkout.working_path(&revision, path),
    )?;
    let context = checkout.inputs(&revision, paths.context, load::Named::AsWalked, &renamed);
    let crds = checkout.inputs(&revision, paths.crds, load::Named::AsWalked, &|_| None);
    let earlier = lint::RunOptions {
        crds,
        ..options.clone()
    };
    let mut pass = lint::first_pass(&targets, &context, rule_set, &earlier, true);
    // A file of the working tree is the same at the revision when the revision has it under
    // the same name and git sees no change; a file outside the repository has no revisions.
    pass.reuse(now, &|input| match input {
        load::Input::File { path, .. } => match now_in_repository.get(path.as_path()) {
            Some((Some(relative), _)) => {
                checkout.files.contains(relative) && !changes.changed.contains(relative)
            }
            Some((None, _)) => true,
            None => false,
        },
        load::Input::Stdin { .. } | load::Input::Rendered { .. } | load::Input::Buffer { .. } => {
            false
        }
    });
    let (report, snapshot) = lint::finish(pass, rule_set, &earlier, true);
    Ok((report, snapshot.unwrap_or_default()))
}

fn check(args: CheckArgs) -> ExitCode {
    // `--fix` writes the fixes, then runs again to report what the files now say.
    let again = args.fix.then(|| CheckArgs {
        fix: false,
        ..args.clone()
    });
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let start = paths
        .iter()
        .find(|p| p.as_os_str() != "-")
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let config = match effective_config(&args.config, &start) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let named = if args.only_manifests {
        load::Named::AsWalked
    } else {
        load::Named::Explicit
    };
    let found = load::discover(&paths, args.stdin_filename.as_deref(), named);
    let mut load_errors = found.errors;
    let inputs = match exclude(found.inputs, &config) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // A revision's checkout holds only the files that changed: nothing there can be built, so
    // both sides of --new-from-rev lint plain files.
    let renders = args.new_from_rev.is_none();
    let render_options = render::Options {
        kustomize: renders
            && args
                .kustomize
                .map_or(config.kustomize.is_auto(), |w| w == RenderWhen::Auto),
        helm: renders
            && args
                .helm
                .map_or(config.helm.render.is_auto(), |w| w == RenderWhen::Auto),
        helm_values: config
            .helm
            .values
            .iter()
            .chain(&args.helm_values)
            .cloned()
            .collect(),
        helm_release: config.helm.release.clone(),
        helm_namespace: config.helm.namespace.clone(),
    };
    // A kustomization or chart is excluded as its kustomization file or Chart.yaml would be.
    let (kustomizations, charts) = match (
        not_excluded(&found.kustomizations, "kustomization.yaml", &config),
        not_excluded(&found.charts, "Chart.yaml", &config),
    ) {
        (Ok(k), Ok(c)) => (k, c),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let rendered = render::render(inputs, &kustomizations, &charts, &render_options);
    load_errors.extend(rendered.errors);
    let inputs = rendered.inputs;
    if !render_options.helm
        && let Some(note) = skipped_charts_note(&found.skipped_charts)
    {
        eprintln!("{note}");
    }
    let target = config.target();
    match target_version_notice(target) {
        Ok(Some(warning)) => eprintln!("warning: {warning}"),
        Ok(None) => {}
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    let mut context_paths = config.context.clone();
    context_paths.extend(args.context.iter().cloned());
    // Context files only resolve references, so files in it that hold no object are skipped.
    let context = load::discover(&context_paths, None, load::Named::AsWalked);
    load_errors.extend(context.errors);
    let mut crd_paths = config.crds.clone();
    crd_paths.extend(args.crds.iter().cloned());
    let crds = load::discover(&crd_paths, None, load::Named::AsWalked);
    load_errors.extend(crds.errors);
    let policies = load::discover(&args.policies, None, load::Named::AsWalked);
    load_errors.extend(policies.errors);
    let (context, crds) = (context.inputs, crds.inputs);
    let rule_set = config.rule_set();
    let mut options = lint::RunOptions {
        namespace: args.namespace.or(config.namespace.clone()),
        skip_helm_tests: config.skip_helm_tests,
        crds,
        strict_kinds: args.strict_kinds || config.strict_kinds,
        previous: None,
        policies: policies.inputs,
        renderings: rendered.renderings,
        patches: Default::default(),
    };
    let mut at_revision = None;
    let now = lint::first_pass(
        &inputs,
        &context,
        &rule_set,
        &options,
        args.new_from_rev.is_some(),
    );
    if let Some(rev) = &args.new_from_rev {
        let paths = Revisioned {
            targets: &paths,
            context: &context_paths,
            crds: &crd_paths,
        };
        match lint_at_revision(rev, &paths, named, &now, &config, &rule_set, &options) {
            Ok((mut earlier, mut snapshot)) => {
                config.apply_suppressions(&mut earlier);
                snapshot.revision = rev.clone();
                options.previous = Some(std::sync::Arc::new(snapshot));
                at_revision = Some((rev, earlier));
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let (mut report, _) = lint::finish(now, &rule_set, &options, false);
    let unused = config.apply_suppressions(&mut report);
    if args.report_unused_config
        && !unused.is_empty()
        && let Some(severity) =
            rule_set.severity(crate::rules::meta::unused_suppression::UnusedSuppression::ID)
        && let Some(file) = config.unused_suppressions(&unused, severity)
    {
        report.files.push(file);
    }
    if let Some(path) = &args.write_baseline {
        if let Err(e) = write_atomically(path, baseline::render(&report).as_bytes()) {
            eprintln!("error: cannot write the baseline {}: {e}", path.display());
            return ExitCode::from(2);
        }
        eprintln!(
            "kubelint: recorded {} findings in {}",
            report.diagnostics().count(),
            path.display()
        );
        return ExitCode::SUCCESS;
    }
    if let Some(path) = &args.baseline {
        match baseline::Baseline::load(path) {
            Ok(mut known) => {
                known.filter(&mut report);
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if let Some((rev, earlier)) = &at_revision {
        let known = baseline::Baseline::of_revision(earlier).filter_revision(&mut report);
        if known > 0 {
            eprintln!("kubelint: {known} findings already at {rev} not shown (--new-from-rev)");
        }
    }
    if args.fix || args.diff {
        let wanted = crate::fix::Wanted {
            unsafe_fixes: args.unsafe_fixes,
        };
        let changes = fix_files(&report, &inputs, wanted, &rule_set);
        if let Some(again) = again {
            return match write_fixes(&changes) {
                Ok(()) => check(again),
                Err(code) => code,
            };
        }
        load_errors.append(&mut report.errors);
        for e in &load_errors {
            eprintln!("error: {e}");
        }
        return print_diffs(&changes, &load_errors);
    }
    load_errors.append(&mut report.errors);
    let expect_objects = named == load::Named::Explicit && load_errors.is_empty();
    load_errors.extend(nothing_to_lint(&report, &inputs, &paths, expect_objects));
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
    let fail_on = args.fail_on.unwrap_or(match config.fail_on.as_deref() {
        Some("error") => FailOn::Error,
        Some("info") => FailOn::Info,
        Some("never") => FailOn::Never,
        _ => FailOn::Warning,
    });
    let threshold = match fail_on {
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

/// What fixing did to one file.
struct FileFix {
    shown: String,
    /// The fixes this run would apply that cannot be written, and why.
    refused: Vec<String>,
    path: PathBuf,
    before: String,
    outcome: Result<crate::fix::Fixed, String>,
}

/// The fixes of every file of the report that has any this run applies, proven on their own
/// (files in parallel). Standard input and rendered builds are not files anyone edits: their
/// fixable findings are said to be left.
fn fix_files(
    report: &crate::run_report::RunReport,
    inputs: &[load::Input],
    wanted: crate::fix::Wanted,
    rules: &crate::rules::RuleSet,
) -> Vec<FileFix> {
    use rayon::prelude::*;
    let files: std::collections::HashMap<&str, &Path> = inputs
        .iter()
        .filter_map(|input| match input {
            load::Input::File { path, display, .. } => Some((display.as_str(), path.as_path())),
            _ => None,
        })
        .collect();
    let refusal = |d: &crate::diagnostic::Diagnostic| {
        let fix = d.fix.as_deref()?;
        let reason = fix.refused.as_deref()?;
        wanted.wants(fix.applicability).then(|| {
            format!(
                "{}:{}:{}: {} not fixed: {reason}",
                d.file, d.location.start.line, d.location.start.column, d.rule
            )
        })
    };
    // A file named twice (`check --fix . ./a.yaml`) is fixed once.
    let mut seen = std::collections::HashSet::new();
    let fixable: Vec<&crate::run_report::FileReport> = report
        .files
        .iter()
        .filter(|f| {
            f.diagnostics
                .iter()
                .any(|d| wanted.fix_of(d).is_some() || refusal(d).is_some())
        })
        .filter(|f| {
            files
                .get(&*f.path)
                .and_then(|p| std::fs::canonicalize(p).ok())
                .is_none_or(|real| seen.insert(real))
        })
        .collect();
    fixable
        .par_iter()
        .map(|file| {
            let shown = file.path.to_string();
            let mut refused: Vec<String> = file.diagnostics.iter().filter_map(refusal).collect();
            // Two findings on one shared node are refused once.
            refused.dedup();
            let Some(path) = files.get(&*file.path) else {
                return FileFix {
                    shown,
                    refused,
                    path: PathBuf::new(),
                    before: String::new(),
                    outcome: Err("it is not a file (standard input, or the output of a \
                                  build): fix the files it came from"
                        .to_owned()),
                };
            };
            // Read again: the fixes are computed on this text, whatever the run read.
            let outcome = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read it: {e}"))
                .and_then(|before| {
                    crate::fix::fix_file(&file.path, &before, &file.diagnostics, wanted, rules)
                        .and_then(|fixed| fixed.ok_or_else(String::new))
                        .map(|fixed| (before, fixed))
                });
            let (before, outcome) = match outcome {
                Ok((before, fixed)) => (before, Ok(fixed)),
                Err(e) => (String::new(), Err(e)),
            };
            FileFix {
                shown,
                refused,
                path: path.to_path_buf(),
                before,
                outcome,
            }
        })
        .collect()
}

/// Says why each file that had fixes was left as it is.
fn report_refusals(changes: &[FileFix]) {
    for change in changes {
        for refused in &change.refused {
            eprintln!("kubelint: {refused}");
        }
        match &change.outcome {
            Err(reason) if !reason.is_empty() => {
                eprintln!("kubelint: {} not fixed: {reason}", change.shown);
            }
            Ok(fixed) => {
                for reason in &fixed.refused {
                    eprintln!("kubelint: {}: {reason}", change.shown);
                }
            }
            Err(_) => {}
        }
    }
}

/// Writes every fixed file (each atomically, its permissions kept) and says what was fixed.
fn write_fixes(changes: &[FileFix]) -> Result<(), ExitCode> {
    report_refusals(changes);
    let (mut findings, mut files) = (0, 0);
    for change in changes {
        let Ok(fixed) = &change.outcome else {
            continue;
        };
        if let Err(e) = replace_file(&change.path, fixed.text.as_bytes()) {
            eprintln!("error: cannot write the fixes to {}: {e}", change.shown);
            return Err(ExitCode::from(2));
        }
        findings += fixed.fixed;
        files += 1;
    }
    if files > 0 {
        eprintln!(
            "kubelint: fixed {} in {}",
            crate::fix::count(findings, "finding"),
            crate::fix::count(files, "file")
        );
    }
    Ok(())
}

/// `--diff`: the fixes as a unified diff on standard output; exit 1 if there are any.
fn print_diffs(changes: &[FileFix], errors: &[load::LoadError]) -> ExitCode {
    report_refusals(changes);
    let mut out = String::new();
    let (mut findings, mut files) = (0, 0);
    for change in changes {
        if let Ok(fixed) = &change.outcome {
            out.push_str(&crate::fix::unified_diff(
                &change.shown,
                &change.before,
                &fixed.text,
            ));
            findings += fixed.fixed;
            files += 1;
        }
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: cannot write the diff: {e}");
        return ExitCode::from(2);
    }
    if files > 0 {
        eprintln!(
            "kubelint: would fix {} in {}",
            crate::fix::count(findings, "finding"),
            crate::fix::count(files, "file")
        );
    }
    if !errors.is_empty() {
        ExitCode::from(2)
    } else if files > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Replaces a source file's bytes atomically (a temporary file beside it, renamed over it),
/// keeping its permissions; a symbolic link is written through.
fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let path = std::fs::canonicalize(path)?;
    let permissions = std::fs::metadata(&path)?.permissions();
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("the path names no file"))?;
    let mut file = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .tempfile_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().set_permissions(permissions)?;
    file.persist(&path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes to a temporary file beside `path` and renames it into place, so a reader never sees
/// a half-written report and a failed run leaves the previous report intact. A symbolic link
/// is written through (the file it names is replaced, or created, and the link stays). What is
/// not a regular file (`/dev/null`, a pipe) and anything under `/dev` or `/proc` (`/dev/stdout`
/// may name the file the shell redirected to, with `>>`) is appended to directly: renaming
/// over it would replace the device, or the user's file, with a new one.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let special = path.starts_with("/dev") || path.starts_with("/proc");
    if special || std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return std::fs::OpenOptions::new()
            .append(true)
            .open(path)?
            .write_all(bytes);
    }
    let resolved;
    let path = if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        resolved = match std::fs::canonicalize(path) {
            Ok(target) => target,
            // A link to a file that does not exist yet: create it where the link points.
            Err(_) => {
                let target = std::fs::read_link(path)?;
                path.parent().unwrap_or(Path::new(".")).join(target)
            }
        };
        resolved.as_path()
    } else {
        path
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("the output path names no file"))?;
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    // A report is as readable as any file the user writes (0666 less the umask), not private
    // like a temporary file.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut file = builder.tempfile_in(dir)?;
    file.write_all(bytes)?;
    // On failure the temporary file is dropped, which removes it.
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}
