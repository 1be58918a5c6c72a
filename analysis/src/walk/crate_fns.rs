//! R1 through the crate's own sync fns: a call in async code to a sync fn of the crate whose
//! body blocks (directly, or through further sync fns of the crate) is reported at the call,
//! naming the chain down to the blocking API.
//!
//! A sync fn's summary is computed by walking its body as if it ran on the executor (it does,
//! when async code calls it), counting only the code that runs during the call: not its `async`
//! blocks, not closures it hands to `spawn_blocking` and friends. A fn marked
//! `#[warden::allow_blocking]` blocks on purpose and is meant for the blocking pool: not followed.

use std::fmt::Write as _;
use std::rc::Rc;

use proc_macro2::Span;

use super::{Checks, Context, CustomBlocking, Walker};
use crate::finding::Finding;
use crate::markers;
use crate::model::{CrateModel, FnId, Ty, TyName};
use crate::rules::Rule;
use crate::rules::blocking::ALLOW;
use crate::scope::Scope;
use crate::summary::{Chain, State};

/// How many fns deep a chain is followed (each level is a walk of a fn body on the stack).
const MAX_CHAIN: usize = 48;

/// Whether the sync fn `id` blocks when called, and through which chain. Computed once per fn and
/// `blocking(..)` list; a fn met again while its summary is being computed (a cycle) does not.
pub(crate) fn summarize(
    model: &Rc<CrateModel>,
    id: FnId,
    custom: &CustomBlocking,
) -> Option<Rc<Chain>> {
    let key = (id, custom.key());
    match model.summaries.borrow().get(&key) {
        Some(State::Done(chain)) => return chain.clone(),
        Some(State::InProgress) => return None,
        None => {}
    }
    if model.summary_depth.get() >= MAX_CHAIN {
        return None; // deeper than any chain worth reading: not followed
    }
    model
        .summaries
        .borrow_mut()
        .insert(key.clone(), State::InProgress);
    model.summary_depth.set(model.summary_depth.get() + 1);
    let chain = crate::model::detached(|| compute(model, id, custom));
    model.summary_depth.set(model.summary_depth.get() - 1);
    model
        .summaries
        .borrow_mut()
        .insert(key, State::Done(chain.clone()));
    chain
}

fn compute(model: &Rc<CrateModel>, id: FnId, custom: &CustomBlocking) -> Option<Rc<Chain>> {
    let item = model.fn_item(id)?;
    let (attrs, sig, body) = item.parts();
    if sig.asyncness.is_some() || markers::is_allowed(attrs) {
        return None;
    }
    let self_ty = item
        .impl_block()
        .and_then(|imp| model.impl_self_type(id.module, imp));
    let scope = Scope::in_crate(Rc::clone(model), id.module, self_ty).with_params(sig);
    let checks = Checks {
        blocking: true,
        guards: false,
        spawns: false,
        queues: false,
        custom,
    };
    let file = model.display_path(&item.file().path);
    let mut walker = Walker::new(&scope, checks, Context::Async, Some(file));
    super::collect_uses(body, &mut walker.imports);
    syn::visit::Visit::visit_block(&mut walker, body);
    walker.findings.into_iter().find_map(|f| f.chain)
}

/// `call` (`load()`) at `span`, then `chain`: "`load()` blocks: it calls `std::fs::read`
/// (src/config.rs:14)", with one "which calls" per further fn.
fn describe(call: &str, chain: &Chain) -> String {
    let mut text = format!("`{call}` blocks: it calls `{}` ({})", chain.call, chain.at);
    let mut next = chain.next.as_deref();
    while let Some(link) = next {
        let _ = write!(text, ", which calls `{}` ({})", link.call, link.at);
        next = link.next.as_deref();
    }
    text
}

/// The fix of the blocking API at the end of a chain.
fn last_fix(chain: &Chain) -> &'static str {
    let mut link = chain;
    while let Some(next) = link.next.as_deref() {
        link = next;
    }
    link.fix
}

impl Walker<'_> {
    /// Where a finding at `span` is, for a chain: `src/config.rs:14` (summaries only).
    pub(super) fn at(&self, span: Span) -> String {
        match &self.summary_of {
            Some(file) => format!("{file}:{}", span.start().line),
            None => String::new(),
        }
    }

    /// A call to the crate fn `id`, shown as `shown`: an error when it is sync and blocks.
    pub(super) fn judge_crate_fn(&mut self, id: FnId, span: (Span, Span), shown: &str) {
        let Some(model) = self.imports.model().cloned() else {
            return;
        };
        let Some(chain) = summarize(&model, id, self.checks.custom) else {
            return;
        };
        let message = format!(
            "{}\n\
             help: run it on the blocking pool with `warden::offload(move || ..).await`, or make it async: \
             at the end of the chain, {}\n\
             note: {ALLOW}, or mark the fn `#[warden::allow_blocking]` if it is only ever meant for the blocking pool",
            describe(shown, &chain),
            last_fix(&chain),
        );
        let link = Chain {
            call: shown.to_owned(),
            at: self.at(span.0),
            fix: last_fix(&chain),
            next: Some(chain),
        };
        self.findings
            .push(Finding::error(Rule::BlockingCall, span, message).with_chain(Rc::new(link)));
    }

    /// The crate fn a method call reaches: on `self` in an `impl`, or on a receiver of a crate
    /// type the source shows.
    pub(super) fn crate_method(&self, receiver: Option<&Ty>, name: &str) -> Option<FnId> {
        let TyName::Crate(key) = &receiver?.name else {
            return None;
        };
        self.imports.model()?.assoc_fn(key, name)
    }
}
