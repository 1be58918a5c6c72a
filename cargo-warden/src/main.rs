//! `cargo warden`: warden's async concurrency rules over whole crates, with per-module levels from
//! `Cargo.toml`, a report of where a crate stands, and JSON, SARIF and baselines for CI.
//!
//! Steps, one module each: the command line (`cli`), which crates (`workspace`), their levels
//! (`config`), their files and fns (`model`, the adapter to the engine), the rules per fn
//! (`check`, `attrs`), then the outputs (`render`, `report`, `baseline`).

mod attrs;
mod baseline;
mod check;
mod cli;
mod config;
mod diagnostic;
mod model;
mod render;
mod report;
mod rules;
mod workspace;

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::process::ExitCode;

use cli::{CheckArgs, Cli, Color, Command, MessageFormat, ReportArgs, Scope};
use config::Level;
use diagnostic::Diagnostic;
use render::text::Text;
use workspace::{Selection, Workspace};

fn main() -> ExitCode {
    let cli = Cli::from_env();
    let result = match &cli.command {
        Command::Check(args) => run_check(args),
        Command::Report(args) => run_report(args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            let color = std::io::stderr().is_terminal();
            eprintln!("{}", Text::new(color).message(true, &message));
            ExitCode::from(2)
        }
    }
}

fn load(scope: &Scope, count_allowed: bool) -> Result<(Workspace, check::Outcome), String> {
    let workspace = Workspace::load(&Selection {
        manifest_path: scope.manifest_path.as_deref(),
        packages: &scope.packages,
        workspace: scope.workspace,
    })?;
    let outcome = check::run(
        &workspace,
        check::Options {
            all_targets: scope.all_targets,
            count_allowed,
        },
    )?;
    Ok((workspace, outcome))
}

fn run_check(args: &CheckArgs) -> Result<ExitCode, String> {
    let (workspace, outcome) = load(&args.scope, false)?;
    let mut baseline = args
        .baseline
        .as_deref()
        .map(baseline::Baseline::read)
        .transpose()?;
    let accepted: Vec<bool> = outcome
        .diagnostics
        .iter()
        .map(|d| baseline.as_mut().is_some_and(|b| b.accepts(d)))
        .collect();
    let shown: Vec<&Diagnostic> = outcome
        .diagnostics
        .iter()
        .zip(&accepted)
        .filter(|(_, accepted)| !**accepted)
        .map(|(d, _)| d)
        .collect();
    let counts = Counts {
        errors: shown.iter().filter(|d| d.level == Level::Deny).count(),
        warnings: shown.iter().filter(|d| d.level != Level::Deny).count(),
        baselined: accepted.iter().filter(|a| **a).count(),
    };
    let success = counts.errors == 0 || args.write_baseline.is_some();

    if let Some(path) = &args.sarif {
        let findings: Vec<_> = outcome
            .diagnostics
            .iter()
            .zip(accepted.iter().copied())
            .collect();
        let log = render::sarif::log(&workspace.root, &findings, &outcome.skipped);
        let json = serde_json::to_string_pretty(&log).map_err(|e| e.to_string())?;
        std::fs::write(path, json + "\n")
            .map_err(|e| format!("cannot write the SARIF log `{}`: {e}", path.display()))?;
    }
    if let Some(path) = &args.write_baseline {
        baseline::write(path, &outcome.diagnostics)?;
    }
    let written = if args.message_format == MessageFormat::Json {
        print_json(&outcome, &shown, success, &counts)
    } else {
        let color = match args.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => std::io::stderr().is_terminal(),
        };
        let summary = summary(args, &outcome, baseline.as_ref(), &counts);
        print_human(&outcome, &shown, color, &summary)
    };
    written.map_err(|e| format!("cannot write the output: {e}"))?;
    Ok(if success {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// What a check found, after the baseline.
struct Counts {
    errors: usize,
    warnings: usize,
    baselined: usize,
}

/// The text of the file a diagnostic is in.
fn text_of<'a>(outcome: &'a check::Outcome, d: &Diagnostic) -> &'a str {
    outcome
        .sources
        .iter()
        .find(|s| s.file == d.file)
        .map_or("", |s| s.text.as_str())
}

/// Human output: everything on stderr, like rustc and cargo.
fn print_human(
    outcome: &check::Outcome,
    shown: &[&Diagnostic],
    color: bool,
    summary: &str,
) -> std::io::Result<()> {
    let text = Text::new(color);
    let mut err = std::io::stderr().lock();
    for skipped in &outcome.skipped {
        writeln!(err, "{}\n", text.skipped(skipped))?;
    }
    for d in shown {
        writeln!(err, "{}\n", text.diagnostic(d, text_of(outcome, d)))?;
    }
    writeln!(err, "{summary}")
}

/// JSON output: one object a line on stdout, the last `build-finished`.
fn print_json(
    outcome: &check::Outcome,
    shown: &[&Diagnostic],
    success: bool,
    counts: &Counts,
) -> std::io::Result<()> {
    let plain = Text::new(false);
    let mut out = std::io::stdout().lock();
    for skipped in &outcome.skipped {
        writeln!(
            out,
            "{}",
            render::json::skipped(skipped, &plain.skipped(skipped))
        )?;
    }
    for d in shown {
        let text = text_of(outcome, d);
        writeln!(
            out,
            "{}",
            render::json::diagnostic(d, text, &plain.diagnostic(d, text))
        )?;
    }
    let finished =
        render::json::finished(success, counts.errors, counts.warnings, counts.baselined);
    writeln!(out, "{finished}")
}

/// The last line of human output.
fn summary(
    args: &CheckArgs,
    outcome: &check::Outcome,
    baseline: Option<&baseline::Baseline>,
    counts: &Counts,
) -> String {
    let files = outcome.sources.len();
    let mut summary = format!(
        "warden: {files} file{} checked: {} error{}, {} warning{}",
        plural(files),
        counts.errors,
        plural(counts.errors),
        counts.warnings,
        plural(counts.warnings),
    );
    if !outcome.skipped.is_empty() {
        let _ = write!(
            summary,
            "; {} not checked (see above)",
            outcome.skipped.len()
        );
    }
    if let (Some(b), Some(path)) = (baseline, &args.baseline) {
        let _ = write!(
            summary,
            "; {} accepted by the baseline `{}`",
            counts.baselined,
            path.display()
        );
        if b.unused() > 0 {
            let _ = write!(
                summary,
                " ({} of its findings are fixed: `--write-baseline` shrinks it)",
                b.unused()
            );
        }
    }
    if let Some(path) = &args.write_baseline {
        let _ = write!(
            summary,
            "; wrote {} finding(s) to the baseline `{}`",
            outcome.diagnostics.len(),
            path.display()
        );
    }
    summary
}

fn run_report(args: &ReportArgs) -> Result<ExitCode, String> {
    let (_, outcome) = load(&args.scope, true)?;
    let mut out = std::io::stdout().lock();
    let text = Text::new(false);
    for skipped in &outcome.skipped {
        eprintln!("{}", text.skipped(skipped));
    }
    write!(out, "{}", report::render(&outcome.modules, args.markdown))
        .map_err(|e| format!("cannot write the report: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
