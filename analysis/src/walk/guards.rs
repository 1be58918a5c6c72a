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

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Expr, ExprAwait, ExprMethodCall, Ident, Local, Pat};

use super::Walker;
use super::flow::PathNote;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::rules::guards::{CONSUMING, HOLD_ON_PURPOSE, LOCKING, UNWRAPPING, WRAPPING, is_mapping};

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

/// Whether a value is the guard itself or holds one inside (`Option`, `Result`, a struct).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// The guard: its methods are the locked value's, reached through `Deref`.
    Guard,
    /// A value holding a guard, or maybe one (`m.lock()` is a `LockResult` for std and the
    /// guard itself for `parking_lot`): consuming it (`.unwrap()`, `.take()`) moves the guard out.
    Holding,
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

/// Where a value holding a guard comes from.
enum Source<'e> {
    /// Taken here: a lock call, or a call to a fn that returns a guard.
    Taken,
    /// A binding moved in, if it holds a guard.
    Binding(&'e Ident),
}

/// How a use of a binding moves it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Move {
    /// By value: passed to a call, returned, moved into a value or a `move` closure.
    Always,
    /// As the receiver of a consuming `Option`/`Result` method: a move only for a value that
    /// holds a guard, not for the guard itself.
    IfHolding,
}

/// The lock call a guard expression is made by: `m.lock()` in `m.lock().await.unwrap()?`, with
/// only unwrapping steps after it.
fn guard_call(mut expr: &Expr) -> Option<&ExprMethodCall> {
    loop {
        match expr {
            Expr::Try(e) => expr = &e.expr,
            Expr::Await(e) => expr = &e.base,
            Expr::Paren(e) => expr = &e.expr,
            Expr::MethodCall(m) if is_step(m) => expr = &m.receiver,
            Expr::MethodCall(m) => return is_lock_call(m).then_some(m),
            _ => return None,
        }
    }
}

/// `.unwrap()`, `.ok()`, `.map_err(..)` and the like after a lock call.
fn is_step(call: &ExprMethodCall) -> bool {
    let name = call.method.to_string();
    UNWRAPPING.contains(&name.as_str()) || WRAPPING.contains(&name.as_str())
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

fn path_ident(expr: &Expr) -> Option<&Ident> {
    match expr {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident(),
        _ => None,
    }
}

/// The guards the value of `expr` holds, and the value's shape when the steps around them decide
/// it (`None`: a binding moved as it is keeps its own).
fn sources<'e>(
    mut expr: &'e Expr,
    mut shape: Option<Shape>,
    out: &mut Vec<(Source<'e>, Option<Shape>)>,
) {
    loop {
        let step = match expr {
            Expr::Paren(e) => {
                expr = &e.expr;
                None
            }
            Expr::Try(e) => {
                expr = &e.expr;
                Some(Shape::Guard)
            }
            Expr::Await(e) => {
                expr = &e.base;
                Some(Shape::Guard)
            }
            Expr::MethodCall(m) if is_step(m) => {
                expr = &m.receiver;
                let name = m.method.to_string();
                Some(if UNWRAPPING.contains(&name.as_str()) {
                    Shape::Guard
                } else {
                    Shape::Holding
                })
            }
            _ => break,
        };
        // The outermost step decides: `m.lock().ok()?` is the guard, `m.lock().ok()` holds it.
        shape = shape.or(step);
    }
    match expr {
        Expr::MethodCall(m) if is_lock_call(m) => {
            out.push((Source::Taken, Some(shape.unwrap_or(Shape::Holding))));
        }
        Expr::Path(_) => {
            if let Some(name) = path_ident(expr) {
                out.push((Source::Binding(name), shape));
            }
        }
        Expr::Call(call) => {
            let Expr::Path(callee) = &*call.func else {
                return;
            };
            let path = &callee.path;
            let last = path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default();
            if is_mapping(path) {
                let mapped = if matches!(last.as_str(), "map" | "downgrade" | "upgrade") {
                    Shape::Guard
                } else {
                    Shape::Holding
                };
                let shape = Some(shape.unwrap_or(mapped));
                if let Some(first) = call.args.first() {
                    let mut inner = Vec::new();
                    sources(first, None, &mut inner);
                    out.extend(inner.into_iter().map(|(source, _)| (source, shape)));
                }
            } else if last.starts_with(|c: char| c.is_ascii_uppercase()) {
                // `Some(g)`, `Ok(g)`, `Wrapper(g)`: a tuple struct or variant holding it.
                let shape = Some(shape.unwrap_or(Shape::Holding));
                for arg in &call.args {
                    let mut inner = Vec::new();
                    sources(arg, None, &mut inner);
                    out.extend(inner.into_iter().map(|(source, _)| (source, shape)));
                }
            } else if returns_guard(path) {
                out.push((Source::Taken, Some(shape.unwrap_or(Shape::Guard))));
            }
        }
        Expr::Struct(_) | Expr::Tuple(_) | Expr::Array(_) => {
            let shape = Some(shape.unwrap_or(Shape::Holding));
            let parts: Vec<&Expr> = match expr {
                Expr::Struct(s) => s.fields.iter().map(|f| &f.expr).collect(),
                Expr::Tuple(t) => t.elems.iter().collect(),
                Expr::Array(a) => a.elems.iter().collect(),
                _ => Vec::new(),
            };
            for part in parts {
                let mut inner = Vec::new();
                sources(part, None, &mut inner);
                out.extend(inner.into_iter().map(|(source, _)| (source, shape)));
            }
        }
        Expr::Block(b) if b.label.is_none() => {
            let Some(syn::Stmt::Expr(tail, None)) = b.block.stmts.last() else {
                return;
            };
            // A binding made in the block and given out as its value: what its `let` took.
            let inner_let = path_ident(tail).and_then(|name| {
                b.block.stmts.iter().rev().find_map(|stmt| match stmt {
                    syn::Stmt::Local(local) if sole_binding(&local.pat) == Some(name) => {
                        local.init.as_ref().map(|init| &*init.expr)
                    }
                    _ => None,
                })
            });
            sources(inner_let.unwrap_or(tail), shape, out);
        }
        _ => {}
    }
}

/// The hook for guards returned by the crate's own fns (`fn state(&self) -> MutexGuard<..>`):
/// the crate model answers it from the callee's signature with
/// [`crate::rules::guards::returns_guard`]. With the item alone in sight no callee is known.
fn returns_guard(_callee: &syn::Path) -> bool {
    false
}

/// The one binding a pattern makes when it holds the whole value or its one wrapped part:
/// `g`, `mut g: T`, `Some(g)`, `Ok(g)`, `&g`. A pattern that splits the value (`(a, b)`,
/// `S { a, b }`) has none: which part holds the guard is not known.
fn sole_binding(pat: &Pat) -> Option<&Ident> {
    sole_binding_unwrapped(pat).map(|(name, _)| name)
}

/// [`sole_binding`], and whether the pattern takes it out of a wrapper (`Ok(g)`): then it is
/// the guard itself.
fn sole_binding_unwrapped(pat: &Pat) -> Option<(&Ident, bool)> {
    match pat {
        Pat::Ident(p) if p.subpat.is_none() => Some((&p.ident, false)),
        Pat::Type(t) => sole_binding_unwrapped(&t.pat),
        Pat::Paren(p) => sole_binding_unwrapped(&p.pat),
        Pat::Reference(r) => sole_binding_unwrapped(&r.pat),
        Pat::TupleStruct(t) if t.elems.len() == 1 => {
            sole_binding_unwrapped(&t.elems[0]).map(|(name, _)| (name, true))
        }
        _ => None,
    }
}

/// Every name a pattern binds.
fn bound_names(pat: &Pat) -> Vec<&Ident> {
    struct Names<'a>(Vec<&'a Ident>);
    impl<'a> Visit<'a> for Names<'a> {
        fn visit_pat_ident(&mut self, p: &'a syn::PatIdent) {
            self.0.push(&p.ident);
            syn::visit::visit_pat_ident(self, p);
        }
    }
    let mut names = Names(Vec::new());
    names.visit_pat(pat);
    names.0
}

/// The bindings `expr` moves when it runs: by value into calls, values, `return`, `break`, and
/// closures that take them; as receivers of consuming `Option`/`Result` methods.
fn moved_by<'e>(expr: &'e Expr, out: &mut Vec<(&'e Ident, Move)>) {
    let parts: Vec<&Expr> = match expr {
        Expr::Path(_) => {
            out.extend(path_ident(expr).map(|name| (name, Move::Always)));
            return;
        }
        // The callee too: `(move || g.len())()` moves `g` into the closure it calls.
        Expr::Call(c) => std::iter::once(&*c.func).chain(&c.args).collect(),
        Expr::MethodCall(m) => {
            let consuming = CONSUMING.contains(&m.method.to_string().as_str());
            match path_ident(&m.receiver) {
                Some(name) if consuming => out.push((name, Move::IfHolding)),
                Some(_) => {}
                None => moved_by(&m.receiver, out),
            }
            m.args.iter().collect()
        }
        Expr::Struct(s) => s.fields.iter().map(|f| &f.expr).collect(),
        Expr::Tuple(t) => t.elems.iter().collect(),
        Expr::Array(a) => a.elems.iter().collect(),
        Expr::Paren(e) => vec![&*e.expr],
        Expr::Try(e) => vec![&*e.expr],
        Expr::Await(e) => vec![&*e.base],
        Expr::Assign(e) => vec![&*e.right],
        Expr::Return(e) => e.expr.iter().map(|e| &**e).collect(),
        Expr::Break(e) => e.expr.iter().map(|e| &**e).collect(),
        Expr::Closure(c) => {
            let mut captures = Captures {
                all: c.capture.is_some(),
                out,
            };
            captures.root(&c.body);
            captures.visit_expr(&c.body);
            return;
        }
        Expr::Async(a) => {
            Captures {
                all: a.capture.is_some(),
                out,
            }
            .visit_block(&a.block);
            return;
        }
        _ => return,
    };
    for part in parts {
        moved_by(part, out);
    }
}

/// What a closure or `async` block takes from around it: with `move`, every name it mentions;
/// without, the names its statements move by value.
struct Captures<'e, 'o> {
    all: bool,
    out: &'o mut Vec<(&'e Ident, Move)>,
}

impl<'e> Captures<'e, '_> {
    /// The moves of one statement-level expression of the closure.
    fn root(&mut self, expr: &'e Expr) {
        if !self.all {
            let mut moved = Vec::new();
            moved_by(expr, &mut moved);
            self.out
                .extend(moved.into_iter().filter(|(_, how)| *how == Move::Always));
        }
    }
}

impl<'e> Visit<'e> for Captures<'e, '_> {
    fn visit_expr_path(&mut self, expr: &'e syn::ExprPath) {
        if self.all {
            if let Some(name) = expr.path.get_ident() {
                self.out.push((name, Move::Always));
            }
        }
    }

    fn visit_stmt(&mut self, stmt: &'e syn::Stmt) {
        match stmt {
            syn::Stmt::Expr(expr, _) => self.root(expr),
            syn::Stmt::Local(local) => {
                if let Some(init) = &local.init {
                    self.root(&init.expr);
                }
            }
            _ => {}
        }
        syn::visit::visit_stmt(self, stmt);
    }
}

impl Walker<'_> {
    fn tracks_guards(&self) -> bool {
        self.checks.guards && self.in_async()
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
        sources(&init.expr, None, &mut carried);
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
            Source::Taken => Some(Guard {
                id: self.guards.new_id(),
                holder,
                shape: shape.unwrap_or(Shape::Guard),
                taken,
                moved: false,
                alive: true,
                kept: None,
            }),
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
        if !self.tracks_guards() {
            return;
        }
        let mut moved = Vec::new();
        moved_by(expr, &mut moved);
        self.end_moved(&moved);
        let Expr::Assign(assign) = expr else { return };
        let Some(name) = path_ident(&assign.left) else {
            return;
        };
        let mut carried = Vec::new();
        sources(&assign.right, None, &mut carried);
        let taken = matches!(carried.first(), Some((Source::Taken, _)));
        let shape = carried
            .first()
            .and_then(|(_, shape)| *shape)
            .unwrap_or(Shape::Guard);
        let id = self.guards.new_id();
        let reachable = self.guards.state.reachable;
        let at = (assign.left.span(), super::flow::last_span(&assign.right));
        let slot = self
            .guards
            .state
            .blocks
            .iter_mut()
            .flatten()
            .rev()
            .find(|g| g.is_binding(name));
        if let (Some(guard), true) = (slot, reachable) {
            // The old value is dropped here; the new one is a guard taken here, or none.
            guard.alive = taken;
            if taken {
                *guard = Guard {
                    id,
                    shape,
                    taken: at,
                    moved: false,
                    alive: true,
                    kept: None,
                    holder: guard.holder.clone(),
                };
            }
        }
    }

    fn end_moved(&mut self, moved: &[(&Ident, Move)]) {
        for (name, how) in moved {
            let guard = self
                .guards
                .state
                .blocks
                .iter_mut()
                .flatten()
                .rev()
                .find(|g| g.alive && g.is_binding(name));
            if let Some(guard) = guard {
                if *how == Move::Always || guard.shape == Shape::Holding {
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
            .and_then(lock_in_chain);
        self.guards.enter_block();
        if let Some(call) = call {
            let id = self.guards.new_id();
            self.guards.push(Guard {
                id,
                holder: Holder::Scrutinee {
                    call: shown(call),
                    construct,
                },
                shape: Shape::Guard,
                taken: call_span(call),
                moved: false,
                alive: true,
                kept: None,
            });
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
            lock_in_chain(&at.base)
        };
        if let (Some(call), true) = (inner, self.guards.state.reachable) {
            let guard = Guard {
                id: 0,
                holder: Holder::Temporary { call: shown(call) },
                shape: Shape::Guard,
                taken: call_span(call),
                moved: false,
                alive: true,
                kept: None,
            };
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
