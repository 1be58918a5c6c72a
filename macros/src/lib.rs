//! Procedural macros of warden. Use them through the `warden` crate, which documents them.

use proc_macro::TokenStream;

/// Rejects blocking calls and lock guards held across `.await` in async code.
#[proc_macro_attribute]
pub fn no_blocking(args: TokenStream, item: TokenStream) -> TokenStream {
    let _ = args;
    item
}

/// Marks a fn or statement whose blocking is accepted on purpose.
#[proc_macro_attribute]
pub fn allow_blocking(args: TokenStream, item: TokenStream) -> TokenStream {
    let _ = args;
    item
}
