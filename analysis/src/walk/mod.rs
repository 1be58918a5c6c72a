//! One walk over a fn body that reports what the enabled rules find.
//!
//! The walker keeps three pieces of context: whether the code at hand runs as async code (an async
//! fn body, an `async` block, a sync closure called inline from those) or elsewhere (a sync fn
//! body, a closure handed to `spawn_blocking`, a nested item); how the value of each call is used
//! (awaited, passed on, discarded, unwrapped); and the bindings in sight with their types where
//! the source shows them. Paths are resolved through the [`Scope`]. Rule knowledge lives in
//! `crate::rules`; judging calls in `calls`, calls into the crate's own fns in `crate_fns`, lock
//! guards in `guards`, macro arguments in `macros`, the types of values in `types`.

mod calls;
mod closures;
mod crate_fns;
mod flow;
mod guards;
mod macros;
mod ownership;
mod tasks;
mod types;

use syn::visit::{self, Visit};
use syn::{Block, Expr, Local, Stmt};

use crate::finding::Finding;
use crate::markers;
use crate::scope::Scope;

pub use calls::CustomBlocking;

/// Which rule families to check.
#[derive(Clone, Copy)]
#[allow(clippy::struct_excessive_bools, reason = "one switch per rule family")]
pub struct Checks<'a> {
    /// R1: blocking calls.
    pub blocking: bool,
    /// R2: lock guards alive across `.await`, nested locks.
    pub guards: bool,
    /// R3: spawned tasks whose handle is dropped or whose result is thrown away.
    pub spawns: bool,
    /// Unbounded queues and raw spawns in loops.
    pub queues: bool,
    /// The user's own blocking APIs.
    pub custom: &'a CustomBlocking,
}

/// What a walk found.
pub struct Analysis {
    /// Every broken rule, in source order.
    pub findings: Vec<Finding>,
    /// Whether the body holds any async code at all.
    pub has_async_code: bool,
}

/// Walks the body of a fn (`is_async`: of an `async fn`) in `scope` (the crate around it, or the
/// item alone; [`Scope::with_params`] adds the fn's parameters).
pub fn analyze(body: &Block, is_async: bool, scope: &Scope, checks: Checks<'_>) -> Analysis {
    let context = if is_async {
        Context::Async
    } else {
        Context::Sync
    };
    let mut walker = Walker::new(scope, checks, context, None);
    collect_uses(body, &mut walker.imports);
    walker.visit_block(body);
    Analysis {
        findings: walker.findings,
        has_async_code: walker.has_async_code,
    }
}

/// Adds the `use` items anywhere in the body: they are in scope for the code the walker judges.
fn collect_uses(body: &Block, imports: &mut Scope) {
    struct Uses<'a>(&'a mut Scope);
    impl<'ast> Visit<'ast> for Uses<'_> {
        fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
            self.0.add_use(&item.tree);
        }
        fn visit_item_fn(&mut self, _: &'ast syn::ItemFn) {}
    }
    Uses(imports).visit_block(body);
}

/// Where the code being walked runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Context {
    /// On an executor thread, between awaits: every rule applies.
    Async,
    /// Ordinary sync code (the body of a sync fn around its `async` blocks).
    Sync,
    /// Handed to a blocking pool or thread: blocking is what it is for.
    Offloaded,
}

/// How the value of the expression being walked is used by its parent.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Position {
    /// `expr.await`: a future.
    Awaited,
    /// An argument of a call or of a future-combining macro: maybe a future passed on.
    Argument,
    /// `expr;`: computed for its effect.
    Statement,
    /// `expr?`, `expr.unwrap()`, `expr.expect(..)`: a `Result` or `Option`, not a future.
    Unwrapped,
    /// `expr.method(..)` for any other method: maybe a builder (`Builder::new().wait(d).build()`).
    Receiver,
    /// Anything else: bound, matched, or used as a receiver.
    Value,
}

struct Walker<'a> {
    /// What the code can see (named `imports` for what most lookups ask of it).
    imports: Scope,
    checks: Checks<'a>,
    context: Context,
    /// How the parent uses the next expression; read and reset by `visit_expr`.
    position: Position,
    guards: flow::Tracker,
    findings: Vec<Finding>,
    has_async_code: bool,
    /// How many loops enclose the code being walked.
    loop_depth: usize,
    /// Bindings that hold spawned tasks' handles.
    handles: Vec<tasks::Handle>,
    /// Sync closures bound to names, with what they break when called.
    deferred: Vec<closures::Deferred>,
    /// Bindings of the body and their types, where known.
    locals: types::Locals,
    /// When summarising a sync fn of the crate: its file as messages show it. Only the code that
    /// runs when the fn is called counts then, not its `async` blocks.
    summary_of: Option<String>,
}

impl<'a> Walker<'a> {
    fn new(
        scope: &Scope,
        checks: Checks<'a>,
        context: Context,
        summary_of: Option<String>,
    ) -> Self {
        Walker {
            imports: scope.clone(),
            checks,
            context,
            position: Position::Value,
            guards: flow::Tracker::default(),
            findings: Vec::new(),
            has_async_code: context == Context::Async,
            loop_depth: 0,
            handles: Vec::new(),
            deferred: Vec::new(),
            locals: types::Locals::default(),
            summary_of,
        }
    }
}

impl Walker<'_> {
    /// Walks `walk` with the names of `pats` bound (of unknown type) in a block of their own.
    fn with_bindings<'p>(
        &mut self,
        pats: impl IntoIterator<Item = &'p syn::Pat>,
        walk: impl FnOnce(&mut Self),
    ) {
        self.locals.enter();
        for pat in pats {
            self.bind_pattern(pat, None);
        }
        walk(self);
        self.locals.leave();
    }

    fn visit_in(&mut self, position: Position, expr: &Expr) {
        self.position = position;
        self.visit_expr(expr);
    }

    /// Walks code that runs in `context`, with its own set of live guards.
    fn nested(&mut self, context: Context, walk: impl FnOnce(&mut Self)) {
        let outer = std::mem::replace(&mut self.context, context);
        let guards = std::mem::take(&mut self.guards);
        walk(self);
        self.guards = guards;
        self.context = outer;
    }

    fn in_async(&self) -> bool {
        self.context == Context::Async
    }
}

impl<'ast> Visit<'ast> for Walker<'_> {
    fn visit_block(&mut self, block: &'ast Block) {
        self.guards.enter_block();
        self.locals.enter();
        for stmt in &block.stmts {
            self.visit_stmt(stmt);
        }
        self.locals.leave();
        self.guards.leave_block();
    }

    fn visit_stmt(&mut self, stmt: &'ast Stmt) {
        match stmt {
            Stmt::Local(local) => self.visit_local(local),
            Stmt::Item(_) => {} // nested items are not this fn's async code
            Stmt::Expr(expr, semi) => {
                if markers::expr_is_allowed(expr) {
                    return;
                }
                let position = if semi.is_some() {
                    Position::Statement
                } else {
                    Position::Value
                };
                self.visit_in(position, expr);
                self.end_moved_guards(expr);
                if semi.is_some() && self.checks.spawns && self.in_async() {
                    self.judge_task_statement(expr);
                }
            }
            Stmt::Macro(mac) => {
                if !markers::is_allowed(&mac.attrs) {
                    self.walk_macro(&mac.mac);
                }
            }
        }
    }

    fn visit_local(&mut self, local: &'ast Local) {
        let ty = local
            .init
            .as_ref()
            .and_then(|init| self.type_of(&init.expr));
        self.forget_closures(&ownership::bound_names(&local.pat));
        if !markers::is_allowed(&local.attrs) {
            // A closure bound to a name is reported where it is called, if at all.
            let closure = self.walk_bound_closure(local);
            if let (false, Some(init)) = (closure, &local.init) {
                self.visit_in(Position::Value, &init.expr);
                if let Some((_, diverge)) = &init.diverge {
                    // The `else` of `let .. else` diverges: what it does to guards stays there.
                    let state = self.guards.state.clone();
                    self.visit_in(Position::Value, diverge);
                    self.guards.state = state;
                }
            }
            if self.checks.guards && self.in_async() {
                self.take_guard(local);
            }
            if (self.checks.spawns || self.checks.queues) && self.in_async() {
                self.judge_task_local(local);
            }
        }
        // Bound last: the initialiser still sees the names it shadows (`let m = m.lock()`).
        self.bind_pattern(&local.pat, ty);
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        let position = std::mem::replace(&mut self.position, Position::Value);
        if markers::expr_is_allowed(expr) {
            return;
        }
        match expr {
            Expr::Await(e) => {
                if self.checks.guards && self.in_async() {
                    self.check_guards_at(e);
                }
                self.visit_in(Position::Awaited, &e.base);
            }
            Expr::Call(call) => self.walk_call(call, position),
            Expr::MethodCall(call) => self.walk_method_call(call, position),
            Expr::Try(e) => self.visit_in(Position::Unwrapped, &e.expr),
            Expr::Macro(e) => self.walk_macro(&e.mac),
            Expr::Match(e) => self.walk_match(e),
            Expr::If(e) => self.walk_if(e),
            Expr::While(_) | Expr::ForLoop(_) | Expr::Loop(_) => self.walk_loop(expr),
            Expr::Block(syn::ExprBlock {
                label: Some(label),
                block,
                ..
            }) => self.walk_labelled_block(label, block),
            Expr::Break(e) => self.walk_break(e),
            Expr::Continue(_) => self.guards.diverge(),
            Expr::Return(e) => {
                if let Some(value) = &e.expr {
                    self.visit_in(Position::Value, value);
                    self.end_moved_guards(value);
                }
                self.guards.diverge();
            }
            // A summary counts what runs when its fn is called: not the async code it returns.
            Expr::Async(_) if self.summary_of.is_some() => {}
            Expr::Closure(c) if c.asyncness.is_some() && self.summary_of.is_some() => {}
            Expr::Async(e) => {
                self.has_async_code = true;
                self.nested(Context::Async, |w| w.visit_block(&e.block));
            }
            Expr::Closure(closure) => {
                let context = if closure.asyncness.is_some() {
                    self.has_async_code = true;
                    Context::Async
                } else {
                    self.context
                };
                self.nested(context, |w| {
                    w.with_bindings(&closure.inputs, |w| {
                        w.visit_in(Position::Value, &closure.body);
                    });
                });
            }
            _ => visit::visit_expr(self, expr),
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// The pattern of `if let` / `while let` (`P` in `let P = x`), if any.
fn let_pattern(cond: &Expr) -> Option<&syn::Pat> {
    match cond {
        Expr::Let(e) => Some(&e.pat),
        _ => None,
    }
}

/// The scrutinee of `if let` / `while let` (`x` in `let P = x`). A plain condition has none: its
/// temporaries end before the body runs.
fn let_scrutinee(cond: &Expr) -> Option<&Expr> {
    match cond {
        Expr::Let(e) => Some(&e.expr),
        _ => None,
    }
}

/// Walks the fn `id` of `model` in its own module and `impl`, with its parameters known: how a
/// whole-crate front end (`cargo warden`) checks each fn. `None` when `id` names no fn.
pub fn analyze_crate_fn(
    model: &std::rc::Rc<crate::model::CrateModel>,
    id: crate::model::FnId,
    checks: Checks<'_>,
) -> Option<Analysis> {
    let item = model.fn_item(id)?;
    let (_, sig, body) = item.parts();
    let self_ty = item
        .impl_block()
        .and_then(|imp| model.impl_self_type(id.module, imp));
    let scope = Scope::in_crate(std::rc::Rc::clone(model), id.module, self_ty).with_params(sig);
    Some(analyze(body, sig.asyncness.is_some(), &scope, checks))
}

#[cfg(test)]
mod tests;
