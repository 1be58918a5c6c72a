//! `#[bounded]`: the fn's body runs under a per-fn limiter held in a `static`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{Block, Ident, Type};

use super::user_types::{OnOutput, checked_key, on_output};
use super::wrap::{Inner, Layer, wrap};
use crate::args::bounded::{Limit, Mode};
use crate::valid::bounded::Bounded;

/// The fn's new body: each call holds a permit of the fn's limiter while its body runs.
pub(crate) fn bounded(model: &Bounded<'_>, krate: &TokenStream) -> Block {
    let args = model.args;
    let limiter = Ident::new("__WARDEN_BOUND", Span::mixed_site());
    let key = Ident::new("__warden_key", Span::mixed_site());
    let fn_name = model.function.sig.ident.to_string();
    let limit = match &args.limit {
        Limit::Literal(n, span) => quote_spanned!(*span=> #n),
        Limit::Const(path) => quote!(#path),
    };
    let (kind, key_prelude) = match &model.key {
        Some(per) => {
            let borrowed = matches!(per.binding.ty, Some(Type::Reference(_)));
            let value = checked_key(krate, per.per, borrowed);
            (quote!(KeyedBound), quote!(let #key = #value;))
        }
        None => (quote!(Bound), TokenStream::new()),
    };
    let key = model.key.as_ref().map(|_| key);
    let prelude = quote! {
        static #limiter: #krate::__private::#kind = #krate::__private::#kind::new(
            ::core::concat!(::core::module_path!(), "::", #fn_name),
            #limit,
        );
        #key_prelude
    };
    let mode = match &args.mode {
        Mode::Wait => None,
        Mode::Reject(_) => Some(quote!(#krate::__private::BoundMode::Reject)),
        Mode::WaitFor(deadline) => Some(quote!(#krate::__private::BoundMode::WaitFor(#deadline))),
    };
    let result_span = model.function.output.span();
    let krate = krate.clone();
    let around = move |inner: Inner| {
        let Inner { future, deferrable } = inner;
        // A plain bound is reached through a closure naming its `static`: zero bytes in the
        // future where a reference takes eight.
        let at = quote!(#krate::__private::BoundAt(|| &#limiter));
        match (mode, key) {
            (None, None) if deferrable => quote!(#at.run_with(move || #future)),
            (None, None) => quote!(#limiter.run(#future)),
            (None, Some(key)) if deferrable => quote!(#limiter.run_with(#key, move || #future)),
            (None, Some(key)) => quote!(#limiter.run(#key, #future)),
            (Some(mode), key) => {
                let limiter = match key {
                    Some(_) => quote!(&#limiter),
                    None => at,
                };
                let on = OnOutput::RunOrFail {
                    limiter,
                    mode,
                    key,
                    deferrable,
                };
                on_output(&krate, result_span, on, &future)
            }
        }
    };
    wrap(
        &model.function,
        vec![Layer {
            prelude,
            around: Box::new(around),
            renames_self: false,
        }],
    )
}
