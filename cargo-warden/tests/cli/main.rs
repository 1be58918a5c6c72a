//! `cargo-warden` run as a user runs it, on the fixture crates in `tests/fixtures/`.

mod common;
mod sarif;
