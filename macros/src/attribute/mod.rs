//! One pipeline per attribute: options, then the fns it applies to, then analysis, report and
//! expansion. Each step lives in its own module; these files only put them in order.

pub(crate) mod bounded;
pub(crate) mod no_blocking;
pub(crate) mod supervised;
mod tasks;

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{Block, Item};

use crate::model::AsyncFn;
use crate::report::Report;
use crate::target::{self, FnItem};
use crate::timing::{self, Step};
use crate::valid;

/// The frame every attribute shares: parses the item (or emits it untouched with the error when
/// it is not one), calls `each` on every fn the attribute applies to, with whether the attribute
/// sits on that fn itself, and emits the rewritten item followed by every error in `report`.
pub(crate) fn each_fn(
    attribute: &str,
    item: TokenStream,
    mut report: Report,
    mut each: impl FnMut(&mut FnItem<'_>, bool, &mut Report),
) -> (TokenStream, Report) {
    let parsed = timing::step(Step::Parse, || syn::parse2::<Item>(item.clone()));
    let mut parsed = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            report.error(error);
            return (item, report);
        }
    };
    let direct = matches!(parsed, Item::Fn(_));
    let scope = crate::context::scope_for(&parsed);
    let placement = timing::step(Step::Check, || {
        target::for_each_fn(&mut parsed, attribute, &scope, &mut |function| {
            each(function, direct, &mut report);
        })
    });
    if let Err(error) = placement {
        report.error(error);
    }
    let tokens = timing::step(Step::Emit, || parsed.into_token_stream());
    (tokens, report)
}

/// The item followed by the report's errors.
pub(crate) fn emit(mut tokens: TokenStream, report: Report) -> TokenStream {
    timing::step(Step::Emit, || tokens.extend(report.into_tokens()));
    timing::call_done();
    tokens
}

/// The options, parsed and judged by `validate`; on error the defaults with a report holding it,
/// so the item still expands and one bad option does not cascade into type errors.
pub(crate) fn options<A: Default>(
    parsed: syn::Result<A>,
    validate: impl FnOnce(&A) -> syn::Result<()>,
) -> (A, Report) {
    match parsed.and_then(|args| validate(&args).map(|()| args)) {
        Ok(args) => (args, Report::default()),
        Err(error) => (A::default(), Report::with(Some(error))),
    }
}

/// The steps of a wrapping attribute on one fn: its model (a sync fn is skipped, or an error when
/// the attribute sits on it), the task rules (R3 too when `spawns`), then `rewrite`, which
/// validates and expands. The new body, or `None` with the error in `report`.
pub(crate) fn rewrite(
    function: &FnItem<'_>,
    attribute: &str,
    direct: bool,
    spawns: bool,
    report: &mut Report,
    rewrite: impl FnOnce(AsyncFn<'_>) -> syn::Result<Block>,
) -> Option<Block> {
    let block = match valid::async_fn(function.sig, function.block, attribute, direct) {
        Ok(Some(model)) => {
            tasks::check(function, spawns, report);
            rewrite(model)
        }
        Ok(None) => return None,
        Err(error) => Err(error),
    };
    block.map_err(|error| report.error(error)).ok()
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::quote;

    type Expand = fn(TokenStream, TokenStream) -> TokenStream;

    /// The wrapping attributes never panic and always emit the item first, whatever they get.
    #[test]
    fn odd_items_never_panic() {
        let items = [
            quote!(),
            quote!(+ + +),
            quote!(
                fn f();
            ),
            quote!(
                trait T {
                    fn a();
                    async fn b() -> Result<(), E>;
                    fn c() {}
                }
            ),
            quote!(
                mod m {
                    fn sync() {}
                    async fn a() {}
                    impl X {
                        async fn b(self) {}
                    }
                }
            ),
            quote!(
                fn f() -> u8 {
                    let body = 5;
                    body
                }
            ),
            quote!(
                fn f() -> Pin<Box<dyn Future<Output = ()>>> {
                    Box::pin(async {})
                }
            ),
            quote!(
                async fn f((a, b): (u8, u8), _: u8, mut c: u8) -> Result<(), E> {
                    Ok(())
                }
            ),
        ];
        let attributes: [(Expand, TokenStream); 4] = [
            (super::supervised::expand, quote!()),
            (
                super::supervised::expand,
                quote!(restart = "always", detect),
            ),
            (super::bounded::expand, quote!(2, reject, per = a)),
            (super::bounded::expand, quote!()),
        ];
        for (expand, args) in attributes {
            for item in &items {
                let output = expand(args.clone(), item.clone());
                if syn::parse2::<syn::Item>(item.clone()).is_ok() {
                    let file: syn::File = syn::parse2(output)
                        .unwrap_or_else(|e| panic!("{item}: the output does not parse: {e}"));
                    assert!(!file.items.is_empty(), "{item}: the item is gone");
                } else {
                    assert!(
                        output.to_string().starts_with(&item.to_string()),
                        "{item}: an item that cannot be read comes back unchanged"
                    );
                }
            }
        }
    }
}
