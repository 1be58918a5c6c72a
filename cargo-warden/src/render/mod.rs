//! Outputs of `check`: rustc-like text, cargo-like JSON, SARIF.

pub mod json;
pub mod sarif;
pub mod text;
