//! What the runtime's integration tests share: a `tracing` subscriber that records events and
//! spans, a bound on every wait, and flags that prove a future was dropped.
//!
//! Each test binary compiles this module and uses only part of it.
#![allow(dead_code, unused_imports)]

mod children;
mod events;
mod flags;
mod wait;

pub use children::{cleans_up, stubborn};
pub use events::{Capture, Captured};
pub use flags::{DropFlag, flag, is_set};
pub use wait::{bounded, eventually};
