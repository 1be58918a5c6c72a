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
