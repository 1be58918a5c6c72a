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

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use cli::{CheckArgs, Cli, Color, Command, MessageFormat, ReportArgs, Scope};
use config::Level;
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
    let shown: Vec<&diagnostic::Diagnostic> = outcome
        .diagnostics
        .iter()
        .zip(&accepted)
        .filter(|(_, accepted)| !**accepted)
        .map(|(d, _)| d)
        .collect();
    let errors = shown.iter().filter(|d| d.level == Level::Deny).count();
    let warnings = shown.len() - errors;
    let baselined = accepted.iter().filter(|a| **a).count();

    let texts: HashMap<&str, &str> = outcome
        .sources
        .iter()
        .map(|s| (s.file.as_str(), s.text.as_str()))
        .collect();
    let text_of = |d: &diagnostic::Diagnostic| texts.get(d.file.as_str()).copied().unwrap_or("");
    let json = args.message_format == MessageFormat::Json;
    let color = !json
        && match args.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => std::io::stderr().is_terminal(),
        };
    let text = Text::new(color);
    let plain = Text::new(false);
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let write_failed = |e: std::io::Error| format!("cannot write the output: {e}");
    for skipped in &outcome.skipped {
        if json {
            let line = render::json::skipped(skipped, &plain.skipped(skipped));
            writeln!(out, "{line}").map_err(write_failed)?;
        } else {
            writeln!(err, "{}\n", text.skipped(skipped)).map_err(write_failed)?;
        }
    }
    for d in &shown {
        if json {
            let line = render::json::diagnostic(d, text_of(d), &plain.diagnostic(d, text_of(d)));
            writeln!(out, "{line}").map_err(write_failed)?;
        } else {
            writeln!(err, "{}\n", text.diagnostic(d, text_of(d))).map_err(write_failed)?;
        }
    }

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

    let success = errors == 0 || args.write_baseline.is_some();
    if json {
        writeln!(
            out,
            "{}",
            render::json::finished(success, errors, warnings, baselined)
        )
        .map_err(write_failed)?;
    } else {
        let mut summary = format!(
            "warden: {} file{} checked: {errors} error{}, {warnings} warning{}",
            outcome.sources.len(),
            plural(outcome.sources.len()),
            plural(errors),
            plural(warnings),
        );
        if !outcome.skipped.is_empty() {
            summary.push_str(&format!(
                "; {} not checked (see above)",
                outcome.skipped.len()
            ));
        }
        if let (Some(b), Some(path)) = (&baseline, &args.baseline) {
            summary.push_str(&format!(
                "; {baselined} accepted by the baseline `{}`",
                path.display()
            ));
            if b.unused() > 0 {
                summary.push_str(&format!(
                    " ({} of its findings are fixed: `--write-baseline` shrinks it)",
                    b.unused()
                ));
            }
        }
        if let Some(path) = &args.write_baseline {
            summary.push_str(&format!(
                "; wrote {} finding(s) to the baseline `{}`",
                outcome.diagnostics.len(),
                path.display()
            ));
        }
        writeln!(err, "{summary}").map_err(write_failed)?;
    }
    Ok(if success {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
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
