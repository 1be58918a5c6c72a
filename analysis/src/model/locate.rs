//! Finding an annotated item in its parsed file: which module it is in, and the `impl` around it.
//!
//! A macro knows the file and line of the item it was given; the same item in the parsed file
//! (matched by kind, name and line) tells its module path, the `use` items in sight and `Self`.

use std::path::{Path, PathBuf};

use proc_macro2::Span;
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
        for item in items.items() {
            if !spans_line(item, line) {
                continue;
            }
            let here = Location {
                module,
                self_ty: None,
            };
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
                    let found = t.items.iter().any(|member| {
                        matches!(member, TraitItem::Fn(f)
                            if *hint == ItemHint::Fn(f.sig.ident.to_string()) && spans_line(member, line))
                    });
                    return found.then_some(here);
                }
                Item::Impl(imp) => {
                    let name = self_type_name(&imp.self_ty);
                    if name.is_some_and(|n| *hint == ItemHint::Impl(n)) {
                        return Some(here);
                    }
                    let found = imp.items.iter().any(|member| {
                        matches!(member, ImplItem::Fn(f)
                            if *hint == ItemHint::Fn(f.sig.ident.to_string()) && spans_line(member, line))
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

/// Whether an item (or `impl`/trait member) covers `line`: from its first attribute or keyword
/// to its closing brace or semicolon. Read off those tokens, not `Spanned::span`, which would
/// print the whole item (a thousand fns in a file would cost a thousand printings of it).
fn spans_line(node: &impl Lines, line: usize) -> bool {
    node.lines()
        .is_some_and(|(first, last)| first <= line && line <= last)
}

/// The first and last line of a node.
trait Lines {
    fn lines(&self) -> Option<(usize, usize)>;
}

fn range(attrs: &[syn::Attribute], first: Span, last: Span) -> (usize, usize) {
    let start = attrs
        .first()
        .map_or(first, |a| a.pound_token.span)
        .start()
        .line;
    (start.min(first.start().line), last.end().line)
}

impl Lines for Item {
    fn lines(&self) -> Option<(usize, usize)> {
        let (attrs, first, last) = match self {
            Item::Fn(f) => (
                &f.attrs,
                f.sig.fn_token.span,
                f.block.brace_token.span.close(),
            ),
            Item::Mod(m) => {
                let last = match (&m.content, &m.semi) {
                    (Some((brace, _)), _) => brace.span.close(),
                    (None, Some(semi)) => semi.span,
                    (None, None) => return None,
                };
                (&m.attrs, m.mod_token.span, last)
            }
            Item::Impl(i) => (&i.attrs, i.impl_token.span, i.brace_token.span.close()),
            Item::Trait(t) => (&t.attrs, t.trait_token.span, t.brace_token.span.close()),
            _ => return None,
        };
        Some(range(attrs, first, last))
    }
}

impl Lines for ImplItem {
    fn lines(&self) -> Option<(usize, usize)> {
        match self {
            ImplItem::Fn(f) => Some(range(
                &f.attrs,
                f.sig.fn_token.span,
                f.block.brace_token.span.close(),
            )),
            _ => None,
        }
    }
}

impl Lines for TraitItem {
    fn lines(&self) -> Option<(usize, usize)> {
        match self {
            TraitItem::Fn(f) => {
                let last = match (&f.default, &f.semi_token) {
                    (Some(block), _) => block.brace_token.span.close(),
                    (None, Some(semi)) => semi.span,
                    (None, None) => return None,
                };
                Some(range(&f.attrs, f.sig.fn_token.span, last))
            }
            _ => None,
        }
    }
}

/// `path` made absolute against the current directory, for comparison.
fn normalize(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map_or_else(|_| path.to_path_buf(), |dir| dir.join(path))
    }
}
