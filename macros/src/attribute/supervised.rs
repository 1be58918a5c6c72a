//! `#[supervised]`: the fn becomes a supervision scope that owns the tasks it spawns.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{FnArg, Pat};

use super::common;
use crate::args::parse_or_default;
use crate::args::supervised::SupervisedArgs;
use crate::expand;
use crate::expand::body::{AsyncShape, result_type};
use crate::report::Report;
use crate::target::FnItem;

/// Checks and rewrites every fn the attribute applies to.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let (args, args_error) = parse_or_default(args, SupervisedArgs::option);
    let (args, error) = match args_error.map_or_else(|| args.validate(), Err) {
        Ok(()) => (args, None),
        Err(error) => (SupervisedArgs::default(), Some(error)),
    };
    let krate = super::crate_path(args.krate.as_ref());
    let (tokens, report) = super::each_fn(
        "supervised",
        item,
        Report::with(error),
        |function, direct, report| {
            let Some(shape) = common::async_shape(function, "supervised", direct, report) else {
                return;
            };
            common::check_tasks(function, true, report);
            if let Err(error) = validate(&args, function, &shape) {
                report.error(error);
                return;
            }
            if let Some(detect) = &args.detect {
                expand::detect::detect(
                    detect.max_poll(),
                    &krate,
                    function.sig,
                    function.block,
                    &shape,
                );
            }
            let output = shape.output(function.sig);
            let result_span = common::return_type_span(&output, function.sig);
            let error_span = result_type(&output)
                .and_then(|(_, error)| error)
                .map(Spanned::span);
            expand::supervised::supervised(
                &args,
                &krate,
                function.sig,
                function.block,
                &shape,
                result_span,
                error_span,
            );
            if args.restart.is_some() {
                drop_mut_from_arguments(function);
            }
        },
    );
    super::emit(tokens, report)
}

/// The fn must return a `Result`; a restarting fn must be able to rebuild its arguments.
fn validate(args: &SupervisedArgs, function: &FnItem<'_>, shape: &AsyncShape) -> syn::Result<()> {
    let output = shape.output(function.sig);
    if result_type(&output).is_none() {
        let found = match &output {
            syn::ReturnType::Type(_, ty) => format!("found `{}`", ty.to_token_stream()),
            syn::ReturnType::Default => "found no return type".to_owned(),
        };
        return Err(syn::Error::new(
            common::return_type_span(&output, function.sig),
            format!(
                "a `#[supervised]` fn returns `Result<T, E>` with `E: From<warden::Failure>`, so that a failed \
                 child, a panic, a timeout or a cancellation reaches its caller; {found}"
            ),
        ));
    }
    if let Some((_, restart)) = &args.restart {
        for arg in &function.sig.inputs {
            let problem = match arg {
                FnArg::Receiver(r) if r.reference.is_none() => {
                    Some("`self` by value cannot be handed to each attempt again: take `&self`")
                }
                FnArg::Typed(t) if !matches!(&*t.pat, Pat::Ident(_)) => Some(
                    "each attempt gets a clone of every argument, so give this argument a plain name",
                ),
                _ => None,
            };
            if let Some(problem) = problem {
                let mut error = syn::Error::new_spanned(
                    arg,
                    format!("`#[supervised]` restarts this fn: {problem}"),
                );
                error.combine(syn::Error::new(
                    restart.span(),
                    "restarts are turned on here",
                ));
                return Err(error);
            }
        }
    }
    Ok(())
}

/// A restarting fn clones its arguments for each attempt and never changes the originals.
fn drop_mut_from_arguments(function: &mut FnItem<'_>) {
    for arg in &mut function.sig.inputs {
        if let FnArg::Typed(typed) = arg {
            if let Pat::Ident(p) = &mut *typed.pat {
                p.mutability = None;
            }
        }
    }
}
