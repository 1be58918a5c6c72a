//! The child registry of a scope: each live child's name (for reports) and abort handle, so a
//! scope that stops can abort what is left and say whom it aborted.
//!
//! A slab: a child's entry is reserved before its task exists (so the child always finds it
//! as it ends, and takes its name from it), and its slot is reused once the child is gone;
//! a [`Ticket`] pairs the slot with the child's id, so a late handle never touches the slot's
//! next child.
//!
//! A child that succeeds while no handle of its scope was dropped leaves its entry to its
//! handle, which removes it as it takes the value (or is dropped): the workers children end on
//! then take no lock the spawner takes for every child (that contention was most of what a
//! child cost beyond a `JoinSet` task). A child that failed, or whose handle may be gone,
//! removes its entry as it ends, under the lock, where it learns whether its failure is its
//! handle's or its scope's. Entries of children that ended are skipped by reports and the live
//! tree, and swept whenever the slab has doubled since the last sweep (the one entry nobody
//! removes, left by a child that succeeded just as its handle was dropped, among them). So the
//! memory follows the live children.

use std::borrow::Cow;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use slab::Slab;
use tokio::task::{AbortHandle, Id};
use tokio::time::Instant;

use crate::registry::lock;

/// How many names an "aborted" report lists before it only counts.
const NAMES_LISTED: usize = 10;

/// Entries below which the slab is never swept for the entries of children that ended.
const SWEEP_FROM: usize = 64;

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
    /// Entries at which the slab is next swept for the entries of children that ended (twice
    /// what a sweep leaves, so a child's share of the sweeps stays constant).
    sweep_at: usize,
}

/// The live children of one scope.
pub(crate) struct Children {
    registry: Mutex<Registry>,
    /// Mirrors `Registry::closed`, so a spawn refuses without taking the lock.
    closing: AtomicBool,
    /// Handles dropped while their child ran, whose entries are still listed: while it is zero,
    /// a child that succeeds may leave its entry to its handle.
    dropped_handles: AtomicUsize,
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
                sweep_at: SWEEP_FROM,
            }),
            closing: AtomicBool::new(false),
            dropped_handles: AtomicUsize::new(0),
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
        if reg.live.len() >= reg.sweep_at {
            self.sweep(&mut reg);
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

    /// Forgets the entry `ticket` names, if it is still listed, and says what it was: for a
    /// child that ended (finished, panicked or aborted), or for the handle of a child that left
    /// its entry to it.
    pub(crate) fn remove(&self, ticket: Ticket) -> Option<Ended> {
        let mut reg = lock(&self.registry);
        entry(&mut reg.live, ticket)?;
        let entry = reg.live.remove(ticket.slot as usize);
        // Its abort handle is dropped after the lock is released.
        drop(reg);
        if entry.handle_dropped {
            self.dropped_handles.fetch_sub(1, Ordering::SeqCst);
        }
        Some(Ended {
            name: entry.name,
            handle_dropped: entry.handle_dropped,
        })
    }

    /// A child that succeeded may leave its entry to its handle: no handle of this scope was
    /// dropped while its child ran (or every such child is gone). Read after the child's own
    /// handle could have been dropped: see [`handle_dropped`](Self::handle_dropped).
    pub(crate) fn may_leave_entry(&self) -> bool {
        self.dropped_handles.load(Ordering::SeqCst) == 0
    }

    /// The handle of a child whose task has not finished was dropped: true if the child is
    /// still listed and will now remove its own entry, and report its own failure, as it ends.
    /// False if it already settled (its failure, if any, is in its task's output).
    pub(crate) fn handle_dropped(&self, ticket: Ticket) -> bool {
        // Counted before the entry is marked: a child that succeeds from here on finds the count
        // and removes its entry itself. One that read it before may have left its entry, marked
        // below but never removed by the child: the next sweep takes it, once its task finished.
        self.dropped_handles.fetch_add(1, Ordering::SeqCst);
        let mut reg = lock(&self.registry);
        let marked = entry(&mut reg.live, ticket).is_some_and(|entry| {
            if ended(entry) {
                return false;
            }
            entry.handle_dropped = true;
            true
        });
        if !marked {
            // Ended, and left its entry to this handle: its output holds no failure.
            let gone = entry(&mut reg.live, ticket)
                .is_some()
                .then(|| reg.live.remove(ticket.slot as usize));
            drop(reg);
            drop(gone);
            self.dropped_handles.fetch_sub(1, Ordering::SeqCst);
        }
        marked
    }

    /// Removes the entries of children that ended and left them: to a handle still held (which
    /// then finds its entry gone), or to nobody (a child that succeeded just as its handle was
    /// dropped: the child read no dropped handle, the handle found it still running). So the
    /// slab holds about the live children even while a loop keeps the handles of thousands that
    /// ended: it neither grows with them nor copies them as it grows.
    fn sweep(&self, reg: &mut Registry) {
        let mut orphans = 0;
        reg.live.retain(|_, entry| {
            let gone = ended(entry);
            orphans += usize::from(gone && entry.handle_dropped);
            !gone
        });
        if orphans > 0 {
            self.dropped_handles.fetch_sub(orphans, Ordering::SeqCst);
        }
        reg.sweep_at = (2 * reg.live.len()).max(SWEEP_FROM);
    }

    /// The live children, copied out under the lock (names of `&'static str` are not copied).
    pub(crate) fn infos(&self) -> Vec<ChildInfo> {
        let reg = lock(&self.registry);
        reg.live
            .iter()
            .filter(|(_, e)| !ended(e))
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
        // A child aborted already (its task not yet gone) is not aborted or reported again, nor
        // is one that ended and left its entry to its handle.
        let abortable = |entry: &Entry| entry.abort.is_some() && !ended(entry);
        let names = list(
            reg.live
                .iter()
                .filter(|(_, entry)| abortable(entry))
                .map(|(_, entry)| &*entry.name),
        );
        let handles: Vec<_> = reg
            .live
            .iter_mut()
            .filter(|(_, entry)| abortable(entry))
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

/// The child's task finished: an entry still listed was left by a child that succeeded.
fn ended(entry: &Entry) -> bool {
    entry.abort.as_ref().is_some_and(AbortHandle::is_finished)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A task that runs until `release` fires, and its abort handle.
    fn running(release: tokio::sync::oneshot::Receiver<()>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let _ = release.await;
        })
    }

    #[tokio::test]
    async fn an_entry_nobody_removes_is_swept_and_the_fast_path_comes_back() {
        let children = Children::new();
        assert!(children.may_leave_entry());
        let (release, wait) = tokio::sync::oneshot::channel();
        let task = running(wait);
        let ticket = children.reserve(0, "orphan".into()).expect("open");
        children.attach(ticket, task.abort_handle());
        // The handle is dropped while the child runs: the child must remove its own entry.
        assert!(children.handle_dropped(ticket));
        assert!(!children.may_leave_entry());
        // It succeeds having read no dropped handle (the race): nobody removes its entry.
        release.send(()).expect("running");
        task.await.expect("finished");
        assert_eq!(children.infos().len(), 0, "an ended child is not live");
        // The slab is swept once it has doubled: the orphan goes, and with it the count.
        let mut id = 1;
        while !children.may_leave_entry() {
            assert!(id <= 2 * SWEEP_FROM as u64, "never swept");
            children.reserve(id, "next".into()).expect("open");
            id += 1;
        }
        assert!(
            lock(&children.registry)
                .live
                .iter()
                .all(|(_, e)| e.name == "next")
        );
    }

    #[tokio::test]
    async fn children_that_ended_are_not_aborted_or_named() {
        let children = Children::new();
        let (_keep, wait) = tokio::sync::oneshot::channel();
        let (ended, running) = (tokio::spawn(async {}), running(wait));
        let done = children.reserve(0, "done".into()).expect("open");
        children.attach(done, ended.abort_handle());
        let live = children.reserve(1, "live".into()).expect("open");
        children.attach(live, running.abort_handle());
        while !ended.is_finished() {
            tokio::task::yield_now().await;
        }
        let aborted = children.abort_all();
        assert_eq!((aborted.count, aborted.names.as_str()), (1, "live"));
        assert!(running.await.expect_err("aborted").is_cancelled());
    }
}
