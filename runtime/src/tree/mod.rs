//! The live supervision tree: who owns whom right now, since when, in which state.
//!
//! [`tree`](crate::metrics::tree) takes a snapshot; a [`Root`](crate::Root) logs its own on
//! SIGUSR1 and on [`ShutdownHandle::log_tree`](crate::ShutdownHandle::log_tree), and a scope
//! whose grace period runs out logs what was still running before it aborts it.
//!
//! The scopes are found through the per-thread lists of [`node`]; each knows its parent, and
//! each child task is in its scope's registry with the task's id, so a scope created inside a
//! child task is shown under that task.

mod model;
mod node;
mod signal;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::Id;
use tokio::time::Instant;

use crate::scope::{Kind, Scope};
use crate::snapshot::PollSnapshot;
pub use model::{NodeKind, NodeState, Polls, Tree, TreeNode};
pub(crate) use node::{Node, backoff, list};
pub(crate) use signal::LogOnSignal;

/// A snapshot of every root and scope alive now, with their children.
pub(crate) fn snapshot() -> Tree {
    let scopes = node::live_scopes();
    let forest = Forest::new(&scopes);
    let mut roots: Vec<TreeNode> = (0..scopes.len())
        .filter(|&i| forest.parent[i].is_none())
        .filter(|&i| scopes[i].kind != Kind::Global || !forest.is_bare(i))
        .map(|i| forest.node(i))
        .collect();
    roots.sort_by_key(|n| std::cmp::Reverse(n.age));
    Tree { roots }
}

/// `scope` and what it owns now, or `None` if it was never listed.
pub(crate) fn subtree(scope: &Scope) -> Option<TreeNode> {
    let scopes = node::live_scopes();
    let forest = Forest::new(&scopes);
    let at = scopes
        .iter()
        .position(|s| std::ptr::eq(Arc::as_ptr(s), scope))?;
    Some(forest.node(at))
}

/// Logs `scope`'s subtree at info level, saying `why`.
pub(crate) fn log(scope: &Scope, why: &str) {
    if let Some(tree) = subtree(scope) {
        tracing::info!(scope = scope.name, "warden: live tree ({why}):\n{tree}");
    }
}

/// The scopes of a snapshot, linked: each one's parent, its child scopes, the poll counters.
struct Forest<'a> {
    scopes: &'a [Arc<Scope>],
    parent: Vec<Option<usize>>,
    below: Vec<Vec<usize>>,
    polls: HashMap<&'static str, PollSnapshot>,
    now: Instant,
}

impl<'a> Forest<'a> {
    fn new(scopes: &'a [Arc<Scope>]) -> Self {
        let at: HashMap<*const Scope, usize> = scopes
            .iter()
            .enumerate()
            .map(|(i, s)| (Arc::as_ptr(s), i))
            .collect();
        let parent: Vec<Option<usize>> = scopes
            .iter()
            .map(|s| s.parent().and_then(|p| at.get(&Arc::as_ptr(p)).copied()))
            .collect();
        let mut below = vec![Vec::new(); scopes.len()];
        for (i, p) in parent.iter().enumerate() {
            if let Some(p) = *p {
                below[p].push(i);
            }
        }
        let polls = crate::detect::snapshots()
            .into_iter()
            .map(|p| (p.fn_path, p))
            .collect();
        Forest {
            scopes,
            parent,
            below,
            polls,
            now: Instant::now(),
        }
    }

    /// A scope with no child task and no child scope.
    fn is_bare(&self, i: usize) -> bool {
        self.below[i].is_empty() && self.scopes[i].live() == 0
    }

    fn age(&self, since: Option<Instant>) -> Duration {
        since.map_or(Duration::ZERO, |s| self.now.saturating_duration_since(s))
    }

    /// Scope `i` with its child tasks (each holding the scopes created in it) and the scopes
    /// created in its own body.
    fn node(&self, i: usize) -> TreeNode {
        let scope = &self.scopes[i];
        let cancelling = scope.is_cancelled();
        let mut tasks: Vec<(Option<Id>, TreeNode)> = scope
            .children_info()
            .into_iter()
            .map(|child| {
                let node = TreeNode {
                    name: child.name.into_owned(),
                    kind: NodeKind::Task,
                    state: if cancelling {
                        NodeState::Cancelling
                    } else {
                        NodeState::Running
                    },
                    age: self.age(Some(child.started)),
                    restarts: 0,
                    live_children: 0,
                    polls: None,
                    children: Vec::new(),
                };
                (child.task, node)
            })
            .collect();
        let mut own = Vec::new();
        for &c in &self.below[i] {
            let task = self.scopes[c].node.listed().and_then(|(_, task)| task);
            let home = tasks
                .iter_mut()
                .find(|(id, _)| id.is_some() && *id == task)
                .map(|(_, node)| &mut node.children);
            home.unwrap_or(&mut own).push(self.node(c));
        }
        let mut children: Vec<TreeNode> = own
            .into_iter()
            .chain(tasks.into_iter().map(|t| t.1))
            .collect();
        children.sort_by_key(|n| std::cmp::Reverse(n.age));

        let node = &scope.node;
        let state = if node.is_backing_off() {
            NodeState::Restarting
        } else if node.is_failed() {
            NodeState::Failed
        } else if cancelling {
            NodeState::Cancelling
        } else {
            NodeState::Running
        };
        TreeNode {
            name: scope.name.to_owned(),
            kind: if scope.kind == Kind::Root {
                NodeKind::Root
            } else {
                NodeKind::Scope
            },
            state,
            age: self.age(node.listed().map(|(since, _)| since)),
            restarts: node.restarts(),
            live_children: scope.live(),
            polls: self.polls.get(scope.name).map(|p| Polls {
                polls: p.polls,
                longest: p.longest_poll,
            }),
            children,
        }
    }
}
