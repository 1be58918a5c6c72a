//! `cargo warden check` on a generated crate of about 20,000 lines: the target is under
//! 2 s on the project's 2-core machine. A benchmark, not a test: it prints the times and asserts
//! nothing about them.
//!
//! `cargo bench -p cargo-warden --bench check` runs it in full; under `cargo test` (no `--bench`
//! argument) it checks a small crate once, so the benchmark keeps working.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Modules, and fn groups per module: 100 × 9 groups of about 22 lines ≈ 20,000 lines.
const MODULES: usize = 100;
const GROUPS: usize = 9;
const RUNS: usize = 7;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (modules, runs) = if full { (MODULES, RUNS) } else { (3, 1) };
    let dir = std::env::temp_dir().join(format!("cargo-warden-bench-{}", std::process::id()));
    let lines = generate(&dir, modules);
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let output = Command::new(env!("CARGO_BIN_EXE_cargo-warden"))
            .args(["check", "--message-format", "json"])
            .current_dir(&dir)
            .output()
            .expect("cargo-warden runs");
        times.push(start.elapsed());
        let findings = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|l| l.contains("\"compiler-message\""))
            .count();
        assert_eq!(
            findings,
            modules * GROUPS * 2,
            "every generated finding is found: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "cargo warden check: {lines} lines in {} files, {} findings: median {:.0} ms, min {:.0} ms, max {:.0} ms ({runs} runs)",
        modules + 1,
        modules * GROUPS * 2,
        ms(median),
        ms(times[0]),
        ms(times[times.len() - 1]),
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Writes the crate; returns its line count.
fn generate(dir: &Path, modules: usize) -> usize {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("src")).expect("temp dir");
    let manifest = "[package]\nname = \"generated\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n\n\
                    [package.metadata.warden.modules]\n\"src/m1*.rs\" = \"deny\"\n";
    let mut lines = write(dir.join("Cargo.toml"), manifest);
    let mut root = String::from("//! A generated crate for the benchmark.\n\n");
    for m in 0..modules {
        let _ = writeln!(root, "pub mod m{m};");
        lines += write(dir.join(format!("src/m{m}.rs")), &module(m));
    }
    lines + write(dir.join("src/lib.rs"), &root)
}

fn write(path: PathBuf, text: &str) -> usize {
    std::fs::write(path, text).expect("writable temp dir");
    text.lines().count()
}

/// One module: per group an async fn with a blocking call and a guard held across an await
/// (two findings), a clean async fn, a sync helper and a method.
fn module(m: usize) -> String {
    let mut out = format!(
        "//! Module {m}.\n\nuse std::sync::Mutex;\nuse std::time::Duration;\n\npub struct State{m} {{\n    \
         inner: Mutex<u64>,\n}}\n\n"
    );
    for g in 0..GROUPS {
        let _ = write!(
            out,
            "pub async fn load_{g}(path: &str) -> usize {{\n    \
                 let text = std::fs::read_to_string(path).unwrap_or_default();\n    \
                 text.len() + helper_{g}(3)\n}}\n\n\
             pub async fn clean_{g}(n: u64) -> u64 {{\n    \
                 tokio::time::sleep(Duration::from_millis(n)).await;\n    \
                 n * 2\n}}\n\n\
             fn helper_{g}(x: usize) -> usize {{\n    x + 1\n}}\n\n\
             impl State{m} {{\n    \
                 pub async fn bump_{g}(&self) {{\n        \
                     let mut guard = self.inner.lock().unwrap();\n        \
                     *guard += 1;\n        \
                     tokio::task::yield_now().await;\n    \
                 }}\n}}\n\n"
        );
    }
    out
}
