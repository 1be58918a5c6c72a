//! Snapshots of warden's counters in one place: every limited fn, every watched fn, the live
//! children of the process and of the current scope, the live supervision tree, for a health
//! endpoint, a metrics exporter or a test. Every snapshot type is here, and only here.
//!
//! Each call reads atomics and copies a short list (one entry per fn that has run at least
//! once); nothing is reset.

pub use crate::scope::{live_children, scope_stats};
pub use crate::snapshot::{BoundSnapshot, PollSnapshot, ScopeStats};
pub use crate::tree::{NodeKind, NodeState, Polls, Tree, TreeNode};

/// Every `#[bounded]` limit used so far, in order of first use.
///
/// ```
/// use warden_runtime::bound::Bound;
///
/// static SAVE: Bound = Bound::new("my_app::save", 4);
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// SAVE.run(async {}).await;
/// let save = warden_runtime::metrics::bounds().into_iter().find(|b| b.name == "my_app::save");
/// assert_eq!(save.map(|b| b.limit), Some(4));
/// # }
/// ```
#[must_use]
pub fn bounds() -> Vec<BoundSnapshot> {
    crate::bound::stats::snapshots()
}

/// Every fn watched for slow polls that has been polled so far, in order of first poll.
///
/// ```
/// use warden_runtime::detect::PollSite;
///
/// static LOAD: PollSite = PollSite::new("my_app::load", file!(), line!(), None);
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// LOAD.run(async {}).await;
/// let load = warden_runtime::metrics::polls().into_iter().find(|p| p.fn_path == "my_app::load");
/// assert_eq!(load.map(|p| p.polls), Some(1));
/// # }
/// ```
#[must_use]
pub fn polls() -> Vec<PollSnapshot> {
    crate::detect::snapshots()
}

/// The supervision tree now: every [`Root`](crate::Root), every supervised call and every child
/// task alive, with who owns whom, each one's state, age, restarts and live children, and, for
/// a fn watched for slow polls, that fn's polls and longest poll. `Display` draws it like
/// `pstree`; with the `serde` feature it serialises.
///
/// Taking it locks, one at a time and briefly, each thread's list of scopes and each scope's
/// child registry: spawning goes on meanwhile (see `BENCHMARKS.md`). A supervised call that
/// has not yet suspended is not listed; one that holds a listed scope's children is.
///
/// ```
/// use warden_runtime::{Failure, Root, cancelled, spawn_named};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let root = Root::new().name("app").signals(false);
/// let stop = root.shutdown_handle();
/// root.run(async move {
///     drop(spawn_named("worker", async { cancelled().await; Ok::<_, Failure>(()) }).await);
///     let tree = warden_runtime::metrics::tree();
///     let app = tree.find("app").expect("the root is listed");
///     assert_eq!(app.children[0].name, "worker");
///     println!("{tree}"); // app (root) running 0.0ns, 1 child
///                         // └── worker (task) 2.0µs
///     stop.shutdown();
/// })
/// .await
/// .unwrap();
/// # }
/// ```
#[must_use]
pub fn tree() -> Tree {
    crate::tree::snapshot()
}
