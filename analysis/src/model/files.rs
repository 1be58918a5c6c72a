//! Source files read from disk and parsed once, cached by path and modification time.
//!
//! The macros keep one [`FileCache`] per proc-macro process, so a thousand annotated fns in one file
//! cost one parse, and an edited file (rust-analyzer keeps the process alive) is parsed again.
//!
//! Files are parsed with proc-macro2's fallback implementation even inside a proc macro: a parsed
//! tree then outlives the macro call that read it, and its spans carry the line numbers that
//! messages quote. Such spans are for line numbers only; they never go into a macro's output.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::SystemTime;

/// One source file, parsed.
#[derive(Debug)]
pub struct ParsedFile {
    /// The path it was read from.
    pub path: PathBuf,
    /// Its modification time when it was read; `None` for source given as a string.
    pub mtime: Option<SystemTime>,
    /// Its syntax tree, with spans that know their line.
    pub syntax: syn::File,
}

impl ParsedFile {
    /// Parses `source` as the file at `path` (for tests and for source that is not on disk).
    ///
    /// # Errors
    /// The source is not valid Rust syntax for syn.
    pub fn from_source(path: impl Into<PathBuf>, source: &str) -> syn::Result<ParsedFile> {
        Ok(ParsedFile {
            path: path.into(),
            mtime: None,
            syntax: parse_detached(source)?,
        })
    }
}

/// Parses `source` with proc-macro2's fallback implementation, so the tree owns its tokens and
/// its spans answer `start().line` wherever the parse runs.
fn parse_detached(source: &str) -> syn::Result<syn::File> {
    detached(|| syn::parse_file(source))
}

thread_local! {
    /// How many [`detached`] calls are running on this thread.
    static DETACHED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Runs `f` with proc-macro2 in fallback mode. Everything that builds or prints tokens of a
/// parsed file (a span of a whole node, a node printed for a message) must run inside: inside a
/// proc macro, a compiler token stream cannot hold the file's tokens. Calls nest.
pub(crate) fn detached<R>(f: impl FnOnce() -> R) -> R {
    struct Restore;
    impl Drop for Restore {
        fn drop(&mut self) {
            let depth = DETACHED.with(|d| {
                d.set(d.get() - 1);
                d.get()
            });
            if depth == 0 {
                proc_macro2::fallback::unforce();
            }
        }
    }
    let outer = DETACHED.with(|d| {
        d.set(d.get() + 1);
        d.get() - 1
    });
    if outer == 0 {
        proc_macro2::fallback::force();
    }
    let _restore = Restore;
    f()
}

/// Parsed files by path, re-read when their modification time changes.
#[derive(Default, Debug)]
pub struct FileCache {
    files: RefCell<HashMap<PathBuf, Rc<ParsedFile>>>,
    /// Source given as strings (tests, editors' unsaved buffers): never read from disk.
    overlays: RefCell<HashMap<PathBuf, Rc<ParsedFile>>>,
    /// How many files were read and parsed: what the cache exists to keep low.
    parses: std::cell::Cell<usize>,
}

impl FileCache {
    /// An empty cache.
    pub fn new() -> Self {
        FileCache::default()
    }

    /// Serves `path` from `source` instead of the disk: for tests and in-memory crates.
    ///
    /// # Errors
    /// The source does not parse.
    pub fn insert_source(&self, path: impl Into<PathBuf>, source: &str) -> syn::Result<()> {
        let path = path.into();
        let parsed = ParsedFile::from_source(path.clone(), source)?;
        self.overlays.borrow_mut().insert(path, Rc::new(parsed));
        Ok(())
    }

    /// The parsed file at `path`: from the cache when its modification time is unchanged, else
    /// read and parsed again. `None` when it cannot be read or does not parse.
    pub fn get(&self, path: &Path) -> Option<Rc<ParsedFile>> {
        if let Some(file) = self.overlays.borrow().get(path) {
            return Some(Rc::clone(file));
        }
        let mtime = modified(path)?;
        if let Some(file) = self.files.borrow().get(path)
            && file.mtime == Some(mtime)
        {
            return Some(Rc::clone(file));
        }
        let source = std::fs::read_to_string(path).ok()?;
        self.parses.set(self.parses.get() + 1);
        let parsed = Rc::new(ParsedFile {
            path: path.to_owned(),
            mtime: Some(mtime),
            syntax: parse_detached(&source).ok()?,
        });
        self.files
            .borrow_mut()
            .insert(path.to_owned(), Rc::clone(&parsed));
        Some(parsed)
    }

    /// Whether `file` is what the cache would serve for its path now (not edited since).
    pub fn is_current(&self, file: &ParsedFile) -> bool {
        match file.mtime {
            None => true,
            Some(mtime) => modified(&file.path) == Some(mtime),
        }
    }

    /// How many times a file was read from disk and parsed (timing reports and tests).
    pub fn parses(&self) -> usize {
        self.parses.get()
    }

    /// Whether a file exists at `path` (on disk or as an overlay).
    pub fn exists(&self, path: &Path) -> bool {
        self.overlays.borrow().contains_key(path) || path.is_file()
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_parsed_once_until_it_changes() {
        let dir = std::env::temp_dir().join(format!("warden-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("lib.rs");
        std::fs::write(&path, "fn a() {}").unwrap();
        let cache = FileCache::new();
        let first = cache.get(&path).unwrap();
        let again = cache.get(&path).unwrap();
        assert!(
            Rc::ptr_eq(&first, &again),
            "unchanged file is not parsed again"
        );
        // A later modification time means an edit: parse again.
        std::fs::write(&path, "fn a() {} fn b() {}").unwrap();
        let later = SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert!(!cache.is_current(&first));
        let edited = cache.get(&path).unwrap();
        assert_eq!(edited.syntax.items.len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn spans_know_their_lines() {
        let file = ParsedFile::from_source("x.rs", "\n\nfn a() {}").unwrap();
        let syn::Item::Fn(f) = &file.syntax.items[0] else {
            panic!()
        };
        assert_eq!(f.sig.ident.span().start().line, 3);
    }
}
