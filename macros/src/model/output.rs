//! What a fn's async code produces, as the user wrote it.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{ReturnType, Signature, Type};

/// The output type of the async code, as written: where errors about it point.
#[derive(Clone, Copy)]
pub(crate) enum Output<'a> {
    /// No return type (`()`); the span is the closing parenthesis of the arguments.
    Unit(Span),
    Type(&'a Type),
}

impl<'a> Output<'a> {
    /// The fn's own return type.
    pub(crate) fn of(sig: &'a Signature) -> Self {
        match &sig.output {
            ReturnType::Default => Output::Unit(sig.paren_token.span.close()),
            ReturnType::Type(_, ty) => Output::Type(ty),
        }
    }

    /// Where an error about the output points: one token (a span cannot cover several on
    /// stable Rust), the type's name where it has one (`Result` of `std::io::Result<()>`).
    pub(crate) fn span(self) -> Span {
        match self {
            Output::Unit(span) => span,
            Output::Type(Type::Path(path)) => path
                .path
                .segments
                .last()
                .map_or_else(|| path.span(), |segment| segment.ident.span()),
            Output::Type(ty) => ty.span(),
        }
    }
}
