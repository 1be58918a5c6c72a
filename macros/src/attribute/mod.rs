//! One pipeline per attribute: options, then the fns it applies to, then analysis, report and
//! expansion. Each step lives in its own module; these files only put them in order.

pub(crate) mod bounded;
mod common;
pub(crate) mod no_blocking;
pub(crate) mod supervised;

use proc_macro2::TokenStream;
use quote::ToTokens;

/// The item, untouched, with `error`: for input that is not an item at all.
pub(crate) fn unparsed(item: TokenStream, error: &syn::Error) -> TokenStream {
    let mut tokens = item;
    error.to_compile_error().to_tokens(&mut tokens);
    tokens
}
