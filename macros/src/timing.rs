//! Where a macro call's time goes, for the compile-time benchmark (benches/compile/run.sh).
//!
//! With `WARDEN_TIMING=<path>` in the compiler's environment, each attribute call adds the time
//! of its steps to this proc-macro process's totals and rewrites `<path>.<pid>` with them and
//! with how many files were parsed. Unset (always, outside a measurement), a call costs one
//! cached look-up of the variable.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The steps of a call, as reported.
#[derive(Clone, Copy)]
pub(crate) enum Step {
    /// `syn::parse2` of the annotated item.
    Parse,
    /// Finding the item's crate model, current with the disk (reading and parsing files).
    Model,
    /// Finding the item in its parsed file.
    Locate,
    /// The engine and the rewrite, on every fn the attribute applies to.
    Check,
    /// The item back to tokens, with the report.
    Emit,
}

const STEPS: [(&str, Step); 5] = [
    ("parse", Step::Parse),
    ("model", Step::Model),
    ("locate", Step::Locate),
    ("check", Step::Check),
    ("emit", Step::Emit),
];

#[derive(Default)]
struct Totals {
    calls: usize,
    steps: [Duration; STEPS.len()],
}

thread_local! {
    static TOTALS: RefCell<Totals> = RefCell::new(Totals::default());
}

fn target() -> Option<&'static str> {
    static TARGET: OnceLock<Option<String>> = OnceLock::new();
    TARGET
        .get_or_init(|| std::env::var("WARDEN_TIMING").ok())
        .as_deref()
}

/// Runs `f`, adding its time to `step` when timing is on.
pub(crate) fn step<R>(step: Step, f: impl FnOnce() -> R) -> R {
    if target().is_none() {
        return f();
    }
    let start = Instant::now();
    let result = f();
    let elapsed = start.elapsed();
    TOTALS.with(|t| t.borrow_mut().steps[step as usize] += elapsed);
    result
}

/// Ends a call: counts it and rewrites the report when timing is on.
pub(crate) fn call_done() {
    let Some(path) = target() else { return };
    let report = TOTALS.with(|t| {
        let mut t = t.borrow_mut();
        t.calls += 1;
        let mut report = format!(
            "calls {}\nfiles parsed {}\n",
            t.calls,
            crate::context::files_parsed()
        );
        for ((name, _), time) in STEPS.iter().zip(t.steps) {
            let _ = writeln!(report, "{name} {:.3} s", time.as_secs_f64());
        }
        report
    });
    // Best effort: a measurement aid must never fail a build.
    let _ = std::fs::write(format!("{path}.{}", std::process::id()), report);
}
