//! One pipeline per attribute: options, then the fns it applies to, then analysis, report and
//! expansion. Each step lives in its own module; these files only put them in order.

pub(crate) mod bounded;
mod common;
pub(crate) mod no_blocking;
pub(crate) mod supervised;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::Item;

use crate::report::Report;
use crate::target::{self, FnItem};

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
    let scope = crate::context::scope_for(&parsed);
    let placement = target::for_each_fn(&mut parsed, attribute, &scope, &mut |function| {
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

/// Where generated code finds warden: the `crate = ".."` option, or `::warden`.
pub(crate) fn crate_path(krate: Option<&syn::Path>) -> TokenStream {
    krate.map_or_else(|| quote!(::warden), ToTokens::to_token_stream)
}
