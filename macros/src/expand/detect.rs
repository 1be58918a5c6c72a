//! Run-time slow-poll detection: the body runs inside a `PollSite` that times every poll.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{Block, Ident, Signature};

use super::wrap::{Layer, wrap};
use crate::args::detect::Detect;
use crate::valid::no_blocking::Timed;

/// The new body of a `#[no_blocking(detect)]` fn: every poll of its async code timed.
pub(crate) fn timed(model: &Timed<'_>, krate: &TokenStream) -> Block {
    let layer = layer(model.detect, krate, model.function.sig);
    wrap(&model.function, vec![layer])
}

/// The layer that times every poll of the fn `sig`'s future against the option's threshold (or
/// the process-wide default).
pub(crate) fn layer(detect: &Detect, krate: &TokenStream, sig: &Signature) -> Layer {
    let site = Ident::new("__WARDEN_POLLS", Span::mixed_site());
    let fn_name = sig.ident.to_string();
    let threshold = detect.max_poll().map_or_else(
        || quote!(::core::option::Option::None),
        |max_poll| quote_spanned!(max_poll.lit.span()=> ::core::option::Option::Some(#max_poll)),
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
    Layer {
        prelude,
        around: Box::new(move |future| quote!(#site.run(#future))),
        renames_self: false,
    }
}
