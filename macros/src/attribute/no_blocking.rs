//! `#[no_blocking]`: R1 (no blocking calls) and R2 (no lock guard across `.await`).

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::Item;

use crate::analysis::{self, Checks, CustomBlocking};
use crate::args::no_blocking::{Mode, NoBlockingArgs};
use crate::args::parse_or_default;
use crate::markers;
use crate::report::Report;
use crate::target::{self, Placement};

/// Checks the item and emits it (minus markers) with its errors or warnings.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let (args, args_error) = parse_or_default(args, NoBlockingArgs::option);
    let mut report = Report::default();
    if let Some(error) = args_error {
        report.error(error);
    }
    let mut parsed: Item = match syn::parse2(item.clone()) {
        Ok(parsed) => parsed,
        Err(error) => return super::unparsed(item, &error),
    };
    let custom = CustomBlocking::new(&args.blocking);
    let checks = Checks {
        blocking: true,
        guards: true,
        custom: &custom,
    };
    let mut direct_without_async = None;
    let placement = target::for_each_fn(&mut parsed, "no_blocking", &mut |function| {
        if markers::is_allowed(function.attrs) {
            return;
        }
        let found = analysis::analyze(
            function.block,
            function.is_async(),
            function.imports,
            checks,
        );
        if !found.has_async_code {
            direct_without_async = Some(function.sig.fn_token.span);
        }
        let warnings = report.findings(found.findings, args.mode == Mode::Warn);
        function.block.stmts.splice(0..0, warnings);
    });
    match placement {
        Ok(Placement::Fn) => {
            if let Some(span) = direct_without_async {
                report.error(syn::Error::new(
                    span,
                    "`#[no_blocking]` checks async code, and this fn has none: \
                     make it an `async fn` (or give it an `async` block), or remove the attribute",
                ));
            }
        }
        Ok(Placement::Container) => {}
        Err(error) => report.error(error),
    }
    let mut tokens = markers::strip(parsed.into_token_stream());
    tokens.extend(report.into_tokens());
    tokens
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::expand;

    /// Zero run-time cost: without a run-time option the output is the input item itself.
    #[test]
    fn static_expansion_is_the_item_itself() {
        let items = [
            quote! {
                /// Docs stay.
                #[inline]
                pub(crate) async fn get<'a, T: Clone + Send>(&'a self, key: impl AsRef<str>) -> Option<T>
                where
                    T: 'a,
                {
                    let value = self.map.read().await.get(key.as_ref()).cloned();
                    tokio::task::yield_now().await;
                    value
                }
            },
            quote! {
                mod handlers {
                    use tokio::fs;
                    pub async fn load(p: &str) -> std::io::Result<Vec<u8>> { fs::read(p).await }
                    fn helper() -> u8 { 1 }
                }
            },
        ];
        for item in items {
            let output: syn::File = syn::parse2(expand(quote!(), item.clone())).unwrap();
            let input: syn::File = syn::parse2(item).unwrap();
            assert_eq!(output, input);
        }
    }

    #[test]
    fn markers_are_the_only_change() {
        let input = quote! {
            async fn f() {
                #[warden::allow_blocking]
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        };
        let expected = quote! {
            async fn f() {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        };
        let output: syn::File = syn::parse2(expand(quote!(), input)).unwrap();
        let expected: syn::File = syn::parse2(expected).unwrap();
        assert_eq!(output, expected);
    }
}
