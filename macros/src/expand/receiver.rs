//! A restarted fn that takes `self` by value hands each attempt its own clone of it. An attempt
//! cannot bind the name `self`, so its body names the clone: `self` becomes `__warden_self`.

use proc_macro2::{Group, Ident, Span, TokenStream, TokenTree};
use syn::visit_mut::{self, VisitMut};
use syn::{ExprPath, Item, Macro};

/// The name of an attempt's clone of `self`, at `span` (user code keeps its spans).
pub(crate) fn clone_name(span: Span) -> Ident {
    Ident::new("__warden_self", span.resolved_at(Span::mixed_site()))
}

/// Renames `self` in a body: in expressions and in macro calls, not in nested items (their
/// `self` is their own) nor in paths like `self::module`.
#[derive(Clone, Copy)]
pub(crate) struct RenameSelf;

impl VisitMut for RenameSelf {
    fn visit_expr_path_mut(&mut self, expr: &mut ExprPath) {
        if expr.qself.is_none() && expr.path.is_ident("self") {
            if let Some(segment) = expr.path.segments.first_mut() {
                segment.ident = clone_name(segment.ident.span());
            }
        }
        visit_mut::visit_expr_path_mut(self, expr);
    }

    fn visit_item_mut(&mut self, _: &mut Item) {}

    fn visit_macro_mut(&mut self, mac: &mut Macro) {
        mac.tokens = rename_tokens(std::mem::take(&mut mac.tokens));
    }
}

/// `self` renamed in the tokens of a macro call, unless a path goes on (`self::x`).
fn rename_tokens(tokens: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(token) = iter.next() {
        out.push(match token {
            TokenTree::Ident(ident) if ident == "self" => {
                let path_goes_on =
                    matches!(iter.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ':');
                if path_goes_on {
                    TokenTree::Ident(ident)
                } else {
                    TokenTree::Ident(clone_name(ident.span()))
                }
            }
            TokenTree::Group(group) => {
                let mut renamed = Group::new(group.delimiter(), rename_tokens(group.stream()));
                renamed.set_span(group.span());
                TokenTree::Group(renamed)
            }
            other => other,
        });
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use quote::quote;
    use syn::visit_mut::VisitMut;

    #[test]
    fn renames_self_in_expressions_and_macros_only() {
        let mut block: syn::Block = syn::parse_quote!({
            let n = self.count + Self::BASE;
            println!("{} {}", self.name, self::helper());
            let f = |x: u8| self.add(x);
            impl Other {
                fn own(&self) -> u8 {
                    self.0
                }
            }
            self
        });
        super::RenameSelf.visit_block_mut(&mut block);
        let renamed = quote!(#block).to_string();
        for kept in [
            "Self :: BASE",
            "self :: helper ()",
            "fn own (& self) -> u8 { self . 0 }",
        ] {
            assert!(renamed.contains(kept), "{kept} in {renamed}");
        }
        assert_eq!(renamed.matches("__warden_self").count(), 4, "{renamed}");
    }
}
