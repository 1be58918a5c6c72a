//! What an attribute was put on, and the fns in it that it applies to.
//!
//! On a fn it applies to that fn; on an `impl` block, a trait (default bodies) or an inline `mod`
//! (nested inline mods too) it applies to every fn with a body inside, so teams adopt the rules a
//! module at a time. A fn that carries the same attribute itself is left to that attribute.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, Block, ImplItem, Item, Signature, TraitItem};

use warden_analysis::Scope;

/// One fn the attribute applies to, borrowed mutably so expansion can rewrite it in place.
pub(crate) struct FnItem<'a> {
    pub(crate) attrs: &'a mut Vec<Attribute>,
    pub(crate) sig: &'a mut Signature,
    pub(crate) block: &'a mut Block,
    /// What the fn can see: the crate around it, or the item alone.
    pub(crate) scope: &'a Scope,
}

impl FnItem<'_> {
    pub(crate) fn is_async(&self) -> bool {
        self.sig.asyncness.is_some()
    }
}

/// Calls `each` on every fn of `item` that `attribute` applies to; errors when the attribute
/// cannot go on this kind of item.
pub(crate) fn for_each_fn(
    item: &mut Item,
    attribute: &str,
    scope: &Scope,
    each: &mut dyn FnMut(&mut FnItem<'_>),
) -> syn::Result<()> {
    match item {
        Item::Fn(f) => {
            each(&mut FnItem {
                attrs: &mut f.attrs,
                sig: &mut f.sig,
                block: &mut f.block,
                scope,
            });
            Ok(())
        }
        Item::Impl(_) | Item::Trait(_) => {
            walk_container(item, attribute, scope, each);
            Ok(())
        }
        Item::Mod(m) if m.content.is_some() => {
            walk_container(item, attribute, scope, each);
            Ok(())
        }
        Item::Mod(m) => Err(syn::Error::new(
            m.semi.span(),
            format!(
                "`#[{attribute}]` cannot see into a module in another file; \
                 put `#[{attribute}]` on the fns or `impl` blocks in that file instead"
            ),
        )),
        other => {
            let (kind, span) = describe(other);
            Err(syn::Error::new(
                span,
                format!(
                    "`#[{attribute}]` goes on an async fn, or on an `impl` block, trait or inline `mod` \
                     whose fns it applies to; it cannot go on {kind}"
                ),
            ))
        }
    }
}

fn walk_container(
    item: &mut Item,
    attribute: &str,
    outer: &Scope,
    each: &mut dyn FnMut(&mut FnItem<'_>),
) {
    match item {
        Item::Fn(f) if !carries(&f.attrs, attribute) => {
            each(&mut FnItem {
                attrs: &mut f.attrs,
                sig: &mut f.sig,
                block: &mut f.block,
                scope: outer,
            });
        }
        Item::Impl(imp) if !carries(&imp.attrs, attribute) => {
            let inner = outer.enter_impl(imp);
            for member in &mut imp.items {
                if let ImplItem::Fn(f) = member {
                    if !carries(&f.attrs, attribute) {
                        each(&mut FnItem {
                            attrs: &mut f.attrs,
                            sig: &mut f.sig,
                            block: &mut f.block,
                            scope: &inner,
                        });
                    }
                }
            }
        }
        Item::Trait(tr) if !carries(&tr.attrs, attribute) => {
            let inner = outer.enter_trait();
            for member in &mut tr.items {
                if let TraitItem::Fn(f) = member {
                    if let (Some(block), false) = (&mut f.default, carries(&f.attrs, attribute)) {
                        each(&mut FnItem {
                            attrs: &mut f.attrs,
                            sig: &mut f.sig,
                            block,
                            scope: &inner,
                        });
                    }
                }
            }
        }
        Item::Mod(m) if !carries(&m.attrs, attribute) => {
            let inner = outer.enter_mod(m);
            if let Some((_, items)) = &mut m.content {
                for item in items {
                    walk_container(item, attribute, &inner, each);
                }
            }
        }
        _ => {}
    }
}

/// Whether `attrs` hold `attribute` itself (`#[no_blocking]`, `#[warden::no_blocking(..)]`).
pub(crate) fn carries(attrs: &[Attribute], attribute: &str) -> bool {
    attrs.iter().any(|attr| {
        let path = attr.path();
        path.segments.last().is_some_and(|s| s.ident == attribute)
            && (path.segments.len() == 1
                || path.segments.first().is_some_and(|s| s.ident == "warden"))
    })
}

/// "a struct" and the span of its keyword, for errors about the wrong kind of item.
fn describe(item: &Item) -> (&'static str, Span) {
    match item {
        Item::Struct(i) => ("a struct", i.struct_token.span),
        Item::Enum(i) => ("an enum", i.enum_token.span),
        Item::Union(i) => ("a union", i.union_token.span),
        Item::Const(i) => ("a const", i.const_token.span),
        Item::Static(i) => ("a static", i.static_token.span),
        Item::Type(i) => ("a type alias", i.type_token.span),
        Item::Use(i) => ("a `use` item", i.use_token.span),
        Item::Macro(i) => ("a macro", i.mac.path.span()),
        Item::ExternCrate(i) => ("an `extern crate` item", i.extern_token.span),
        Item::ForeignMod(i) => ("an `extern` block", i.abi.extern_token.span),
        Item::TraitAlias(i) => ("a trait alias", i.trait_token.span),
        other => ("this item", other.span()),
    }
}
