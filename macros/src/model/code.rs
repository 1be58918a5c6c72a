//! Where a fn's async code is: the body of an `async fn`, or the future a sync fn returns or
//! drives, as other attribute macros leave it.

use syn::visit::Visit;
use syn::{Block, Expr, ExprCall, Local, Pat, ReturnType, Signature, Stmt, Type};

use super::output::Output;

/// The async code of a fn, for the attributes that wrap it.
pub(crate) enum AsyncCode<'a> {
    /// An `async fn`: the whole body.
    Body,
    /// A sync fn whose tail is `Box::pin(<future>)`, as `#[async_trait]` leaves it (or an earlier
    /// warden attribute wrapped that future).
    BoxedTail {
        call: &'a ExprCall,
        future: &'a Expr,
    },
    /// A sync fn that binds its async code first and then drives it, as `#[tokio::test]` and
    /// `#[tokio::main]` leave it: `let body = <future>;` is statement `index`.
    LetBody {
        index: usize,
        local: &'a Local,
        future: &'a Expr,
    },
}

impl<'a> AsyncCode<'a> {
    /// The async code of a fn and what it produces; `None` for a sync fn with neither a boxed
    /// future at its tail nor a `let body = ..` to drive.
    pub(crate) fn find(sig: &'a Signature, block: &'a Block) -> Option<(Self, Output<'a>)> {
        if sig.asyncness.is_some() {
            return Some((AsyncCode::Body, Output::of(sig)));
        }
        if let Some((call, future)) = boxed_tail(block) {
            let output = future_output(&sig.output)?;
            return Some((AsyncCode::BoxedTail { call, future }, Output::Type(output)));
        }
        let (index, local, future) = let_body(block)?;
        Some((
            AsyncCode::LetBody {
                index,
                local,
                future,
            },
            Output::of(sig),
        ))
    }
}

/// The trailing `Box::pin(<future>)` call and its argument.
fn boxed_tail(block: &Block) -> Option<(&ExprCall, &Expr)> {
    let Some(Stmt::Expr(Expr::Call(call), None)) = block.stmts.last() else {
        return None;
    };
    let Expr::Path(callee) = &*call.func else {
        return None;
    };
    match (call.args.first(), call.args.len()) {
        (Some(future), 1) if crate::path::ends_with(&callee.path, "Box::pin") => {
            Some((call, future))
        }
        _ => None,
    }
}

/// The `let body = async { .. };` statement that `#[tokio::test]` and `#[tokio::main]` leave
/// (its initializer may already be wrapped by another warden attribute, hence the name).
fn let_body(block: &Block) -> Option<(usize, &Local, &Expr)> {
    block.stmts.iter().enumerate().find_map(|(index, stmt)| {
        let Stmt::Local(local) = stmt else {
            return None;
        };
        let init = local.init.as_ref()?;
        let named_body = matches!(&local.pat, Pat::Ident(p) if p.ident == "body");
        (matches!(*init.expr, Expr::Async(_)) || named_body).then_some((index, local, &*init.expr))
    })
}

/// `X` in a return type `Pin<Box<dyn Future<Output = X> + ..>>`.
fn future_output(output: &ReturnType) -> Option<&Type> {
    struct FindOutput<'ast>(Option<&'ast Type>);
    impl<'ast> Visit<'ast> for FindOutput<'ast> {
        fn visit_assoc_type(&mut self, assoc: &'ast syn::AssocType) {
            if assoc.ident == "Output" && self.0.is_none() {
                self.0 = Some(&assoc.ty);
            }
        }
    }
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let mut finder = FindOutput(None);
    finder.visit_type(ty);
    finder.0
}

#[cfg(test)]
mod tests {
    use syn::{ItemFn, parse_quote};

    use super::AsyncCode;
    use crate::model::Output;

    fn find(f: &ItemFn) -> Option<(&'static str, String)> {
        let (code, output) = AsyncCode::find(&f.sig, &f.block)?;
        let kind = match code {
            AsyncCode::Body => "body",
            AsyncCode::BoxedTail { .. } => "boxed",
            AsyncCode::LetBody { index, .. } => ["let 0", "let 1"][index],
        };
        let output = match output {
            Output::Unit(_) => "()".to_owned(),
            Output::Type(ty) => quote::quote!(#ty).to_string(),
        };
        Some((kind, output))
    }

    #[test]
    fn finds_the_async_code_other_macros_leave() {
        let cases: [(ItemFn, Option<(&str, &str)>); 6] = [
            (
                parse_quote!(
                    async fn f() {}
                ),
                Some(("body", "()")),
            ),
            (
                parse_quote!(
                    fn f(&self) -> Pin<Box<dyn Future<Output = Result<u8, E>> + Send + '_>> {
                        Box::pin(async move { Ok(1) })
                    }
                ),
                Some(("boxed", "Result < u8 , E >")),
            ),
            (
                parse_quote!(
                    fn f() -> u8 {
                        let x = 1;
                        let body = async { 2 };
                        block_on(body)
                    }
                ),
                Some(("let 1", "u8")),
            ),
            (
                parse_quote!(
                    fn f() -> u8 {
                        1
                    }
                ),
                None,
            ),
            // A boxed tail whose type names no `Output` is not a future warden can see into.
            (
                parse_quote!(
                    fn f() -> Box<u8> {
                        Box::pin(1)
                    }
                ),
                None,
            ),
            (
                parse_quote!(
                    fn f() -> Thing {
                        MyBox::pin(async {})
                    }
                ),
                None,
            ),
        ];
        for (f, expected) in cases {
            let found = find(&f);
            let found = found.as_ref().map(|(kind, out)| (*kind, out.as_str()));
            assert_eq!(found, expected, "{}", quote::quote!(#f));
        }
    }
}
