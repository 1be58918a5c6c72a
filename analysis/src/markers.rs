//! `#[warden::allow_blocking]`: the inert marker that accepts blocking on purpose.
//!
//! On a statement or expression it exempts that code; on a fn inside an annotated `mod` or `impl`
//! it opts the fn out. The engine only recognises the marker; the macros strip it.

use syn::{Attribute, Expr};

/// The marker's name.
const MARKER: &str = "allow_blocking";

/// `#[allow_blocking]`, `#[warden::allow_blocking]` or `#[::warden::allow_blocking(..)]`.
pub fn is_marker(attr: &Attribute) -> bool {
    is_marker_path(attr.path())
}

/// Whether `path` names the marker: `allow_blocking` or `warden::allow_blocking`.
pub fn is_marker_path(path: &syn::Path) -> bool {
    let mut segments = path.segments.iter();
    match (segments.next(), segments.next(), segments.next()) {
        (Some(only), None, None) => only.ident == MARKER && path.leading_colon.is_none(),
        (Some(krate), Some(name), None) => krate.ident == "warden" && name.ident == MARKER,
        _ => false,
    }
}

/// Whether `attrs` hold the marker.
pub fn is_allowed(attrs: &[Attribute]) -> bool {
    attrs.iter().any(is_marker)
}

/// Whether an expression carries the marker.
pub fn expr_is_allowed(expr: &Expr) -> bool {
    expr_attrs(expr).is_some_and(|attrs| is_allowed(attrs))
}

fn expr_attrs(expr: &Expr) -> Option<&Vec<Attribute>> {
    Some(match expr {
        Expr::Call(e) => &e.attrs,
        Expr::MethodCall(e) => &e.attrs,
        Expr::Macro(e) => &e.attrs,
        Expr::Block(e) => &e.attrs,
        Expr::Await(e) => &e.attrs,
        Expr::Try(e) => &e.attrs,
        Expr::Unsafe(e) => &e.attrs,
        Expr::Paren(e) => &e.attrs,
        _ => return None,
    })
}
