//! The rules, in one place: what the options may be, and what they demand of the fn.
//!
//! Each attribute's `options` judges the parsed options alone (a caller that gets an error
//! expands with the defaults, so one bad option does not cascade into type errors); its `check`
//! judges the options against the fn's model and builds the attribute's validated model, the only
//! input its expansion takes.

pub(crate) mod bounded;
pub(crate) mod no_blocking;
pub(crate) mod supervised;

use syn::{Block, Signature};

use crate::args::detect::Detect;
use crate::args::duration::DurationLit;
use crate::model::AsyncFn;

/// The model of a fn a wrapping attribute applies to. A sync fn is an error that says where the
/// attribute must go when the attribute is on the fn itself (`direct`), and is left alone
/// (`Ok(None)`) inside an `impl` or `mod`.
pub(crate) fn async_fn<'a>(
    sig: &'a Signature,
    block: &'a Block,
    attribute: &str,
    direct: bool,
) -> syn::Result<Option<AsyncFn<'a>>> {
    match AsyncFn::of(sig, block) {
        Some(function) => Ok(Some(function)),
        None if direct => Err(syn::Error::new(
            sig.fn_token.span,
            format!(
                "`#[{attribute}]` wraps the async code of a fn, and this fn has none: make it an `async fn` \
                 (warden also finds the async block that `#[tokio::test]`, `#[tokio::main]` and \
                 `#[async_trait]` leave, so those may sit above or below it)"
            ),
        )),
        None => Ok(None),
    }
}

/// Every rule an input breaks, not only the first: a user fixing options wants the whole list.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    fn into_result(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// A duration option that makes no sense at zero; `why` says what zero would do and the fix.
fn above_zero(lit: Option<&DurationLit>, why: &str, errors: &mut Errors) {
    if let Some(lit) = lit.filter(|lit| lit.value.is_zero()) {
        errors.push(syn::Error::new(lit.lit.span(), why));
    }
}

/// `max_poll = "0ms"` would report every poll as slow.
fn detect_options(detect: Option<&Detect>, errors: &mut Errors) {
    above_zero(
        detect.and_then(Detect::max_poll),
        "a zero `max_poll` would report every poll as slow: give a threshold above zero, like \
         `max_poll = \"10ms\"`, or write `detect` for the default",
        errors,
    );
}
