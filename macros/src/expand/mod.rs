//! Token generation: pure functions from a validated model to tokens; nothing here can fail.

pub(crate) mod body;
pub(crate) mod bounded;
pub(crate) mod detect;
pub(crate) mod supervised;
