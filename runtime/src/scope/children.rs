//! The child registry of a scope: each live child's name (for reports) and abort handle, so a
//! scope that stops can abort what is left and say whom it aborted.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::task::{AbortHandle, Id};
use tokio::time::Instant;

use crate::registry::lock;

/// How many names an "aborted" report lists before it only counts.
const NAMES_LISTED: usize = 10;

/// A live child: its name for reports, its abort handle once its task exists (taken when it is
/// aborted), for the live tree when it started, and whether its handle was dropped (then the
/// child reports its own failure to the scope).
struct Entry {
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

/// What the registry's lock guards; held briefly, never across an `.await`.
struct Registry {
    live: HashMap<u64, Entry, BuildHasherDefault<IdHasher>>,
    /// Set when the children are being aborted: no new child may start.
    closed: bool,
    /// Children that ended before their entry was added (their spawner had not taken the lock
    /// yet): the spawner finds its id here and adds nothing. Almost always empty.
    gone: Vec<u64>,
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
                live: HashMap::with_hasher(BuildHasherDefault::default()),
                closed: false,
                gone: Vec::new(),
            }),
            closing: AtomicBool::new(false),
        }
    }

    /// True once the children are being aborted: a new child must not start.
    pub(crate) fn is_closing(&self) -> bool {
        self.closing.load(Ordering::Acquire)
    }

    /// Records a started child's name and abort handle, under the lock's one acquisition per
    /// spawn (aborting the child at once if the registry closed meanwhile; adding nothing if it
    /// already ended).
    pub(crate) fn attach(&self, id: u64, name: Cow<'static, str>, abort: AbortHandle) {
        let started = Instant::now();
        let mut reg = lock(&self.registry);
        if let Some(i) = reg.gone.iter().position(|&g| g == id) {
            reg.gone.swap_remove(i);
            return;
        }
        if reg.closed {
            drop(reg);
            abort.abort();
            return;
        }
        let entry = Entry {
            name,
            abort: Some(abort),
            started,
            handle_dropped: false,
        };
        reg.live.insert(id, entry);
    }

    /// A child ended (finished, panicked or aborted): forgets it. Returns true if its handle
    /// was dropped before (then the child's failure is the scope's).
    pub(crate) fn remove(&self, id: u64) -> bool {
        let mut reg = lock(&self.registry);
        if let Some(entry) = reg.live.remove(&id) {
            return entry.handle_dropped;
        }
        if !reg.closed {
            // Ended before its spawner attached it: tell the spawner to add nothing (once
            // closed, the spawner adds nothing anyway). Its handle is not out yet.
            reg.gone.push(id);
        }
        false
    }

    /// A live child's handle was dropped: the child will report its own failure. False if the
    /// child already ended (its failure, if any, is in its task's output).
    pub(crate) fn handle_dropped(&self, id: u64) -> bool {
        let mut reg = lock(&self.registry);
        match reg.live.get_mut(&id) {
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
            .values()
            .map(|e| ChildInfo {
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
                .values()
                .filter(|entry| entry.abort.is_some())
                .map(|entry| &*entry.name),
        );
        let handles: Vec<_> = reg
            .live
            .values_mut()
            .filter_map(|e| e.abort.take())
            .collect();
        let count = handles.len();
        drop(reg);
        for h in handles {
            h.abort();
        }
        Aborted { count, names }
    }
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

/// Hashes the sequential child ids (Fibonacci hashing), so the map needs no random state.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}
