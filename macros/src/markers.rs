//! `#[warden::allow_blocking]`: the inert marker that accepts blocking on purpose.
//!
//! On a statement or expression it exempts that code; on a fn inside an annotated `mod` or `impl`
//! it opts the fn out. The attribute strips the markers of every fn it handles before emitting, so
//! markers work on statements on stable Rust, where attribute macros on statements do not.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use warden_analysis::markers::{is_marker, is_marker_path};

/// Removes the markers of one fn the attribute handled: on the fn and anywhere in its body. Fns
/// that carry the attribute themselves are not handled here, so their markers stay for the inner
/// attribute to read.
pub(crate) fn strip_fn(function: &mut crate::target::FnItem<'_>) {
    function.attrs.retain(|attr| !is_marker(attr));
    let body = strip(quote::ToTokens::to_token_stream(&*function.block));
    if let Ok(body) = syn::parse2(body) {
        *function.block = body;
    }
}

/// Removes every marker from `tokens`, at any depth: on fns, statements and expressions, and
/// inside macro calls the analysis could not parse (a `select!` branch). Working on tokens keeps
/// this independent of which syn version the user's lockfile holds.
pub(crate) fn strip(tokens: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(token) = iter.next() {
        match token {
            TokenTree::Punct(hash) if hash.as_char() == '#' => {
                if let Some(TokenTree::Group(group)) = iter.peek() {
                    if group.delimiter() == Delimiter::Bracket && names_marker(group.stream()) {
                        iter.next();
                        continue;
                    }
                }
                out.push(TokenTree::Punct(hash));
            }
            TokenTree::Group(group) => {
                let mut stripped = Group::new(group.delimiter(), strip(group.stream()));
                stripped.set_span(group.span());
                out.push(TokenTree::Group(stripped));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

/// Whether the inside of `#[..]` is the marker.
fn names_marker(inside: TokenStream) -> bool {
    syn::parse2::<syn::Meta>(inside).is_ok_and(|meta| is_marker_path(meta.path()))
}

#[cfg(test)]
mod tests {
    use quote::quote;

    #[test]
    fn strips_markers_at_any_depth_and_nothing_else() {
        let input = quote! {
            #[warden::allow_blocking]
            async fn f() {
                #[allow_blocking] let a = 1;
                #[::warden::allow_blocking(reason)]
                g(async { #[warden::allow_blocking] h() });
                #[inline] #[doc = "x"] fn inner() {}
                tokio::select! { _ = x => { #[warden::allow_blocking] y(); } }
            }
        };
        let expected = quote! {
            async fn f() {
                let a = 1;
                g(async { h() });
                #[inline] #[doc = "x"] fn inner() {}
                tokio::select! { _ = x => { y(); } }
            }
        };
        assert_eq!(super::strip(input).to_string(), expected.to_string());
    }

    #[test]
    fn other_attributes_named_alike_stay() {
        let input = quote! { #[other::allow_blocking] #[allow_blocking_x] fn f() {} };
        assert_eq!(super::strip(input.clone()).to_string(), input.to_string());
    }
}
