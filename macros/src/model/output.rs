//! What a fn's async code produces, as the user wrote it.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{GenericArgument, PathArguments, ReturnType, Signature, Type};

/// The output type of the async code: what the rules about `Result` read and where they point.
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

    /// Where an error about the output points.
    pub(crate) fn span(self) -> Span {
        match self {
            Output::Unit(span) => span,
            Output::Type(ty) => ty.span(),
        }
    }

    /// The output as a `Result<T, E>` (or a `Result` alias with one argument, like
    /// `anyhow::Result<T>`); `None` when it is no `Result`.
    pub(crate) fn result(self) -> Option<ResultType<'a>> {
        let Output::Type(Type::Path(path)) = self else {
            return None;
        };
        let last = path.path.segments.last()?;
        if last.ident != "Result" {
            return None;
        }
        let PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        let mut types = args.args.iter().filter_map(|arg| match arg {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        });
        types.next()?;
        Some(ResultType {
            error: types.next(),
        })
    }
}

/// An output written as a `Result`.
#[derive(Clone, Copy)]
pub(crate) struct ResultType<'a> {
    /// `E`, where written.
    pub(crate) error: Option<&'a Type>,
}
