//! Snapshots of warden's counters in one place: every limited fn and every watched fn, for a
//! health endpoint, a metrics exporter or a test.
//!
//! Each call reads atomics and copies a short list (one entry per fn that has run at least
//! once); nothing is reset.

pub use crate::bound::BoundSnapshot;
pub use crate::detect::PollSnapshot;
pub use crate::scope::{ScopeStats, live_children, scope_stats};

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
    crate::bound::snapshots()
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
