//! One pipeline per attribute: options, then the fns it applies to, then analysis, report and
//! expansion. Each step lives in its own module; these files only put them in order.

pub(crate) mod bounded;
pub(crate) mod no_blocking;
pub(crate) mod supervised;
mod tasks;

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{Block, Item};

use crate::model::AsyncFn;
use crate::report::Report;
use crate::target::{self, FnItem};
use crate::valid;

/// The frame every attribute shares: parses the item (or emits it untouched with the error when
/// it is not one), calls `each` on every fn the attribute applies to, with whether the attribute
/// sits on that fn itself, and emits the rewritten item followed by every error in `report`.
pub(crate) fn each_fn(
    attribute: &str,
    item: TokenStream,
    mut report: Report,
    mut each: impl FnMut(&mut FnItem<'_>, bool, &mut Report),
) -> (TokenStream, Report) {
    let mut parsed: Item = match syn::parse2(item.clone()) {
        Ok(parsed) => parsed,
        Err(error) => {
            report.error(error);
            return (item, report);
        }
    };
    let direct = matches!(parsed, Item::Fn(_));
    let placement = target::for_each_fn(&mut parsed, attribute, &mut |function| {
        each(function, direct, &mut report);
    });
    if let Err(error) = placement {
        report.error(error);
    }
    (parsed.into_token_stream(), report)
}

/// The item followed by the report's errors.
pub(crate) fn emit(mut tokens: TokenStream, report: Report) -> TokenStream {
    tokens.extend(report.into_tokens());
    tokens
}

/// The options, parsed and judged by `validate`; on error the defaults with a report holding it,
/// so the item still expands and one bad option does not cascade into type errors.
pub(crate) fn options<A: Default>(
    parsed: syn::Result<A>,
    validate: impl FnOnce(&A) -> syn::Result<()>,
) -> (A, Report) {
    match parsed.and_then(|args| validate(&args).map(|()| args)) {
        Ok(args) => (args, Report::default()),
        Err(error) => (A::default(), Report::with(Some(error))),
    }
}

/// The steps of a wrapping attribute on one fn: its model (a sync fn is skipped, or an error when
/// the attribute sits on it), the task rules (R3 too when `spawns`), then `rewrite`, which
/// validates and expands. The new body, or `None` with the error in `report`.
pub(crate) fn rewrite(
    function: &FnItem<'_>,
    attribute: &str,
    direct: bool,
    spawns: bool,
    report: &mut Report,
    rewrite: impl FnOnce(AsyncFn<'_>) -> syn::Result<Block>,
) -> Option<Block> {
    let block = match valid::async_fn(function.sig, function.block, attribute, direct) {
        Ok(Some(model)) => {
            tasks::check(function, spawns, report);
            rewrite(model)
        }
        Ok(None) => return None,
        Err(error) => Err(error),
    };
    block.map_err(|error| report.error(error)).ok()
}
