//! The rules of `#[bounded]`.

use syn::Ident;

use crate::args::bounded::{BoundedArgs, Limit};
use crate::model::{Argument, AsyncFn};

/// A `#[bounded]` fn that passed the rules: what `expand::bounded` rewrites.
pub(crate) struct Bounded<'a> {
    pub(crate) args: &'a BoundedArgs,
    pub(crate) function: AsyncFn<'a>,
    /// `per = key`: the argument whose value picks the limiter, as the option names it.
    pub(crate) key: Option<&'a Ident>,
}

/// A literal limit lets at least one call run.
pub(crate) fn options(args: &BoundedArgs) -> syn::Result<()> {
    match args.limit {
        Limit::Literal(0, span) => Err(syn::Error::new(
            span,
            "`bounded(0)` would never let a call run: the limit must be at least 1",
        )),
        _ => Ok(()),
    }
}

/// What the options demand of the fn: a `Result` for failing modes, an argument for `per`.
pub(crate) fn check<'a>(args: &'a BoundedArgs, function: AsyncFn<'a>) -> syn::Result<Bounded<'a>> {
    if let Some(mode_span) = args.can_fail() {
        if function.output.result().is_none() {
            let mut error = syn::Error::new(
                function.output.span(),
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
            .arguments()
            .filter_map(|arg| match arg {
                Argument::Named(named) => Some(named.pat.ident.to_string()),
                Argument::Receiver(_) | Argument::Pattern(_) => None,
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
    Ok(Bounded {
        args,
        key: args.per.as_ref(),
        function,
    })
}
