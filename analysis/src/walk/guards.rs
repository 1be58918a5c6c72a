//! R2: lock guards alive across `.await`.
//!
//! A guard bound by `let` lives from its `let` to the end of its block, or to an explicit
//! `drop(guard)`. A guard that is a temporary lives to the end of its statement, or, in the
//! scrutinee of a `match`, `if let` or `while let`, to the end of that expression's arms or body.
//! Each async body, `async` block and closure gets its own tracker, because an `.await` there does
//! not suspend the code around it. Each guard is reported once, at the first `.await` it spans.

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Expr, ExprAwait, ExprMethodCall, Ident, Local, Pat};

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

/// What follows a lock call to get at the guard (`.unwrap()`, `.map_err(..)?`, `.ok()?`, ...).
const UNWRAPPING: &[&str] = &[
    "unwrap",
    "expect",
    "unwrap_or_else",
    "map_err",
    "ok",
    "ok_or",
    "ok_or_else",
];

/// How a guard is held.
#[derive(Clone)]
enum Holder {
    /// Bound by `let name = ..`.
    Binding(Ident),
    /// A temporary in the scrutinee of a `match` / `if let` / `while let` (`construct`), made by
    /// the lock call `call`.
    Scrutinee {
        call: String,
        construct: &'static str,
    },
    /// A temporary earlier in the same expression as the `.await` (`m.lock().await.recv().await`).
    Temporary { call: String },
}

/// A live guard.
#[derive(Clone)]
struct Guard {
    holder: Holder,
    /// Where it was taken, first and last token.
    taken: (Span, Span),
    /// Already reported at an earlier `.await`.
    reported: bool,
}

impl Guard {
    fn name(&self) -> String {
        match &self.holder {
            Holder::Binding(name) => format!("`{name}`"),
            Holder::Scrutinee { call, .. } | Holder::Temporary { call } => {
                format!("the temporary guard of `{call}`")
            }
        }
    }
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

    fn push(&mut self, guard: Guard) {
        if let Some(block) = self.blocks.last_mut() {
            block.push(guard);
        }
    }
}

/// The lock call a guard expression is made by: `m.lock()` in `m.lock().await.unwrap()?`, with
/// only unwrapping steps after it.
fn guard_call(mut expr: &Expr) -> Option<&ExprMethodCall> {
    loop {
        match expr {
            Expr::Try(e) => expr = &e.expr,
            Expr::Await(e) => expr = &e.base,
            Expr::Paren(e) => expr = &e.expr,
            Expr::MethodCall(m) if UNWRAPPING.contains(&m.method.to_string().as_str()) => {
                expr = &m.receiver;
            }
            Expr::MethodCall(m) => return is_lock_call(m).then_some(m),
            _ => return None,
        }
    }
}

/// A lock call anywhere down the receiver chain of `expr` (`cache.lock().unwrap().get(&k)`):
/// its guard is a temporary of the whole expression.
fn lock_in_chain(mut expr: &Expr) -> Option<&ExprMethodCall> {
    loop {
        match expr {
            Expr::MethodCall(m) if is_lock_call(m) => return Some(m),
            Expr::MethodCall(m) => expr = &m.receiver,
            Expr::Try(e) => expr = &e.expr,
            Expr::Await(e) => expr = &e.base,
            Expr::Paren(e) => expr = &e.expr,
            Expr::Field(e) => expr = &e.base,
            Expr::Index(e) => expr = &e.expr,
            Expr::Unary(e) => expr = &e.expr,
            Expr::Reference(e) => expr = &e.expr,
            _ => return None,
        }
    }
}

fn is_lock_call(call: &ExprMethodCall) -> bool {
    call.args.is_empty() && LOCKING.contains(&call.method.to_string().as_str())
}

/// `m.lock()` as written, for messages.
fn shown(call: &ExprMethodCall) -> String {
    let receiver = call.receiver.to_token_stream().to_string().replace(' ', "");
    format!("{receiver}.{}()", call.method)
}

fn call_span(call: &ExprMethodCall) -> (Span, Span) {
    (call.receiver.span(), call.paren_token.span.close())
}

/// `let g = m.lock()` (with unwrapping after it): the binding's name.
fn guard_binding(local: &Local) -> Option<&Ident> {
    let name = match &local.pat {
        Pat::Ident(p) => &p.ident,
        Pat::Type(t) => match &*t.pat {
            Pat::Ident(p) => &p.ident,
            _ => return None,
        },
        _ => return None,
    };
    guard_call(&local.init.as_ref()?.expr).map(|_| name)
}

impl Walker<'_> {
    /// After a `let`: starts tracking the guard it binds, warning when another is already held.
    pub(super) fn take_guard(&mut self, local: &Local) {
        let Some(name) = guard_binding(local) else {
            return;
        };
        let lock = local.init.as_ref().and_then(|init| guard_call(&init.expr));
        if !lock.is_some_and(|call| self.holds_lock(call)) {
            return; // a method named like a lock method, on a receiver not known to be a lock
        }
        let taken = (local.let_token.span, local.semi_token.span);
        if let Some(held) = self.guards.live().last() {
            let message = format!(
                "`{name}` is locked while {held} is still held\n\
                 help: nested locks deadlock when two tasks take them in opposite orders; release {held} first, \
                 or always take them in one documented order",
                held = held.name(),
            );
            self.findings
                .push(Finding::warning(Rule::NestedLocks, taken, message));
        }
        self.guards.push(Guard {
            holder: Holder::Binding(name.clone()),
            taken,
            reported: false,
        });
    }

    /// Walks `body` (the arms of a `match`, the body of an `if let` / `while let`) with the
    /// temporary guard of `scrutinee`, if it makes one, alive.
    pub(super) fn with_scrutinee_guard(
        &mut self,
        scrutinee: Option<&Expr>,
        construct: &'static str,
        body: impl FnOnce(&mut Self),
    ) {
        let call = scrutinee
            .filter(|_| self.checks.guards && self.in_async())
            .and_then(lock_in_chain)
            .filter(|call| self.holds_lock(call));
        self.guards.enter_block();
        if let Some(call) = call {
            self.guards.push(Guard {
                holder: Holder::Scrutinee {
                    call: shown(call),
                    construct,
                },
                taken: call_span(call),
                reported: false,
            });
        }
        body(self);
        self.guards.leave_block();
    }

    /// At an `.await`: every guard alive and not yet reported is an error here.
    pub(super) fn check_guards_at(&mut self, at: &ExprAwait) {
        let span = (at.dot_token.span, at.await_token.span);
        let mut found = Vec::new();
        for guard in self.guards.blocks.iter_mut().flatten() {
            if !guard.reported {
                guard.reported = true;
                found.push(guard_finding(guard, span));
            }
        }
        // A guard made earlier in the awaited expression itself: `m.lock().await.recv().await`.
        let inner = if guard_call(&at.base).is_some() {
            None // this `.await` takes the lock: `m.lock().await`
        } else {
            lock_in_chain(&at.base).filter(|call| self.holds_lock(call))
        };
        if let Some(call) = inner {
            let guard = Guard {
                holder: Holder::Temporary { call: shown(call) },
                taken: call_span(call),
                reported: true,
            };
            found.push(guard_finding(&guard, span));
        }
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
            let index = block
                .iter()
                .rposition(|g| matches!(&g.holder, Holder::Binding(n) if n == name));
            if let Some(index) = index {
                block.remove(index);
                return;
            }
        }
    }
}

fn guard_finding(guard: &Guard, at: (Span, Span)) -> Finding {
    let name = guard.name();
    let (lives, help) = match &guard.holder {
        Holder::Binding(ident) => (
            format!("`{ident}` is taken here and lives to the end of its block"),
            format!(
                "end the guard first with `drop({ident});` or by taking it in a block that ends before the `.await`"
            ),
        ),
        Holder::Scrutinee { construct, .. } => (
            format!(
                "the guard is taken here; temporaries in the scrutinee of `{construct}` live until its end"
            ),
            format!(
                "bind what you need in a `let` before the `{construct}` (the guard ends with that statement), \
                 then use the value"
            ),
        ),
        Holder::Temporary { .. } => (
            "the guard is taken here and lives to the end of the statement".to_owned(),
            "take the guard in its own statement and end it before the `.await`, or bind the value you need first"
                .to_owned(),
        ),
    };
    let message = format!(
        "{name} is still alive at this `.await`\n\
         help: every other task that needs the lock waits until this one resumes; {help}"
    );
    Finding::error(Rule::GuardAcrossAwait, at, message).with_note(guard.taken, lives)
}
