//! `#[supervised]`: the fn's body runs as a supervision scope configured by a `static`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::visit_mut::{self, VisitMut};
use syn::{Block, FnArg, Ident, LitStr, PatIdent, Signature};

use super::user_types::{OnOutput, on_output};
use super::wrap::{Inner, Layer, wrap};
use super::{detect, receiver};
use crate::args::supervised::{Restart, SupervisedArgs};
use crate::valid::supervised::{Restarted, Supervised};

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
    struct Unmut;
    impl VisitMut for Unmut {
        fn visit_pat_ident_mut(&mut self, pat: &mut PatIdent) {
            if pat.by_ref.is_none() {
                pat.mutability = None;
            }
            visit_mut::visit_pat_ident_mut(self, pat);
        }
    }
    for arg in &mut sig.inputs {
        match arg {
            FnArg::Receiver(receiver) if receiver.reference.is_none() => receiver.mutability = None,
            FnArg::Receiver(_) => {}
            FnArg::Typed(typed) => Unmut.visit_pat_mut(&mut typed.pat),
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
    let around: Box<dyn FnOnce(Inner) -> TokenStream> = match &model.restart {
        Some(restart) => {
            let clones = clone_per_attempt(restart);
            Box::new(move |future| {
                let make = quote!(move || {
                    #clones
                    #future
                });
                on_output(
                    &krate,
                    result_span,
                    OnOutput::Supervise { config: scope },
                    &make,
                )
            })
        }
        None => Box::new(move |future| {
            on_output(
                &krate,
                result_span,
                OnOutput::SuperviseWith { config: scope },
                &future,
            )
        }),
    };
    Layer {
        prelude,
        around,
        renames_self: model
            .restart
            .as_ref()
            .is_some_and(|restart| restart.receiver.is_some()),
    }
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
    // The span's callsite as data (what `info_span!` declares), made into a span by the runtime:
    // `info_span!` here would compile its enabled-check into every supervised fn.
    let meta = Ident::new("__WARDEN_META", Span::mixed_site());
    let callsite = Ident::new("__WARDEN_CALLSITE", Span::mixed_site());
    let tracing = quote!(#krate::__private::tracing);
    let mut config = quote! {
        #krate::__private::ScopeConfig::new(#name).span_at({
            static #meta: #tracing::Metadata<'static> = #tracing::Metadata::new(
                #span_name,
                ::core::module_path!(),
                #tracing::Level::INFO,
                ::core::option::Option::Some(::core::file!()),
                ::core::option::Option::Some(::core::line!()),
                ::core::option::Option::Some(::core::module_path!()),
                #tracing::field::FieldSet::new(&[], #tracing::callsite::Identifier(&#callsite)),
                #tracing::metadata::Kind::SPAN,
            );
            static #callsite: #tracing::callsite::DefaultCallsite =
                #tracing::callsite::DefaultCallsite::new(&#meta);
            &#callsite
        })
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

/// `let a = Clone::clone(&a);` for each name the arguments bind (and `self` by value, under
/// its attempt's name), so every attempt of a restarting scope gets its own copy; a type that is
/// not `Clone` is an error on the argument.
fn clone_per_attempt(restart: &Restarted<'_>) -> TokenStream {
    let mut clones = TokenStream::new();
    if let Some(receiver) = restart.receiver {
        let span = receiver.self_token.span;
        let name = receiver::clone_name(Span::call_site());
        let (mutability, self_token) = (&receiver.mutability, &receiver.self_token);
        clones.extend(quote_spanned!(span=> let #mutability #name = ::core::clone::Clone::clone(&#self_token);));
    }
    for binding in &restart.bindings {
        let (ident, mutability) = (&binding.pat.ident, &binding.pat.mutability);
        clones.extend(quote_spanned!(binding.span()=> let #mutability #ident = ::core::clone::Clone::clone(&#ident);));
    }
    clones
}
