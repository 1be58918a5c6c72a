//! Finding an annotated item in its parsed file: which module it is in, and the `impl` around it.
//!
//! A macro knows the file and line of the item it was given; the same item in the parsed file
//! (matched by kind, name and line) tells its module path, the `use` items in sight and `Self`.

use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use syn::spanned::Spanned;
use syn::{ImplItem, Item, TraitItem};

use super::types::Ty;
use super::{CrateModel, ModuleId};

/// What the annotated item is, to find it among the items on its line.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ItemHint {
    /// A fn with this name (free, in an `impl`, or a trait's default body).
    Fn(String),
    /// An inline `mod` with this name.
    Mod(String),
    /// An `impl` block whose self type's last segment is this name.
    Impl(String),
    /// A trait with this name.
    Trait(String),
}

/// Where an item sits: its module, and the type of `Self` around it.
#[derive(Clone, Debug)]
pub struct Location {
    /// The module whose items hold it (for a `mod` item, the module around it).
    pub module: ModuleId,
    /// `Self` when it is in an `impl` block of a type the model resolves.
    pub self_ty: Option<Ty>,
}

impl CrateModel {
    /// The modules whose top level is the file `file` (usually one).
    pub fn modules_in_file(&self, file: &Path) -> Vec<ModuleId> {
        let wanted = normalize(file);
        if let Some(expected) = self.expected_module(&wanted) {
            let parts: Vec<&str> = expected.iter().map(String::as_str).collect();
            if let Some(id) = self.module_by_path(&parts)
                && self.top_level_of(id, &wanted)
            {
                return vec![id];
            }
        }
        self.all_modules()
            .into_iter()
            .filter(|&id| self.top_level_of(id, &wanted))
            .collect()
    }

    /// Where the item described by `hint`, whose name is on `line` of `file`, sits. `None` when
    /// the file is not part of this crate's tree, or the item is not among its items (generated
    /// by a macro, nested in a fn body).
    pub fn locate(&self, file: &Path, line: usize, hint: &ItemHint) -> Option<Location> {
        super::files::detached(|| {
            self.modules_in_file(file)
                .into_iter()
                .find_map(|module| self.find_in(module, line, hint))
        })
    }

    fn top_level_of(&self, id: ModuleId, file: &Path) -> bool {
        let data = self.data(id);
        data.inline.is_empty() && normalize(&data.file.path) == file
    }

    /// The module path a file has by the default layout (`src/a/b.rs` → `crate::a::b`).
    fn expected_module(&self, file: &Path) -> Option<Vec<String>> {
        let root = normalize(&self.root_file());
        let base = root.parent()?;
        let relative = file.strip_prefix(base).ok()?;
        let mut path = vec!["crate".to_owned()];
        if relative.as_os_str().is_empty() || file == root {
            return Some(path);
        }
        let mut parts: Vec<String> = relative
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let last = parts.pop()?;
        path.extend(parts);
        match last.strip_suffix(".rs") {
            Some("mod") => {}
            Some(stem) => path.push(stem.to_owned()),
            None => return None,
        }
        Some(path)
    }

    fn find_in(&self, module: ModuleId, line: usize, hint: &ItemHint) -> Option<Location> {
        let items = self.module(module);
        let lines = self.item_lines(module);
        for (item, lines) in items.items().iter().zip(lines.iter()) {
            if !lines.item.contains(&line) {
                continue;
            }
            let here = Location {
                module,
                self_ty: None,
            };
            let member_fn = |name: &syn::Ident| matches!(hint, ItemHint::Fn(n) if name == n);
            match item {
                Item::Fn(f) if *hint == ItemHint::Fn(f.sig.ident.to_string()) => return Some(here),
                Item::Mod(m) if *hint == ItemHint::Mod(m.ident.to_string()) => return Some(here),
                Item::Mod(m) if m.content.is_some() => {
                    let child = self.child(module, &m.ident.to_string())?;
                    return self.find_in(child, line, hint);
                }
                Item::Trait(t) if *hint == ItemHint::Trait(t.ident.to_string()) => {
                    return Some(here);
                }
                Item::Trait(t) => {
                    let found = t.items.iter().zip(&lines.members).any(|(member, range)| {
                        matches!(member, TraitItem::Fn(f)
                            if range.contains(&line) && member_fn(&f.sig.ident))
                    });
                    return found.then_some(here);
                }
                Item::Impl(imp) => {
                    let name = self_type_name(&imp.self_ty);
                    if name.is_some_and(|n| *hint == ItemHint::Impl(n)) {
                        return Some(here);
                    }
                    let found = imp.items.iter().zip(&lines.members).any(|(member, range)| {
                        matches!(member, ImplItem::Fn(f)
                            if range.contains(&line) && member_fn(&f.sig.ident))
                    });
                    return found.then(|| Location {
                        module,
                        self_ty: self.impl_self_type(module, imp),
                    });
                }
                _ => return None,
            }
        }
        None
    }

    /// The lines of the module's items, computed once per module: a node's span is found by
    /// printing the node, too slow to repeat for each of a thousand macro calls on one file.
    fn item_lines(&self, module: ModuleId) -> Rc<[ItemLines]> {
        let data = self.data(module);
        let lines = data.lines.get_or_init(|| {
            super::files::detached(|| {
                self.module(module)
                    .items()
                    .iter()
                    .map(ItemLines::of)
                    .collect()
            })
        });
        Rc::clone(lines)
    }
}

/// The lines an item covers, and those of its members (the items of an `impl` or a trait).
#[derive(Debug)]
pub(crate) struct ItemLines {
    item: RangeInclusive<usize>,
    members: Vec<RangeInclusive<usize>>,
}

impl ItemLines {
    fn of(item: &Item) -> ItemLines {
        let members = match item {
            Item::Impl(imp) => imp.items.iter().map(lines).collect(),
            Item::Trait(t) => t.items.iter().map(lines).collect(),
            _ => Vec::new(),
        };
        ItemLines {
            item: lines(item),
            members,
        }
    }
}

/// The last segment of an `impl` block's self type (`impl<T> Pool<T>` → `Pool`).
pub fn self_type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        syn::Type::Paren(p) => self_type_name(&p.elem),
        syn::Type::Group(g) => self_type_name(&g.elem),
        _ => None,
    }
}

fn lines(node: &impl Spanned) -> RangeInclusive<usize> {
    let span = node.span();
    span.start().line..=span.end().line
}

/// `path` made absolute against the current directory (where Cargo runs the compiler), so
/// that the paths of one file compare equal however they were spelled.
#[must_use]
pub fn normalize(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map_or_else(|_| path.to_path_buf(), |dir| dir.join(path))
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;
    use crate::model::FileCache;

    /// A thousand annotated fns in one file: one parse, and each found by its line.
    #[test]
    fn a_thousand_fns_in_one_file_cost_one_parse() {
        let dir = std::env::temp_dir().join(format!("warden-locate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let root = dir.join("lib.rs");
        let mut source = String::from("struct S;\nimpl S {\n");
        for i in 0..1000 {
            writeln!(source, "    async fn m{i}(&self) {{}}").unwrap();
        }
        source.push_str("}\n");
        for i in 0..1000 {
            writeln!(source, "async fn f{i}() {{}}").unwrap();
        }
        std::fs::write(&root, source).unwrap();
        let cache = Rc::new(FileCache::new());
        let model = CrateModel::with_cache(&root, Rc::clone(&cache)).unwrap();
        for i in 0..1000 {
            let method = model.locate(&root, i + 3, &ItemHint::Fn(format!("m{i}")));
            assert!(method.is_some_and(|at| at.self_ty.is_some()), "m{i}");
            let free = model.locate(&root, i + 1004, &ItemHint::Fn(format!("f{i}")));
            assert!(free.is_some(), "f{i}");
        }
        assert!(model.locate(&root, 5, &ItemHint::Fn("m0".into())).is_none());
        assert_eq!(cache.parses(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
