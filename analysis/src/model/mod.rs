//! The crate as context: its module tree, read lazily from the crate root, and the items of each
//! module, so a path in a fn body can be resolved exactly instead of guessed.
//!
//! ```no_run
//! use warden_analysis::model::CrateModel;
//!
//! let model = CrateModel::load("src/lib.rs").expect("readable crate root");
//! let config = model.module_by_path(&["crate", "config"]);
//! ```
//!
//! Modules are loaded when a query needs them: [`CrateModel::load`] parses the root file only;
//! `mod name;` declarations (`#[path]` too) are followed as resolution walks into them. Parsed
//! files come from a [`FileCache`], which a long-lived process (a proc-macro server) shares
//! between models.
//!
//! Over 400 lines on purpose: the model's public queries are one API; loading, resolution,
//! types and locating live in the submodules.

mod files;
mod locate;
mod resolve;
mod tree;
pub(crate) mod types;

use std::cell::{OnceCell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use syn::{ImplItem, Item};

pub(crate) use files::detached;
pub use files::{FileCache, ParsedFile};
pub use locate::{ItemHint, Location, normalize, self_type_name};
pub(crate) use resolve::Ns;
pub use resolve::Resolved;
pub use types::{Ty, TyName};

/// A module of the crate, as an index into its [`CrateModel`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ModuleId(usize);

/// A fn item of the crate: a free fn of a module, or a fn in one of its `impl` blocks.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct FnId {
    /// The module that holds it.
    pub module: ModuleId,
    /// The index of the fn (or of its `impl` block) among the module's items.
    pub item: usize,
    /// For a method: its index among the `impl` block's items.
    pub member: Option<usize>,
}

/// A type (struct, enum, union, alias or trait) defined in the crate: its module and name.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct TypeKey {
    /// The module that defines it.
    pub module: ModuleId,
    /// Its name.
    pub name: String,
}

/// One module: where its items are.
#[derive(Debug)]
struct ModuleData {
    /// `["crate", "config", "inner"]`.
    path: Vec<String>,
    parent: Option<ModuleId>,
    file: Rc<ParsedFile>,
    /// The indices of the inline `mod` items leading from the file's top level to this module.
    inline: Vec<usize>,
    /// Where this module's `mod x;` children have their files.
    child_dir: PathBuf,
    /// Child modules by name, found on first need; `None` where a name is ambiguous (several
    /// `#[cfg]` variants) or its file cannot be read.
    children: OnceCell<HashMap<String, Option<ModuleId>>>,
    /// The module's names, indexed on first need.
    names: OnceCell<Rc<resolve::Names>>,
    /// What its glob imports import from, resolved on first need.
    globs: OnceCell<Vec<Resolved>>,
    /// The lines of its items, indexed on first need (see [`locate`]).
    lines: OnceCell<Rc<[locate::ItemLines]>>,
}

/// A module's items, kept alive with their file.
#[derive(Clone, Debug)]
pub struct Module {
    /// Its id in the model.
    pub id: ModuleId,
    file: Rc<ParsedFile>,
    inline: Vec<usize>,
}

impl Module {
    /// The module's items.
    pub fn items(&self) -> &[Item] {
        items_at(&self.file.syntax.items, &self.inline)
    }

    /// The file the module is written in.
    pub fn file(&self) -> &ParsedFile {
        &self.file
    }
}

fn items_at<'a>(mut items: &'a [Item], inline: &[usize]) -> &'a [Item] {
    for &index in inline {
        match items.get(index) {
            Some(Item::Mod(m)) => match &m.content {
                Some((_, inner)) => items = inner,
                None => return &[],
            },
            _ => return &[],
        }
    }
    items
}

/// The crate: its root file, a lazily built module tree, and the analysis results cached on it.
#[derive(Debug)]
pub struct CrateModel {
    cache: Rc<FileCache>,
    /// Paths in messages are shown relative to this directory (the package's).
    display_base: PathBuf,
    /// The root is a file whose place in its crate is unknown: `crate::` and `super::` paths
    /// cannot be resolved.
    detached: bool,
    modules: RefCell<Vec<Rc<ModuleData>>>,
    /// Every `impl` block of the crate by the type it is for, built on first need.
    impls: OnceCell<HashMap<TypeKey, Vec<(FnId, bool)>>>,
    /// Per fn and `blocking(..)` list: whether it blocks, and through which chain.
    pub(crate) summaries: RefCell<HashMap<(FnId, String), crate::summary::State>>,
    /// How many summaries are being computed, one inside the other.
    pub(crate) summary_depth: std::cell::Cell<usize>,
    /// Names of crates a path may start with (`std`, `tokio`, ...): a glob import of another
    /// crate never shadows them.
    extern_crates: RefCell<HashSet<String>>,
    /// Modules whose glob imports are being resolved, and names being looked up: cycle guards.
    resolving_globs: RefCell<HashSet<ModuleId>>,
    visiting: RefCell<HashSet<(ModuleId, String)>>,
}

impl CrateModel {
    /// Reads and parses the crate root (`src/lib.rs`, `src/main.rs` or a target's path) with a
    /// cache of its own. Other files are read as queries reach them.
    ///
    /// # Errors
    /// The root cannot be read or parsed.
    pub fn load(root_file: impl AsRef<Path>) -> std::io::Result<CrateModel> {
        CrateModel::with_cache(root_file.as_ref(), Rc::new(FileCache::new()))
    }

    /// Like [`CrateModel::load`], sharing `cache` with other models (a proc-macro process keeps
    /// one for all the macro calls it serves).
    ///
    /// # Errors
    /// The root cannot be read or parsed.
    pub fn with_cache(root_file: &Path, cache: Rc<FileCache>) -> std::io::Result<CrateModel> {
        CrateModel::new(root_file, cache, false)
    }

    /// A model whose root is `file`, a module whose place in its crate is unknown (a file the
    /// crate-root search did not reach): its own `use` items and child modules resolve, `crate::`
    /// and `super::` paths do not.
    ///
    /// # Errors
    /// The file cannot be read or parsed.
    pub fn detached(file: &Path, cache: Rc<FileCache>) -> std::io::Result<CrateModel> {
        CrateModel::new(file, cache, true)
    }

    fn new(root_file: &Path, cache: Rc<FileCache>, detached: bool) -> std::io::Result<CrateModel> {
        let file = cache.get(root_file).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("cannot read or parse {}", root_file.display()),
            )
        })?;
        let mod_rs = !detached || tree::is_mod_rs(root_file);
        let root = ModuleData {
            path: vec!["crate".to_owned()],
            parent: None,
            child_dir: tree::child_dir(root_file, mod_rs),
            file,
            inline: Vec::new(),
            children: OnceCell::new(),
            names: OnceCell::new(),
            globs: OnceCell::new(),
            lines: OnceCell::new(),
        };
        let display_base = root_file
            .parent()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Ok(CrateModel {
            cache,
            display_base,
            detached,
            modules: RefCell::new(vec![Rc::new(root)]),
            impls: OnceCell::new(),
            summaries: RefCell::new(HashMap::new()),
            summary_depth: std::cell::Cell::new(0),
            extern_crates: RefCell::new(
                ["std", "core", "alloc", "proc_macro", "test"]
                    .iter()
                    .chain(crate::rules::blocking::KNOWN_ROOTS)
                    .map(|s| (*s).to_owned())
                    .collect(),
            ),
            resolving_globs: RefCell::default(),
            visiting: RefCell::default(),
        })
    }

    /// Adds the names of the crate's dependencies (as written in paths: `serde_json`), so a
    /// glob import of another crate is never taken to provide them.
    pub fn add_extern_crates<I: IntoIterator<Item = String>>(&self, names: I) {
        self.extern_crates.borrow_mut().extend(names);
    }

    pub(crate) fn is_known_crate(&self, name: &str) -> bool {
        self.extern_crates.borrow().contains(name)
    }

    /// Shows file paths in messages relative to `dir` (the package directory).
    pub fn set_display_base(&mut self, dir: impl Into<PathBuf>) {
        self.display_base = dir.into();
    }

    /// `path` as messages show it: relative to the display base when inside it.
    pub fn display_path(&self, path: &Path) -> String {
        path.strip_prefix(&self.display_base)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// The crate root's file.
    pub fn root_file(&self) -> PathBuf {
        self.data(self.root()).file.path.clone()
    }

    /// Whether the root's place in its crate is unknown (see [`CrateModel::detached`]).
    pub fn is_detached(&self) -> bool {
        self.detached
    }

    /// The crate root module.
    pub fn root(&self) -> ModuleId {
        ModuleId(0)
    }

    /// The module's items.
    pub fn module(&self, id: ModuleId) -> Module {
        let data = self.data(id);
        Module {
            id,
            file: Rc::clone(&data.file),
            inline: data.inline.clone(),
        }
    }

    /// The module's path, `["crate", "config"]`.
    pub fn module_path(&self, id: ModuleId) -> Vec<String> {
        self.data(id).path.clone()
    }

    /// The module that holds `id`, `None` for the root.
    pub fn parent(&self, id: ModuleId) -> Option<ModuleId> {
        self.data(id).parent
    }

    /// The module at `path` (`["crate", "a", "b"]`), loading files on the way.
    pub fn module_by_path(&self, path: &[&str]) -> Option<ModuleId> {
        let (first, rest) = path.split_first()?;
        if *first != "crate" {
            return None;
        }
        rest.iter()
            .try_fold(self.root(), |module, name| self.child(module, name))
    }

    /// The child module `name` of `module`, loading its file if needed. `None` when there is
    /// none, or when its declaration is ambiguous (several `#[cfg]` variants) or unreadable.
    pub fn child(&self, module: ModuleId, name: &str) -> Option<ModuleId> {
        let data = self.data(module);
        data.children
            .get_or_init(|| self.load_children(module, &data))
            .get(name)
            .copied()
            .flatten()
    }

    /// Every child module of `module` by name, loading their files.
    pub fn children(&self, module: ModuleId) -> HashMap<String, Option<ModuleId>> {
        let data = self.data(module);
        data.children
            .get_or_init(|| self.load_children(module, &data))
            .clone()
    }

    /// Every module of the crate reachable from the root (loads the whole tree).
    pub fn all_modules(&self) -> Vec<ModuleId> {
        let mut all = vec![self.root()];
        let mut next = 0;
        while next < all.len() {
            let mut children: Vec<ModuleId> =
                self.children(all[next]).into_values().flatten().collect();
            children.sort_by_key(|id| id.0);
            all.extend(children);
            next += 1;
        }
        all
    }

    /// Every fn with a body in `module`: free fns and fns of its `impl` blocks.
    pub fn fns(&self, module: ModuleId) -> Vec<FnId> {
        let mut fns = Vec::new();
        for (item, node) in self.module(module).items().iter().enumerate() {
            match node {
                Item::Fn(_) => fns.push(FnId {
                    module,
                    item,
                    member: None,
                }),
                Item::Impl(imp) => {
                    for (member, node) in imp.items.iter().enumerate() {
                        if matches!(node, ImplItem::Fn(_)) {
                            fns.push(FnId {
                                module,
                                item,
                                member: Some(member),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        fns
    }

    /// The fn's signature, attributes and body.
    pub fn fn_item(&self, id: FnId) -> Option<FnItem> {
        let module = self.module(id.module);
        let node = module.items().get(id.item)?;
        let ok = match (node, id.member) {
            (Item::Fn(_), None) => true,
            (Item::Impl(imp), Some(member)) => {
                matches!(imp.items.get(member), Some(ImplItem::Fn(_)))
            }
            _ => false,
        };
        ok.then_some(FnItem { module, id })
    }

    /// Whether every file this model read is unchanged on disk. A model kept between macro
    /// calls is rebuilt when this turns false.
    pub fn is_current(&self) -> bool {
        self.modules
            .borrow()
            .iter()
            .all(|m| self.cache.is_current(&m.file))
    }

    fn data(&self, id: ModuleId) -> Rc<ModuleData> {
        Rc::clone(&self.modules.borrow()[id.0])
    }

    fn push(&self, data: ModuleData) -> ModuleId {
        let mut modules = self.modules.borrow_mut();
        modules.push(Rc::new(data));
        ModuleId(modules.len() - 1)
    }

    fn load_children(
        &self,
        module: ModuleId,
        data: &ModuleData,
    ) -> HashMap<String, Option<ModuleId>> {
        let mut found: HashMap<String, Option<ModuleId>> = HashMap::new();
        let items = items_at(&data.file.syntax.items, &data.inline);
        let file_dir = data.file.path.parent().unwrap_or(Path::new(""));
        for (index, item) in items.iter().enumerate() {
            let Item::Mod(m) = item else { continue };
            let name = m.ident.to_string();
            let mut path = data.path.clone();
            path.push(name.clone());
            let child = if m.content.is_some() {
                let mut inline = data.inline.clone();
                inline.push(index);
                Some(ModuleData {
                    path,
                    parent: Some(module),
                    file: Rc::clone(&data.file),
                    inline,
                    child_dir: tree::inline_dir(&data.child_dir, &name, &m.attrs),
                    children: OnceCell::new(),
                    names: OnceCell::new(),
                    globs: OnceCell::new(),
                    lines: OnceCell::new(),
                })
            } else {
                tree::module_files(
                    &data.child_dir,
                    file_dir,
                    data.inline.len(),
                    &name,
                    &m.attrs,
                )
                .into_iter()
                .find(|(file, _)| self.cache.exists(file))
                .and_then(|(file, mod_rs)| {
                    let parsed = self.cache.get(&file)?;
                    Some(ModuleData {
                        path,
                        parent: Some(module),
                        child_dir: tree::child_dir(&file, mod_rs),
                        file: parsed,
                        inline: Vec::new(),
                        children: OnceCell::new(),
                        names: OnceCell::new(),
                        globs: OnceCell::new(),
                        lines: OnceCell::new(),
                    })
                })
            };
            let id = child.map(|c| self.push(c));
            match found.get(&name) {
                // Declared twice (`#[cfg(unix)] mod imp; #[cfg(windows)] mod imp;`): which one
                // is compiled is unknown here, so neither is used.
                Some(_) => {
                    found.insert(name, None);
                }
                None => {
                    found.insert(name, id);
                }
            }
        }
        found
    }
}

/// A fn of the crate, kept alive with its file.
#[derive(Clone, Debug)]
pub struct FnItem {
    module: Module,
    /// Its id.
    pub id: FnId,
}

impl FnItem {
    /// Attributes, signature and body.
    pub fn parts(&self) -> (&[syn::Attribute], &syn::Signature, &syn::Block) {
        match (&self.module.items()[self.id.item], self.id.member) {
            (Item::Fn(f), _) => (&f.attrs, &f.sig, &f.block),
            (Item::Impl(imp), Some(member)) => match &imp.items[member] {
                ImplItem::Fn(f) => (&f.attrs, &f.sig, &f.block),
                _ => unreachable!("checked by CrateModel::fn_item"),
            },
            _ => unreachable!("checked by CrateModel::fn_item"),
        }
    }

    /// The `impl` block the fn is in, if it is a method.
    pub fn impl_block(&self) -> Option<&syn::ItemImpl> {
        match (&self.module.items()[self.id.item], self.id.member) {
            (Item::Impl(imp), Some(_)) => Some(imp),
            _ => None,
        }
    }

    /// The file it is written in.
    pub fn file(&self) -> &ParsedFile {
        self.module.file()
    }
}

impl CrateModel {
    /// A crate made of in-memory files, the first being the root: for tests, and for front ends
    /// that hold unsaved source.
    ///
    /// # Errors
    /// A file does not parse.
    pub fn in_memory(files: &[(&str, &str)]) -> syn::Result<CrateModel> {
        let cache = FileCache::new();
        for (path, source) in files {
            cache.insert_source(*path, source)?;
        }
        let root = files.first().map_or("src/lib.rs", |(path, _)| path);
        CrateModel::with_cache(Path::new(root), Rc::new(cache))
            .map_err(|e| syn::Error::new(proc_macro2::Span::call_site(), e))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A crate of in-memory files, the first being the root.
    pub(crate) fn crate_of(files: &[(&str, &str)]) -> CrateModel {
        CrateModel::in_memory(files).expect("test sources parse")
    }

    #[test]
    fn modules_load_lazily_and_follow_path_attributes() {
        let model = crate_of(&[
            (
                "src/lib.rs",
                "mod a; #[path = \"elsewhere/b.rs\"] mod b; mod c { mod d; }",
            ),
            ("src/a.rs", "mod inner;"),
            ("src/a/inner.rs", "fn f() {}"),
            ("src/elsewhere/b.rs", "mod e;"),
            ("src/elsewhere/e.rs", ""),
            ("src/c/d/mod.rs", "fn g() {}"),
        ]);
        assert_eq!(
            model.modules.borrow().len(),
            1,
            "only the root is read at first"
        );
        let inner = model.module_by_path(&["crate", "a", "inner"]).unwrap();
        assert_eq!(model.module(inner).file().path, Path::new("src/a/inner.rs"));
        assert_eq!(model.fns(inner).len(), 1);
        assert!(model.module_by_path(&["crate", "b", "e"]).is_some());
        let d = model.module_by_path(&["crate", "c", "d"]).unwrap();
        assert_eq!(model.module(d).file().path, Path::new("src/c/d/mod.rs"));
        assert_eq!(model.all_modules().len(), 7);
    }

    #[test]
    fn items_are_located_by_name_and_line() {
        let model = crate_of(&[
            ("src/lib.rs", "mod net;"),
            (
                "src/net.rs",
                "struct Conn;\nimpl Conn {\n    async fn read(&self) {}\n}\nmod inner {\n    async fn go() {}\n}",
            ),
        ]);
        let file = Path::new("src/net.rs");
        let at = model.locate(file, 3, &ItemHint::Fn("read".into())).unwrap();
        assert_eq!(model.module_path(at.module), ["crate", "net"]);
        let self_ty = at.self_ty.unwrap();
        assert!(matches!(self_ty.name, TyName::Crate(ref k) if k.name == "Conn"));
        let at = model.locate(file, 6, &ItemHint::Fn("go".into())).unwrap();
        assert_eq!(model.module_path(at.module), ["crate", "net", "inner"]);
        assert!(
            model
                .locate(file, 6, &ItemHint::Fn("other".into()))
                .is_none()
        );
    }
}
