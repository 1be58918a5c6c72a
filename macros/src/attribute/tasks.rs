//! The task and queue rules on a wrapped fn's body: R4 (unbounded queues, spawns in loops)
//! always, R3 (fire-and-forget tasks) for a supervision scope.

use crate::report::Report;
use crate::target::FnItem;
use warden_analysis::{Checks, CustomBlocking, analyze};

/// Asks the engine for the task rules (R3 when `spawns`) and reports what it finds.
pub(crate) fn check(function: &FnItem<'_>, spawns: bool, report: &mut Report) {
    let custom = CustomBlocking::default();
    let checks = Checks {
        blocking: false,
        guards: false,
        spawns,
        queues: true,
        custom: &custom,
    };
    let found = analyze(
        function.block,
        function.is_async(),
        &function.scope.with_params(function.sig),
        checks,
    );
    let warnings = report.findings(found.findings, false);
    debug_assert!(warnings.is_empty(), "task rules only make errors");
}
