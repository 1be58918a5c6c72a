//! Wrapping a fn body into an `async move` block that a runtime helper drives.
//!
//! The block starts with a "fake return edge" (`if false { return <value of the return type> }`)
//! so its output type is exactly the fn's return type: inference, `?` conversions and `return`
//! inside the body behave as the user wrote them, and type errors point at user code.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, ReturnType, Signature, Type};

/// `async move { <fake return edge> <body> }` for the fn `sig` with body `block`.
pub(crate) fn async_block(sig: &Signature, block: &Block) -> TokenStream {
    // Leading items (an inner attribute's statics) stay first: items after statements would
    // trip `clippy::items_after_statements` in the user's crate.
    let items = block
        .stmts
        .iter()
        .take_while(|stmt| matches!(stmt, syn::Stmt::Item(_)))
        .count();
    let (items, stmts) = block.stmts.split_at(items);
    let edge = fake_return_edge(&sig.output);
    quote_spanned! {block.span()=>
        async move {
            #(#items)*
            #edge
            #(#stmts)*
        }
    }
}

/// The statement that gives the block the fn's return type.
fn fake_return_edge(output: &ReturnType) -> TokenStream {
    let ty = match output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => {
            let mut ty = (**ty).clone();
            ImplTraitToInfer.visit_type_mut(&mut ty);
            quote!(#ty)
        }
    };
    let span = output.span();
    quote_spanned! {span=>
        #[allow(
            unknown_lints,
            unreachable_code,
            clippy::diverging_sub_expression,
            clippy::empty_loop,
            clippy::let_unit_value,
            clippy::let_with_type_underscore,
            clippy::needless_return,
            clippy::unreachable
        )]
        if false {
            let __warden_return: #ty = loop {};
            return __warden_return;
        }
    }
}

/// `impl Trait` cannot be named in a `let`: let inference fill it in.
struct ImplTraitToInfer;

impl VisitMut for ImplTraitToInfer {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::ImplTrait(imp) = ty {
            *ty = Type::Infer(syn::TypeInfer {
                underscore_token: syn::Token![_](imp.impl_token.span),
            });
            return;
        }
        visit_mut::visit_type_mut(self, ty);
    }
}

/// The `T` and `E` of a return type written `Result<T, E>` (or a `Result` alias with one
/// argument, like `anyhow::Result<T>`, where `E` is `None`).
pub(crate) fn result_type(output: &ReturnType) -> Option<(&Type, Option<&Type>)> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let Type::Path(path) = &**ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|arg| match arg {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    });
    let ok = types.next()?;
    Some((ok, types.next()))
}

/// Where a fn's async code is, for the attributes that wrap it.
pub(crate) enum AsyncShape {
    /// An `async fn`: the whole body.
    AsyncFn,
    /// A sync fn whose tail is `Box::pin(async move { .. })`, as `#[async_trait]` leaves it; the
    /// `Type` is the future's `Output`.
    Boxed(Box<Type>),
    /// A sync fn that binds its async code first and then drives it, as `#[tokio::test]` and
    /// `#[tokio::main]` leave it (`let body = async { .. }; .. block_on(body)`): the statement's
    /// index. The future's output is the fn's return type.
    LetBody(usize),
}

impl AsyncShape {
    /// The shape of a fn, or `None` for a sync fn with no boxed async block at its tail.
    pub(crate) fn of(sig: &Signature, block: &Block) -> Option<Self> {
        if sig.asyncness.is_some() {
            return Some(AsyncShape::AsyncFn);
        }
        if boxed_async_tail(block).is_some() {
            return future_output(&sig.output).map(|ty| AsyncShape::Boxed(Box::new(ty)));
        }
        let_body(block).map(AsyncShape::LetBody)
    }

    /// The type the async code produces.
    pub(crate) fn output(&self, sig: &Signature) -> ReturnType {
        match self {
            AsyncShape::AsyncFn | AsyncShape::LetBody(_) => sig.output.clone(),
            AsyncShape::Boxed(ty) => ReturnType::Type(syn::token::RArrow::default(), ty.clone()),
        }
    }
}

/// Rewrites the async code of the fn into `make(<future of the body>)`, with `prelude`
/// statements (statics, clones of arguments) run first. `make` returns a future expression.
pub(crate) fn wrap(
    sig: &Signature,
    block: &mut Block,
    shape: &AsyncShape,
    prelude: &TokenStream,
    make: impl FnOnce(TokenStream) -> TokenStream,
) {
    match shape {
        AsyncShape::AsyncFn => {
            let prelude: Block = syn::parse_quote!({ #prelude });
            if let Some(inner) = inner_layer(block, &prelude) {
                // Another warden attribute already wrapped the body: wrap its future directly.
                // An `async move` around its `.await` would keep one more copy of the fn's
                // arguments (an async block's captures stay in its future, rustc#62958).
                let statics = &block.stmts[..block.stmts.len() - 1];
                let (items, locals) = prelude.stmts.split_at(
                    prelude
                        .stmts
                        .iter()
                        .take_while(|stmt| matches!(stmt, syn::Stmt::Item(_)))
                        .count(),
                );
                let future = make(quote!(#inner));
                *block = syn::parse_quote_spanned! {block.span()=>
                    {
                        #(#items)*
                        #(#statics)*
                        #(#locals)*
                        #future.await
                    }
                };
                return;
            }
            let prelude = prelude.stmts;
            let future = make(async_block(sig, block));
            *block = syn::parse_quote_spanned! {block.span()=>
                {
                    #(#prelude)*
                    #future.await
                }
            };
        }
        AsyncShape::Boxed(_) => {
            let Some(async_expr) = boxed_async_tail_mut(block) else {
                return;
            };
            let future = make(quote!(#async_expr));
            *async_expr = syn::parse_quote!(#future);
            let tail = block.stmts.pop();
            let prelude: Block = syn::parse_quote!({ #prelude });
            block.stmts.extend(prelude.stmts);
            block.stmts.extend(tail);
        }
        AsyncShape::LetBody(index) => {
            let Some(syn::Stmt::Local(local)) = block.stmts.get_mut(*index) else {
                return;
            };
            let Some(init) = &mut local.init else { return };
            let body = &init.expr;
            let future = make(quote!(#body));
            *init.expr = syn::parse_quote!(#future);
            let prelude: Block = syn::parse_quote!({ #prelude });
            block.stmts.splice(0..0, prelude.stmts);
        }
    }
}

/// The `let body = async { .. };` statement that `#[tokio::test]` and `#[tokio::main]` leave
/// (its initializer may already be wrapped by another warden attribute).
fn let_body(block: &Block) -> Option<usize> {
    block.stmts.iter().position(|stmt| {
        let syn::Stmt::Local(local) = stmt else {
            return false;
        };
        let Some(init) = &local.init else {
            return false;
        };
        let named_body = matches!(&local.pat, syn::Pat::Ident(p) if p.ident == "body");
        matches!(*init.expr, syn::Expr::Async(_)) || named_body
    })
}

/// The future an earlier warden attribute left as the whole body of an `async fn`, `{ static
/// __WARDEN_..; <future>.await }`, if `prelude` declares none of its statics again (two
/// attributes of a kind keep their own blocks, so their statics do not clash).
fn inner_layer<'a>(block: &'a Block, prelude: &Block) -> Option<&'a syn::Expr> {
    let (last, statics) = block.stmts.split_last()?;
    let syn::Stmt::Expr(syn::Expr::Await(awaited), None) = last else {
        return None;
    };
    let static_name = |stmt: &syn::Stmt| match stmt {
        syn::Stmt::Item(syn::Item::Static(item)) => Some(item.ident.to_string()),
        _ => None,
    };
    let mut names = Vec::with_capacity(statics.len());
    for stmt in statics {
        names.push(static_name(stmt).filter(|name| name.starts_with("__WARDEN_"))?);
    }
    let clash = prelude
        .stmts
        .iter()
        .filter_map(static_name)
        .any(|name| names.contains(&name));
    (!names.is_empty() && !clash).then_some(&*awaited.base)
}

/// The argument of a trailing `Box::pin(..)`: `#[async_trait]`'s async block, or what an earlier
/// warden attribute wrapped it in.
fn boxed_async_tail(block: &Block) -> Option<&syn::Expr> {
    let Some(syn::Stmt::Expr(syn::Expr::Call(call), None)) = block.stmts.last() else {
        return None;
    };
    let syn::Expr::Path(callee) = &*call.func else {
        return None;
    };
    let is_box_pin = callee
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .ends_with(&["Box".to_owned(), "pin".to_owned()]);
    match (is_box_pin, call.args.first(), call.args.len()) {
        (true, Some(arg), 1) => Some(arg),
        _ => None,
    }
}

fn boxed_async_tail_mut(block: &mut Block) -> Option<&mut syn::Expr> {
    boxed_async_tail(block)?;
    let Some(syn::Stmt::Expr(syn::Expr::Call(call), None)) = block.stmts.last_mut() else {
        return None;
    };
    call.args.first_mut()
}

/// `X` in a return type `Pin<Box<dyn Future<Output = X> + ..>>`.
fn future_output(output: &ReturnType) -> Option<Type> {
    struct FindOutput(Option<Type>);
    impl<'ast> syn::visit::Visit<'ast> for FindOutput {
        fn visit_assoc_type(&mut self, assoc: &'ast syn::AssocType) {
            if assoc.ident == "Output" && self.0.is_none() {
                self.0 = Some(assoc.ty.clone());
            }
        }
    }
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let mut finder = FindOutput(None);
    syn::visit::Visit::visit_type(&mut finder, ty);
    finder.0
}
