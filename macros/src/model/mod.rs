//! The fn an attribute rewrites, read once: where its async code is, what that code produces, and
//! the arguments it takes. It borrows the syn item and keeps its nodes, so errors point at them.
//!
//! Nothing here judges: the rules that use the model live in `valid`, the rewriting in `expand`.

mod arguments;
mod code;
mod output;

pub(crate) use arguments::{Argument, Binding};
pub(crate) use code::AsyncCode;
pub(crate) use output::Output;

use syn::{Block, Signature};

/// A fn with async code: an `async fn`, or a sync fn that returns or drives a future (what
/// `#[async_trait]`, `#[tokio::test]` and `#[tokio::main]` leave).
pub(crate) struct AsyncFn<'a> {
    pub(crate) sig: &'a Signature,
    pub(crate) block: &'a Block,
    pub(crate) code: AsyncCode<'a>,
    /// What the async code produces: the return type, or the boxed future's `Output`.
    pub(crate) output: Output<'a>,
}

impl<'a> AsyncFn<'a> {
    /// The model of a fn, or `None` for a sync fn whose async code warden cannot find.
    pub(crate) fn of(sig: &'a Signature, block: &'a Block) -> Option<Self> {
        let (code, output) = AsyncCode::find(sig, block)?;
        Some(AsyncFn {
            sig,
            block,
            code,
            output,
        })
    }

    /// The fn's arguments, receiver included, in order.
    pub(crate) fn arguments(&self) -> impl Iterator<Item = Argument<'a>> + use<'a> {
        self.sig.inputs.iter().map(Argument::of)
    }
}
