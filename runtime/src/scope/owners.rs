//! Who owns the code that runs: the current scope (see [`current`](super::current)), else the newest running
//! root (so a `warden::spawn` in a plain task is no orphan), else the process-wide global
//! scope; and the guards by which code owns a scope ([`Owner`], the one abandon path), a
//! running root ([`Running`]) and an offloaded closure ([`Offloaded`]).

use std::panic::Location;
use std::sync::{Arc, LazyLock, Mutex, Weak};

use tokio_util::sync::CancellationToken;

use super::{Kind, Limits, Scope};
use crate::config::DEFAULT_MAX_CHILDREN;
use crate::registry::lock;

/// Where children spawned outside any scope go: never cancelled, failures logged.
static GLOBAL: LazyLock<Arc<Scope>> = LazyLock::new(|| {
    let global = Scope::new(
        "warden::global",
        Kind::Global,
        None,
        Limits {
            max_children: DEFAULT_MAX_CHILDREN,
            grace: None,
        },
        Some(CancellationToken::new()),
    );
    crate::tree::list(&global);
    global
});

/// The roots running now, newest last: code outside any scope belongs to the newest.
static ROOTS: Mutex<Vec<Weak<Scope>>> = Mutex::new(Vec::new());

/// The scope of the running code, else the newest running root: who cancels code that runs
/// here.
pub(crate) fn current_or_root() -> Option<Arc<Scope>> {
    Scope::current().or_else(|| lock(&ROOTS).iter().rev().find_map(Weak::upgrade))
}

/// Who owns code running here: the current scope, else the newest running root, else the
/// process-wide global scope (never cancelled, failures logged).
pub(crate) fn owner() -> Arc<Scope> {
    current_or_root().unwrap_or_else(|| Arc::clone(&GLOBAL))
}

/// Owns a running scope: dropped before [`finish`](Self::finish), it cancels the scope and
/// aborts its children, so no child outlives the code that owns it. The one abandon path, for
/// a supervised call and a `Root` alike.
pub(crate) struct Owner(Option<Arc<Scope>>);

impl Owner {
    pub(crate) fn new(scope: Arc<Scope>) -> Self {
        Owner(Some(scope))
    }

    /// The scope, while it runs.
    pub(crate) fn scope(&self) -> &Arc<Scope> {
        match &self.0 {
            Some(scope) => scope,
            None => unreachable!("an Owner holds its scope until finish"),
        }
    }

    /// The scope finished normally: nothing to clean up.
    pub(crate) fn finish(mut self) -> Arc<Scope> {
        match self.0.take() {
            Some(scope) => scope,
            None => unreachable!("an Owner holds its scope until finish"),
        }
    }
}

impl Drop for Owner {
    fn drop(&mut self) {
        if let Some(scope) = self.0.take() {
            scope.abandon();
        }
    }
}

/// A running root's entry in the list of running roots; removed when dropped.
pub(crate) struct Running(Weak<Scope>);

impl Running {
    /// Lists `root` as running until the returned guard drops: meanwhile code outside any
    /// scope belongs to it.
    pub(crate) fn enter(root: &Arc<Scope>) -> Self {
        lock(&ROOTS).push(Arc::downgrade(root));
        Running(Arc::downgrade(root))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        lock(&ROOTS).retain(|root| !root.ptr_eq(&self.0) && root.strong_count() > 0);
    }
}

/// An offloaded closure counted by its tree's root (if any) until it drops.
pub(crate) struct Offloaded(Option<(Arc<Scope>, u64)>);

impl Offloaded {
    /// A closure offloaded at `at` starts under `scope`: the tree's root (if any) counts it
    /// until the returned guard drops (the closure's end, on its thread).
    pub(crate) fn start(scope: &Arc<Scope>, at: &'static Location<'static>) -> Self {
        let root = if scope.kind == Kind::Root {
            Some(Arc::clone(scope))
        } else {
            scope.root.clone()
        };
        Offloaded(root.and_then(|root| {
            let id = root.offloads()?.start(at);
            Some((root, id))
        }))
    }
}

impl Drop for Offloaded {
    fn drop(&mut self) {
        if let Some((root, id)) = self.0.take() {
            if let Some(offloads) = root.offloads() {
                offloads.end(id);
            }
        }
    }
}
