//! R2: lock guards bound by `let` and still alive at a later `.await`.
//!
//! A guard lives from its `let` to the end of its block, or to an explicit `drop(guard)`. Each
//! async body, `async` block and closure gets its own tracker, because an `.await` there does not
//! suspend the code around it.

use proc_macro2::Span;
use syn::{Expr, ExprAwait, Ident, Local, Pat};

use super::Walker;
use crate::finding::Finding;
use crate::rules::Rule;

/// Methods that return a lock guard when called with no argument.
const LOCKING: &[&str] = &[
    "lock",
    "read",
    "write",
    "try_lock",
    "try_read",
    "try_write",
    "borrow",
    "borrow_mut",
];

/// What follows a lock call to get at the guard.
const UNWRAPPING: &[&str] = &["unwrap", "expect"];

/// A live guard.
#[derive(Clone)]
struct Guard {
    name: Ident,
    /// The `let` statement that took it, first and last token.
    taken: (Span, Span),
}

/// Live guards, one list per open block.
#[derive(Default)]
pub(super) struct Tracker {
    blocks: Vec<Vec<Guard>>,
}

impl Tracker {
    pub(super) fn enter_block(&mut self) {
        self.blocks.push(Vec::new());
    }

    pub(super) fn leave_block(&mut self) {
        self.blocks.pop();
    }

    fn live(&self) -> impl Iterator<Item = &Guard> {
        self.blocks.iter().flatten()
    }
}

/// `let g = m.lock()`, with optional `.await`, `.unwrap()`, `.expect(..)` or `?` after it: the
/// binding's name.
fn guard_binding(local: &Local) -> Option<&Ident> {
    let name = match &local.pat {
        Pat::Ident(p) => &p.ident,
        Pat::Type(t) => match &*t.pat {
            Pat::Ident(p) => &p.ident,
            _ => return None,
        },
        _ => return None,
    };
    let mut expr = &*local.init.as_ref()?.expr;
    loop {
        match expr {
            Expr::Try(e) => expr = &e.expr,
            Expr::Await(e) => expr = &e.base,
            Expr::MethodCall(m) if UNWRAPPING.contains(&m.method.to_string().as_str()) => {
                expr = &m.receiver;
            }
            Expr::MethodCall(m) => {
                let is_lock = m.args.is_empty() && LOCKING.contains(&m.method.to_string().as_str());
                return is_lock.then_some(name);
            }
            _ => return None,
        }
    }
}

impl Walker<'_> {
    /// After a `let`: starts tracking the guard it binds, warning when another is already held.
    pub(super) fn take_guard(&mut self, local: &Local) {
        let Some(name) = guard_binding(local) else {
            return;
        };
        let taken = (local.let_token.span, local.semi_token.span);
        if let Some(held) = self.guards.live().last() {
            let message = format!(
                "`{name}` is locked while `{held}` is still held\n\
                 help: nested locks deadlock when two tasks take them in opposite orders; release `{held}` first, \
                 or always take them in one documented order",
                held = held.name,
            );
            self.findings
                .push(Finding::warning(Rule::NestedLocks, taken, message));
        }
        if let Some(block) = self.guards.blocks.last_mut() {
            block.push(Guard {
                name: name.clone(),
                taken,
            });
        }
    }

    /// At an `.await`: every guard still alive is an error there.
    pub(super) fn check_guards_at(&mut self, at: &ExprAwait) {
        let span = (at.dot_token.span, at.await_token.span);
        let found: Vec<Finding> = self
            .guards
            .live()
            .map(|guard| {
                let name = &guard.name;
                let message = format!(
                    "the lock guard `{name}` is still alive at this `.await`\n\
                     help: every other task that needs the lock waits until this one resumes; end the guard first \
                     with `drop({name});` or by taking it in a block that ends before the `.await`");
                Finding::error(Rule::GuardAcrossAwait, span, message).with_note(
                    guard.taken,
                    format!("`{name}` is taken here and lives to the end of its block"),
                )
            })
            .collect();
        self.findings.extend(found);
    }

    /// `drop(g)` or `mem::drop(g)`: `g` is no longer alive.
    pub(super) fn release_guard_if_dropped(&mut self, callee: &syn::Path, arg: &Expr) {
        let is_drop = callee.segments.last().is_some_and(|s| s.ident == "drop")
            && (callee.segments.len() == 1 || callee.segments.iter().any(|s| s.ident == "mem"));
        let Expr::Path(arg) = arg else { return };
        let Some(name) = arg.path.get_ident() else {
            return;
        };
        if !is_drop {
            return;
        }
        for block in self.guards.blocks.iter_mut().rev() {
            if let Some(index) = block.iter().rposition(|g| g.name == *name) {
                block.remove(index);
                return;
            }
        }
    }
}
