//! R3 (no fire-and-forget tasks) and the bounds rules (no unbounded queue, no raw spawn in a
//! loop), for `#[supervised]` and `#[bounded]` bodies.

use proc_macro2::Span;
use syn::{Expr, ExprCall, Ident, Local, Pat};

use super::{Position, Walker};
use crate::finding::Finding;
use crate::rules::Rule;
use crate::rules::tasks::{SPAWNERS, TASK_SPAWNERS, unbounded_queue};

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
        let wildcard = matches!(local.pat, Pat::Wild(_));
        if wildcard {
            if let Some((spawner, span)) = self.spawner_of(&init.expr) {
                self.fire_and_forget(span, &spawner, "`let _ =` drops its handle at once");
            }
            if let Expr::Await(awaited) = &*init.expr {
                if let Some(handle) = path_ident(&awaited.base).filter(|h| self.handles.contains(h))
                {
                    let message = format!(
                        "`let _ = {handle}.await` throws away the task's result, and with it its error or panic\n\
                         help: handle the result (`{handle}.await??`, or `match` on it), or spawn the task with \
                         `warden::spawn(..)` so its scope reports failures"
                    );
                    let span = (
                        syn::spanned::Spanned::span(&awaited.base),
                        awaited.await_token.span,
                    );
                    self.findings
                        .push(Finding::error(Rule::FireAndForget, span, message));
                }
            }
        } else if let (Pat::Ident(binding), Some(_)) = (&local.pat, self.spawner_of(&init.expr)) {
            self.handles.push(binding.ident.clone());
        }
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

fn path_ident(expr: &Expr) -> Option<&Ident> {
    match expr {
        Expr::Path(p) => p.path.get_ident(),
        _ => None,
    }
}
