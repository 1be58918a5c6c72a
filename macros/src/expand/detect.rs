//! Run-time slow-poll detection: the body runs inside a `PollSite` that times every poll.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{Block, Ident, Signature};

use super::body::{AsyncShape, wrap};
use crate::args::duration::DurationLit;

/// Rewrites the fn so every poll of its body is timed against `max_poll` (or the process-wide
/// default when `None`).
pub(crate) fn detect(
    max_poll: Option<&DurationLit>,
    krate: &TokenStream,
    sig: &Signature,
    block: &mut Block,
    shape: &AsyncShape,
) {
    let site = Ident::new("__WARDEN_POLLS", Span::mixed_site());
    let fn_name = sig.ident.to_string();
    let threshold = max_poll.map_or_else(
        || quote!(::core::option::Option::None),
        |lit| {
            let (secs, nanos) = lit.parts();
            quote_spanned!(lit.lit.span()=> ::core::option::Option::Some(::core::time::Duration::new(#secs, #nanos)))
        },
    );
    let here = sig.ident.span();
    let prelude = quote_spanned! {here=>
        static #site: #krate::__private::PollSite = #krate::__private::PollSite::new(
            ::core::concat!(::core::module_path!(), "::", #fn_name),
            ::core::file!(),
            ::core::line!(),
            #threshold,
        );
    };
    wrap(
        sig,
        block,
        shape,
        &prelude,
        |future| quote!(#site.run(#future)),
    );
}
