//! `#[no_blocking]`: R1 (no blocking calls) and R2 (no lock guard across `.await`).

use proc_macro2::TokenStream;

use crate::args::no_blocking::{Mode, NoBlockingArgs};
use crate::args::parse_or_default;
use crate::expand;
use crate::expand::body::AsyncShape;
use crate::markers;
use crate::report::Report;
use warden_analysis::{Checks, CustomBlocking, analyze};

/// Checks the item and emits it (minus markers) with its errors or warnings.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let (args, args_error) = parse_or_default(args, NoBlockingArgs::option);
    let custom = CustomBlocking::new(&args.blocking);
    let checks = Checks {
        blocking: true,
        guards: true,
        spawns: false,
        queues: false,
        custom: &custom,
    };
    let krate = super::crate_path(args.krate.as_ref());
    let (tokens, report) = super::each_fn(
        "no_blocking",
        item,
        Report::with(args_error),
        |function, direct, report| {
            if warden_analysis::markers::is_allowed(function.attrs) {
                markers::strip_fn(function);
                return;
            }
            let found = analyze(
                function.block,
                function.is_async(),
                &function.scope.with_params(function.sig),
                checks,
            );
            if direct && !found.has_async_code {
                report.error(syn::Error::new(
                    function.sig.fn_token.span,
                    "`#[no_blocking]` checks async code, and this fn has none: \
                 make it an `async fn` (or give it an `async` block), or remove the attribute",
                ));
            }
            let warnings = report.findings(found.findings, args.mode == Mode::Warn);
            function.block.stmts.splice(0..0, warnings);
            if let Some(detect) = &args.detect {
                match AsyncShape::of(function.sig, function.block) {
                Some(shape) => {
                    expand::detect::detect(detect.max_poll(), &krate, function.sig, function.block, &shape);
                }
                None if found.has_async_code => report.error(syn::Error::new(
                    function.sig.fn_token.span,
                    "slow-poll detection times the polls of an `async fn` or of the async block that \
                     `#[tokio::test]`, `#[tokio::main]` or `#[async_trait]` leave, and this fn has neither; \
                     put `#[no_blocking(max_poll = \"..\")]` on the async fn itself",
                )),
                None => {}
            }
            }
            markers::strip_fn(function);
        },
    );
    super::emit(tokens, report)
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

    /// Error messages in the output, in order.
    fn errors(args: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> Vec<String> {
        let output = expand(args, item).to_string();
        output
            .split("compile_error !")
            .skip(1)
            .map(|rest| rest.split('"').nth(1).unwrap_or_default().to_owned())
            .collect()
    }

    /// The macro never panics and always emits the item, whatever it is given.
    #[test]
    fn odd_items_never_panic() {
        let items = [
            quote!(
                extern "C" {
                    fn f();
                }
            ),
            quote!(
                mod m {
                    extern "C" {
                        fn g();
                    }
                    macro_rules! x {
                        () => {};
                    }
                    x!();
                }
            ),
            quote!(
                mod empty {}
            ),
            quote!(
                trait T {
                    fn a();
                    async fn b();
                    fn c() {}
                    const K: u8;
                    type U;
                }
            ),
            quote!(
                macro_rules! m {
                    () => {};
                }
            ),
            quote!(impl X { const C: u8 = 1; type T = u8; m!(); }),
            quote!(union U { a: u8 }),
            quote!(
                static S: u8 = 0;
            ),
            quote!(
                use std::fs;
            ),
            quote!(
                type A = u8;
            ),
            quote!(
                fn f();
            ),
            quote!(),
            quote!(+ + +),
            quote!(
                async fn f() {
                    tokio::select! {};
                    x! { ;;; };
                    y!(=>);
                }
            ),
            quote!(
                mod outer {
                    #[no_blocking]
                    async fn f() {}
                    #[warden::no_blocking]
                    mod inner {}
                }
            ),
            quote!(
                async fn f() {
                    let _ = |x| async move { x };
                    async {}.await;
                }
            ),
            quote!(
                fn f() -> impl Sized {
                    async { std::thread::sleep(d) }
                }
            ),
        ];
        for item in items {
            let output = expand(quote!(), item.clone());
            assert!(
                output.to_string().starts_with(&item.to_string()),
                "the item must come first, unchanged: {item}"
            );
        }
    }

    /// Each finding is reported once, wherever it sits.
    #[test]
    fn findings_are_never_duplicated() {
        let found = errors(
            quote!(),
            quote! {
                async fn f(m: &std::sync::Mutex<u8>) {
                    let g = m.lock().unwrap();
                    a().await;
                    b().await;
                    match x { _ => c().await }
                    println!("{:?}", std::fs::read("a"));
                    let _ = async { std::fs::read("b") };
                    let _ = v.iter().map(|p| std::fs::read(p)).count();
                    let _ = std::fs::read(std::fs::read_to_string("c")?)?;
                }
            },
        );
        let r2 = found.iter().filter(|e| e.contains("R2")).count();
        let r1 = found.iter().filter(|e| e.contains("R1")).count();
        assert_eq!((r1, r2), (5, 2), "{found:#?}");
    }

    /// Findings in every fn of a mod are collected into one output.
    #[test]
    fn every_fn_of_a_container_is_reported() {
        let found = errors(
            quote!(),
            quote! {
                mod m {
                    async fn a() { std::thread::sleep(d); }
                    impl S { async fn b(&self) { std::thread::sleep(d); } }
                    mod inner { async fn c() { std::thread::sleep(d); } }
                    #[warden::allow_blocking]
                    async fn d() { std::thread::sleep(d); }
                    fn e() { std::thread::sleep(d); }
                }
            },
        );
        assert_eq!(found.len(), 3, "{found:#?}");
    }
}
