//! The span of a `#[supervised]` fn, made from the callsite its generated code declares.
//!
//! Why not `info_span!` in generated code: the macro's enabled-check and `Span::new` are code,
//! compiled again in every supervised fn (a third of what a supervised fn added to a debug
//! build). The callsite and its metadata are data (two `static`s per fn, as `info_span!` makes);
//! the check below, the same one `info_span!` expands to, is compiled once, here.

use tracing::callsite::{Callsite as _, DefaultCallsite};
use tracing::field::{Field, Value};
use tracing::level_filters::{LevelFilter, STATIC_MAX_LEVEL};
use tracing::{Span, dispatcher};

/// A span at `callsite` (no fields), or a disabled one when no subscriber wants it: what
/// `span!` makes at that callsite.
pub(crate) fn at(callsite: &'static DefaultCallsite) -> Span {
    let meta = callsite.metadata();
    let level = *meta.level();
    if level <= STATIC_MAX_LEVEL && level <= LevelFilter::current() {
        let interest = callsite.interest();
        if !interest.is_never()
            && (interest.is_always() || dispatcher::get_default(|d| d.enabled(meta)))
        {
            let none: [(&Field, Option<&dyn Value>); 0] = [];
            return Span::new(meta, &meta.fields().value_set(&none));
        }
    }
    Span::new_disabled(meta)
}
