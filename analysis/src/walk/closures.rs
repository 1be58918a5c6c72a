//! Sync closures bound to a name (`let job = move || std::fs::read(&path);`): their code runs
//! where the closure is called, not where it is written. Called by name in the same body
//! (`job()`), what they do is reported there; handed on (`spawn_blocking(job)`,
//! `warden::offload(job)`, any other call), where they run is not known here, so nothing is.

use syn::{Expr, Ident, Local, Pat};

use super::{Position, Walker};
use crate::finding::Finding;

/// What a closure bound to `name` would break, kept until it is called by name.
pub(super) struct Deferred {
    name: Ident,
    findings: Vec<Finding>,
}

impl Walker<'_> {
    /// `let name = || ..;`: walks the closure and keeps what it finds for a call by name.
    /// `false` when `local` binds no sync closure to a plain name.
    pub(super) fn walk_bound_closure(&mut self, local: &Local) -> bool {
        let (Pat::Ident(binding), Some(init)) = (&local.pat, &local.init) else {
            return false;
        };
        let is_sync_closure = matches!(&*init.expr, Expr::Closure(c) if c.asyncness.is_none());
        if !is_sync_closure || binding.subpat.is_some() || init.diverge.is_some() {
            return false;
        }
        let before = self.findings.len();
        self.visit_in(Position::Value, &init.expr);
        let findings = self.findings.split_off(before);
        self.deferred.push(Deferred {
            name: binding.ident.clone(),
            findings,
        });
        true
    }

    /// A `let` binds `names` anew: a closure they named before is out of sight.
    pub(super) fn forget_closures(&mut self, names: &[&Ident]) {
        self.deferred.retain(|d| !names.contains(&&d.name));
    }

    /// `name(..)`: the closure bound to `name`, if any, runs here: what it does is reported.
    pub(super) fn call_bound_closure(&mut self, name: &Ident) {
        if let Some(i) = self.deferred.iter().rposition(|d| d.name == *name) {
            let called = self.deferred.remove(i);
            self.findings.extend(called.findings);
        }
    }
}
