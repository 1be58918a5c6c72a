//! Running the binary on a fixture, and reading its output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fixture crate `name`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// What a run printed, and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cargo-warden` with `args` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_cargo-warden"))
        .args(args)
        .current_dir(dir)
        .env_remove("CARGO_TERM_COLOR")
        .output()
        .expect("cargo-warden runs");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8(stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(stderr).expect("utf-8 stderr"),
    }
}

/// Runs `cargo-warden` with `args` in the fixture `name`.
pub fn run(name: &str, args: &[&str]) -> Run {
    run_in(&fixture(name), args)
}

/// A copy of a fixture in a temporary directory, to edit; removed when dropped.
pub struct Copy(PathBuf);

impl std::ops::Deref for Copy {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Copy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A copy of the fixture `name` in a fresh temporary directory.
pub fn copy_of(name: &str) -> Copy {
    let dir = std::env::temp_dir().join(format!(
        "cargo-warden-{name}-{}-{}",
        std::process::id(),
        COPIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&fixture(name), &dir);
    Copy(dir)
}

static COPIES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `(level, rule number, file:line:col)` of each diagnostic in human output, in order.
pub fn findings(stderr: &str) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    let mut lines = stderr.lines();
    while let Some(line) = lines.next() {
        let Some((level, rest)) = line.split_once(": warden ") else {
            continue;
        };
        let rule = rest
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        let place = lines
            .next()
            .and_then(|l| l.trim_start().strip_prefix("--> "))
            .unwrap_or_default()
            .to_owned();
        found.push((level.to_owned(), rule, place));
    }
    found
}
