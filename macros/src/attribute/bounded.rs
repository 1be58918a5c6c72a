//! `#[bounded(n)]`: at most `n` executions of a fn in flight.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{FnArg, Item, Pat};

use super::common;
use crate::args::bounded::BoundedArgs;
use crate::expand;
use crate::expand::body::{AsyncShape, result_type};
use crate::report::Report;
use crate::target::{self, FnItem};

/// Checks and rewrites every fn the attribute applies to.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let (args, args_error) = BoundedArgs::parse(args);
    let mut report = Report::default();
    if let Some(error) = args_error {
        report.error(error);
    }
    let mut parsed: Item = match syn::parse2(item.clone()) {
        Ok(parsed) => parsed,
        Err(error) => return super::unparsed(item, &error),
    };
    let krate = args
        .krate
        .as_ref()
        .map_or_else(|| quote!(::warden), ToTokens::to_token_stream);
    let direct = matches!(parsed, Item::Fn(_));
    let placement = target::for_each_fn(&mut parsed, "bounded", &mut |function| {
        let Some(shape) = common::async_shape(function, "bounded", direct, &mut report) else {
            return;
        };
        common::check_tasks(function, false, &mut report);
        if let Err(error) = validate(&args, function, &shape) {
            report.error(error);
            return;
        }
        expand::bounded::bounded(&args, &krate, function.sig, function.block, &shape);
    });
    if let Err(error) = placement {
        report.error(error);
    }
    let mut tokens = parsed.into_token_stream();
    tokens.extend(report.into_tokens());
    tokens
}

/// What the options demand of the fn: a `Result` for failing modes, an argument for `per`.
fn validate(args: &BoundedArgs, function: &FnItem<'_>, shape: &AsyncShape) -> syn::Result<()> {
    if let Some(mode_span) = args.can_fail() {
        let output = shape.output(function.sig);
        if result_type(&output).is_none() {
            let span = common::return_type_span(&output, function.sig);
            let mut error = syn::Error::new(
                span,
                "`reject` and `wait = \"..\"` make a call fail with `warden::Failure::Overloaded` when the \
                 limit is full, so the fn must return `Result<T, E>` with `E: From<warden::Failure>`",
            );
            error.combine(syn::Error::new(
                mode_span,
                "the option that can fail the call",
            ));
            return Err(error);
        }
    }
    if let Some(per) = &args.per {
        let names: Vec<String> = function
            .sig
            .inputs
            .iter()
            .filter_map(|arg| match arg {
                FnArg::Typed(typed) => match &*typed.pat {
                    Pat::Ident(p) => Some(p.ident.to_string()),
                    _ => None,
                },
                FnArg::Receiver(_) => None,
            })
            .collect();
        if !names.iter().any(|name| per == name) {
            let listed = if names.is_empty() {
                "it has none".to_owned()
            } else {
                format!("its arguments are `{}`", names.join("`, `"))
            };
            return Err(syn::Error::new(
                per.span(),
                format!(
                    "`per = {per}` must name an argument of `{}`: {listed}",
                    function.sig.ident
                ),
            ));
        }
    }
    Ok(())
}
