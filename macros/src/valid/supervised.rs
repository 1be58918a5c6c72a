//! The rules of `#[supervised]`.

use syn::Receiver;

use super::Errors;
use crate::args::supervised::SupervisedArgs;
use crate::model::{Argument, AsyncFn, Binding};

/// A `#[supervised]` fn that passed the rules: what `expand::supervised` rewrites.
pub(crate) struct Supervised<'a> {
    pub(crate) args: &'a SupervisedArgs,
    pub(crate) function: AsyncFn<'a>,
    /// With `restart`: what each attempt gets its own clone of.
    pub(crate) restart: Option<Restarted<'a>>,
}

/// The arguments a restarting fn hands each attempt a clone of.
pub(crate) struct Restarted<'a> {
    /// `self` by value.
    pub(crate) receiver: Option<&'a Receiver>,
    /// Every name the other arguments bind.
    pub(crate) bindings: Vec<Binding<'a>>,
}

/// Values in range, and no option that tunes another one left out.
pub(crate) fn options(args: &SupervisedArgs) -> syn::Result<()> {
    let mut errors = Errors::default();
    super::above_zero(
        args.timeout.as_ref(),
        "a zero `timeout` would fail every call that awaits anything: give a duration above zero, \
         like `timeout = \"5s\"`, or leave the option out for no timeout",
        &mut errors,
    );
    super::above_zero(
        args.within.as_ref(),
        "a zero `within` window would count no restart towards `max_restarts`, so restarts would \
         never stop: give a window above zero, like `within = \"60s\"`",
        &mut errors,
    );
    super::detect_options(args.detect.as_ref(), &mut errors);
    if let Some(name) = args.name.as_ref().filter(|name| name.value().is_empty()) {
        errors.push(syn::Error::new(name.span(), "`name` cannot be empty"));
    }
    if let Some(max) = &args.max_children {
        if max.base10_parse::<usize>()? == 0 {
            errors.push(syn::Error::new(
                max.span(),
                "`max_children` must be at least 1",
            ));
        }
    }
    if args.restart.is_none() {
        let orphan = args
            .max_restarts
            .as_ref()
            .map(|lit| (lit.span(), "max_restarts"))
            .or_else(|| args.within.as_ref().map(|d| (d.lit.span(), "within")))
            .or_else(|| args.backoff.as_ref().map(|b| (b.min.lit.span(), "backoff")));
        if let Some((span, option)) = orphan {
            errors.push(syn::Error::new(
                span,
                format!(
                    "`{option}` tunes restarts: add `restart = \"on_failure\"` or `restart = \"always\"`"
                ),
            ));
        }
    }
    if let Some(backoff) = &args.backoff {
        if backoff.min.value > backoff.max.value {
            errors.push(syn::Error::new(
                backoff.min.lit.span(),
                "the backoff's lower bound is above its upper bound: write `backoff = \"min..max\"`",
            ));
        }
    }
    errors.into_result()
}

/// A restarting fn must be able to rebuild its arguments. (That the return type carries a
/// `Failure` is the type system's to judge: the expansion asks it, see `expand::user_types`.)
pub(crate) fn check<'a>(
    args: &'a SupervisedArgs,
    function: AsyncFn<'a>,
) -> syn::Result<Supervised<'a>> {
    let restart = match &args.restart {
        Some((_, lit)) => Some(restartable(&function, lit)?),
        None => None,
    };
    Ok(Supervised {
        args,
        function,
        restart,
    })
}

/// What each attempt of a restarting fn gets its own clone of: every name its arguments bind,
/// and `self` when taken by value (`self`, `self: Arc<Self>`, any `Clone` receiver). A `&mut
/// self` cannot be lent to several attempts.
fn restartable<'a>(function: &AsyncFn<'a>, restart: &syn::LitStr) -> syn::Result<Restarted<'a>> {
    let mut restarted = Restarted {
        receiver: None,
        bindings: Vec::new(),
    };
    for arg in function.arguments() {
        match arg {
            Argument::Receiver(receiver) if receiver.reference.is_none() => {
                restarted.receiver = Some(receiver);
            }
            Argument::Receiver(receiver) if receiver.mutability.is_some() => {
                let mut error = syn::Error::new_spanned(
                    receiver,
                    "`#[supervised]` restarts this fn, and `&mut self` cannot be lent to each attempt \
                     again: take `&self` (with interior mutability), or `self` by value from a `Clone` \
                     handle like `self: Arc<Self>`, cloned per attempt",
                );
                error.combine(syn::Error::new(
                    restart.span(),
                    "restarts are turned on here",
                ));
                return Err(error);
            }
            Argument::Receiver(_) => {}
            Argument::Typed(_) => restarted.bindings.extend(arg.bindings()),
        }
    }
    Ok(restarted)
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use crate::args::Options;
    use crate::args::supervised::SupervisedArgs;

    fn errors(tokens: proc_macro2::TokenStream) -> Vec<String> {
        let args = SupervisedArgs::parse(tokens).unwrap();
        super::options(&args)
            .err()
            .map(|e| e.into_iter().map(|e| e.to_string()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn every_broken_option_rule_is_reported_at_once() {
        let found = errors(quote!(name = "", max_children = 0, backoff = "2s..1s"));
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(found[0].contains("`name` cannot be empty"));
        assert!(found[1].contains("`max_children` must be at least 1"));
        assert!(found[2].contains("`backoff` tunes restarts"));
        assert!(found[3].contains("lower bound is above its upper bound"));
        let found = errors(quote!(restart = "always", backoff = "2s..1s"));
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].contains("lower bound is above its upper bound"));
        assert!(errors(quote!(restart = "always", within = "1m", max_children = 2)).is_empty());
    }
}
