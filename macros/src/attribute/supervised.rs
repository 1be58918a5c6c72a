//! `#[supervised]`: the fn becomes a supervision scope that owns the tasks it spawns.

use proc_macro2::TokenStream;

use crate::args::Options;
use crate::args::supervised::SupervisedArgs;
use crate::{expand, valid};

/// Checks and rewrites every fn the attribute applies to.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let (args, report) = super::options(SupervisedArgs::parse(args), valid::supervised::options);
    let krate = expand::crate_path(args.krate.as_ref());
    let (tokens, report) =
        super::each_fn("supervised", item, report, |function, direct, report| {
            let rewritten = super::rewrite(function, "supervised", direct, true, report, |model| {
                let supervised = valid::supervised::check(&args, model)?;
                Ok(expand::supervised::supervised(&supervised, &krate))
            });
            if let Some(block) = rewritten {
                *function.block = block;
                if args.restart.is_some() {
                    expand::supervised::unmut_arguments(function.sig);
                }
            }
        });
    super::emit(tokens, report)
}
