//! `#[supervised]`: the fn's body runs as a supervision scope configured by a `static`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Block, FnArg, Ident, LitStr, Pat, Signature};

use super::body::{AsyncShape, wrap};
use crate::args::duration::DurationLit;
use crate::args::supervised::{Restart, SupervisedArgs};

/// Rewrites the fn so each call is a supervision scope (restarted by its policy, if any).
pub(crate) fn supervised(
    args: &SupervisedArgs,
    krate: &TokenStream,
    sig: &Signature,
    block: &mut Block,
    shape: &AsyncShape,
    result_span: Span,
    error_span: Option<Span>,
) {
    let scope = Ident::new("__WARDEN_SCOPE", Span::mixed_site());
    let config = config(args, krate, sig);
    let prelude = quote! {
        static #scope: #krate::__private::ScopeConfig = #config;
    };
    let restarts = args.restart.is_some();
    let clones = if restarts {
        clone_arguments(sig)
    } else {
        TokenStream::new()
    };
    wrap(sig, block, shape, &prelude, |future| {
        if restarts {
            quote_spanned! {result_span=>
                #krate::__private::supervise(&#scope, move || {
                    #clones
                    #future
                })
            }
        } else {
            let failure = Ident::new("__warden_failure", Span::mixed_site());
            let convert = error_span.map_or_else(
                || quote!(::core::convert::From::from(#failure)),
                |span| quote_spanned!(span=> ::core::convert::From::from(#failure)),
            );
            let converted = Ident::new("__warden_error", Span::mixed_site());
            // A map of the scope's output, not an `async move` around the call: such a block
            // would keep its own copy of the fn's arguments next to the body's.
            quote! {
                #krate::__private::supervise_with(&#scope, #future, |#failure| {
                    // `E` may be `Failure` itself.
                    #[allow(clippy::useless_conversion)]
                    let #converted = #convert;
                    #converted
                })
            }
        }
    });
}

/// The `ScopeConfig` expression, a `const` builder chain.
fn config(args: &SupervisedArgs, krate: &TokenStream, sig: &Signature) -> TokenStream {
    let fn_name = sig.ident.to_string();
    let name = args.name.as_ref().map_or_else(
        || quote!(::core::concat!(::core::module_path!(), "::", #fn_name)),
        |lit| quote!(#lit),
    );
    let span_name = args
        .name
        .clone()
        .unwrap_or_else(|| LitStr::new(&fn_name, sig.ident.span()));
    let mut config = quote! {
        #krate::__private::ScopeConfig::new(#name)
            .span(|| #krate::__private::tracing::info_span!(#span_name))
    };
    if let Some(timeout) = &args.timeout {
        let timeout = duration(timeout);
        config.extend(quote!(.timeout(#timeout)));
    }
    if let Some(grace) = &args.grace {
        let grace = duration(grace);
        config.extend(quote!(.grace(#grace)));
    }
    if let Some(max) = &args.max_children {
        config.extend(quote!(.max_children(#max)));
    }
    if let Some((restart, _)) = &args.restart {
        let mut policy = match restart {
            Restart::OnFailure => quote!(#krate::__private::RestartPolicy::on_failure()),
            Restart::Always => quote!(#krate::__private::RestartPolicy::always()),
        };
        if let Some(max) = &args.max_restarts {
            policy.extend(quote!(.max_restarts(#max)));
        }
        if let Some(within) = &args.within {
            let within = duration(within);
            policy.extend(quote!(.within(#within)));
        }
        if let Some(backoff) = &args.backoff {
            let (min, max) = (duration(&backoff.min), duration(&backoff.max));
            policy.extend(quote!(.backoff(#min, #max)));
        }
        config.extend(quote!(.restart(#policy)));
    }
    config
}

fn duration(lit: &DurationLit) -> TokenStream {
    let (secs, nanos) = lit.parts();
    quote_spanned!(lit.lit.span()=> ::core::time::Duration::new(#secs, #nanos))
}

/// `let a = Clone::clone(&a);` for each argument, so every attempt of a restarting scope gets
/// its own copy; a type that is not `Clone` is an error on the argument.
fn clone_arguments(sig: &Signature) -> TokenStream {
    sig.inputs
        .iter()
        .filter_map(|arg| match arg {
            FnArg::Typed(typed) => match &*typed.pat {
                Pat::Ident(p) => {
                    let ident = &p.ident;
                    let mutability = &p.mutability;
                    Some(quote_spanned!(typed.ty.span()=> let #mutability #ident = ::core::clone::Clone::clone(&#ident);))
                }
                _ => None,
            },
            FnArg::Receiver(_) => None,
        })
        .collect()
}
