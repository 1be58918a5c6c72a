//! The adapter between the command and the engine's view of a crate: the files of a crate, every
//! fn with a body in them, and the engine run on one fn with the context in sight.
//!
//! Everything else in the command talks to the crate through this module only, so that the module
//! walk here (interim: `mod` declarations, `#[path]`, file-level `use` items) can give way to the
//! crate model of `warden-analysis` without touching the rest.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use syn::{Attribute, Block, ImplItem, Item, Signature, TraitItem};
use warden_analysis::resolve::Imports;
use warden_analysis::{Analysis, Checks};

/// One source file of a crate.
pub struct SourceFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its text, as read.
    pub text: String,
    /// The module its items are in (`crate::a::b`).
    pub module: String,
    ast: syn::File,
}

/// A file that could not be used, and why; the rest of the crate is still checked.
pub struct Problem {
    /// The file, or the file declaring the missing module.
    pub path: PathBuf,
    /// Line and column (1-based) when known.
    pub line_col: Option<(usize, usize)>,
    /// What went wrong.
    pub message: String,
}

/// The files of one crate, parsed.
#[derive(Default)]
pub struct CrateModel {
    /// Every file reached from the root through `mod` declarations.
    pub files: Vec<SourceFile>,
    /// Files that could not be read or parsed, modules whose file is missing.
    pub problems: Vec<Problem>,
}

/// One fn with a body, with what surrounds it.
pub struct FnSite<'a> {
    /// Index of its file in [`CrateModel::files`].
    pub file: usize,
    /// The module it is in (`crate::a::b`, inline modules included).
    pub module: String,
    /// Its path for people: `crate::a::Server::run`.
    pub name: String,
    /// The attributes of the `impl`, trait and inline `mod` blocks around it, outermost first.
    pub containers: Vec<&'a [Attribute]>,
    /// Its own attributes.
    pub attrs: &'a [Attribute],
    /// Its signature.
    pub sig: &'a Signature,
    /// Its body.
    pub block: &'a Block,
    imports: Imports,
}

impl CrateModel {
    /// Reads the crate whose root file is `root`, skipping files already in `seen` (a file
    /// reached from two targets is checked once).
    pub fn load(root: &Path, seen: &mut HashSet<PathBuf>) -> CrateModel {
        let mut model = CrateModel::default();
        model.load_file(root, "crate".to_owned(), true, seen, None);
        model
    }

    fn load_file(
        &mut self,
        path: &Path,
        module: String,
        owns_dir: bool,
        seen: &mut HashSet<PathBuf>,
        declared_in: Option<&Path>,
    ) {
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if !seen.insert(canonical) {
            return;
        }
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                self.problems.push(Problem {
                    path: declared_in.unwrap_or(path).to_path_buf(),
                    line_col: None,
                    message: format!("cannot read `{}`: {e}", path.display()),
                });
                return;
            }
        };
        let ast = match syn::parse_file(&blank_prelude(&text)) {
            Ok(ast) => ast,
            Err(e) => {
                let start = e.span().start();
                self.problems.push(Problem {
                    path: path.to_path_buf(),
                    line_col: Some((start.line, start.column + 1)),
                    message: format!("cannot parse this file, so it is not checked: {e}"),
                });
                return;
            }
        };
        let dir = child_dir(path, owns_dir);
        let index = self.files.len();
        self.files.push(SourceFile {
            path: path.to_path_buf(),
            text,
            module: module.clone(),
            ast,
        });
        let mut children = Vec::new();
        collect_mod_decls(&self.files[index].ast.items, &dir, &module, &mut children);
        for (child, child_module, owns) in children {
            match child {
                Ok(file) => self.load_file(&file, child_module, owns, seen, Some(path)),
                Err(message) => self.problems.push(Problem {
                    path: path.to_path_buf(),
                    line_col: None,
                    message,
                }),
            }
        }
    }

    /// Calls `each` on every fn with a body: free fns, methods, trait default methods, in every
    /// module.
    pub fn for_each_fn<'a>(&'a self, mut each: impl FnMut(&FnSite<'a>)) {
        for (file, source) in self.files.iter().enumerate() {
            let mut walk = ItemWalk {
                file,
                containers: Vec::new(),
                each: &mut each,
            };
            walk.items(&source.ast.items, &source.module);
        }
    }

    /// The engine on one fn.
    pub fn analyze(&self, site: &FnSite<'_>, checks: Checks<'_>) -> Analysis {
        warden_analysis::analyze(
            site.block,
            site.sig.asyncness.is_some(),
            &site.imports,
            checks,
        )
    }
}

struct ItemWalk<'a, 'e, F> {
    file: usize,
    containers: Vec<&'a [Attribute]>,
    each: &'e mut F,
}

impl<'a, F: FnMut(&FnSite<'a>)> ItemWalk<'a, '_, F> {
    fn items(&mut self, items: &'a [Item], module: &str) {
        let mut imports = Imports::default();
        imports.add_items(items);
        for item in items {
            match item {
                Item::Fn(f) => self.site(module, &imports, None, &f.attrs, &f.sig, &f.block),
                Item::Impl(imp) => {
                    let owner = type_name(&imp.self_ty);
                    self.containers.push(&imp.attrs);
                    for member in &imp.items {
                        if let ImplItem::Fn(f) = member {
                            self.site(module, &imports, Some(&owner), &f.attrs, &f.sig, &f.block);
                        }
                    }
                    self.containers.pop();
                }
                Item::Trait(tr) => {
                    self.containers.push(&tr.attrs);
                    for member in &tr.items {
                        if let TraitItem::Fn(f) = member {
                            if let Some(block) = &f.default {
                                let owner = tr.ident.to_string();
                                self.site(module, &imports, Some(&owner), &f.attrs, &f.sig, block);
                            }
                        }
                    }
                    self.containers.pop();
                }
                Item::Mod(m) => {
                    if let Some((_, inner)) = &m.content {
                        self.containers.push(&m.attrs);
                        self.items(inner, &format!("{module}::{}", m.ident));
                        self.containers.pop();
                    }
                }
                _ => {}
            }
        }
    }

    fn site(
        &mut self,
        module: &str,
        imports: &Imports,
        owner: Option<&str>,
        attrs: &'a [Attribute],
        sig: &'a Signature,
        block: &'a Block,
    ) {
        let name = match owner {
            Some(owner) => format!("{module}::{owner}::{}", sig.ident),
            None => format!("{module}::{}", sig.ident),
        };
        (self.each)(&FnSite {
            file: self.file,
            module: module.to_owned(),
            name,
            containers: self.containers.clone(),
            attrs,
            sig,
            block,
            imports: imports.clone(),
        });
    }
}

/// `Server` for `impl Server`, `impl<T> Trait for Server<T>`.
fn type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .map_or_else(String::new, |s| s.ident.to_string()),
        other => quote::ToTokens::to_token_stream(other).to_string(),
    }
}

/// A module file found (or not) for each `mod name;`, with its module path and whether it owns
/// its directory (`mod.rs`-like).
type ModFile = (Result<PathBuf, String>, String, bool);

/// The files of the `mod name;` items among `items`, inline modules included.
fn collect_mod_decls(items: &[Item], dir: &Path, module: &str, out: &mut Vec<ModFile>) {
    for item in items {
        let Item::Mod(m) = item else { continue };
        let name = m.ident.to_string();
        let child_module = format!("{module}::{name}");
        let path_attr = path_attribute(&m.attrs);
        match &m.content {
            Some((_, inner)) => {
                let inner_dir = match &path_attr {
                    Some(p) => dir.join(p),
                    None => dir.join(&name),
                };
                collect_mod_decls(inner, &inner_dir, &child_module, out);
            }
            None => {
                let found = match path_attr {
                    Some(p) => {
                        let file = dir.join(&p);
                        out.push(if file.is_file() {
                            (Ok(file), child_module, true)
                        } else {
                            (
                                Err(format!(
                                    "module `{name}`: `#[path = \"{p}\"]` names `{}`, which does not exist",
                                    file.display()
                                )),
                                child_module,
                                true,
                            )
                        });
                        continue;
                    }
                    None => [
                        (dir.join(format!("{name}.rs")), false),
                        (dir.join(&name).join("mod.rs"), true),
                    ]
                    .into_iter()
                    .find(|(file, _)| file.is_file()),
                };
                out.push(match found {
                    Some((file, owns)) => (Ok(file), child_module, owns),
                    None => (
                        Err(format!(
                            "module `{name}`: neither `{name}.rs` nor `{name}/mod.rs` exists in `{}`",
                            dir.display()
                        )),
                        child_module,
                        false,
                    ),
                });
            }
        }
    }
}

/// `#[path = ".."]`'s value.
fn path_attribute(attrs: &[Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| match &attr.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// Where the files of a file's child modules are: beside it for `lib.rs`, `main.rs`, `mod.rs`
/// and `#[path]` files, in a directory named after it otherwise.
fn child_dir(path: &Path, owns_dir: bool) -> PathBuf {
    let parent = path.parent().unwrap_or(Path::new("."));
    if owns_dir || path.file_name().is_some_and(|n| n == "mod.rs") {
        parent.to_path_buf()
    } else {
        parent.join(path.file_stem().unwrap_or_default())
    }
}

/// The text with a BOM or `#!` line blanked rather than cut, so byte offsets stay those of the file.
fn blank_prelude(text: &str) -> std::borrow::Cow<'_, str> {
    let bom = text.starts_with('\u{feff}');
    let body = text.trim_start_matches('\u{feff}');
    let shebang = body.starts_with("#!") && !body[2..].trim_start().starts_with('[');
    if !bom && !shebang {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    if bom {
        out.push_str("   ");
    }
    let rest = if shebang {
        let end = body.find('\n').unwrap_or(body.len());
        out.extend(std::iter::repeat_n(' ', end));
        &body[end..]
    } else {
        body
    };
    out.push_str(rest);
    out.into()
}
