//! Children: tasks owned by the current scope (outside any scope, by the running root). A
//! child returns `()` or a `Result` ([`ChildOutput`]); its failure goes to whoever awaits its
//! handle; if nobody does, to its scope, which cancels itself and returns it.

mod handle;
mod task;

use std::borrow::Cow;
use std::future::Future;
use std::sync::Arc;

use crate::failure::{BoxError, Failure};
use crate::scope::owners::owner;
use crate::scope::{Scope, ensure_runtime};
pub use handle::ChildHandle;
use task::ChildTask;

/// What a child may return: `()` when it has nothing to report, or `Result<T, E>` whose error
/// converts into a [`BoxError`] (it becomes the child's failure). Awaiting the child's
/// [`ChildHandle`] gives `Result<T, Failure>` (`T = ()` for a unit child).
///
/// A block that cannot end (a `loop` without `break`, a final `panic!`) has the output `!`,
/// which is not a child's output: let it end, for instance `while !warden::is_cancelled() { .. }`
/// (a loop that also stops with its scope).
#[diagnostic::on_unimplemented(
    message = "a warden child returns `()` or `Result<T, E>`, not `{Self}`",
    label = "this child's output is `{Self}`",
    note = "return `()` when the child has nothing to report, or a `Result` whose error converts \
            into `Box<dyn Error + Send + Sync>` (any `std::error::Error`, `String`, `&str`, \
            `warden::Failure`); a block that cannot end (`loop` without `break`) is `!`: let it end, \
            e.g. `while !warden::is_cancelled() {{..}}`"
)]
pub trait ChildOutput {
    /// The value of a child that succeeded.
    type Ok;
    /// The child's value, or its error as its failure.
    ///
    /// # Errors
    /// The child's own error, boxed.
    fn into_result(self) -> Result<Self::Ok, BoxError>;
}

impl ChildOutput for () {
    type Ok = ();

    fn into_result(self) -> Result<(), BoxError> {
        Ok(())
    }
}

impl<T, E: Into<BoxError>> ChildOutput for Result<T, E> {
    type Ok = T;

    fn into_result(self) -> Result<T, BoxError> {
        self.map_err(Into::into)
    }
}

/// The value a child of future `F` gives its handle.
type Value<F> = <<F as Future>::Output as ChildOutput>::Ok;

/// Starts `fut` as a child of the current scope, waiting for a free slot if the scope has
/// `max_children` live children.
///
/// Why: the child cannot outlive its scope, and its failure is never lost. Await the returned
/// [`ChildHandle`] to get the child's value or failure yourself; drop it and the scope owns the
/// child (an unowned failure cancels the scope and becomes its result).
///
/// The child returns `()` or a `Result` (see [`ChildOutput`]): `spawn(async { log(x).await })`
/// needs no `Ok(())`.
///
/// Outside any scope (a plain handler, a task of your own) the child belongs to the running
/// [`Root`](crate::Root): cancelled by its shutdown, drained within its grace, named in its
/// report if aborted, counted in its stats. With no `Root` running it joins the process-wide
/// global scope, which is never cancelled and only logs its children's failures: await its
/// handle to wait for it and get its failure. If the scope is cancelled while waiting for a
/// slot, or is aborting its children, the future is not started and the handle resolves to
/// [`Failure::Cancelled`].
///
/// `fut` is boxed until it starts, so the returned future (and the caller's, across its await)
/// is a few hundred bytes whatever `fut`'s size, and a fn may spawn itself.
///
/// # Panics
///
/// Outside a Tokio runtime, with a message that names the fix.
///
/// ```
/// use warden_runtime::{Failure, ScopeConfig, spawn, supervise};
///
/// static CFG: ScopeConfig = ScopeConfig::new("parent");
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let r: Result<(), Failure> = supervise(&CFG, || async {
///     let owned = spawn(async { "42".parse::<u32>() }).await;
///     drop(spawn(async { /* nothing to report */ }).await); // the scope waits for it
///     assert_eq!(owned.await?, 42);
///     Ok(())
/// })
/// .await;
/// assert!(r.is_ok());
/// # }
/// ```
pub fn spawn<F>(fut: F) -> impl Future<Output = ChildHandle<Value<F>>>
where
    F: Future<Output: ChildOutput<Ok: Send + 'static>> + Send + 'static,
{
    spawn_named("child", fut)
}

/// [`spawn`] with a name that failures and logs show.
///
/// Why: "child `fetch-42` of scope `crawl` failed" says which one.
///
/// ```
/// # use warden_runtime::{Failure, ScopeConfig, supervise};
/// # static CFG: ScopeConfig = ScopeConfig::new("crawl");
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let r: Result<(), Failure> = supervise(&CFG, || async {
///     let h = warden_runtime::spawn_named("fetch-42", async { Err::<(), _>("404") }).await;
///     assert_eq!(h.name(), "fetch-42");
///     Ok(())
/// })
/// .await;
/// assert!(matches!(r, Err(Failure::Child { child, .. }) if child == "fetch-42"));
/// # }
/// ```
#[allow(clippy::async_yields_async)] // the handle is a future on purpose: the child's result
pub fn spawn_named<F>(
    name: impl Into<Cow<'static, str>>,
    fut: F,
) -> impl Future<Output = ChildHandle<Value<F>>>
where
    F: Future<Output: ChildOutput<Ok: Send + 'static>> + Send + 'static,
{
    let name = name.into();
    // Boxed while it waits for a slot: held inline, the child would make every caller's future
    // larger by its size (a loop spawning handlers, by the handler's; a fn that spawns itself,
    // infinitely). Never pinned there, so it moves into its task as it starts, and the box is
    // freed: a live child holds no box.
    let fut = Box::new(fut);
    async move {
        let scope = joined("`warden::spawn` of child", &name);
        // A free slot is one compare-and-swap; only a full scope builds the race below.
        let got_slot = scope.capacity.try_take()
            || tokio::select! {
                biased;
                () = scope.capacity.take() => true,
                () = scope.token().cancelled() => false,
            };
        if !got_slot {
            return ChildHandle::refused(scope, name);
        }
        start(scope, name, *fut)
    }
}

/// [`spawn`] without waiting: fails with [`Failure::Overloaded`] when the current scope
/// already has `max_children` live children.
///
/// Why: a server can shed load instead of queueing it.
///
/// ```
/// # use std::time::Duration;
/// # use warden_runtime::{Failure, ScopeConfig, supervise, try_spawn};
/// static ONE: ScopeConfig = ScopeConfig::new("one").max_children(1);
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let r: Result<(), Failure> = supervise(&ONE, || async {
///     let _busy = try_spawn(async {})?;
///     let second = try_spawn(async {});
///     assert!(matches!(second, Err(Failure::Overloaded { limit: 1, .. })));
///     Ok(())
/// })
/// .await;
/// assert!(r.is_ok());
/// # }
/// ```
///
/// # Errors
///
/// [`Failure::Overloaded`] when no slot is free, [`Failure::Cancelled`] when the scope is
/// aborting its children.
///
/// # Panics
///
/// Outside a Tokio runtime, with a message that names the fix.
pub fn try_spawn<F>(fut: F) -> Result<ChildHandle<Value<F>>, Failure>
where
    F: Future<Output: ChildOutput<Ok: Send + 'static>> + Send + 'static,
{
    try_spawn_named("child", fut)
}

/// [`try_spawn`] with a name that failures and logs show.
///
/// # Errors
///
/// As [`try_spawn`].
///
/// # Panics
///
/// Outside a Tokio runtime, with a message that names the fix.
pub fn try_spawn_named<F>(
    name: impl Into<Cow<'static, str>>,
    fut: F,
) -> Result<ChildHandle<Value<F>>, Failure>
where
    F: Future<Output: ChildOutput<Ok: Send + 'static>> + Send + 'static,
{
    let name = name.into();
    let scope = joined("`warden::try_spawn` of child", &name);
    if !scope.capacity.try_take() {
        return Err(Failure::Overloaded {
            name: Cow::Borrowed(scope.name),
            limit: scope.capacity.max(),
        });
    }
    let scope_name = scope.name;
    let handle = start(scope, name, fut);
    if handle.was_refused() {
        return Err(Failure::Cancelled {
            scope: Cow::Borrowed(scope_name),
        });
    }
    Ok(handle)
}

/// The scope a new child joins (see [`owner`]). Outside any scope's code, first checks that a
/// Tokio runtime runs, to panic with a message that names the fix; inside, the scope's driver
/// checked it as the scope started, and the check (a clone of the runtime's handle outside a
/// task, as in `#[tokio::main]`'s body) is not paid per child.
fn joined(what: &str, name: &str) -> Arc<Scope> {
    Scope::current().unwrap_or_else(|| {
        ensure_runtime(what, name);
        owner()
    })
}

/// Registers and starts a child that holds one slot of `scope`.
fn start<F>(scope: Arc<Scope>, name: Cow<'static, str>, fut: F) -> ChildHandle<Value<F>>
where
    F: Future<Output: ChildOutput<Ok: Send + 'static>> + Send + 'static,
{
    // Children and the scope's driver listen to this token: it must exist before they start.
    scope.token();
    let Some(ticket) = scope.enlist(name.clone()) else {
        scope.capacity.free();
        return ChildHandle::refused(scope, name);
    };
    let join = tokio::spawn(ChildTask::new(Arc::clone(&scope), ticket, fut));
    scope.attach(ticket, join.abort_handle());
    ChildHandle::started(scope, ticket, name, join)
}
