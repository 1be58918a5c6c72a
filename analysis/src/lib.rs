//! The rule engine of warden, as a plain library.
//!
//! It reads Rust source as syn trees and reports what breaks the rules of
//! `async-concurrency-patterns.md`: blocking calls in async code (R1), lock guards alive across
//! `.await` (R2), tasks nobody owns (R3) and unbounded queues or spawning (R4). It knows nothing of
//! `proc_macro`, so the same engine serves the attribute macros of `warden-macros` and the
//! `cargo warden` command, and is unit-tested on source strings.
//!
//! With the crate at hand ([`model::CrateModel`]) paths are resolved exactly and calls into the
//! crate's own sync fns are followed; with only the item (an editor's proc-macro server) the
//! engine falls back to what the item shows, and a finding built on a guess is never an error.

// Pure queries on syn trees: a `#[must_use]` on each would add noise, not safety.
#![allow(clippy::must_use_candidate, clippy::return_self_not_must_use)]

pub mod finding;
pub mod markers;
pub mod model;
pub mod resolve;
pub mod rules;
pub mod scope;
pub mod summary;
pub mod walk;

pub use finding::{Finding, Severity};
pub use model::CrateModel;
pub use rules::Rule;
pub use scope::Scope;
pub use walk::{Analysis, Checks, CustomBlocking, analyze, analyze_crate_fn};
