//! Runs the engine on source strings, the way an attribute does on each annotated fn in a build
//! (the crate around it in sight), and shows each finding as one line a test can compare.

#![allow(dead_code, reason = "each test file uses part of the support")]

use std::fmt::Write as _;

use std::rc::Rc;

use warden_analysis::{Checks, CrateModel, CustomBlocking, Finding, Severity, analyze_crate_fn};

/// Which attribute's rules to run.
#[derive(Clone, Copy)]
pub enum Rules {
    /// `#[no_blocking]`: R1 and R2.
    NoBlocking,
    /// `#[supervised]`: R3 and the queue rules.
    Supervised,
}

/// The lock types the test sources name without importing them, appended after the source so
/// line numbers stay as written.
const PRELUDE: &str = "\nuse std::sync::{Mutex, MutexGuard, PoisonError, RwLock};\n\
                       use std::cell::{RefCell, RefMut};\nuse std::collections::HashMap;\n";

/// Every finding of every fn of `src` (a one-file crate), in order, each fn checked in the crate
/// the way the attributes check an annotated fn in a build.
pub fn run(rules: Rules, src: &str) -> Vec<Finding> {
    let source = format!("{src}{PRELUDE}");
    let model = Rc::new(
        CrateModel::in_memory(&[("src/lib.rs", &source)])
            .unwrap_or_else(|e| panic!("bad test source: {e}")),
    );
    let custom = CustomBlocking::default();
    let checks = Checks {
        blocking: matches!(rules, Rules::NoBlocking),
        guards: matches!(rules, Rules::NoBlocking),
        spawns: matches!(rules, Rules::Supervised),
        queues: matches!(rules, Rules::Supervised),
        custom: &custom,
    };
    let mut found = Vec::new();
    for module in model.all_modules() {
        for id in model.fns(module) {
            if let Some(analysis) = analyze_crate_fn(&model, id, checks) {
                found.extend(analysis.findings);
            }
        }
    }
    found
}

/// Each finding as `error R2 9:29 <headline>`, followed by its notes, each on a line
/// `  note 7:5 <text>` (lines and columns from 1).
pub fn findings(rules: Rules, src: &str) -> Vec<String> {
    run(rules, src)
        .into_iter()
        .map(|finding| {
            let level = match finding.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let rule = finding
                .rule
                .tag()
                .split_whitespace()
                .nth(1)
                .unwrap_or_default();
            let headline = finding.message.lines().next().unwrap_or_default();
            let mut shown = format!("{level} {rule} {} {headline}", at(finding.span.0));
            for (span, note) in &finding.notes {
                let _ = write!(shown, "\n  note {} {note}", at(span.0));
            }
            shown
        })
        .collect()
}

/// The full message of the only finding.
#[track_caller]
pub fn only_message(rules: Rules, src: &str) -> String {
    let mut found = run(rules, src);
    assert_eq!(found.len(), 1, "{found:#?}");
    found.remove(0).message
}

/// Asserts that `src` has no finding.
#[track_caller]
pub fn clean(rules: Rules, src: &str) {
    let found = findings(rules, src);
    assert!(
        found.is_empty(),
        "expected no finding, got:\n{}",
        found.join("\n")
    );
}

fn at(span: proc_macro2::Span) -> String {
    let start = span.start();
    format!("{}:{}", start.line, start.column + 1)
}
