#![doc = include_str!("../README.md")]
//!
//! # The API
//!
//! Everything a user calls, and nothing else (`tests/public_api.rs` pins this list):
//! - the attributes [`no_blocking`], [`supervised`], [`bounded`] and the marker
//!   [`allow_blocking`];
//! - [`Failure`] and [`BoxError`];
//! - spawning: [`spawn`], [`spawn_named`], [`try_spawn`], [`try_spawn_named`],
//!   [`ChildHandle`] and [`ChildOutput`] (what a child may return);
//! - cancellation: [`cancelled`], [`is_cancelled`], [`current_token`] and warden's own
//!   [`CancellationToken`] (not tokio-util's: its docs say why);
//! - [`offload`] and [`offload_with_token`];
//! - [`Root`] and [`ShutdownHandle`];
//! - [`metrics`] (every snapshot type) and [`settings`] (the process-wide switches).
//!
//! What generated code calls lives in a hidden `__private` module that is not a stable API.

#[doc = include_str!("../docs/bounded.md")]
#[doc(inline)]
pub use warden_macros::bounded;
#[doc(inline)]
#[doc = include_str!("../docs/no_blocking.md")]
pub use warden_macros::no_blocking;
#[doc = include_str!("../docs/supervised.md")]
#[doc(inline)]
pub use warden_macros::supervised;

/// Accepts blocking on purpose, inside code checked by [`no_blocking`].
///
/// - On a statement or expression (an `.await` included): that code is accepted, for R1 and R2.
/// - On a fn inside an annotated `mod`, `impl` or trait: the fn is not checked.
///
/// It is an inert marker: `#[no_blocking]` reads it and removes it before the compiler sees it,
/// so it works on statements on stable Rust. Grep for `allow_blocking` to review every exception.
/// Outside a `#[no_blocking]` item it does nothing.
///
/// ```rust
/// #[warden::no_blocking]
/// async fn startup() -> String {
///     #[warden::allow_blocking] // read once, before serving
///     let config = std::fs::read_to_string("Cargo.toml").unwrap_or_default();
///     config
/// }
/// # fn main() {}
/// ```
#[doc(inline)]
pub use warden_macros::allow_blocking;
#[doc(inline)]
pub use warden_runtime::{BoxError, Failure};
#[doc(inline)]
pub use warden_runtime::{CancellationToken, cancelled, current_token, is_cancelled};
#[doc(inline)]
pub use warden_runtime::{
    ChildHandle, ChildOutput, spawn, spawn_named, try_spawn, try_spawn_named,
};
#[doc(inline)]
pub use warden_runtime::{Root, ShutdownHandle};
#[doc(inline)]
pub use warden_runtime::{metrics, settings};
#[doc(inline)]
pub use warden_runtime::{offload, offload_with_token};

/// What generated code calls. Not a stable API: anything here may change in a patch release.
#[doc(hidden)]
pub use warden_runtime::__private;
