//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// warden's async concurrency rules (R1-R4) over whole crates.
#[derive(Parser)]
#[command(name = "cargo-warden", bin_name = "cargo warden", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Check every fn of the crates; exit 1 on any finding at `deny` level.
    Check(CheckArgs),
    /// Per module: async fns, attributes, findings per rule, and what can be `deny` today.
    Report(ReportArgs),
}

/// Which crates.
#[derive(Args)]
pub struct Scope {
    /// Path to Cargo.toml (or the directory holding it); default: the crate around the current
    /// directory.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Package(s) to check.
    #[arg(short, long = "package", value_name = "SPEC")]
    pub packages: Vec<String>,
    /// Every package of the workspace.
    #[arg(long)]
    pub workspace: bool,
    /// Examples, tests and benches too, not only libraries and binaries.
    #[arg(long)]
    pub all_targets: bool,
}

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub scope: Scope,
    /// `human`: rustc-like diagnostics on stderr; `json`: one JSON object per finding on stdout.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
    /// Also write the findings as a SARIF 2.1.0 log to FILE.
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<PathBuf>,
    /// Accept the findings recorded in FILE: only new ones are reported and fail the check.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record every finding in FILE (for `--baseline`) and succeed.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Colours in human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

#[derive(Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub scope: Scope,
    /// Markdown (for a pull request) instead of a terminal table.
    #[arg(long)]
    pub markdown: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

impl Cli {
    /// Parses the arguments; `cargo warden ..` runs `cargo-warden warden ..`, so a leading
    /// `warden` is dropped and `cargo run -p cargo-warden -- check` works too.
    pub fn from_env() -> Cli {
        let mut args: Vec<_> = std::env::args_os().collect();
        if args.get(1).is_some_and(|a| a == "warden") {
            args.remove(1);
        }
        Cli::parse_from(args)
    }
}
