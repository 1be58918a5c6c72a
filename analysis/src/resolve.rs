//! The `use` items an item carries itself (an annotated `mod`'s, a fn body's): what they make a
//! short name mean when the crate around the item cannot be read. Nothing is guessed: a name no
//! `use` in sight binds means nothing here.

use std::collections::HashMap;

use syn::UseTree;

use crate::rules::blocking::KNOWN_ROOTS;

/// How sure the resolver is that a path means what it returns.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Certainty {
    /// Written in full (`std::fs::read`), imported by a `use` in sight, or resolved through the
    /// crate's modules.
    Certain,
    /// One of several glob imports of other crates may provide it.
    Guessed,
}

/// `prefix` followed by `name`.
fn with(prefix: &[String], name: &syn::Ident) -> Vec<String> {
    let mut path = prefix.to_vec();
    path.push(name.to_string());
    path
}

/// Names brought into scope by `use` items.
#[derive(Clone, Default, Debug)]
pub struct Imports {
    /// Local name → canonical path segments (`nap` → `std::thread::sleep`).
    names: HashMap<String, Vec<String>>,
    /// Prefixes of glob imports (`use std::fs::*` → `std::fs`).
    globs: Vec<Vec<String>>,
}

impl Imports {
    /// Adds a `use` tree's names; later additions shadow earlier ones.
    pub fn add(&mut self, tree: &UseTree) {
        self.add_tree(tree, &mut Vec::new());
    }

    fn add_tree(&mut self, tree: &UseTree, prefix: &mut Vec<String>) {
        match tree {
            UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.add_tree(&p.tree, prefix);
                prefix.pop();
            }
            UseTree::Name(n) if n.ident == "self" => {
                if let Some(module) = prefix.last() {
                    self.bind(module.clone(), prefix.clone());
                }
            }
            UseTree::Name(n) => self.bind(n.ident.to_string(), with(prefix, &n.ident)),
            UseTree::Rename(r) if r.ident == "self" => {
                self.bind(r.rename.to_string(), prefix.clone());
            }
            UseTree::Rename(r) => self.bind(r.rename.to_string(), with(prefix, &r.ident)),
            UseTree::Glob(_) => self.globs.push(prefix.clone()),
            UseTree::Group(g) => {
                for item in &g.items {
                    self.add_tree(item, prefix);
                }
            }
        }
    }

    fn bind(&mut self, local: String, path: Vec<String>) {
        if local != "_" {
            self.names.insert(local, path);
        }
    }

    /// Adds the `use` items among `items` (a module's or a block's).
    pub fn add_items<'a>(&mut self, items: impl IntoIterator<Item = &'a syn::Item>) {
        for item in items {
            if let syn::Item::Use(u) = item {
                self.add(&u.tree);
            }
        }
    }

    /// The target a local name is bound to by a `use` in sight, as written.
    pub fn binding(&self, name: &str) -> Option<&[String]> {
        self.names.get(name).map(Vec::as_slice)
    }

    /// The canonical meanings of a written path, most likely first.
    pub fn resolve(&self, path: &syn::Path) -> Vec<(String, Certainty)> {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let Some(first) = segments.first() else {
            return Vec::new();
        };
        if path.leading_colon.is_some() {
            return vec![(segments.join("::"), Certainty::Certain)];
        }
        if let Some(target) = self.names.get(first) {
            let full: Vec<String> = target.iter().chain(&segments[1..]).cloned().collect();
            return vec![(full.join("::"), Certainty::Certain)];
        }
        if KNOWN_ROOTS.contains(&first.as_str()) {
            return vec![(segments.join("::"), Certainty::Certain)];
        }
        if matches!(first.as_str(), "crate" | "self" | "super" | "Self") {
            return Vec::new();
        }
        let certainty = if self.globs.len() == 1 {
            Certainty::Certain
        } else {
            Certainty::Guessed
        };
        self.globs
            .iter()
            .map(|glob| {
                let full: Vec<String> = glob.iter().chain(&segments).cloned().collect();
                (full.join("::"), certainty)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imports(src: &str) -> Imports {
        let file: syn::File = syn::parse_str(src).unwrap();
        let mut imports = Imports::default();
        imports.add_items(&file.items);
        imports
    }

    fn first(imports: &Imports, path: &str) -> Option<(String, Certainty)> {
        imports
            .resolve(&syn::parse_str(path).unwrap())
            .into_iter()
            .next()
    }

    #[test]
    fn renames_groups_and_globs() {
        let i = imports(
            "use std::thread::sleep as nap; use std::{fs, net::TcpStream}; use std::process::*;",
        );
        assert_eq!(
            first(&i, "nap"),
            Some(("std::thread::sleep".into(), Certainty::Certain))
        );
        assert_eq!(
            first(&i, "fs::read"),
            Some(("std::fs::read".into(), Certainty::Certain))
        );
        assert_eq!(
            first(&i, "TcpStream::connect"),
            Some(("std::net::TcpStream::connect".into(), Certainty::Certain))
        );
        assert_eq!(
            first(&i, "Command::new"),
            Some(("std::process::Command::new".into(), Certainty::Certain))
        );
    }

    #[test]
    fn local_imports_beat_guesses() {
        let i = imports("use tokio::fs; use tokio::time::sleep;");
        assert_eq!(
            first(&i, "fs::read"),
            Some(("tokio::fs::read".into(), Certainty::Certain))
        );
        assert_eq!(
            first(&i, "sleep"),
            Some(("tokio::time::sleep".into(), Certainty::Certain))
        );
    }

    #[test]
    fn nothing_is_guessed() {
        let i = Imports::default();
        assert_eq!(first(&i, "thread::sleep"), None);
        assert_eq!(first(&i, "sleep"), None);
        assert_eq!(first(&i, "crate::fs::read"), None);
        assert_eq!(
            first(&i, "::std::fs::read"),
            Some(("std::fs::read".into(), Certainty::Certain))
        );
    }

    #[test]
    fn self_imports_name_the_module() {
        let i = imports("use std::fs::{self};");
        assert_eq!(
            first(&i, "fs::read"),
            Some(("std::fs::read".into(), Certainty::Certain))
        );
    }
}
