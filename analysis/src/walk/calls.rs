//! R1: judging calls and method calls against the blocking-API table.

use std::rc::Rc;

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, ExprCall, ExprMethodCall};

use super::{Context, Position, Walker};
use crate::finding::Finding;
use crate::model::{Resolved, Ty, TyName};
use crate::resolve::Certainty;
use crate::rules::Rule;
use crate::rules::blocking::{self, ALLOW, BlockingApi, OFFLOAD, OFFLOADING_CALLS};
use crate::summary::Chain;

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
    /// Methods, from paths of the form `Type::method`: the type's name and the method's.
    methods: Vec<(String, String)>,
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
                custom.methods.push((
                    segments[segments.len() - 2].clone(),
                    segments[segments.len() - 1].clone(),
                ));
            }
            custom.paths.push(segments);
        }
        custom
    }

    /// The list as one string, to key the summaries that depend on it.
    pub(crate) fn key(&self) -> String {
        self.paths
            .iter()
            .map(|p| p.join("::"))
            .collect::<Vec<_>>()
            .join(",")
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

    /// True when `Type::method` is listed and the receiver is known to be a `Type`.
    fn matches_method(&self, receiver: Option<&Ty>, method: &str) -> bool {
        let Some(name) = receiver.and_then(type_name) else {
            return false;
        };
        self.methods
            .iter()
            .any(|(ty, m)| m == method && *ty == name)
    }
}

/// The last segment of a type's name (`SyncClient` for `crate::db::SyncClient`).
fn type_name(ty: &Ty) -> Option<String> {
    match &ty.name {
        TyName::External(path) => path.rsplit("::").next().map(str::to_owned),
        TyName::Crate(key) => Some(key.name.clone()),
        TyName::Tuple => None,
    }
}

impl Walker<'_> {
    pub(super) fn walk_call(&mut self, call: &ExprCall, position: Position) {
        let path = match &*call.func {
            Expr::Path(p) if p.qself.is_none() => Some(&p.path),
            _ => None,
        };
        if let Some(name) = path.and_then(syn::Path::get_ident) {
            self.call_bound_closure(name);
        }
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
        self.type_of(&call.receiver)
            .is_some_and(|ty| ty.path() == Some("std::thread::Builder"))
    }

    fn judge_call(&mut self, call: &ExprCall, path: &syn::Path, position: Position) {
        if path
            .get_ident()
            .is_some_and(|name| self.is_local(&name.to_string()))
        {
            return; // a closure or fn pointer bound in the body
        }
        let written: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let shown = written.join("::");
        let span = (call.func.span(), call.paren_token.span.close());
        let meaning = self.imports.meaning(path);
        if let Some((Resolved::External(full), certainty)) = &meaning {
            let full = crate::model::types::canonical(&full.clone());
            if let Some(api) = blocking::by_path(&full) {
                if *certainty == Certainty::Certain && position != Position::Awaited {
                    self.report_blocking(span, &shown, &full, api);
                }
                return;
            }
        }
        if self.checks.custom.matches_path(&written) {
            self.report_custom(span, &shown);
            return;
        }
        let crate_fn = match meaning {
            Some((Resolved::Fn(id), _)) => Some(id),
            Some((Resolved::Assoc(key, name), _)) => {
                self.imports.model().and_then(|m| m.assoc_fn(&key, &name))
            }
            _ => None,
        };
        if let Some(id) = crate_fn {
            self.judge_crate_fn(id, span, &format!("{shown}()"));
        }
    }

    fn judge_method(&mut self, call: &ExprMethodCall, position: Position) {
        let name = call.method.to_string();
        let span = (call.method.span(), call.paren_token.span.close());
        let shown = format!(".{name}()");
        if let Some(api) = blocking::by_name(&name, call.args.len()) {
            if position != Position::Awaited {
                self.report_blocking(span, &shown, "", api);
            }
            return;
        }
        let receiver = self.type_of(&call.receiver).map(Ty::deref_pointers);
        if let Some(ty) = receiver.as_ref().and_then(Ty::path) {
            if let Some(api) = blocking::by_typed_method(ty, &name) {
                if position != Position::Awaited {
                    self.report_blocking(span, &shown, &format!("{ty}::{name}"), api);
                }
                return;
            }
        }
        if self.checks.custom.matches_method(receiver.as_ref(), &name) {
            self.report_custom(span, &shown);
            return;
        }
        if let Some(id) = self.crate_method(receiver.as_ref(), &name) {
            self.judge_crate_fn(id, span, &shown);
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
        let chain = Chain {
            call: if full.is_empty() { written } else { full }.to_owned(),
            at: self.at(span.0),
            fix: api.fix,
            next: None,
        };
        self.findings
            .push(Finding::error(Rule::BlockingCall, span, message).with_chain(Rc::new(chain)));
    }

    fn report_custom(&mut self, span: (Span, Span), written: &str) {
        let message = format!(
            "`{written}` is listed as blocking in this attribute's `blocking(..)`\n\
             help: {OFFLOAD}\n\
             note: {ALLOW}"
        );
        let chain = Chain {
            call: written.to_owned(),
            at: self.at(span.0),
            fix: "call its non-blocking counterpart",
            next: None,
        };
        self.findings
            .push(Finding::error(Rule::BlockingCall, span, message).with_chain(Rc::new(chain)));
    }
}
