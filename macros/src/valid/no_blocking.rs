//! The rules of `#[no_blocking]` beyond its findings: what it needs of the fn it sits on.

use syn::{Block, Signature};

use super::Errors;
use crate::args::detect::Detect;
use crate::args::no_blocking::NoBlockingArgs;
use crate::model::AsyncFn;

/// A fn whose polls `detect` asks to time, with a future to time: what `expand::detect` rewrites.
pub(crate) struct Timed<'a> {
    pub(crate) detect: &'a Detect,
    pub(crate) function: AsyncFn<'a>,
}

/// Values in range.
pub(crate) fn options(args: &NoBlockingArgs) -> syn::Result<()> {
    let mut errors = Errors::default();
    super::detect_options(args.detect.as_ref(), &mut errors);
    errors.into_result()
}

/// A fn the attribute sits on must have async code to check (`has_async_code`, as the engine
/// found it); slow-poll detection needs a future to time. Returns the fn to time, if any.
pub(crate) fn check<'a>(
    args: &'a NoBlockingArgs,
    sig: &'a Signature,
    block: &'a Block,
    has_async_code: bool,
    direct: bool,
) -> syn::Result<Option<Timed<'a>>> {
    if direct && !has_async_code {
        return Err(syn::Error::new(
            sig.fn_token.span,
            "`#[no_blocking]` checks async code, and this fn has none: \
             make it an `async fn` (or give it an `async` block), or remove the attribute",
        ));
    }
    let Some(detect) = &args.detect else {
        return Ok(None);
    };
    match AsyncFn::of(sig, block) {
        Some(function) => Ok(Some(Timed { detect, function })),
        None if has_async_code => Err(syn::Error::new(
            sig.fn_token.span,
            "slow-poll detection times the polls of an `async fn` or of the async block that \
             `#[tokio::test]`, `#[tokio::main]` or `#[async_trait]` leave, and this fn has neither; \
             put `#[no_blocking(max_poll = \"..\")]` on the async fn itself",
        )),
        None => Ok(None),
    }
}
