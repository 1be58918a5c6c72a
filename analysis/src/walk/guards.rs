//! R2: lock guards alive across `.await`.
//!
//! A guard is held by a `let` binding from its `let` to the end of its block, unless it moves
//! away first: passed by value to a call (`drop(g)`, `finish(g)`), returned, captured by a `move`
//! closure, or moved into another binding (`let h = g;`, `let s = S { g }`, `let o = Some(g)`),
//! which then holds it. Guards wrapped or mapped where they are taken (`Some(m.lock()?)`,
//! `MutexGuard::map(m.lock()?, f)`, a struct literal) are held by the binding too. A temporary
//! guard lives to the end of its statement, or, in the scrutinee of a `match`, `if let` or
//! `while let`, to the end of its arms or body. Which guards are alive on which path is
//! `flow`'s business; each async body, `async` block and closure gets its own tracker, because an
//! `.await` there does not suspend the code around it. Each guard is reported once, at the first
//! `.await` it spans.
//!
//! Over 400 lines on purpose: the guard tracker is one concept; the syntax side lives in
//! `ownership`, the path bookkeeping in `flow`.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, ExprAwait, ExprMethodCall, Ident, Local, Pat};

use super::Walker;
use super::flow::PathNote;
use super::ownership::{
    Knows, Move, Shape, Source, bound_names, call_span, guard_call, lock_in_chain, moved_by,
    moved_by_scrutinee, path_ident, shown, sole_binding_unwrapped, sources,
};
use crate::finding::Finding;
use crate::model::{FnId, Resolved, TyName};
use crate::rules::Rule;
use crate::rules::guards::{GuardType, HOLD_ON_PURPOSE, returns_guard};

/// How a guard is held.
#[derive(Clone)]
enum Holder {
    /// By the binding `name`; `shadowed` once a later `let` reuses the name, so the name no
    /// longer reaches it.
    Binding { name: Ident, shadowed: bool },
    /// A temporary in the scrutinee of a `match` / `if let` / `while let` (`construct`), made by
    /// the lock call `call`.
    Scrutinee {
        call: String,
        construct: &'static str,
    },
    /// A temporary earlier in the same expression as the `.await` (`m.lock().await.recv().await`).
    Temporary { call: String },
}

/// A guard on the current path.
#[derive(Clone)]
pub(super) struct Guard {
    /// The same for a guard moved to a new holder, so it is reported once.
    pub(super) id: u32,
    holder: Holder,
    shape: Shape,
    /// Where it was taken, first and last token.
    taken: (Span, Span),
    /// Whether its holder got it by a move after it was taken.
    moved: bool,
    pub(super) alive: bool,
    /// A path that keeps it alive where another path ended it.
    pub(super) kept: Option<PathNote>,
}

impl Guard {
    /// A guard just taken (not moved in), alive.
    fn taken(id: u32, holder: Holder, shape: Shape, taken: (Span, Span)) -> Self {
        Guard {
            id,
            holder,
            shape,
            taken,
            moved: false,
            alive: true,
            kept: None,
        }
    }

    fn name(&self) -> String {
        match &self.holder {
            Holder::Binding { name, .. } if self.shape == Shape::Guard => format!("`{name}`"),
            Holder::Binding { name, .. } => format!("`{name}` (which holds a lock guard)"),
            Holder::Scrutinee { call, .. } | Holder::Temporary { call } => {
                format!("the temporary guard of `{call}`")
            }
        }
    }

    fn is_binding(&self, ident: &Ident) -> bool {
        matches!(&self.holder, Holder::Binding { name, shadowed: false } if name == ident)
    }
}

/// A guard is known where the source shows it: a lock method on a receiver typed as a lock, a fn
/// or method of the crate whose signature returns a guard (`fn state(&self) -> MutexGuard<..>`).
/// With the item alone in sight, the crate's fns are unknown and return no guard.
impl Knows for Walker<'_> {
    fn is_lock(&self, call: &ExprMethodCall) -> bool {
        self.holds_lock(call)
    }

    fn guard_from_fn(&self, callee: &syn::Path) -> Option<Shape> {
        let id = match self.imports.meaning(callee)? {
            (Resolved::Fn(id), _) => id,
            (Resolved::Assoc(key, name), _) => self.imports.model()?.assoc_fn(&key, &name)?,
            _ => return None,
        };
        self.guard_returned_by(id)
    }

    fn guard_from_method(&self, call: &ExprMethodCall) -> Option<Shape> {
        let receiver = self.type_of(&call.receiver)?.deref_pointers();
        let TyName::Crate(key) = &receiver.name else {
            return None;
        };
        let id = self
            .imports
            .model()?
            .assoc_fn(key, &call.method.to_string())?;
        self.guard_returned_by(id)
    }
}

impl super::flow::Tracker {
    /// The innermost guard the binding `name` reaches on this path (only a live one if
    /// `alive_only`).
    fn binding_mut(&mut self, name: &Ident, alive_only: bool) -> Option<&mut Guard> {
        self.state
            .blocks
            .iter_mut()
            .flatten()
            .rev()
            .find(|g| (g.alive || !alive_only) && g.is_binding(name))
    }
}

impl Walker<'_> {
    fn tracks_guards(&self) -> bool {
        self.checks.guards && self.in_async()
    }

    /// The guard a sync fn of the crate returns, from its signature.
    fn guard_returned_by(&self, id: FnId) -> Option<Shape> {
        let model = self.imports.model()?;
        let item = model.fn_item(id)?;
        Some(match returns_guard(item.parts().1)? {
            GuardType::Bare => Shape::Guard,
            GuardType::Wrapped => Shape::Holding,
        })
    }

    /// After a `let`: the guard bindings its value moved end, and the binding holds the guard
    /// its value carries, if any; a guard taken while another is held is a warning.
    pub(super) fn take_guard(&mut self, local: &Local) {
        let Some(init) = &local.init else { return };
        // `let _ = g;` binds nothing and moves nothing.
        let place = matches!(&*init.expr, Expr::Path(_) | Expr::Field(_));
        let mut moved = Vec::new();
        if !(matches!(local.pat, Pat::Wild(_)) && place) {
            moved_by(&init.expr, &mut moved);
        }
        let mut carried = Vec::new();
        sources(&init.expr, None, self, &mut carried);
        let held = sole_binding_unwrapped(&local.pat).and_then(|(name, unwrapped)| {
            let mut guard = carried
                .iter()
                .find_map(|(source, shape)| self.guard_from(source, *shape, name, local))?;
            if unwrapped {
                guard.shape = Shape::Guard;
            }
            Some(guard)
        });
        self.end_moved(&moved);
        for name in bound_names(&local.pat) {
            for block in &mut self.guards.state.blocks {
                for guard in block.iter_mut().filter(|g| g.is_binding(name)) {
                    if let Holder::Binding { shadowed, .. } = &mut guard.holder {
                        *shadowed = true;
                    }
                }
            }
        }
        let Some(guard) = held else { return };
        if !guard.moved {
            self.warn_nested(&guard);
        }
        self.guards.push(guard);
    }

    /// The guard `name` holds when its value comes from `source`.
    fn guard_from(
        &mut self,
        source: &Source<'_>,
        shape: Option<Shape>,
        name: &Ident,
        local: &Local,
    ) -> Option<Guard> {
        let holder = Holder::Binding {
            name: name.clone(),
            shadowed: false,
        };
        let taken = (local.let_token.span, local.semi_token.span);
        match source {
            Source::Taken => Some(Guard::taken(
                self.guards.new_id(),
                holder,
                shape.unwrap_or(Shape::Guard),
                taken,
            )),
            Source::Binding(from) => {
                let old = self.guards.live().rev().find(|g| g.is_binding(from))?;
                Some(Guard {
                    holder,
                    shape: shape.unwrap_or(old.shape),
                    moved: true,
                    kept: None,
                    ..old.clone()
                })
            }
        }
    }

    fn warn_nested(&mut self, guard: &Guard) {
        let Some(held) = self.guards.live().last() else {
            return;
        };
        let message = format!(
            "{name} is locked while {held} is still held\n\
             help: nested locks deadlock when two tasks take them in opposite orders; release {held} first, \
             or always take them in one documented order",
            name = guard.name(),
            held = held.name(),
        );
        self.findings
            .push(Finding::warning(Rule::NestedLocks, guard.taken, message));
    }

    /// After a statement or a `match` arm: the guard bindings it moved away end here. An
    /// assignment `g = ..` ends the old value of `g` and, when the new one is a guard, starts it.
    pub(super) fn end_moved_guards(&mut self, expr: &Expr) {
        if self.tracks_guards() {
            self.end_moved_by(expr, moved_by);
            self.retake_by_assignment(expr);
        }
    }

    /// After a condition, scrutinee or loop iterator: the guard bindings it moves end here.
    pub(super) fn end_moved_in_scrutinee(&mut self, expr: &Expr) {
        if self.tracks_guards() {
            self.end_moved_by(expr, moved_by_scrutinee);
        }
    }

    /// Ends the guard bindings that `find` says `expr` moves.
    fn end_moved_by(
        &mut self,
        expr: &Expr,
        find: for<'e> fn(&'e Expr, &mut Vec<(&'e Ident, Move)>),
    ) {
        let mut moved = Vec::new();
        find(expr, &mut moved);
        self.end_moved(&moved);
    }

    /// `g = ..`: the old value of `g` is dropped; a guard taken on the right is held by `g`.
    fn retake_by_assignment(&mut self, expr: &Expr) {
        let Expr::Assign(assign) = expr else { return };
        let Some(name) = path_ident(&assign.left) else {
            return;
        };
        let mut carried = Vec::new();
        sources(&assign.right, None, self, &mut carried);
        let taken = matches!(carried.first(), Some((Source::Taken, _)));
        let shape = carried
            .first()
            .and_then(|(_, shape)| *shape)
            .unwrap_or(Shape::Guard);
        let id = self.guards.new_id();
        let at = (assign.left.span(), super::flow::last_span(&assign.right));
        if !self.guards.state.reachable {
            return;
        }
        if let Some(guard) = self.guards.binding_mut(name, false) {
            // The old value is dropped here; the new one is a guard taken here, or none.
            *guard = if taken {
                Guard::taken(id, guard.holder.clone(), shape, at)
            } else {
                Guard {
                    alive: false,
                    ..guard.clone()
                }
            };
        }
    }

    fn end_moved(&mut self, moved: &[(&Ident, Move)]) {
        for (name, how) in moved {
            if let Some(guard) = self.guards.binding_mut(name, true) {
                let ends = match how {
                    Move::Always => true,
                    Move::IfHolding => guard.shape == Shape::Holding,
                    Move::IfGuard => guard.shape == Shape::Guard,
                };
                if ends {
                    guard.alive = false;
                }
            }
        }
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
            .filter(|_| self.tracks_guards())
            .and_then(lock_in_chain)
            .filter(|call| self.holds_lock(call));
        self.guards.enter_block();
        if let Some(call) = call {
            let id = self.guards.new_id();
            let holder = Holder::Scrutinee {
                call: shown(call),
                construct,
            };
            self.guards
                .push(Guard::taken(id, holder, Shape::Guard, call_span(call)));
        }
        body(self);
        self.guards.leave_block();
    }

    /// At an `.await`: every guard alive on this path and not yet reported is an error here.
    pub(super) fn check_guards_at(&mut self, at: &ExprAwait) {
        let span = (at.dot_token.span, at.await_token.span);
        let mut found = Vec::new();
        let fresh: Vec<Guard> = self
            .guards
            .live()
            .filter(|g| !self.guards.reported.contains(&g.id))
            .cloned()
            .collect();
        for guard in fresh {
            self.guards.reported.push(guard.id);
            found.push(guard_finding(&guard, span));
        }
        // A guard made earlier in the awaited expression itself: `m.lock().await.recv().await`.
        let inner = if guard_call(&at.base).is_some() {
            None // this `.await` takes the lock: `m.lock().await`
        } else {
            lock_in_chain(&at.base).filter(|call| self.holds_lock(call))
        };
        if let (Some(call), true) = (inner, self.guards.state.reachable) {
            let holder = Holder::Temporary { call: shown(call) };
            let guard = Guard::taken(0, holder, Shape::Guard, call_span(call));
            found.push(guard_finding(&guard, span));
        }
        self.findings.extend(found);
    }
}

fn guard_finding(guard: &Guard, at: (Span, Span)) -> Finding {
    let name = guard.name();
    let (lives, help) = match &guard.holder {
        Holder::Binding { name: ident, .. } => (
            match (guard.moved, guard.shape) {
                (false, Shape::Guard) => {
                    format!("`{ident}` is taken here and lives to the end of its block")
                }
                (false, Shape::Holding) => {
                    format!("`{ident}` takes a lock guard here and lives to the end of its block")
                }
                (true, _) => format!(
                    "the guard is taken here and moved into `{ident}`, which lives to the end of its block"
                ),
            },
            if guard.kept.is_some() {
                format!(
                    "`{ident}` ends on some paths but not on all of them (see the last note): end it on every \
                     path that reaches the `.await`"
                )
            } else {
                format!(
                    "end the guard first with `drop({ident});` or by taking it in a block that ends before the `.await`"
                )
            },
        ),
        Holder::Scrutinee { construct, .. } => (
            format!(
                "the guard is taken here; temporaries in the {part} of `{construct}` live until its end",
                part = if *construct == "for" {
                    "iterator expression"
                } else {
                    "scrutinee"
                },
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
         help: every other task that needs the lock waits until this one resumes; {help}\n\
         note: {HOLD_ON_PURPOSE}"
    );
    let finding = Finding::error(Rule::GuardAcrossAwait, at, message).with_note(guard.taken, lives);
    match &guard.kept {
        Some(path) => finding.with_note(
            path.span,
            format!(
                "{name} is still alive on the path {which}",
                which = path.which
            ),
        ),
        None => finding,
    }
}
