//! `#[bounded]`: the fn's body runs under a per-fn limiter held in a `static`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{Block, Ident, Type};

use super::wrap::{Layer, wrap};
use crate::args::bounded::{Limit, Mode};
use crate::valid::bounded::{Bounded, Key};

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
    let (kind, key_prelude, key_arg) = match &model.key {
        Some(per) => (
            quote!(KeyedBound),
            {
                let value = owned_key(per);
                quote!(let #key = #value;)
            },
            quote!(#key,),
        ),
        None => (quote!(Bound), TokenStream::new(), TokenStream::new()),
    };
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
    let around = move |future| match mode {
        None => quote!(#limiter.run(#key_arg #future)),
        Some(mode) => quote_spanned!(result_span=> #limiter.run_or_fail(#mode, #key_arg #future)),
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

/// The key's value for the limiter, which keeps it: a clone, or the owned form of a borrowed
/// argument (`&str` → `String`, `&[u8]` → `Vec<u8>`), so no borrow of the caller escapes.
fn owned_key(key: &Key<'_>) -> TokenStream {
    let per = key.per;
    if let Some(Type::Reference(_)) = key.binding.ty {
        quote_spanned!(per.span()=> ::std::borrow::ToOwned::to_owned(#per))
    } else {
        quote_spanned!(per.span()=> ::core::clone::Clone::clone(&#per))
    }
}
