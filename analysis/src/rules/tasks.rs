//! R3 and the bounds rules as data: task spawners whose handles must not be dropped, and queue
//! constructors without a capacity.

/// Calls that start a task or thread and return its handle, by canonical path.
pub const SPAWNERS: &[&str] = &[
    "tokio::spawn",
    "tokio::task::spawn",
    "tokio::task::spawn_local",
    "tokio::task::spawn_blocking",
    "std::thread::spawn",
];

/// Spawners that start async tasks on the executor: the ones a loop must not call unbounded.
pub const TASK_SPAWNERS: &[&str] = &[
    "tokio::spawn",
    "tokio::task::spawn",
    "tokio::task::spawn_local",
];

/// Whose handle a task's outcome comes through, which decides the fix a message offers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HandleKind {
    /// Tokio's `JoinHandle`: `.await` yields `Result<T, JoinError>`, the error a panic or abort.
    Tokio,
    /// warden's `ChildHandle`: `.await` yields `Result<T, Failure>`, the child's error or panic.
    Child,
}

/// How the handle comes out of a spawner's call.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HandleFrom {
    /// The call returns it: `tokio::spawn(f)`.
    Call,
    /// The call returns a future of it: `warden::spawn(f).await`.
    Awaited,
    /// The call returns a `Result` of it: `warden::try_spawn(f)?`.
    Unwrapped,
}

/// A call that starts a task and leads to a handle whose `.await` yields the task's outcome.
pub struct HandleSpawner {
    /// The canonical path (also matched as written, for `warden::` paths the resolver leaves).
    pub path: &'static str,
    /// How the handle comes out of the call.
    pub from: HandleFrom,
    /// Which handle it is.
    pub kind: HandleKind,
}

/// The spawners whose awaited handle carries the task's panic or error (R3: it must not be
/// thrown away). `std::thread::spawn` is not here: its handle is joined, not awaited.
pub const HANDLE_SPAWNERS: &[HandleSpawner] = &[
    handle("tokio::spawn", HandleFrom::Call, HandleKind::Tokio),
    handle("tokio::task::spawn", HandleFrom::Call, HandleKind::Tokio),
    handle(
        "tokio::task::spawn_local",
        HandleFrom::Call,
        HandleKind::Tokio,
    ),
    handle(
        "tokio::task::spawn_blocking",
        HandleFrom::Call,
        HandleKind::Tokio,
    ),
    handle("warden::spawn", HandleFrom::Awaited, HandleKind::Child),
    handle(
        "warden::spawn_named",
        HandleFrom::Awaited,
        HandleKind::Child,
    ),
    handle(
        "warden::try_spawn",
        HandleFrom::Unwrapped,
        HandleKind::Child,
    ),
    handle(
        "warden::try_spawn_named",
        HandleFrom::Unwrapped,
        HandleKind::Child,
    ),
    handle(
        "warden_runtime::spawn",
        HandleFrom::Awaited,
        HandleKind::Child,
    ),
    handle(
        "warden_runtime::spawn_named",
        HandleFrom::Awaited,
        HandleKind::Child,
    ),
    handle(
        "warden_runtime::try_spawn",
        HandleFrom::Unwrapped,
        HandleKind::Child,
    ),
    handle(
        "warden_runtime::try_spawn_named",
        HandleFrom::Unwrapped,
        HandleKind::Child,
    ),
];

const fn handle(path: &'static str, from: HandleFrom, kind: HandleKind) -> HandleSpawner {
    HandleSpawner { path, from, kind }
}

/// The handle spawner a canonical or written path names, if any.
pub fn handle_spawner(path: &str) -> Option<&'static HandleSpawner> {
    HANDLE_SPAWNERS.iter().find(|s| s.path == path)
}

/// A queue constructor with no capacity.
pub struct UnboundedQueue {
    /// The trailing segments of the constructor's path.
    pub suffix: &'static str,
    /// How many arguments the unbounded form takes (bounded forms take a capacity).
    pub args: usize,
    /// The bounded counterpart.
    pub fix: &'static str,
}

/// The unbounded queues `#[bounded]` and `#[supervised]` reject.
pub const UNBOUNDED_QUEUES: &[UnboundedQueue] = &[
    queue(
        "unbounded_channel",
        0,
        "`tokio::sync::mpsc::channel(capacity)`",
    ),
    queue(
        "mpsc::unbounded",
        0,
        "`futures::channel::mpsc::channel(capacity)`",
    ),
    queue(
        "std::sync::mpsc::channel",
        0,
        "`tokio::sync::mpsc::channel(capacity)` (or `std::sync::mpsc::sync_channel(capacity)`)",
    ),
    queue(
        "crossbeam_channel::unbounded",
        0,
        "`crossbeam_channel::bounded(capacity)`",
    ),
    queue("flume::unbounded", 0, "`flume::bounded(capacity)`"),
];

const fn queue(suffix: &'static str, args: usize, fix: &'static str) -> UnboundedQueue {
    UnboundedQueue { suffix, args, fix }
}

/// The unbounded queue a call path (written or canonical) with `args` arguments makes, if any.
pub fn unbounded_queue(path: &str, args: usize) -> Option<&'static UnboundedQueue> {
    UNBOUNDED_QUEUES.iter().find(|q| {
        q.args == args && (path == q.suffix || path.ends_with(&format!("::{}", q.suffix)))
    })
}

#[cfg(test)]
mod tests {
    use super::unbounded_queue;

    #[test]
    fn queues_match_on_suffix_and_arity() {
        assert!(unbounded_queue("tokio::sync::mpsc::unbounded_channel", 0).is_some());
        assert!(unbounded_queue("mpsc::unbounded_channel", 0).is_some());
        assert!(unbounded_queue("std::sync::mpsc::channel", 0).is_some());
        assert!(unbounded_queue("tokio::sync::mpsc::channel", 1).is_none());
        assert!(unbounded_queue("flume::bounded", 1).is_none());
        assert!(unbounded_queue("my_unbounded_channel", 0).is_none());
    }
}
