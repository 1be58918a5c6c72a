//! Steps the wrapping attributes (`#[supervised]`, `#[bounded]`) share.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{ReturnType, Signature};

use crate::expand::body::AsyncShape;
use crate::report::Report;
use crate::target::FnItem;
use warden_analysis::{Checks, CustomBlocking, analyze};

/// The fn's async code. A sync fn is an error that says where the attribute must go when the
/// attribute is on the fn itself (`direct`), and is left alone inside an `impl` or `mod`.
pub(crate) fn async_shape(
    function: &FnItem<'_>,
    attribute: &str,
    direct: bool,
    report: &mut Report,
) -> Option<AsyncShape> {
    let shape = AsyncShape::of(function.sig, function.block);
    if shape.is_none() && direct {
        report.error(syn::Error::new(
            function.sig.fn_token.span,
            format!(
                "`#[{attribute}]` wraps the async code of a fn, and this fn has none: make it an `async fn` \
                 (warden also finds the async block that `#[tokio::test]`, `#[tokio::main]` and \
                 `#[async_trait]` leave, so those may sit above or below it)"
            ),
        ));
    }
    shape
}

/// Where to point an error about the return type.
pub(crate) fn return_type_span(output: &ReturnType, sig: &Signature) -> Span {
    match output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => sig.paren_token.span.close(),
    }
}

/// The task and queue rules on the fn's body: R4 (unbounded queues, spawns in loops) always, R3
/// (fire-and-forget tasks) when `spawns`.
pub(crate) fn check_tasks(function: &FnItem<'_>, spawns: bool, report: &mut Report) {
    let custom = CustomBlocking::default();
    let checks = Checks {
        blocking: false,
        guards: false,
        spawns,
        queues: true,
        custom: &custom,
    };
    let found = analyze(
        function.block,
        function.is_async(),
        &function.scope.with_params(function.sig),
        checks,
    );
    let warnings = report.findings(found.findings, false);
    debug_assert!(warnings.is_empty(), "task rules only make errors");
}
