//! The snapshot's types and their text form: an indented tree, like `pstree`.

use std::fmt;
use std::time::Duration;

/// A snapshot of the supervision tree: every root (a [`Root`](crate::Root), a supervised call
/// outside any scope, the process-wide scope of unowned spawns) with what it owns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Tree {
    /// The top-level nodes, oldest first.
    pub roots: Vec<TreeNode>,
}

/// One node: a root, a scope (a supervised call) or a child task.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct TreeNode {
    /// A scope's name (its fn's path, or its `name = ".."`); a task's spawn name.
    pub name: String,
    /// What the node is.
    pub kind: NodeKind,
    /// Where it is in its life.
    pub state: NodeState,
    /// How long it has been alive (a scope: since it first suspended).
    pub age: Duration,
    /// For a scope with a restart policy: restarts so far.
    pub restarts: u32,
    /// For a scope: child tasks alive now.
    pub live_children: usize,
    /// For a scope whose fn is watched for slow polls: that fn's counters, over all its calls.
    pub polls: Option<Polls>,
    /// The nodes it owns: a scope's child tasks and the scopes in its body; a task's scopes.
    pub children: Vec<TreeNode>,
}

/// What a [`TreeNode`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum NodeKind {
    /// A [`Root`](crate::Root).
    Root,
    /// A supervised call (or the process-wide scope of spawns outside any scope).
    Scope,
    /// A child task started by `warden::spawn`.
    Task,
}

/// Where a [`TreeNode`] is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum NodeState {
    /// Working.
    Running,
    /// Cancelled (itself, an ancestor, a shutdown): finishing within its grace period.
    Cancelling,
    /// A restart policy's backoff between two attempts.
    Restarting,
    /// It or an unowned child failed: it is finishing with that failure.
    Failed,
}

/// A watched fn's poll counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Polls {
    /// Polls of the fn's bodies so far.
    pub polls: u64,
    /// The longest of them.
    pub longest: Duration,
}

impl Tree {
    /// Every node, depth first.
    pub fn nodes(&self) -> impl Iterator<Item = &TreeNode> {
        self.roots.iter().flat_map(TreeNode::nodes)
    }

    /// The first node (depth first) named `name` or whose name ends with `::name`.
    #[must_use]
    pub fn find(&self, name: &str) -> Option<&TreeNode> {
        self.nodes().find(|n| n.is_named(name))
    }
}

impl TreeNode {
    /// This node and every node under it, depth first.
    pub fn nodes(&self) -> impl Iterator<Item = &TreeNode> {
        let mut stack = vec![self];
        std::iter::from_fn(move || {
            let node = stack.pop()?;
            stack.extend(node.children.iter().rev());
            Some(node)
        })
    }

    /// The first node under this one (depth first, this one first) named like [`Tree::find`].
    #[must_use]
    pub fn find(&self, name: &str) -> Option<&TreeNode> {
        self.nodes().find(|n| n.is_named(name))
    }

    fn is_named(&self, name: &str) -> bool {
        self.name == name
            || self
                .name
                .strip_suffix(name)
                .is_some_and(|rest| rest.ends_with("::"))
    }
}

impl fmt::Display for NodeState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NodeState::Running => "running",
            NodeState::Cancelling => "cancelling",
            NodeState::Restarting => "restarting",
            NodeState::Failed => "failed",
        })
    }
}

/// Children shown under one node; the rest are counted on one line.
const SHOWN: usize = 20;

/// One line per node, indented with `├──`/`└──` like `pstree`; at most 20 children of a node
/// are shown, then a count of the others.
impl fmt::Display for Tree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.roots.is_empty() {
            return writeln!(f, "(no scope alive)");
        }
        for root in &self.roots {
            write!(f, "{root}")?;
        }
        Ok(())
    }
}

/// The node and its subtree, as [`Tree`]'s `Display` shows it.
impl fmt::Display for TreeNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, &mut String::new(), "", "")
    }
}

impl TreeNode {
    fn write(
        &self,
        f: &mut fmt::Formatter<'_>,
        indent: &mut String,
        branch: &str,
        below: &str,
    ) -> fmt::Result {
        write!(f, "{indent}{branch}{}", self.name)?;
        match self.kind {
            NodeKind::Root => write!(f, " (root) {}", self.state)?,
            NodeKind::Scope => write!(f, " {}", self.state)?,
            NodeKind::Task if self.state == NodeState::Running => f.write_str(" (task)")?,
            NodeKind::Task => write!(f, " (task) {}", self.state)?,
        }
        write!(f, " {:.1?}", self.age)?;
        if self.restarts > 0 {
            write!(f, ", {} restarts", self.restarts)?;
        }
        if self.kind != NodeKind::Task {
            let s = if self.live_children == 1 { "" } else { "ren" };
            write!(f, ", {} child{s}", self.live_children)?;
        }
        if let Some(p) = self.polls {
            write!(f, ", {} polls (fn), longest {:.1?}", p.polls, p.longest)?;
        }
        writeln!(f)?;
        let len = indent.len();
        indent.push_str(below);
        let shown = self.children.len().min(SHOWN);
        let hidden = self.children.len() - shown;
        for (i, child) in self.children[..shown].iter().enumerate() {
            let last = i + 1 == shown && hidden == 0;
            let (branch, below) = if last {
                ("└── ", "    ")
            } else {
                ("├── ", "│   ")
            };
            child.write(f, indent, branch, below)?;
        }
        if hidden > 0 {
            writeln!(f, "{indent}└── ... {hidden} more")?;
        }
        indent.truncate(len);
        Ok(())
    }
}
