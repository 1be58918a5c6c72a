//! A fn's arguments as the body sees them: the receiver, and the names each argument binds.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{FnArg, Pat, PatIdent, PatType, Receiver, Type};

/// One argument of a fn.
#[derive(Clone, Copy)]
pub(crate) enum Argument<'a> {
    /// `self`, `&self`, `&mut self`, `self: Arc<Self>`.
    Receiver(&'a Receiver),
    /// `name: Type`, `mut name: Type`, or a pattern like `(a, b): (u8, u8)`.
    Typed(&'a PatType),
}

/// A name an argument binds, as the body sees it.
#[derive(Clone, Copy)]
pub(crate) struct Binding<'a> {
    pub(crate) pat: &'a PatIdent,
    /// The argument's type when the name is the whole argument (`name: Type`); `None` for a
    /// name inside a pattern, whose type the macro cannot see.
    pub(crate) ty: Option<&'a Type>,
}

impl<'a> Argument<'a> {
    pub(crate) fn of(arg: &'a FnArg) -> Self {
        match arg {
            FnArg::Receiver(receiver) => Argument::Receiver(receiver),
            FnArg::Typed(typed) => Argument::Typed(typed),
        }
    }

    /// The names the argument binds, in order (none for the receiver and for `_`).
    pub(crate) fn bindings(self) -> Vec<Binding<'a>> {
        let Argument::Typed(typed) = self else {
            return Vec::new();
        };
        if let Pat::Ident(pat) = &*typed.pat {
            if pat.subpat.is_none() {
                return vec![Binding {
                    pat,
                    ty: Some(&typed.ty),
                }];
            }
        }
        let mut names = Names(Vec::new());
        names.visit_pat(&typed.pat);
        names
            .0
            .into_iter()
            .map(|pat| Binding { pat, ty: None })
            .collect()
    }
}

impl Binding<'_> {
    /// Where an error about the binding's type points: the argument's type, else the name.
    pub(crate) fn span(&self) -> Span {
        self.ty.map_or_else(|| self.pat.ident.span(), Spanned::span)
    }
}

/// The bindings of a pattern.
struct Names<'a>(Vec<&'a PatIdent>);

impl<'a> Visit<'a> for Names<'a> {
    fn visit_pat_ident(&mut self, pat: &'a PatIdent) {
        self.0.push(pat);
        syn::visit::visit_pat_ident(self, pat);
    }
}

impl ToTokens for Argument<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Argument::Receiver(receiver) => receiver.to_tokens(tokens),
            Argument::Typed(typed) => typed.to_tokens(tokens),
        }
    }
}

#[cfg(test)]
mod tests {
    use syn::{FnArg, parse_quote};

    use super::Argument;

    fn names(arg: &FnArg) -> Vec<String> {
        Argument::of(arg)
            .bindings()
            .iter()
            .map(|b| format!("{}{}", b.pat.ident, if b.ty.is_some() { ":" } else { "" }))
            .collect()
    }

    #[test]
    fn bindings_of_names_and_patterns() {
        assert_eq!(names(&parse_quote!(mut id: u64)), ["id:"]);
        assert_eq!(names(&parse_quote!(Path(tenant): Path<String>)), ["tenant"]);
        assert_eq!(
            names(&parse_quote!((a, (b, _)): (u64, (u8, u8)))),
            ["a", "b"]
        );
        assert_eq!(
            names(&parse_quote!(Point { x, y: ref why }: Point)),
            ["x", "why"]
        );
        assert_eq!(
            names(&parse_quote!(whole @ Some(inner): Option<u8>)),
            ["whole", "inner"]
        );
        assert!(names(&parse_quote!(_: u8)).is_empty());
        assert!(names(&parse_quote!(&self)).is_empty());
    }
}
