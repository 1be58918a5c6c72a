//! Macro calls in a body: their arguments are walked when they parse as expressions.

use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Macro, Token};

use super::{Position, Walker};

/// Macros that never return: the path they are on ends there.
const DIVERGING: &[&str] = &["panic", "unreachable", "todo", "unimplemented"];

/// Macros whose arguments are values consumed on the spot (formatted, compared, collected).
const CONSUMING: &[&str] = &[
    "format",
    "format_args",
    "print",
    "println",
    "eprint",
    "eprintln",
    "write",
    "writeln",
    "panic",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "vec",
    "dbg",
    "todo",
    "unimplemented",
    "unreachable",
];

impl Walker<'_> {
    /// Walks the arguments of `mac` if they parse as expressions. Arguments of consuming macros
    /// are values; arguments of any other macro (`join!`, `pin!`, ...) may be futures passed on.
    pub(super) fn walk_macro(&mut self, mac: &Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        let args = parse_arguments
            .parse2(mac.tokens.clone())
            .unwrap_or_default();
        let position = if CONSUMING.contains(&name.as_str()) {
            Position::Value
        } else {
            Position::Argument
        };
        for arg in &args {
            self.visit_in(position, arg);
        }
        if DIVERGING.contains(&name.as_str()) {
            self.guards.diverge();
        }
    }
}

/// `a, b, c` or `elem; count` (the form of `vec![x; n]`).
fn parse_arguments(input: ParseStream) -> syn::Result<Vec<Expr>> {
    if input.is_empty() {
        return Ok(Vec::new());
    }
    let fork = input.fork();
    if let Ok(first) = fork.parse::<Expr>() {
        if fork.peek(Token![;]) {
            let _: Token![;] = fork.parse()?;
            let count: Expr = fork.parse()?;
            if fork.is_empty() {
                use syn::parse::discouraged::Speculative;
                input.advance_to(&fork);
                return Ok(vec![first, count]);
            }
        }
    }
    Ok(Punctuated::<Expr, Token![,]>::parse_terminated(input)?
        .into_iter()
        .collect())
}
