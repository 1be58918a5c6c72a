//! R3 (no fire-and-forget tasks) and the bounds rules (no unbounded queue, no raw spawn in a
//! loop), for `#[supervised]` and `#[bounded]` bodies.

use proc_macro2::Span;
use syn::{Expr, ExprCall, Ident, Local, Pat};

use super::ownership::path_ident;
use super::{Position, Walker};
use crate::finding::Finding;
use crate::rules::Rule;
use crate::rules::tasks::{
    HandleFrom, HandleKind, SPAWNERS, TASK_SPAWNERS, handle_spawner, unbounded_queue,
};

impl Walker<'_> {
    /// The canonical spawner a call path names, if any.
    fn spawner(&self, path: &syn::Path) -> Option<String> {
        self.imports
            .resolve(path)
            .into_iter()
            .map(|(full, _)| full)
            .find(|full| SPAWNERS.contains(&full.as_str()))
    }

    fn spawner_of(&self, expr: &Expr) -> Option<(String, (Span, Span))> {
        let Expr::Call(call) = expr else { return None };
        let Expr::Path(callee) = &*call.func else {
            return None;
        };
        let spawner = self.spawner(&callee.path)?;
        Some((spawner, call_span(call)))
    }

    /// A call in async code: a spawn whose handle is dropped at once, a spawn in a loop, an
    /// unbounded queue.
    pub(super) fn judge_task_call(
        &mut self,
        call: &ExprCall,
        path: &syn::Path,
        position: Position,
    ) {
        let span = call_span(call);
        if self.checks.spawns {
            if let Some(spawner) = self.spawner(path) {
                if position == Position::Statement {
                    self.fire_and_forget(
                        span,
                        &spawner,
                        "its handle is dropped at the end of this statement",
                    );
                }
            }
            let is_drop = path.segments.last().is_some_and(|s| s.ident == "drop");
            if let (true, Some(arg)) = (is_drop, call.args.first()) {
                if let Some((spawner, span)) = self.spawner_of(arg) {
                    self.fire_and_forget(span, &spawner, "its handle is dropped by `drop(..)`");
                }
                self.judge_outcome(arg, |shown| format!("`drop({shown})`"));
            }
        }
        if self.checks.queues {
            if let Some(spawner) = self.spawner(path) {
                if self.loop_depth > 0 && TASK_SPAWNERS.contains(&spawner.as_str()) {
                    let message = format!(
                        "`{spawner}` in a loop starts one task per iteration, with no limit\n\
                         help: spawn with `warden::spawn(..)` inside a `#[supervised(max_children = N)]` scope, \
                         which waits while N children are running"
                    );
                    self.findings
                        .push(Finding::error(Rule::SpawnInLoop, span, message));
                }
            }
            let written = path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect::<Vec<_>>()
                .join("::");
            let meanings = self.imports.resolve(path).into_iter().map(|(full, _)| full);
            if let Some(queue) = std::iter::once(written.clone())
                .chain(meanings)
                .find_map(|p| unbounded_queue(&p, call.args.len()))
            {
                let message = format!(
                    "`{written}` makes a queue without a capacity: when consumers fall behind it grows until \
                     memory runs out\n\
                     help: use {fix}; a full queue then makes senders wait (backpressure)",
                    fix = queue.fix,
                );
                self.findings
                    .push(Finding::error(Rule::UnboundedQueue, span, message));
            }
        }
    }

    /// A `let`: `let _ = tokio::spawn(..)`, `let _ = handle.await`, and spawned handles to follow.
    pub(super) fn judge_task_local(&mut self, local: &Local) {
        let Some(init) = &local.init else { return };
        match &local.pat {
            Pat::Wild(_) => {
                if let Some((spawner, span)) = self.spawner_of(&init.expr) {
                    self.fire_and_forget(span, &spawner, "`let _ =` drops its handle at once");
                }
                self.judge_outcome(&init.expr, |shown| format!("`let _ = {shown}`"));
            }
            Pat::Ident(binding) => {
                self.handles.retain(|h| h.name != binding.ident);
                if let Some(kind) = self.handle_made_by(&init.expr) {
                    self.handles.push(Handle {
                        name: binding.ident.clone(),
                        kind,
                    });
                }
            }
            _ => {}
        }
    }

    /// A statement whose value is dropped: `handle.await;`, `_ = handle.await;`.
    pub(super) fn judge_task_statement(&mut self, expr: &Expr) {
        match expr {
            Expr::Await(_) => self.judge_outcome(expr, |shown| format!("`{shown};`")),
            Expr::Assign(assign) if matches!(*assign.left, Expr::Infer(_)) => {
                self.judge_outcome(&assign.right, |shown| format!("`_ = {shown}`"));
            }
            _ => {}
        }
    }

    /// `expr`, about to be thrown away as `how(shown)` says: an error if it is a task's outcome.
    fn judge_outcome(&mut self, expr: &Expr, how: impl FnOnce(&str) -> String) {
        let Expr::Await(awaited) = strip_parens(expr) else {
            return;
        };
        let Some((handle, kind)) = self.outcome_of(&awaited.base) else {
            return;
        };
        let shown = format!("{handle}.await");
        let fix = match kind {
            HandleKind::Tokio => format!(
                "propagate it with `{shown}?` (a `JoinError` when the task panicked or was aborted; `??` when \
                 the task returns a `Result`), or `match` on it and log the error; or spawn with \
                 `warden::spawn(..)`, whose scope reports a failure nobody awaits"
            ),
            HandleKind::Child => format!(
                "propagate it with `{shown}?` (a `warden::Failure` carrying the child's error or panic), or \
                 `match` on it and log the error; to leave the failure to the scope instead, drop the \
                 handle without awaiting it"
            ),
        };
        let message = format!(
            "{how} throws away the task's outcome, and with it its error or panic\n\
             help: {fix}",
            how = how(&shown),
        );
        let span = (
            syn::spanned::Spanned::span(&awaited.base),
            awaited.await_token.span,
        );
        self.findings
            .push(Finding::error(Rule::FireAndForget, span, message));
    }

    /// The handle whose `.await` is `base.await`, as written for messages, and its kind: a
    /// binding known to hold one, or a spawn written in place (`tokio::spawn(..)`,
    /// `warden::spawn(..).await`, `warden::try_spawn(..)?`).
    fn outcome_of(&self, base: &Expr) -> Option<(String, HandleKind)> {
        if let Some(name) = path_ident(strip_parens(base)) {
            let handle = self.handles.iter().rev().find(|h| h.name == *name)?;
            return Some((name.to_string(), handle.kind));
        }
        let kind = self.handle_made_by(base)?;
        let (call, _) = spawn_call(base)?;
        let written = callee_written(call)?;
        let shown = match strip_parens(base) {
            Expr::Call(_) => format!("{written}(..)"),
            Expr::Await(_) => format!("{written}(..).await"),
            Expr::Try(_) => format!("{written}(..)?"),
            _ => format!("{written}(..).unwrap()"),
        };
        Some((shown, kind))
    }

    /// The kind of handle `expr` evaluates to, when it is a known spawner's handle: the call
    /// itself, its `.await` or its unwrapped `Result`, as the spawner's table line says.
    fn handle_made_by(&self, expr: &Expr) -> Option<HandleKind> {
        let (call, from) = spawn_call(expr)?;
        let Expr::Path(callee) = &*call.func else {
            return None;
        };
        let written = callee_written(call)?;
        let spawner = std::iter::once(written)
            .chain(
                self.imports
                    .resolve(&callee.path)
                    .into_iter()
                    .map(|(full, _)| full),
            )
            .find_map(|path| handle_spawner(&path))?;
        (spawner.from == from).then_some(spawner.kind)
    }

    fn fire_and_forget(&mut self, span: (Span, Span), spawner: &str, how: &str) {
        let message = format!(
            "`{spawner}` starts a task nobody owns: {how}, so its errors and panics are lost and it can \
             outlive this scope\n\
             help: use `warden::spawn(..)`, whose task this `#[supervised]` scope owns, awaits and cancels; \
             or keep the handle and await it"
        );
        self.findings
            .push(Finding::error(Rule::FireAndForget, span, message));
    }
}

fn call_span(call: &ExprCall) -> (Span, Span) {
    (
        syn::spanned::Spanned::span(&call.func),
        call.paren_token.span.close(),
    )
}

/// A handle binding and what kind of handle it holds.
pub(super) struct Handle {
    name: Ident,
    kind: HandleKind,
}

/// The spawn call at the heart of `expr`, and how its value was reached: `tokio::spawn(f)`,
/// `warden::spawn(f).await`, `warden::try_spawn(f)?` or `.unwrap()` / `.expect(..)`.
fn spawn_call(expr: &Expr) -> Option<(&ExprCall, HandleFrom)> {
    match strip_parens(expr) {
        Expr::Call(call) => Some((call, HandleFrom::Call)),
        Expr::Await(e) => match strip_parens(&e.base) {
            Expr::Call(call) => Some((call, HandleFrom::Awaited)),
            _ => None,
        },
        Expr::Try(e) => match strip_parens(&e.expr) {
            Expr::Call(call) => Some((call, HandleFrom::Unwrapped)),
            _ => None,
        },
        Expr::MethodCall(m) if m.method == "unwrap" || m.method == "expect" => {
            match strip_parens(&m.receiver) {
                Expr::Call(call) => Some((call, HandleFrom::Unwrapped)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A call's callee path as written (`tokio::spawn`), without generic arguments.
fn callee_written(call: &ExprCall) -> Option<String> {
    let Expr::Path(callee) = &*call.func else {
        return None;
    };
    Some(
        callee
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect::<Vec<_>>()
            .join("::"),
    )
}

fn strip_parens(mut expr: &Expr) -> &Expr {
    while let Expr::Paren(e) = expr {
        expr = &e.expr;
    }
    expr
}

/// A `for` loop's iterator expression whose number of items the source fixes: a range between
/// integer literals or consts (`0..3`, `1..=WORKERS`), an array literal (`[a, b]`, `&[a, b]`,
/// `[a, b].into_iter()`) or anything capped by `.take(3)` / `.take(MAX)`.
pub(super) fn fixed_count(expr: &Expr) -> bool {
    match expr {
        Expr::Paren(e) => fixed_count(&e.expr),
        Expr::Reference(e) => fixed_count(&e.expr),
        Expr::Array(_) => true,
        Expr::Range(range) => {
            range.end.as_deref().is_some_and(is_fixed_number)
                && range.start.as_deref().is_none_or(is_fixed_number)
        }
        Expr::MethodCall(call) if call.method == "take" => {
            call.args.first().is_some_and(is_fixed_number)
        }
        Expr::MethodCall(call)
            if matches!(call.method.to_string().as_str(), "iter" | "into_iter")
                && call.args.is_empty() =>
        {
            fixed_count(&call.receiver)
        }
        _ => false,
    }
}

/// An integer literal, or a path to a const (named in upper case, the way consts are).
fn is_fixed_number(expr: &Expr) -> bool {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(_),
            ..
        }) => true,
        Expr::Paren(e) => is_fixed_number(&e.expr),
        Expr::Path(path) => path.path.segments.last().is_some_and(|segment| {
            let name = segment.ident.to_string();
            name.chars().any(|c| c.is_ascii_uppercase())
                && !name.chars().any(|c| c.is_ascii_lowercase())
        }),
        _ => false,
    }
}
