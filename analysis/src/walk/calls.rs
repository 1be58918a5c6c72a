//! R1: judging calls and method calls against the blocking-API table.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, ExprCall, ExprMethodCall};

use super::{Context, Position, Walker};
use crate::finding::Finding;
use crate::resolve::Certainty;
use crate::rules::Rule;
use crate::rules::blocking::{self, ALLOW, BlockingApi, OFFLOAD, OFFLOADING_CALLS};

/// Methods whose receiver is a `Result` or `Option`: the receiver is not a future.
const UNWRAPPING: &[&str] = &[
    "unwrap",
    "expect",
    "unwrap_or",
    "unwrap_or_else",
    "unwrap_or_default",
    "is_ok",
    "is_err",
    "ok",
    "err",
];

/// The user's own blocking APIs from `blocking(..)`.
#[derive(Default)]
pub struct CustomBlocking {
    /// Fn paths, matched on their trailing segments.
    paths: Vec<Vec<String>>,
    /// Method names, from paths of the form `Type::method`.
    methods: Vec<String>,
}

impl CustomBlocking {
    /// Reads the `blocking(..)` option's paths.
    pub fn new(paths: &[syn::Path]) -> Self {
        let mut custom = CustomBlocking::default();
        for path in paths {
            let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            let is_method = segments.len() >= 2
                && segments[segments.len() - 2].starts_with(|c: char| c.is_ascii_uppercase());
            if is_method {
                custom.methods.push(segments[segments.len() - 1].clone());
            }
            custom.paths.push(segments);
        }
        custom
    }

    /// True when the written call path names one of the user's APIs: the shorter of the two is
    /// a suffix of the other, so `query_sync(..)`, `db::query_sync(..)` and
    /// `crate::db::query_sync(..)` all match `blocking(db::query_sync)`.
    fn matches_path(&self, written: &[String]) -> bool {
        self.paths.iter().any(|declared| {
            let n = declared.len().min(written.len());
            n > 0 && declared[declared.len() - n..] == written[written.len() - n..]
        })
    }
}

impl Walker<'_> {
    pub(super) fn walk_call(&mut self, call: &ExprCall, position: Position) {
        let path = match &*call.func {
            Expr::Path(p) if p.qself.is_none() => Some(&p.path),
            _ => None,
        };
        if let Some(path) = path {
            if self.checks.blocking && self.in_async() {
                self.judge_call(call, path, position);
            }
            if (self.checks.spawns || self.checks.queues) && self.in_async() {
                self.judge_task_call(call, path, position);
            }
        }
        self.visit_in(Position::Value, &call.func);
        let offloads = path.is_some_and(|p| self.is_offloading(p));
        for arg in &call.args {
            self.walk_argument(arg, offloads);
        }
    }

    pub(super) fn walk_method_call(&mut self, call: &ExprMethodCall, position: Position) {
        if self.checks.blocking && self.in_async() {
            self.judge_method(call, position);
        }
        let method = call.method.to_string();
        let receiver = if UNWRAPPING.contains(&method.as_str()) {
            Position::Unwrapped
        } else if matches!(position, Position::Awaited | Position::Argument) {
            // `rx.recv().map(f).await`, `select(rx.recv().fuse(), ..)`: a chain that ends in a
            // future may start with one.
            Position::Argument
        } else {
            Position::Receiver
        };
        self.visit_in(receiver, &call.receiver);
        let offloads = OFFLOADING_CALLS
            .iter()
            .any(|c| c.rsplit("::").next() == Some(method.as_str()))
            && (method != "spawn" || self.receiver_is_thread_builder(call));
        for arg in &call.args {
            self.walk_argument(arg, offloads);
        }
    }

    /// An argument: a closure handed to an offloading call runs off the executor.
    fn walk_argument(&mut self, arg: &Expr, offloads: bool) {
        if offloads && matches!(arg, Expr::Closure(_)) {
            self.nested(Context::Offloaded, |w| w.visit_in(Position::Argument, arg));
        } else {
            self.visit_in(Position::Argument, arg);
        }
    }

    fn is_offloading(&self, path: &syn::Path) -> bool {
        let last = path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if OFFLOADING_CALLS.contains(&last.as_str()) {
            return true;
        }
        self.imports
            .resolve(path)
            .iter()
            .any(|(full, _)| OFFLOADING_CALLS.contains(&full.as_str()))
    }

    fn receiver_is_thread_builder(&self, call: &ExprMethodCall) -> bool {
        self.chain_root(&call.receiver)
            .is_some_and(|(root, _)| root.starts_with("std::thread::Builder::"))
    }

    fn judge_call(&mut self, call: &ExprCall, path: &syn::Path, position: Position) {
        if position == Position::Awaited {
            return;
        }
        let written: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let span = (call.func.span(), call.paren_token.span.close());
        for (full, certainty) in self.imports.resolve(path) {
            if let Some(api) = blocking::by_path(&full) {
                if flags(certainty, position) {
                    self.report_blocking(span, &written.join("::"), &full, api);
                }
                return;
            }
        }
        if self.checks.custom.matches_path(&written) {
            self.report_custom(span, &written.join("::"));
        }
    }

    fn judge_method(&mut self, call: &ExprMethodCall, position: Position) {
        if position == Position::Awaited {
            return;
        }
        let name = call.method.to_string();
        let span = (call.method.span(), call.paren_token.span.close());
        let shown = format!(".{name}()");
        if let Some((root, certainty)) = self.chain_root(&call.receiver) {
            if let Some(api) = blocking::by_method_on(&name, &root) {
                if flags(certainty, position) {
                    self.report_blocking(span, &method_on(&root, &name), "", api);
                }
                return;
            }
        }
        if let Some(api) = blocking::by_method(&name, call.args.len()) {
            // A name shared with other APIs is flagged only where its value is used directly:
            // not passed on, and not the receiver of a further method (a builder step).
            if blocking::is_certain(api)
                || !matches!(position, Position::Argument | Position::Receiver)
            {
                self.report_blocking(span, &shown, "", api);
            }
            return;
        }
        if self.checks.custom.methods.contains(&name) {
            self.report_custom(span, &shown);
        }
    }

    /// The canonical path of the constructor a method chain starts from, and how sure that is:
    /// `Command::new("ls").arg("-l")` → `std::process::Command::new`.
    fn chain_root(&self, mut expr: &Expr) -> Option<(String, Certainty)> {
        loop {
            match expr {
                Expr::MethodCall(m) => expr = &m.receiver,
                Expr::Call(call) => {
                    let Expr::Path(p) = &*call.func else {
                        return None;
                    };
                    return self.imports.resolve(&p.path).into_iter().next();
                }
                _ => return None,
            }
        }
    }

    fn report_blocking(
        &mut self,
        span: (Span, Span),
        written: &str,
        full: &str,
        api: &BlockingApi,
    ) {
        let resolved = if full.is_empty() || full == written {
            String::new()
        } else {
            format!(" (`{full}`)")
        };
        let message = format!(
            "`{written}`{resolved} {why}\n\
             help: {fix}; {OFFLOAD}\n\
             note: {ALLOW}",
            why = api.why,
            fix = api.fix,
        );
        self.findings
            .push(Finding::error(Rule::BlockingCall, span, message));
    }

    fn report_custom(&mut self, span: (Span, Span), written: &str) {
        let message = format!(
            "`{written}` is listed as blocking in this attribute's `blocking(..)`\n\
             help: {OFFLOAD}\n\
             note: {ALLOW}"
        );
        self.findings
            .push(Finding::error(Rule::BlockingCall, span, message));
    }
}

/// How a method on a constructed value is shown: `Command::output` for a value from
/// `std::process::Command::new`, `stdin().lines()` for one from the fn `std::io::stdin`.
fn method_on(root: &str, method: &str) -> String {
    let mut segments = root.rsplit("::");
    let constructor = segments.next().unwrap_or(root);
    match segments.next() {
        Some(ty) if ty.starts_with(|c: char| c.is_ascii_uppercase()) => format!("{ty}::{method}"),
        _ => format!("{constructor}().{method}()"),
    }
}

/// Whether a call resolved with `certainty` is flagged where its value is used at `position`.
fn flags(certainty: Certainty, position: Position) -> bool {
    match certainty {
        Certainty::Certain => position != Position::Awaited,
        Certainty::GuessedModule => !matches!(position, Position::Awaited | Position::Argument),
        Certainty::GuessedName => matches!(position, Position::Statement | Position::Unwrapped),
    }
}
