//! Paths through a body, for the guard tracker: which guards are alive where.
//!
//! Each branch (`if`/`else`, `match` arms, a loop's exits) is walked from the same state; after
//! it, a guard is alive if it is alive at the end of any path that gets there (paths ending in
//! `return`, `break`, `continue` or a panic do not). A guard alive on some paths only remembers
//! one path that keeps it, for the error's note. Back edges of loops are not followed: a guard
//! taken in an iteration ends with the iteration's block, and one taken before the loop is alive
//! in every iteration anyway.

use proc_macro2::Span;
use quote::ToTokens;
use syn::visit::Visit;
use syn::{Block, Expr, ExprBreak, ExprIf, ExprMatch, Label};

use super::guards::Guard;
use super::tasks::fixed_count;
use super::{Position, Walker, let_pattern, let_scrutinee};

/// A path through a branch, for the note that says where a guard survives it.
#[derive(Clone)]
pub(super) struct PathNote {
    /// First and last token of what names the path (a condition, an `else`, an arm's pattern).
    pub(super) span: (Span, Span),
    /// Completes "`g` is still alive on the path ...".
    pub(super) which: &'static str,
}

/// A path through a branch as the walk meets it: what names it is only turned into spans (a walk
/// of its tokens) when a guard survives the branch on this path alone.
enum Path<'a> {
    /// From `start` (or the first token of `tokens`) to the last token of `tokens`.
    Lazy {
        start: Option<Span>,
        tokens: &'a dyn ToTokens,
        which: &'static str,
    },
    /// Spans already known (a `break`'s, recorded when the walk passed it).
    Known(PathNote),
}

impl Path<'_> {
    fn note(&self) -> PathNote {
        match self {
            Path::Known(note) => note.clone(),
            Path::Lazy {
                start,
                tokens,
                which,
            } => {
                let stream = tokens.to_token_stream();
                let first = stream.clone().into_iter().next().map(|t| t.span());
                let start = start.or(first).unwrap_or_else(Span::call_site);
                PathNote {
                    span: (start, last_span(*tokens)),
                    which,
                }
            }
        }
    }
}

/// The guards of each open block at one point of the walk, and whether that point is reachable.
#[derive(Clone)]
pub(super) struct State {
    pub(super) blocks: Vec<Vec<Guard>>,
    pub(super) reachable: bool,
}

/// Where a `break` goes: an open loop or labelled block, and the states breaks carry out of it.
struct Exit {
    label: Option<String>,
    is_loop: bool,
    /// How many blocks were open outside it: a `break` ends the guards of deeper ones.
    depth: usize,
    paths: Vec<(State, PathNote)>,
}

/// Live guards along the current path, one tracker per async body.
pub(super) struct Tracker {
    pub(super) state: State,
    exits: Vec<Exit>,
    /// Ids of guards already reported: each guard is reported once, whatever path reaches an
    /// `.await` first.
    pub(super) reported: Vec<u32>,
    next_id: u32,
}

impl Default for Tracker {
    fn default() -> Self {
        Tracker {
            state: State {
                blocks: Vec::new(),
                reachable: true,
            },
            exits: Vec::new(),
            reported: Vec::new(),
            next_id: 0,
        }
    }
}

impl Tracker {
    pub(super) fn enter_block(&mut self) {
        self.state.blocks.push(Vec::new());
    }

    pub(super) fn leave_block(&mut self) {
        self.state.blocks.pop();
    }

    /// A fresh id for a newly taken guard.
    pub(super) fn new_id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    /// Guards alive on the current path, outermost first.
    pub(super) fn live(&self) -> impl DoubleEndedIterator<Item = &Guard> {
        self.state
            .blocks
            .iter()
            .flatten()
            .filter(|g| g.alive && self.state.reachable)
    }

    pub(super) fn push(&mut self, guard: Guard) {
        if let Some(block) = self.state.blocks.last_mut() {
            block.push(guard);
        }
    }

    /// The current path ends here (`return`, `continue`, a panic).
    pub(super) fn diverge(&mut self) {
        self.state.reachable = false;
    }

    /// A `break` (to `label`, or the innermost loop): its state joins the exit's, then the
    /// current path ends.
    fn break_to(&mut self, label: Option<&str>, note: PathNote) {
        let exit = self.exits.iter_mut().rev().find(|e| match label {
            Some(label) => e.label.as_deref() == Some(label),
            None => e.is_loop,
        });
        if let (Some(exit), true) = (exit, self.state.reachable) {
            let mut state = self.state.clone();
            state.blocks.truncate(exit.depth);
            exit.paths.push((state, note));
        }
        self.diverge();
    }
}

/// The state after paths that started from one state (`shape`): a guard is alive where any
/// reachable path leaves it alive; one alive on some paths only keeps the note of one path that
/// keeps it. Paths leave the blocks open at the start as they were, so guards match by position.
fn join(shape: State, paths: Vec<(State, Path<'_>)>) -> State {
    let reachable: Vec<(State, Path<'_>)> =
        paths.into_iter().filter(|(s, _)| s.reachable).collect();
    let Some((first, _)) = reachable.first() else {
        return State {
            reachable: false,
            ..shape
        };
    };
    let mut joined = first.clone();
    for (depth, block) in joined.blocks.iter_mut().enumerate() {
        for (index, guard) in block.iter_mut().enumerate() {
            let mut alive_on = None;
            let mut dead_somewhere = false;
            for (state, note) in &reachable {
                match state.blocks.get(depth).and_then(|b| b.get(index)) {
                    Some(version) if version.id == guard.id && version.alive => {
                        alive_on = alive_on.or(Some((version, note)));
                    }
                    _ => dead_somewhere = true,
                }
            }
            match alive_on {
                None => guard.alive = false,
                Some((version, note)) => {
                    *guard = version.clone();
                    if dead_somewhere && guard.kept.is_none() {
                        guard.kept = Some(note.note());
                    }
                }
            }
        }
    }
    joined
}

impl Walker<'_> {
    /// `if cond { .. } else { .. }`: both arms from the state after the condition.
    pub(super) fn walk_if(&mut self, e: &ExprIf) {
        self.visit_in(Position::Value, &e.cond);
        self.end_moved_in_scrutinee(&e.cond);
        let start = self.guards.state.clone();
        self.with_scrutinee_guard(let_scrutinee(&e.cond), "if let", |w| {
            w.with_bindings(let_pattern(&e.cond), |w| w.visit_block(&e.then_branch));
        });
        let condition = |which| Path::Lazy {
            start: Some(e.if_token.span),
            tokens: &*e.cond,
            which,
        };
        let then = std::mem::replace(&mut self.guards.state, start.clone());
        let otherwise = match &e.else_branch {
            Some((else_token, otherwise)) => {
                self.visit_in(Position::Value, otherwise);
                Path::Lazy {
                    start: None,
                    tokens: else_token,
                    which: "through this `else`",
                }
            }
            None => condition("where this condition is false (the `if` has no `else`)"),
        };
        let other = std::mem::replace(&mut self.guards.state, start.clone());
        let then_path = condition("where this condition holds");
        self.guards.state = join(start, vec![(then, then_path), (other, otherwise)]);
    }

    /// `match x { .. }`: every arm from the state after the scrutinee.
    pub(super) fn walk_match(&mut self, e: &ExprMatch) {
        self.visit_in(Position::Value, &e.expr);
        self.end_moved_in_scrutinee(&e.expr);
        self.with_scrutinee_guard(Some(&e.expr), "match", |w| {
            let start = w.guards.state.clone();
            let mut paths = Vec::new();
            for arm in &e.arms {
                w.guards.state = start.clone();
                w.with_bindings([&arm.pat], |w| {
                    if let Some((_, guard)) = &arm.guard {
                        w.visit_in(Position::Value, guard);
                    }
                    w.visit_in(Position::Value, &arm.body);
                    w.end_moved_guards(&arm.body);
                });
                let path = Path::Lazy {
                    start: None,
                    tokens: &arm.pat,
                    which: "through this arm",
                };
                paths.push((std::mem::replace(&mut w.guards.state, start.clone()), path));
            }
            w.guards.state = join(start, paths);
        });
    }

    /// `while`, `while let`, `for` and `loop`: the body from the state before it, then the join
    /// of the ways out: the condition failing (before or after the body; never for `loop`) and
    /// each `break`.
    pub(super) fn walk_loop(&mut self, expr: &Expr) {
        let (label, body, exits_at_head) = match expr {
            Expr::While(e) => {
                self.visit_in(Position::Value, &e.cond);
                (&e.label, &e.body, true)
            }
            Expr::ForLoop(e) => {
                self.visit_in(Position::Value, &e.expr);
                self.end_moved_in_scrutinee(&e.expr);
                (&e.label, &e.body, true)
            }
            Expr::Loop(e) => (&e.label, &e.body, false),
            _ => return,
        };
        let start = self.guards.state.clone();
        // A `for` over a fixed number of items (`0..3`, `[a, b]`) starts at most that many
        // tasks: only the other loops count as unbounded for R4.
        let unbounded = !matches!(expr, Expr::ForLoop(e) if fixed_count(&e.expr));
        self.loop_depth += usize::from(unbounded);
        self.guards.exits.push(Exit {
            label: label_name(label.as_ref().map(|l| &l.name)),
            is_loop: true,
            depth: start.blocks.len(),
            paths: Vec::new(),
        });
        // Temporaries of a `while let` scrutinee live through the body; those of a `for` loop's
        // iterator expression, through the whole loop.
        let (scrutinee, construct, pattern) = match expr {
            Expr::While(e) => (let_scrutinee(&e.cond), "while let", let_pattern(&e.cond)),
            Expr::ForLoop(e) => (Some(&*e.expr), "for", Some(&*e.pat)),
            _ => (None, "loop", None),
        };
        self.with_scrutinee_guard(scrutinee, construct, |w| {
            w.with_bindings(pattern, |w| w.visit_block(body));
        });
        let exit = self.guards.exits.pop();
        self.loop_depth -= usize::from(unbounded);
        let mut paths = breaks(exit);
        if exits_at_head {
            let path = || Path::Lazy {
                start: Some(loop_start(expr)),
                tokens: head_of(expr),
                which: "that leaves this loop without `break`",
            };
            let end = std::mem::replace(&mut self.guards.state, start.clone());
            paths.push((start.clone(), path()));
            paths.push((end, path()));
        }
        self.guards.state = join(start, paths);
    }

    /// `'label: { .. }`: the end of the block joins the states its `break 'label`s carry out.
    pub(super) fn walk_labelled_block(&mut self, label: &Label, block: &Block) {
        let start = self.guards.state.clone();
        self.guards.exits.push(Exit {
            label: label_name(Some(&label.name)),
            is_loop: false,
            depth: start.blocks.len(),
            paths: Vec::new(),
        });
        self.visit_block(block);
        let mut paths = breaks(self.guards.exits.pop());
        let end = std::mem::replace(&mut self.guards.state, start.clone());
        paths.push((
            end,
            Path::Lazy {
                start: None,
                tokens: &label.name,
                which: "that runs this block to its end",
            },
        ));
        self.guards.state = join(start, paths);
    }

    /// `break`, `break 'label value`.
    pub(super) fn walk_break(&mut self, e: &ExprBreak) {
        if let Some(value) = &e.expr {
            self.visit_in(Position::Value, value);
            self.end_moved_guards(value);
        }
        let last = e.expr.as_deref().map_or_else(
            || {
                e.label
                    .as_ref()
                    .map_or(e.break_token.span, |l| l.ident.span())
            },
            |value| last_span(value),
        );
        let note = PathNote {
            span: (e.break_token.span, last),
            which: "through this `break`",
        };
        self.guards
            .break_to(label_name(e.label.as_ref()).as_deref(), note);
    }
}

/// The paths the `break`s out of a loop or block carried.
fn breaks(exit: Option<Exit>) -> Vec<(State, Path<'static>)> {
    exit.map(|e| e.paths)
        .unwrap_or_default()
        .into_iter()
        .map(|(state, note)| (state, Path::Known(note)))
        .collect()
}

/// The first token of a loop: its label or its keyword.
fn loop_start(expr: &Expr) -> Span {
    let (label, keyword) = match expr {
        Expr::While(e) => (&e.label, e.while_token.span),
        Expr::ForLoop(e) => (&e.label, e.for_token.span),
        Expr::Loop(e) => (&e.label, e.loop_token.span),
        _ => return Span::call_site(),
    };
    label.as_ref().map_or(keyword, |l| l.name.apostrophe)
}

/// A loop's or block's label (`'outer: loop`), or a `break`'s (`break 'outer`), by name.
fn label_name(label: Option<&syn::Lifetime>) -> Option<String> {
    label.map(|l| l.ident.to_string())
}

/// The part of a loop expression before its body: its condition or iterator.
fn head_of(expr: &Expr) -> &dyn ToTokens {
    match expr {
        Expr::While(e) => &*e.cond,
        Expr::ForLoop(e) => &*e.expr,
        _ => expr,
    }
}

/// The span of the last token of `tokens` (a stable proc macro cannot join spans, so a range is
/// shown as its first and last token).
pub(super) fn last_span(tokens: &dyn ToTokens) -> Span {
    tokens
        .to_token_stream()
        .into_iter()
        .last()
        .map_or_else(Span::call_site, |t| t.span())
}
