//! One walk over a fn body that reports what the enabled rules find.
//!
//! The walker keeps two pieces of context: whether the code at hand runs as async code (an async
//! fn body, an `async` block, a sync closure called inline from those) or elsewhere (a sync fn
//! body, a closure handed to `spawn_blocking`, a nested item), and how the value of each call is
//! used (awaited, passed on, discarded, unwrapped), which tells a future from a blocking call when
//! no types are known. Rule knowledge lives in `crate::rules`; judging calls in `calls`, lock
//! guards in `guards`, macro arguments in `macros`.

mod calls;
mod flow;
mod guards;
mod macros;
mod ownership;
mod tasks;

use syn::visit::{self, Visit};
use syn::{Block, Expr, Local, Stmt};

use crate::finding::Finding;
use crate::markers;
use crate::resolve::Imports;

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

/// Walks the body of a fn (`is_async`: of an `async fn`) with the imports in sight.
pub fn analyze(body: &Block, is_async: bool, imports: &Imports, checks: Checks<'_>) -> Analysis {
    let mut imports = imports.clone();
    collect_uses(body, &mut imports);
    let mut walker = Walker {
        imports,
        checks,
        context: if is_async {
            Context::Async
        } else {
            Context::Sync
        },
        position: Position::Value,
        guards: flow::Tracker::default(),
        findings: Vec::new(),
        has_async_code: is_async,
        loop_depth: 0,
        handles: Vec::new(),
    };
    walker.visit_block(body);
    Analysis {
        findings: walker.findings,
        has_async_code: walker.has_async_code,
    }
}

/// Adds the `use` items anywhere in the body: they are in scope for the code the walker judges.
fn collect_uses(body: &Block, imports: &mut Imports) {
    struct Uses<'a>(&'a mut Imports);
    impl<'ast> Visit<'ast> for Uses<'_> {
        fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
            self.0.add(&item.tree);
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
    imports: Imports,
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
}

impl Walker<'_> {
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
        for stmt in &block.stmts {
            self.visit_stmt(stmt);
        }
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
        if markers::is_allowed(&local.attrs) {
            return;
        }
        if let Some(init) = &local.init {
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
                self.nested(context, |w| w.visit_in(Position::Value, &closure.body));
            }
            _ => visit::visit_expr(self, expr),
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// The scrutinee of `if let` / `while let` (`x` in `let P = x`). A plain condition has none: its
/// temporaries end before the body runs.
fn let_scrutinee(cond: &Expr) -> Option<&Expr> {
    match cond {
        Expr::Let(e) => Some(&e.expr),
        _ => None,
    }
}
