//! A fn's arguments as the body sees them: the receiver, named arguments and patterns.

use syn::{FnArg, Pat, PatIdent, PatType, Receiver};

/// One argument of a fn.
#[derive(Clone, Copy)]
pub(crate) enum Argument<'a> {
    /// `self`, `&self`, `&mut self`, `self: Box<Self>`.
    Receiver(&'a Receiver),
    /// `name: Type` or `mut name: Type`.
    Named(Named<'a>),
    /// A pattern, like `(a, b): (u8, u8)`.
    Pattern(&'a PatType),
}

/// An argument bound to a plain name.
#[derive(Clone, Copy)]
pub(crate) struct Named<'a> {
    pub(crate) arg: &'a PatType,
    pub(crate) pat: &'a PatIdent,
}

impl<'a> Argument<'a> {
    pub(crate) fn of(arg: &'a FnArg) -> Self {
        match arg {
            FnArg::Receiver(receiver) => Argument::Receiver(receiver),
            FnArg::Typed(typed) => match &*typed.pat {
                Pat::Ident(pat) => Argument::Named(Named { arg: typed, pat }),
                _ => Argument::Pattern(typed),
            },
        }
    }
}

impl quote::ToTokens for Argument<'_> {
    fn to_tokens(&self, tokens: &mut proc_macro2::TokenStream) {
        match self {
            Argument::Receiver(receiver) => receiver.to_tokens(tokens),
            Argument::Named(Named { arg, .. }) | Argument::Pattern(arg) => arg.to_tokens(tokens),
        }
    }
}
