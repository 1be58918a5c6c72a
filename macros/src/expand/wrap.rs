//! Rewriting a fn so that its async code runs inside the futures of warden's layers.
//!
//! Each option that runs code around the body (a permit, a scope, poll timing) is one `Layer`;
//! one attribute applies its layers in a single rewrite, so no layer looks for the async code
//! after another one moved it.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::token::Brace;
use syn::visit_mut::VisitMut;
use syn::{Block, Expr, Item, Stmt};

use super::body::{async_block, split_items};
use super::receiver::RenameSelf;
use crate::model::{AsyncCode, AsyncFn};

/// One wrapper around the fn's future.
pub(crate) struct Layer {
    /// Run before the future is built: `static` items, then statements (clones of arguments).
    pub(crate) prelude: TokenStream,
    /// This layer's future, built around the inner one.
    pub(crate) around: Box<dyn FnOnce(Inner) -> TokenStream>,
    /// The layer hands the body a clone of `self` per attempt, named by `receiver::clone_name`.
    pub(crate) renames_self: bool,
}

/// The future a layer wraps.
pub(crate) struct Inner {
    pub(crate) future: TokenStream,
    /// Building the future has no side effect (it is an `async move` block, or an inner layer's
    /// future around one), so a layer may build it later, in a `move ||` closure: a bound makes
    /// its body once the permit is held, so the body and the wait share bytes.
    pub(crate) deferrable: bool,
}

impl ToTokens for Inner {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.future.to_tokens(tokens);
    }
}

/// The fn's new body: its async code inside `layers`, the first one innermost.
pub(crate) fn wrap(function: &AsyncFn<'_>, layers: Vec<Layer>) -> Block {
    let mut prelude = TokenStream::new();
    let mut arounds = Vec::with_capacity(layers.len());
    let mut rename = None;
    for layer in layers {
        prelude.extend(layer.prelude);
        arounds.push(layer.around);
        if layer.renames_self {
            rename = Some(RenameSelf);
        }
    }
    let prelude: Block = syn::parse_quote!({ #prelude });
    let around = |future: TokenStream, deferrable: bool| {
        let inner = Inner { future, deferrable };
        arounds.into_iter().fold(inner, |inner, around| Inner {
            future: around(inner),
            deferrable: true,
        })
    };
    let block = function.block;
    let stmts = &block.stmts;
    match &function.code {
        AsyncCode::Body => {
            let (items, locals) = split_items(&prelude.stmts);
            if let Some((statics, inner)) = inner_layer(block, &prelude) {
                // Another warden attribute already wrapped the body: wrap its future directly.
                // An `async move` around its `.await` would keep one more copy of the fn's
                // arguments (an async block's captures stay in its future, rustc#62958).
                let future = around(renamed(rename, inner), true);
                let stmts = items.iter().chain(statics).chain(locals);
                return awaiting(block.span(), stmts, &future.future);
            }
            let future = match rename {
                Some(mut rename) => {
                    let mut block = block.clone();
                    rename.visit_block_mut(&mut block);
                    around(async_block(function.sig, &block), true)
                }
                None => around(async_block(function.sig, block), true),
            };
            awaiting(block.span(), items.iter().chain(locals), &future.future)
        }
        AsyncCode::BoxedTail { call, future } => {
            let before = &stmts[..stmts.len().saturating_sub(1)];
            let (attrs, callee) = (&call.attrs, &call.func);
            let future = around(renamed(rename, future), is_async_move(future));
            let prelude = &prelude.stmts;
            syn::parse_quote!({
                #(#before)*
                #(#prelude)*
                #(#attrs)* #callee(#future)
            })
        }
        AsyncCode::LetBody {
            index,
            local,
            future,
        } => {
            let (before, after) = (&stmts[..*index], &stmts[*index + 1..]);
            let (attrs, pat) = (&local.attrs, &local.pat);
            let diverge = local
                .init
                .as_ref()
                .and_then(|init| init.diverge.as_ref())
                .map(|(else_token, expr)| quote!(#else_token #expr));
            let future = around(renamed(rename, future), is_async_move(future));
            let prelude = &prelude.stmts;
            syn::parse_quote!({
                #(#prelude)*
                #(#before)*
                #(#attrs)* let #pat = #future #diverge;
                #(#after)*
            })
        }
    }
}

/// `{ <stmts> (<future>).await }`, spanned on `span`. The future is kept as tokens
/// (`Expr::Verbatim`), not parsed again: it holds the whole body of the fn, and parsing it a
/// second time was a third of the attribute's own run time.
fn awaiting<'a>(span: Span, stmts: impl Iterator<Item = &'a Stmt>, future: &TokenStream) -> Block {
    let tail = quote_spanned!(span=> (#future).await);
    let mut stmts: Vec<Stmt> = stmts.cloned().collect();
    stmts.push(Stmt::Expr(Expr::Verbatim(tail), None));
    Block {
        brace_token: Brace(span),
        stmts,
    }
}

/// Whether `future` is an `async move` block: a user's expression of any other kind may do
/// something when evaluated, so it is built where the user wrote it.
fn is_async_move(future: &Expr) -> bool {
    matches!(future, Expr::Async(block) if block.capture.is_some())
}

/// The tokens of `future`, with `self` renamed when a layer asks for it.
fn renamed(rename: Option<RenameSelf>, future: &Expr) -> TokenStream {
    let Some(mut rename) = rename else {
        return quote!(#future);
    };
    let mut future = future.clone();
    rename.visit_expr_mut(&mut future);
    quote!(#future)
}

/// What an earlier warden attribute left as the whole body of an `async fn`, `{ static
/// __WARDEN_..; <future>.await }`: its statics and its future, if `prelude` declares none of those
/// statics again (two attributes of a kind keep their own blocks, so their statics do not clash).
fn inner_layer<'a>(block: &'a Block, prelude: &Block) -> Option<(&'a [Stmt], &'a Expr)> {
    let (last, statics) = block.stmts.split_last()?;
    let Stmt::Expr(Expr::Await(awaited), None) = last else {
        return None;
    };
    let static_name = |stmt: &Stmt| match stmt {
        Stmt::Item(Item::Static(item)) => Some(item.ident.to_string()),
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
    let mut future = &*awaited.base;
    // `(<future>).await`: a future that is a block must not start a statement.
    while let Expr::Paren(paren) = future {
        future = &paren.expr;
    }
    (!names.is_empty() && !clash).then_some((statics, future))
}
