//! The file and the crate around the annotated item, as the engine's context.
//!
//! Since Rust 1.88 a proc macro can ask where its input lives (`proc_macro::Span::local_file`,
//! reached through proc-macro2's `span-locations`). The macro reads that file and, from the crate
//! root, the modules a check needs; parsed files and crate models stay in this proc-macro process
//! (one per thread) between calls, keyed by path and modification time, so a thousand annotated
//! fns in one file cost one parse and an edited file is parsed again. Without a file (an editor's
//! proc-macro server, generated code) the item alone is the context.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use syn::Item;
use syn::spanned::Spanned;

use crate::timing::{self, Step};
use warden_analysis::Scope;
use warden_analysis::model::{CrateModel, FileCache, ItemHint, normalize, self_type_name};

mod manifest;

/// What the process keeps between macro calls.
#[derive(Default)]
struct Cache {
    files: Rc<FileCache>,
    /// Crate models by root file.
    models: HashMap<PathBuf, Rc<CrateModel>>,
    /// The crate root each file was found under.
    roots: HashMap<PathBuf, PathBuf>,
}

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
}

/// The context of `item`: the crate around it when its file can be read and the item found in
/// it, else the item alone.
pub(crate) fn scope_for(item: &Item) -> Scope {
    let Some((hint, span)) = hint(item) else {
        return Scope::item_only();
    };
    let Some(file) = span.local_file() else {
        return Scope::item_only();
    };
    scope_at(&normalize(&file), span.start().line, &hint)
}

/// The context of the item `hint` whose name is on `line` of `file` (absolute), from the
/// models and files this process keeps.
fn scope_at(file: &Path, line: usize, hint: &ItemHint) -> Scope {
    if line == 0 {
        return Scope::item_only();
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let Some(model) = timing::step(Step::Model, || cache.model_for(file)) else {
            return Scope::item_only();
        };
        match timing::step(Step::Locate, || model.locate(file, line, hint)) {
            Some(location) => Scope::at(model, location),
            None => Scope::item_only(),
        }
    })
}

/// How many files this process has read and parsed so far.
pub(crate) fn files_parsed() -> usize {
    CACHE.with(|cache| cache.borrow().files.parses())
}

/// What the item is and the span of its name.
fn hint(item: &Item) -> Option<(ItemHint, proc_macro2::Span)> {
    Some(match item {
        Item::Fn(f) => (ItemHint::Fn(f.sig.ident.to_string()), f.sig.ident.span()),
        Item::Mod(m) => (ItemHint::Mod(m.ident.to_string()), m.ident.span()),
        Item::Trait(t) => (ItemHint::Trait(t.ident.to_string()), t.ident.span()),
        Item::Impl(i) => (
            ItemHint::Impl(self_type_name(&i.self_ty)?),
            i.self_ty.span(),
        ),
        _ => return None,
    })
}

impl Cache {
    /// The model of the crate `file` belongs to, current with the files on disk.
    fn model_for(&mut self, file: &Path) -> Option<Rc<CrateModel>> {
        if let Some(root) = self.roots.get(file).cloned()
            && let Some(model) = self.current_model(&root, file)
        {
            return Some(model);
        }
        let manifest = manifest::Manifest::from_env();
        let mut roots: Vec<PathBuf> = manifest
            .iter()
            .flat_map(manifest::Manifest::roots)
            .collect();
        // The file itself first when it is a target's root: no other tree needs reading then.
        roots.sort_by_key(|root| root != file);
        for root in roots {
            let Some(model) = self.current_model(&root, file) else {
                continue;
            };
            if !model.modules_in_file(file).is_empty() {
                self.roots.insert(file.to_owned(), root);
                return Some(model);
            }
        }
        // Not reached from any root Cargo names: the file is its own root, detached from its
        // crate (its `use` items still resolve; `crate::` and `super::` paths do not).
        let model = CrateModel::detached(file, Rc::clone(&self.files)).ok()?;
        let model = Rc::new(Cache::configured(model, manifest.as_ref()));
        self.models.insert(file.to_owned(), Rc::clone(&model));
        self.roots.insert(file.to_owned(), file.to_owned());
        Some(model)
    }

    /// The model rooted at `root`, rebuilt when a file it read has changed since.
    fn current_model(&mut self, root: &Path, file: &Path) -> Option<Rc<CrateModel>> {
        if let Some(model) = self.models.get(root)
            && model.is_current()
        {
            return Some(Rc::clone(model));
        }
        let model = if root == file && self.roots.get(file).is_some_and(|r| r == file) {
            CrateModel::detached(root, Rc::clone(&self.files)).ok()?
        } else {
            CrateModel::with_cache(root, Rc::clone(&self.files)).ok()?
        };
        let manifest = manifest::Manifest::from_env();
        let model = Rc::new(Cache::configured(model, manifest.as_ref()));
        self.models.insert(root.to_owned(), Rc::clone(&model));
        Some(model)
    }

    fn configured(mut model: CrateModel, manifest: Option<&manifest::Manifest>) -> CrateModel {
        if let Some(manifest) = manifest {
            model.set_display_base(&manifest.dir);
            model.add_extern_crates(manifest.dependencies.iter().cloned());
        }
        model
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    /// Each macro call asks for its item's context; the calls of one compilation share one
    /// process, so the file is parsed once for all of them and parsed again only once edited.
    #[test]
    fn macro_calls_on_one_file_share_one_parse() {
        let dir = std::env::temp_dir().join(format!("warden-context-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("lib.rs");
        let fns = 300;
        let mut source = String::from("mod helpers;\n");
        for i in 0..fns {
            writeln!(
                source,
                "pub async fn f{i}() -> usize {{ helpers::load().len() }}"
            )
            .unwrap();
        }
        std::fs::write(&file, &source).unwrap();
        // The name of `f{i}` is on line `i + 2`.
        let call = |i: usize| scope_at(&file, i + 2, &ItemHint::Fn(format!("f{i}")));

        let first = call(0);
        let model = Rc::clone(first.model().expect("the file is read"));
        let parsed = files_parsed();
        for i in 1..fns {
            let scope = call(i);
            let same = scope.model().is_some_and(|m| Rc::ptr_eq(m, &model));
            assert!(same, "call {i} reuses the crate model");
            assert_eq!(scope.module(), first.module());
        }
        assert_eq!(
            files_parsed(),
            parsed,
            "{fns} calls, no parse after the first"
        );

        // An edit (a later modification time) is seen by the next call: one parse, a new model.
        std::fs::write(&file, source + "pub async fn added() {}\n").unwrap();
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        let handle = std::fs::File::options().write(true).open(&file).unwrap();
        handle.set_modified(later).unwrap();
        let edited = scope_at(&file, fns + 2, &ItemHint::Fn("added".into()));
        let rebuilt = edited.model().is_some_and(|m| !Rc::ptr_eq(m, &model));
        assert!(rebuilt, "the edited file gives a new model");
        assert_eq!(
            files_parsed(),
            parsed + 1,
            "only the edited file is parsed again"
        );
        call(7).model().expect("still located after the edit");
        assert_eq!(files_parsed(), parsed + 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
