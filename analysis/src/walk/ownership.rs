//! Guards in the syntax, for R2: which guards a value carries (`m.lock()?`, `Some(g)`,
//! `MutexGuard::map(g, f)`, a struct literal), which bindings an expression moves (by value into
//! calls and values, into `move` closures, through consuming `Option` methods), and which binding
//! a pattern makes. Pure functions of syn trees; `guards` applies them along the paths `flow`
//! walks.
//!
//! Over 400 lines on purpose: one question (what a value carries, what an expression moves),
//! asked of every expression kind.

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Expr, ExprCall, ExprMethodCall, Ident, Pat};

use crate::rules::guards::{CONSUMING, GUARD_CONSUMING, LOCKING, UNWRAPPING, WRAPPING, is_mapping};

/// Whether a value is the guard itself or holds one inside (`Option`, `Result`, a struct).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// The guard: its methods are the locked value's, reached through `Deref`.
    Guard,
    /// A value holding a guard, or maybe one (`m.lock()` is a `LockResult` for std and the
    /// guard itself for `parking_lot`): consuming it (`.unwrap()`, `.take()`) moves the guard out.
    Holding,
}

/// Where a value holding a guard comes from.
pub(super) enum Source<'e> {
    /// Taken here: a lock call, or a call to a fn that returns a guard.
    Taken,
    /// A binding moved in, if it holds a guard.
    Binding(&'e Ident),
}

/// How a use of a binding moves it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Move {
    /// By value: passed to a call, returned, moved into a value or a `move` closure.
    Always,
    /// As the receiver of a consuming `Option`/`Result` method: a move only for a value that
    /// holds a guard, not for the guard itself.
    IfHolding,
    /// As the receiver of a guard's own consuming method (`w.downgrade()`): a move only for the
    /// guard itself.
    IfGuard,
}

/// The lock call a guard expression is made by: `m.lock()` in `m.lock().await.unwrap()?`, with
/// only unwrapping steps after it.
pub(super) fn guard_call(mut expr: &Expr) -> Option<&ExprMethodCall> {
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
pub(super) fn is_step(call: &ExprMethodCall) -> bool {
    let name = call.method.to_string();
    UNWRAPPING.contains(&name.as_str()) || WRAPPING.contains(&name.as_str())
}

/// A lock call anywhere down the receiver chain of `expr` (`cache.lock().unwrap().get(&k)`):
/// its guard is a temporary of the whole expression.
pub(super) fn lock_in_chain(mut expr: &Expr) -> Option<&ExprMethodCall> {
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

pub(super) fn is_lock_call(call: &ExprMethodCall) -> bool {
    call.args.is_empty() && LOCKING.contains(&call.method.to_string().as_str())
}

/// `m.lock()` as written, for messages.
pub(super) fn shown(call: &ExprMethodCall) -> String {
    let receiver = call.receiver.to_token_stream().to_string().replace(' ', "");
    format!("{receiver}.{}()", call.method)
}

pub(super) fn call_span(call: &ExprMethodCall) -> (Span, Span) {
    (call.receiver.span(), call.paren_token.span.close())
}

pub(super) fn path_ident(expr: &Expr) -> Option<&Ident> {
    match expr {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident(),
        _ => None,
    }
}

/// What [`sources`] asks of the code around the expression: types and the crate's own fns.
pub(super) trait Knows {
    /// Whether the lock-named method `call` is called on a receiver known to be a lock.
    fn is_lock(&self, call: &ExprMethodCall) -> bool;
    /// The shape of the guard the fn `callee` (a path) returns, if it returns one.
    fn guard_from_fn(&self, callee: &syn::Path) -> Option<Shape>;
    /// The shape of the guard the method `call` returns, if it is a fn of the crate that does.
    fn guard_from_method(&self, call: &ExprMethodCall) -> Option<Shape>;
}

/// The guards the value of `expr` holds, and the value's shape when the steps around them decide
/// it (`None`: a binding moved as it is keeps its own).
pub(super) fn sources<'e>(
    mut expr: &'e Expr,
    mut shape: Option<Shape>,
    knows: &dyn Knows,
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
        Expr::MethodCall(m) if is_lock_call(m) && knows.is_lock(m) => {
            out.push((Source::Taken, Some(shape.unwrap_or(Shape::Holding))));
        }
        // `w.downgrade()`: the guard `w` held, as another guard of the same lock.
        Expr::MethodCall(m) if GUARD_CONSUMING.contains(&m.method.to_string().as_str()) => {
            if let Some(name) = path_ident(&m.receiver) {
                out.push((Source::Binding(name), Some(shape.unwrap_or(Shape::Guard))));
            }
        }
        // Also a lock-named method of the crate's own type (`fn read(&self) -> RwLockReadGuard`).
        Expr::MethodCall(m) => {
            if let Some(returned) = knows.guard_from_method(m) {
                out.push((Source::Taken, Some(shape.unwrap_or(returned))));
            }
        }
        Expr::Path(_) => {
            if let Some(name) = path_ident(expr) {
                out.push((Source::Binding(name), shape));
            }
        }
        Expr::Call(call) => call_sources(call, shape, knows, out),
        Expr::Struct(s) => {
            let parts = s.fields.iter().map(|f| &f.expr).collect();
            parts_sources(parts, Some(shape.unwrap_or(Shape::Holding)), knows, out);
        }
        Expr::Tuple(t) => {
            let parts = t.elems.iter().collect();
            parts_sources(parts, Some(shape.unwrap_or(Shape::Holding)), knows, out);
        }
        Expr::Array(a) => {
            let parts = a.elems.iter().collect();
            parts_sources(parts, Some(shape.unwrap_or(Shape::Holding)), knows, out);
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
            sources(inner_let.unwrap_or(tail), shape, knows, out);
        }
        _ => {}
    }
}

/// The guards a call's value holds: a guard mapped by `MutexGuard::map` and friends, what a tuple
/// struct or variant wraps (`Some(g)`, `Ok(g)`), or the guard a fn of the crate returns.
fn call_sources<'e>(
    call: &'e ExprCall,
    shape: Option<Shape>,
    knows: &dyn Knows,
    out: &mut Vec<(Source<'e>, Option<Shape>)>,
) {
    let Expr::Path(callee) = &*call.func else {
        return;
    };
    let path = &callee.path;
    let last = path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    let (parts, made): (Vec<&Expr>, Shape) = if is_mapping(path) {
        let mapped = if matches!(last.as_str(), "map" | "downgrade" | "upgrade") {
            Shape::Guard
        } else {
            Shape::Holding
        };
        (call.args.iter().take(1).collect(), mapped)
    } else if last.starts_with(|c: char| c.is_ascii_uppercase()) {
        (call.args.iter().collect(), Shape::Holding)
    } else {
        if let Some(returned) = knows.guard_from_fn(path) {
            out.push((Source::Taken, Some(shape.unwrap_or(returned))));
        }
        return;
    };
    parts_sources(parts, Some(shape.unwrap_or(made)), knows, out);
}

/// The guards of the parts of a value built from them, all held with the value's shape.
fn parts_sources<'e>(
    parts: Vec<&'e Expr>,
    shape: Option<Shape>,
    knows: &dyn Knows,
    out: &mut Vec<(Source<'e>, Option<Shape>)>,
) {
    for part in parts {
        let mut inner = Vec::new();
        sources(part, None, knows, &mut inner);
        out.extend(inner.into_iter().map(|(source, _)| (source, shape)));
    }
}

/// The one binding a pattern makes when it holds the whole value or its one wrapped part:
/// `g`, `mut g: T`, `Some(g)`, `Ok(g)`, `&g`. A pattern that splits the value (`(a, b)`,
/// `S { a, b }`) has none: which part holds the guard is not known.
pub(super) fn sole_binding(pat: &Pat) -> Option<&Ident> {
    sole_binding_unwrapped(pat).map(|(name, _)| name)
}

/// [`sole_binding`], and whether the pattern takes it out of a wrapper (`Ok(g)`): then it is
/// the guard itself.
pub(super) fn sole_binding_unwrapped(pat: &Pat) -> Option<(&Ident, bool)> {
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
pub(super) fn bound_names(pat: &Pat) -> Vec<&Ident> {
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
pub(super) fn moved_by<'e>(expr: &'e Expr, out: &mut Vec<(&'e Ident, Move)>) {
    let parts: Vec<&Expr> = match expr {
        Expr::Path(_) => {
            out.extend(path_ident(expr).map(|name| (name, Move::Always)));
            return;
        }
        // The callee too: `(move || g.len())()` moves `g` into the closure it calls.
        Expr::Call(c) => std::iter::once(&*c.func).chain(&c.args).collect(),
        Expr::MethodCall(m) => {
            let method = m.method.to_string();
            let consuming = CONSUMING.contains(&method.as_str());
            match path_ident(&m.receiver) {
                Some(name) if consuming => out.push((name, Move::IfHolding)),
                Some(name) if GUARD_CONSUMING.contains(&method.as_str()) => {
                    out.push((name, Move::IfGuard));
                }
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
        Expr::Binary(e) => {
            moved_by_operand(&e.left, out);
            moved_by_operand(&e.right, out);
            return;
        }
        Expr::Unary(syn::ExprUnary { expr, .. })
        | Expr::Cast(syn::ExprCast { expr, .. })
        | Expr::Reference(syn::ExprReference { expr, .. })
        | Expr::Field(syn::ExprField { base: expr, .. }) => {
            moved_by_operand(expr, out);
            return;
        }
        Expr::Index(e) => {
            moved_by_operand(&e.expr, out);
            moved_by_operand(&e.index, out);
            return;
        }
        Expr::Let(e) => {
            moved_by_scrutinee(&e.expr, out);
            return;
        }
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

/// The bindings an operand moves: one read in place (`*g`, `g == x`, `&g`, `g.field`, a
/// condition or scrutinee) is not moved, but a call inside it moves its arguments.
fn moved_by_operand<'e>(expr: &'e Expr, out: &mut Vec<(&'e Ident, Move)>) {
    if !matches!(expr, Expr::Path(_)) {
        moved_by(expr, out);
    }
}

/// The bindings a scrutinee (of `match`, `if let`, a `for` loop) moves: a value holding a guard
/// (`match held { Some(g) => .. }`) gives it to the pattern's binding, which ends with its arm;
/// a guard itself cannot be destructured and stays.
pub(super) fn moved_by_scrutinee<'e>(expr: &'e Expr, out: &mut Vec<(&'e Ident, Move)>) {
    match path_ident(expr) {
        Some(name) => out.push((name, Move::IfHolding)),
        None => moved_by(expr, out),
    }
}

/// What a closure or `async` block takes from around it: with `move`, every name it mentions;
/// without, the names its statements move by value.
pub(super) struct Captures<'e, 'o> {
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
