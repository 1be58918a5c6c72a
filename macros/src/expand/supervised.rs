//! `#[supervised]`: the fn's body runs as a supervision scope configured by a `static`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Block, FnArg, Ident, LitStr, Pat, Signature};

use super::detect;
use super::wrap::{Layer, wrap};
use crate::args::supervised::{Restart, SupervisedArgs};
use crate::valid::supervised::Supervised;

/// The fn's new body: each call is a supervision scope (restarted by its policy, if any), its
/// polls timed when `detect` asks for it.
pub(crate) fn supervised(model: &Supervised<'_>, krate: &TokenStream) -> Block {
    let args = model.args;
    let sig = model.function.sig;
    let mut layers = Vec::with_capacity(2);
    if let Some(detect) = &args.detect {
        layers.push(detect::layer(detect, krate, sig));
    }
    layers.push(scope(model, krate));
    wrap(&model.function, layers)
}

/// A restarting fn clones its arguments for each attempt and never changes the originals: their
/// `mut` goes (each clone keeps it).
pub(crate) fn unmut_arguments(sig: &mut Signature) {
    for arg in &mut sig.inputs {
        if let FnArg::Typed(typed) = arg {
            if let Pat::Ident(p) = &mut *typed.pat {
                p.mutability = None;
            }
        }
    }
}

/// The scope around the body, and the `static` that configures it.
fn scope(model: &Supervised<'_>, krate: &TokenStream) -> Layer {
    let scope = Ident::new("__WARDEN_SCOPE", Span::mixed_site());
    let config = config(model.args, krate, model.function.sig);
    let prelude = quote! {
        static #scope: #krate::__private::ScopeConfig = #config;
    };
    let result_span = model.function.output.span();
    let krate = krate.clone();
    let around: Box<dyn FnOnce(TokenStream) -> TokenStream> = if model.args.restart.is_some() {
        let clones = clone_arguments(model);
        Box::new(move |future| {
            quote_spanned! {result_span=>
                #krate::__private::supervise_restarting(&#scope, move || {
                    #clones
                    #future
                })
            }
        })
    } else {
        let failure = Ident::new("__warden_failure", Span::mixed_site());
        let convert = model.error.map_or_else(
            || quote!(::core::convert::From::from(#failure)),
            |error| quote_spanned!(error.span()=> ::core::convert::From::from(#failure)),
        );
        let converted = Ident::new("__warden_error", Span::mixed_site());
        // A map of the scope's output, not an `async move` around the call: such a block would
        // keep its own copy of the fn's arguments next to the body's.
        Box::new(move |future| {
            quote! {
                #krate::__private::supervise_with(&#scope, #future, |#failure| {
                    // `E` may be `Failure` itself.
                    #[allow(clippy::useless_conversion)]
                    let #converted = #convert;
                    #converted
                })
            }
        })
    };
    Layer { prelude, around }
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
        config.extend(quote!(.timeout(#timeout)));
    }
    if let Some(grace) = &args.grace {
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
            policy.extend(quote!(.within(#within)));
        }
        if let Some(backoff) = &args.backoff {
            let (min, max) = (&backoff.min, &backoff.max);
            policy.extend(quote!(.backoff(#min, #max)));
        }
        config.extend(quote!(.restart(#policy)));
    }
    config
}

/// `let a = Clone::clone(&a);` for each argument, so every attempt of a restarting scope gets
/// its own copy; a type that is not `Clone` is an error on the argument.
fn clone_arguments(model: &Supervised<'_>) -> TokenStream {
    model
        .clones
        .iter()
        .map(|named| {
            let ident = &named.pat.ident;
            let mutability = &named.pat.mutability;
            quote_spanned!(named.arg.ty.span()=> let #mutability #ident = ::core::clone::Clone::clone(&#ident);)
        })
        .collect()
}
