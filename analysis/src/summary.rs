//! Whether a sync fn of the crate blocks when called, and through which chain of calls.
//!
//! Summaries are computed once per fn (and per `blocking(..)` list) and cached on the
//! [`CrateModel`](crate::model::CrateModel); a fn met again while its own summary is being
//! computed (a cycle) counts as not blocking, so every cycle ends.

/// The state of one fn's summary.
#[derive(Clone, Debug)]
pub(crate) enum State {
    /// Being computed: a call back to it is a cycle.
    InProgress,
    /// Computed: the chain to a blocking call, if it blocks.
    Done(Option<std::rc::Rc<Chain>>),
}

/// Why a fn blocks: the call in its body that blocks, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    /// The call as shown: `std::fs::read_to_string`, `read_config()`.
    pub call: String,
    /// `src/config.rs:14`.
    pub at: String,
    /// The non-blocking replacement of the blocking API at the end of the chain.
    pub fix: &'static str,
    /// When the call is to another fn of the crate, why that one blocks.
    pub next: Option<std::rc::Rc<Chain>>,
}
