//! `#[bounded(n)]`: at most `n` executions of a fn in flight.

use proc_macro2::TokenStream;
use syn::{FnArg, Pat};

use super::common;
use crate::args::bounded::BoundedArgs;
use crate::expand;
use crate::expand::body::{AsyncShape, result_type};
use crate::report::Report;
use crate::target::FnItem;

/// Checks and rewrites every fn the attribute applies to.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let (args, args_error) = BoundedArgs::parse(args);
    let krate = super::crate_path(args.krate.as_ref());
    let (tokens, report) = super::each_fn(
        "bounded",
        item,
        Report::with(args_error),
        |function, direct, report| {
            let Some(shape) = common::async_shape(function, "bounded", direct, report) else {
                return;
            };
            common::check_tasks(function, false, report);
            if let Err(error) = validate(&args, function, &shape) {
                report.error(error);
                return;
            }
            expand::bounded::bounded(&args, &krate, function.sig, function.block, &shape);
        },
    );
    super::emit(tokens, report)
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
