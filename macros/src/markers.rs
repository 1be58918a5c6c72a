//! `#[warden::allow_blocking]`: the inert marker that accepts blocking on purpose.
//!
//! On a statement or expression it exempts that code; on a fn inside an annotated `mod` or `impl`
//! it opts the fn out. The outer attribute strips every marker before emitting, so markers work on
//! statements on stable Rust, where attribute macros on statements do not.

use syn::visit_mut::VisitMut;
use syn::{Attribute, Expr};

/// The marker's name.
const MARKER: &str = "allow_blocking";

/// `#[allow_blocking]`, `#[warden::allow_blocking]` or `#[::warden::allow_blocking(..)]`.
pub(crate) fn is_marker(attr: &Attribute) -> bool {
    let path = attr.path();
    let mut segments = path.segments.iter();
    match (segments.next(), segments.next(), segments.next()) {
        (Some(only), None, None) => only.ident == MARKER && path.leading_colon.is_none(),
        (Some(krate), Some(name), None) => krate.ident == "warden" && name.ident == MARKER,
        _ => false,
    }
}

/// Whether `attrs` hold the marker.
pub(crate) fn is_allowed(attrs: &[Attribute]) -> bool {
    attrs.iter().any(is_marker)
}

/// Whether an expression carries the marker.
pub(crate) fn expr_is_allowed(expr: &Expr) -> bool {
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

/// Removes every marker in a fn's attributes, signature and body.
pub(crate) fn strip(function: &mut crate::target::FnItem<'_>) {
    Stripper.visit_attributes_mut(function.attrs);
    Stripper.visit_signature_mut(function.sig);
    Stripper.visit_block_mut(function.block);
}

/// Drops markers wherever they are.
struct Stripper;

impl VisitMut for Stripper {
    fn visit_attributes_mut(&mut self, attrs: &mut Vec<Attribute>) {
        attrs.retain(|attr| !is_marker(attr));
    }
}
