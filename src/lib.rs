#![doc = include_str!("../README.md")]

#[doc = include_str!("../docs/bounded.md")]
#[doc(inline)]
pub use warden_macros::bounded;
#[doc = include_str!("../docs/supervised.md")]
#[doc(inline)]
pub use warden_macros::supervised;
#[doc(inline)]
pub use warden_macros::{allow_blocking, no_blocking};
#[doc(inline)]
pub use warden_runtime::{BoxError, Failure};
#[doc(inline)]
pub use warden_runtime::{
    CancellationToken, ChildHandle, RestartPolicy, Root, ScopeConfig, ScopeStats, ShutdownHandle,
    cancelled, current_token, is_cancelled, live_children, scope_stats, spawn, spawn_named,
    try_spawn, try_spawn_named,
};
#[doc(inline)]
pub use warden_runtime::{bound, detect, metrics, offload, offload_with_token};

/// What generated code calls. Not a stable API: anything here may change in a patch release.
#[doc(hidden)]
pub use warden_runtime::__private;
