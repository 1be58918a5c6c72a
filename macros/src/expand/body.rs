//! An `async fn`'s body as an `async move` block that a runtime helper drives.
//!
//! The block starts with a "fake return edge" (`if false { return <value of the return type> }`)
//! so its output type is exactly the fn's return type: inference, `?` conversions and `return`
//! inside the body behave as the user wrote them, and type errors point at user code.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, ReturnType, Signature, Stmt, Type};

/// `async move { <fake return edge> <body> }` for the fn `sig` with body `block`.
pub(crate) fn async_block(sig: &Signature, block: &Block) -> TokenStream {
    let (items, stmts) = split_items(&block.stmts);
    let edge = fake_return_edge(&sig.output);
    quote_spanned! {block.span()=>
        async move {
            #(#items)*
            #edge
            #(#stmts)*
        }
    }
}

/// The leading items of `stmts` (an inner attribute's statics) and the rest. Items stay first:
/// items after statements would trip `clippy::items_after_statements` in the user's crate.
pub(crate) fn split_items(stmts: &[Stmt]) -> (&[Stmt], &[Stmt]) {
    let items = stmts
        .iter()
        .take_while(|stmt| matches!(stmt, Stmt::Item(_)))
        .count();
    stmts.split_at(items)
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
