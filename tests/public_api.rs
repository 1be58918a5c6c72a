//! Pins warden's public API: every item a user can name, and nothing else. Each public item is a
//! semver promise, so adding or removing one must be a decision, made by editing the lists
//! below, not an accident of a `pub use`.
//!
//! The facade's items are read from `src/lib.rs`; the contents of the two modules it re-exports
//! whole (`metrics`, `settings`) from their runtime sources. `__private` (hidden, what generated
//! code calls) is the one hidden item allowed. The `uses_every_item` test names each item, so a
//! removed one fails to compile as well.

use std::collections::BTreeSet;
use std::path::Path;

/// What `warden::` offers.
const FACADE: &[&str] = &[
    "BoxError",
    "CancellationToken",
    "ChildHandle",
    "ChildOutput",
    "Failure",
    "Root",
    "ShutdownHandle",
    "allow_blocking",
    "bounded",
    "cancelled",
    "current_token",
    "is_cancelled",
    "metrics",
    "no_blocking",
    "offload",
    "offload_with_token",
    "settings",
    "spawn",
    "spawn_named",
    "supervised",
    "try_spawn",
    "try_spawn_named",
];

/// What `warden::metrics::` offers: every snapshot type, in one place.
const METRICS: &[&str] = &[
    "BoundSnapshot",
    "PollSnapshot",
    "ScopeStats",
    "bounds",
    "live_children",
    "polls",
    "scope_stats",
];

/// What `warden::settings::` offers: the process-wide switches.
const SETTINGS: &[&str] = &[
    "DEFAULT_MAX_POLL",
    "default_max_poll",
    "poll_detection",
    "set_default_max_poll",
    "set_poll_detection",
    "set_wait_warning",
    "wait_warning",
];

/// The public names a Rust source file declares or re-exports at its top level, and the hidden
/// ones (`#[doc(hidden)]`) apart. A plain reading of the text: enough for files written in
/// rustfmt's style, as these are.
fn public_items(file: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let (mut shown, mut hidden) = (BTreeSet::new(), BTreeSet::new());
    let mut hide_next = false;
    let mut depth = 0usize;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        let top = depth == 0;
        depth = (depth + trimmed.matches('{').count()).saturating_sub(trimmed.matches('}').count());
        if !top || trimmed.starts_with("//") {
            continue;
        }
        if trimmed.starts_with("#[doc(hidden)]") {
            hide_next = true;
            continue;
        }
        if trimmed.starts_with("#[") {
            continue;
        }
        let names = if let Some(rest) = trimmed.strip_prefix("pub use ") {
            let mut statement = rest.to_owned();
            while !statement.contains(';') {
                let next = lines.next().expect("a `pub use` ends with `;`");
                statement.push_str(next.trim());
            }
            depth = 0;
            used_names(&statement)
        } else if let Some(rest) = trimmed.strip_prefix("pub ") {
            declared_name(rest).into_iter().collect()
        } else {
            Vec::new()
        };
        let into = if hide_next { &mut hidden } else { &mut shown };
        into.extend(names);
        hide_next = false;
    }
    (shown, hidden)
}

/// The names a `use` tree brings in: the last segment of each path, or its `as` rename.
fn used_names(tree: &str) -> Vec<String> {
    let tree = tree.trim_end_matches(';');
    let inner = match (tree.find('{'), tree.rfind('}')) {
        (Some(open), Some(close)) => &tree[open + 1..close],
        _ => tree,
    };
    inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|path| {
            let path = path.rsplit(" as ").next().unwrap_or(path);
            path.rsplit("::").next().unwrap_or(path).to_owned()
        })
        .collect()
}

/// The name a `pub` declaration declares (`fn x`, `const fn x`, `struct X`, `mod x`, ...).
fn declared_name(rest: &str) -> Option<String> {
    let kinds = [
        "fn", "struct", "enum", "trait", "type", "mod", "const", "static",
    ];
    let mut words = rest
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty());
    words.find(|w| kinds.contains(w))?;
    // `const fn name`, `async fn name`: the name follows the last keyword.
    words
        .find(|w| !["fn", "async", "unsafe"].contains(w))
        .map(str::to_owned)
}

fn expect(list: &[&str], found: &BTreeSet<String>, what: &str) {
    let want: BTreeSet<String> = list.iter().map(|s| (*s).to_owned()).collect();
    let added: Vec<_> = found.difference(&want).collect();
    let removed: Vec<_> = want.difference(found).collect();
    assert!(
        added.is_empty() && removed.is_empty(),
        "{what}: the public API changed. Added: {added:?}; removed: {removed:?}. If on purpose, \
         edit the lists in tests/public_api.rs (each public item is a semver promise)."
    );
}

#[test]
fn the_facade_exports_only_the_user_api() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (shown, hidden) = public_items(&root.join("src/lib.rs"));
    expect(FACADE, &shown, "warden::");
    let hidden: Vec<_> = hidden.into_iter().collect();
    assert_eq!(hidden, ["__private"], "hidden items of warden::");
}

#[test]
fn metrics_and_settings_export_only_their_lists() {
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime/src");
    let (metrics, hidden) = public_items(&runtime.join("metrics.rs"));
    expect(METRICS, &metrics, "warden::metrics::");
    assert!(hidden.is_empty(), "{hidden:?}");
    let (settings, hidden) = public_items(&runtime.join("settings.rs"));
    expect(SETTINGS, &settings, "warden::settings::");
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[test]
fn the_reader_sees_what_rustfmt_writes() {
    assert_eq!(
        used_names("warden_runtime::{a, b::c, d as e};"),
        ["a", "c", "e"]
    );
    assert_eq!(used_names("warden_runtime::metrics;"), ["metrics"]);
    assert_eq!(
        declared_name("const fn new() -> Self {"),
        Some("new".into())
    );
    assert_eq!(
        declared_name("const LIMIT: usize = 1;"),
        Some("LIMIT".into())
    );
    assert_eq!(declared_name("async fn run() {"), Some("run".into()));
    assert_eq!(declared_name("struct Root {"), Some("Root".into()));
}

/// Names every item, so removing one is a compile error here too.
#[allow(unused_imports, clippy::no_effect_underscore_binding)]
#[test]
fn uses_every_item() {
    use warden::metrics::{
        BoundSnapshot, PollSnapshot, ScopeStats, bounds, live_children, polls, scope_stats,
    };
    use warden::settings::{
        DEFAULT_MAX_POLL, default_max_poll, poll_detection, set_default_max_poll,
        set_poll_detection, set_wait_warning, wait_warning,
    };
    use warden::{
        BoxError, CancellationToken, ChildHandle, ChildOutput, Failure, Root, ShutdownHandle,
        allow_blocking, bounded, cancelled, current_token, is_cancelled, no_blocking, offload,
        offload_with_token, spawn, spawn_named, supervised, try_spawn, try_spawn_named,
    };
    let _ = (
        live_children(),
        poll_detection(),
        wait_warning(),
        DEFAULT_MAX_POLL,
    );
}
