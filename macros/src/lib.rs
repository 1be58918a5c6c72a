//! Procedural macros of warden. Use them through the `warden` crate, which documents them.

// One pipeline per attribute: `args` (options as written) → `model` (the fn's shape) → `valid`
// (the rules; builds each attribute's validated model) → the engine (`warden-analysis`) →
// `report` → `expand` (tokens; cannot fail). `attribute` puts the steps in order.
mod args;
mod attribute;
mod context;
mod expand;
mod markers;
mod model;
mod path;
mod report;
mod target;
mod timing;
mod valid;

use proc_macro::TokenStream;

/// Rejects blocking calls and lock guards held across `.await` in async code. Documented on
/// `warden::no_blocking`.
#[proc_macro_attribute]
pub fn no_blocking(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute::no_blocking::expand(args.into(), item.into()).into()
}

/// Makes an async fn a supervision scope that owns the tasks it spawns. Documented on
/// `warden::supervised`.
#[proc_macro_attribute]
pub fn supervised(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute::supervised::expand(args.into(), item.into()).into()
}

/// Caps how many executions of an async fn run at once. Documented on `warden::bounded`.
#[proc_macro_attribute]
pub fn bounded(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute::bounded::expand(args.into(), item.into()).into()
}

/// Accepts blocking on purpose: on a fn inside a module checked by `#[no_blocking]` it opts the
/// fn out; on a statement inside checked code it accepts that statement. Documented on
/// `warden::allow_blocking`.
#[proc_macro_attribute]
pub fn allow_blocking(args: TokenStream, item: TokenStream) -> TokenStream {
    let _ = args;
    item
}
