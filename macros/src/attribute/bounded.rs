//! `#[bounded(n)]`: at most `n` executions of a fn in flight.

use proc_macro2::TokenStream;

use crate::args::bounded::BoundedArgs;
use crate::{expand, valid};

/// Checks and rewrites every fn the attribute applies to.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let (args, report) = super::options(BoundedArgs::parse(args), valid::bounded::options);
    let krate = expand::crate_path(args.krate.as_ref());
    let (tokens, report) = super::each_fn("bounded", item, report, |function, direct, report| {
        let rewritten = super::rewrite(function, "bounded", direct, false, report, |model| {
            let bounded = valid::bounded::check(&args, model)?;
            Ok(expand::bounded::bounded(&bounded, &krate))
        });
        if let Some(block) = rewritten {
            *function.block = block;
        }
    });
    super::emit(tokens, report)
}
