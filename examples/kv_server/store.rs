//! The store: a map behind a `std::sync::Mutex`, with a cap on the bytes it holds.
//!
//! Each method takes the lock for one map operation and never across an `.await` (there is none
//! here: the methods are sync), so the lock is held for microseconds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// What keys and values may hold at most: a `SET` past it is answered `ERR full`.
pub const STORE_BYTES: usize = 64 << 20;
/// Counted per entry on top of key and value: the map's slot and the value's `Arc` header,
/// roughly, so a million tiny keys cannot slip under the cap.
const ENTRY_OVERHEAD: usize = 64;

/// The key-value map and the bytes it holds.
#[derive(Debug, Default)]
pub struct Store {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<String, Arc<str>>,
    bytes: usize,
}

/// A `SET` refused because the store would grow past [`STORE_BYTES`].
#[derive(Debug)]
pub struct Full;

fn size(key: &str, value: &str) -> usize {
    key.len() + value.len() + ENTRY_OVERHEAD
}

impl Store {
    /// Stores `value` under `key`, unless the store would then hold more than [`STORE_BYTES`].
    ///
    /// # Errors
    /// [`Full`], and nothing changed.
    pub fn set(&self, key: String, value: Arc<str>) -> Result<(), Full> {
        let mut inner = self.lock();
        let freed = inner.map.get(&key).map_or(0, |old| size(&key, old));
        let bytes = inner.bytes - freed + size(&key, &value);
        if bytes > STORE_BYTES {
            return Err(Full);
        }
        inner.bytes = bytes;
        inner.map.insert(key, value);
        Ok(())
    }

    /// The value under `key`: a reference-counted handle, so no copy is made under the lock.
    pub fn get(&self, key: &str) -> Option<Arc<str>> {
        self.lock().map.get(key).cloned()
    }

    /// Removes `key`; true if it was there.
    pub fn remove(&self, key: &str) -> bool {
        let mut inner = self.lock();
        let Some(value) = inner.map.remove(key) else {
            return false;
        };
        inner.bytes -= size(key, &value);
        true
    }

    /// The bytes counted against [`STORE_BYTES`] now.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    /// Every method leaves the map consistent before anything can panic, so a poisoned lock
    /// (a panic elsewhere while it was held) still guards a valid map.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
