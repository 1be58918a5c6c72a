//! `cargo-warden` run as a user runs it, on the fixture crates in `tests/fixtures/`.

mod attributes;
mod baseline;
mod check;
mod common;
mod config;
mod json;
mod report;
mod sarif;
