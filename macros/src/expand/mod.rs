//! Token generation: pure functions from a validated model to tokens; nothing here can fail.

mod body;
pub(crate) mod bounded;
pub(crate) mod detect;
mod receiver;
pub(crate) mod supervised;
mod user_types;
mod wrap;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};

use crate::args::duration::DurationLit;

/// Where generated code finds warden: the `crate = ".."` option, or `::warden`.
pub(crate) fn crate_path(krate: Option<&syn::Path>) -> TokenStream {
    krate.map_or_else(|| quote!(::warden), ToTokens::to_token_stream)
}

/// A duration option in generated code: a `const` `Duration`, spanned on the user's literal.
impl ToTokens for DurationLit {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let (secs, nanos) = (self.value.as_secs(), self.value.subsec_nanos());
        tokens.extend(quote_spanned!(self.lit.span()=> ::core::time::Duration::new(#secs, #nanos)));
    }
}
