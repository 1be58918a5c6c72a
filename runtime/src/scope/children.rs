//! The child registry of a scope: each live child's name (for reports) and abort handle, so a
//! scope that stops can abort what is left and say whom it aborted.
//!
//! A slab: a child's entry is reserved before its task exists (so the child always finds it
//! as it ends, and takes its name from it), and its slot is reused once the child is gone;
//! a [`Ticket`] pairs the slot with the child's id, so a late handle never touches the slot's
//! next child. The memory follows the live children.

use std::borrow::Cow;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use slab::Slab;
use tokio::task::{AbortHandle, Id};
use tokio::time::Instant;

use crate::registry::lock;

/// How many names an "aborted" report lists before it only counts.
const NAMES_LISTED: usize = 10;

/// A child's place in the registry: its slot, and its id in its scope (the low 32 bits: a
/// stale ticket would need 2³² later children in the same slot to be taken for another's).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ticket {
    slot: u32,
    id: u32,
}

/// A live child: its name for reports, its abort handle once its task exists (taken when it is
/// aborted), for the live tree when it started, and whether its handle was dropped (then the
/// child reports its own failure to the scope).
struct Entry {
    id: u32,
    name: Cow<'static, str>,
    abort: Option<AbortHandle>,
    started: Instant,
    handle_dropped: bool,
}

/// A live child as the live tree shows it.
pub(crate) struct ChildInfo {
    pub(crate) name: Cow<'static, str>,
    pub(crate) started: Instant,
    pub(crate) task: Option<Id>,
}

/// What a child that ended learns from its entry.
pub(crate) struct Ended {
    pub(crate) name: Cow<'static, str>,
    /// Its handle was dropped first: its failure is the scope's.
    pub(crate) handle_dropped: bool,
}

/// What the registry's lock guards; held briefly, never across an `.await`.
struct Registry {
    live: Slab<Entry>,
    /// Set when the children are being aborted: no new child may start.
    closed: bool,
}

/// The live children of one scope.
pub(crate) struct Children {
    registry: Mutex<Registry>,
    /// Mirrors `Registry::closed`, so a spawn refuses without taking the lock.
    closing: AtomicBool,
}

/// Who was aborted: how many, and the first names.
pub(crate) struct Aborted {
    pub(crate) count: usize,
    pub(crate) names: String,
}

impl Children {
    pub(crate) fn new() -> Self {
        Children {
            registry: Mutex::new(Registry {
                live: Slab::new(),
                closed: false,
            }),
            closing: AtomicBool::new(false),
        }
    }

    /// True once the children are being aborted: a new child must not start.
    pub(crate) fn is_closing(&self) -> bool {
        self.closing.load(Ordering::Acquire)
    }

    /// Reserves the entry of child `id`, about to start; `None` once the registry closed.
    pub(crate) fn reserve(&self, id: u64, name: Cow<'static, str>) -> Option<Ticket> {
        #[allow(clippy::cast_possible_truncation)] // on purpose, see `Ticket`
        let id = id as u32;
        let started = Instant::now();
        let mut reg = lock(&self.registry);
        if reg.closed {
            return None;
        }
        let slot = reg.live.insert(Entry {
            id,
            name,
            abort: None,
            started,
            handle_dropped: false,
        });
        // More live children than `u32::MAX` would not fit in memory.
        let slot = u32::try_from(slot).unwrap_or(u32::MAX);
        Some(Ticket { slot, id })
    }

    /// Records a started child's abort handle, or aborts the child at once if the registry
    /// closed meanwhile (adds nothing if the child already ended).
    pub(crate) fn attach(&self, ticket: Ticket, abort: AbortHandle) {
        let mut reg = lock(&self.registry);
        let closed = reg.closed;
        let Some(entry) = entry(&mut reg.live, ticket) else {
            return;
        };
        if closed {
            drop(reg);
            abort.abort();
            return;
        }
        entry.abort = Some(abort);
    }

    /// A child ended (finished, panicked or aborted): forgets it and says what it was.
    pub(crate) fn remove(&self, ticket: Ticket) -> Option<Ended> {
        let mut reg = lock(&self.registry);
        entry(&mut reg.live, ticket)?;
        let entry = reg.live.remove(ticket.slot as usize);
        Some(Ended {
            name: entry.name,
            handle_dropped: entry.handle_dropped,
        })
    }

    /// A live child's handle was dropped: the child will report its own failure. False if the
    /// child already ended (its failure, if any, is in its task's output).
    pub(crate) fn handle_dropped(&self, ticket: Ticket) -> bool {
        let mut reg = lock(&self.registry);
        match entry(&mut reg.live, ticket) {
            Some(entry) => {
                entry.handle_dropped = true;
                true
            }
            None => false,
        }
    }

    /// The live children, copied out under the lock (names of `&'static str` are not copied).
    pub(crate) fn infos(&self) -> Vec<ChildInfo> {
        let reg = lock(&self.registry);
        reg.live
            .iter()
            .map(|(_, e)| ChildInfo {
                name: e.name.clone(),
                started: e.started,
                task: e.abort.as_ref().map(AbortHandle::id),
            })
            .collect()
    }

    /// Stops new children and aborts the live ones; returns how many and some of their names.
    pub(crate) fn abort_all(&self) -> Aborted {
        let mut reg = lock(&self.registry);
        reg.closed = true;
        self.closing.store(true, Ordering::Release);
        // A child aborted already (its task not yet gone) is not aborted or reported again.
        let names = list(
            reg.live
                .iter()
                .filter(|(_, entry)| entry.abort.is_some())
                .map(|(_, entry)| &*entry.name),
        );
        let handles: Vec<_> = reg
            .live
            .iter_mut()
            .filter_map(|(_, e)| e.abort.take())
            .collect();
        let count = handles.len();
        drop(reg);
        for h in handles {
            h.abort();
        }
        Aborted { count, names }
    }
}

/// The entry `ticket` names, if that child is still listed.
fn entry(live: &mut Slab<Entry>, ticket: Ticket) -> Option<&mut Entry> {
    live.get_mut(ticket.slot as usize)
        .filter(|e| e.id == ticket.id)
}

/// The first names of a report, `, `-separated, with `, ...` when there are more.
pub(super) fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, name) in names.enumerate() {
        if i == NAMES_LISTED {
            out.push_str(", ...");
            break;
        }
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(name);
    }
    out
}
