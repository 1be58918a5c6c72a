//! The adapter between the command and the engine's crate model
//! ([`warden_analysis::CrateModel`]): the files of a crate, every fn with a body in its modules
//! with the attributes around it, and the engine run on one fn with the crate in sight.
//!
//! The rest of the command talks to the crate through this module only.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use syn::{Attribute, Block, Item, Signature, TraitItem};
use warden_analysis::model::{FileCache, FnId, Module, ModuleId};
use warden_analysis::{Analysis, Checks, Scope};

/// One source file of a crate.
pub struct SourceFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its text, as read.
    pub text: String,
    /// The module whose top level it is (`crate::a::b`).
    pub module: String,
}

/// A file or module that could not be checked, and why; the rest of the crate still is.
pub struct Problem {
    /// The file, or the file declaring the missing module.
    pub path: PathBuf,
    /// Line and column (1-based) when known.
    pub line_col: Option<(usize, usize)>,
    /// What went wrong.
    pub message: String,
}

/// One module of the crate, with what the walk over its fns needs.
struct ModuleEntry {
    id: ModuleId,
    module: Module,
    /// `crate::a::b`.
    path: String,
    /// Index in [`Crate::files`].
    file: usize,
    /// The attributes of the inline `mod` items from the file's top level down to it.
    containers: Vec<Vec<Attribute>>,
}

/// The modules and files of one crate.
pub struct Crate {
    /// Every file reached from the root through `mod` declarations.
    pub files: Vec<SourceFile>,
    /// Files that could not be read or parsed, modules whose file is missing.
    pub problems: Vec<Problem>,
    modules: Vec<ModuleEntry>,
    model: Option<Rc<warden_analysis::CrateModel>>,
}

/// Which fn, for the engine.
#[derive(Clone, Copy)]
enum Target {
    /// A free fn or a method: the model knows it.
    Fn(FnId),
    /// A trait's default method in this module.
    TraitDefault(ModuleId),
}

/// One fn with a body, with what surrounds it.
pub struct FnSite<'a> {
    /// Index of its file in [`Crate::files`].
    pub file: usize,
    /// The module it is in (`crate::a::b`, inline modules included).
    pub module: &'a str,
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
    target: Target,
}

impl Crate {
    /// Reads the crate whose root file is `root`, skipping the modules of files already in
    /// `seen` (a file reached from two targets is checked once). `base` is the directory that
    /// paths in messages are relative to; `dependencies` the names a path may start with.
    pub fn load(
        root: &Path,
        seen: &mut HashSet<PathBuf>,
        base: &Path,
        dependencies: Vec<String>,
    ) -> Crate {
        let mut krate = Crate {
            files: Vec::new(),
            problems: Vec::new(),
            modules: Vec::new(),
            model: None,
        };
        let Ok(mut model) =
            warden_analysis::CrateModel::with_cache(root, Rc::new(FileCache::new()))
        else {
            krate.problems.push(explain(root));
            return krate;
        };
        model.set_display_base(base);
        model.add_extern_crates(dependencies);
        for id in model.all_modules() {
            krate.add_module(&model, id, seen);
        }
        krate.model = Some(Rc::new(model));
        krate
    }

    fn add_module(
        &mut self,
        model: &warden_analysis::CrateModel,
        id: ModuleId,
        seen: &mut HashSet<PathBuf>,
    ) {
        let module = model.module(id);
        let path = module.file().path.clone();
        let file = if let Some(file) = self.files.iter().position(|f| f.path == path) {
            file
        } else {
            if !seen.insert(path.canonicalize().unwrap_or_else(|_| path.clone())) {
                return;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                self.problems.push(explain(&path));
                return;
            };
            self.files.push(SourceFile {
                path: path.clone(),
                text,
                module: model.module_path(id).join("::"),
            });
            self.files.len() - 1
        };
        self.problems.extend(unloaded_children(model, id, &module));
        self.modules.push(ModuleEntry {
            id,
            path: model.module_path(id).join("::"),
            file,
            containers: inline_containers(model, id),
            module,
        });
    }

    /// Calls `each` on every fn with a body: free fns, methods, trait default methods, in every
    /// module.
    pub fn for_each_fn<'a>(&'a self, mut each: impl FnMut(&FnSite<'a>)) {
        for entry in &self.modules {
            let containers: Vec<&[Attribute]> =
                entry.containers.iter().map(Vec::as_slice).collect();
            let site = |target: Target,
                        containers: Vec<&'a [Attribute]>,
                        owner: Option<String>,
                        attrs: &'a [Attribute],
                        sig: &'a Signature,
                        block: &'a Block| FnSite {
                file: entry.file,
                module: &entry.path,
                name: match owner {
                    Some(owner) => format!("{}::{owner}::{}", entry.path, sig.ident),
                    None => format!("{}::{}", entry.path, sig.ident),
                },
                containers,
                attrs,
                sig,
                block,
                target,
            };
            let fn_at = |item, member| {
                Target::Fn(FnId {
                    module: entry.id,
                    item,
                    member,
                })
            };
            for (index, item) in entry.module.items().iter().enumerate() {
                match item {
                    Item::Fn(f) => {
                        let target = fn_at(index, None);
                        each(&site(
                            target,
                            containers.clone(),
                            None,
                            &f.attrs,
                            &f.sig,
                            &f.block,
                        ));
                    }
                    Item::Impl(imp) => {
                        let mut around = containers.clone();
                        around.push(&imp.attrs);
                        let owner = type_name(&imp.self_ty);
                        for (member, node) in imp.items.iter().enumerate() {
                            if let syn::ImplItem::Fn(f) = node {
                                let s = site(
                                    fn_at(index, Some(member)),
                                    around.clone(),
                                    Some(owner.clone()),
                                    &f.attrs,
                                    &f.sig,
                                    &f.block,
                                );
                                each(&s);
                            }
                        }
                    }
                    Item::Trait(tr) => {
                        let mut around = containers.clone();
                        around.push(&tr.attrs);
                        for member in &tr.items {
                            if let TraitItem::Fn(syn::TraitItemFn {
                                attrs,
                                sig,
                                default: Some(block),
                                ..
                            }) = member
                            {
                                let owner = Some(tr.ident.to_string());
                                let target = Target::TraitDefault(entry.id);
                                each(&site(target, around.clone(), owner, attrs, sig, block));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// The engine on one fn, with the crate around it: exact paths, the types it can see,
    /// the crate's own sync fns followed.
    pub fn analyze(&self, site: &FnSite<'_>, checks: Checks<'_>) -> Option<Analysis> {
        let model = self.model.as_ref()?;
        match site.target {
            Target::Fn(id) => warden_analysis::analyze_crate_fn(model, id, checks),
            Target::TraitDefault(module) => {
                let scope = Scope::in_crate(Rc::clone(model), module, None)
                    .enter_trait()
                    .with_params(site.sig);
                let is_async = site.sig.asyncness.is_some();
                Some(warden_analysis::analyze(
                    site.block, is_async, &scope, checks,
                ))
            }
        }
    }
}

/// The attributes of the inline `mod` items leading to `id` within its file, outermost first.
fn inline_containers(model: &warden_analysis::CrateModel, id: ModuleId) -> Vec<Vec<Attribute>> {
    let mut containers = Vec::new();
    let mut current = id;
    while let Some(parent) = model.parent(current) {
        let parent_module = model.module(parent);
        if parent_module.file().path != model.module(current).file().path {
            break;
        }
        let name = model.module_path(current).pop().unwrap_or_default();
        let attrs = parent_module.items().iter().find_map(|item| match item {
            Item::Mod(m) if m.ident == name && m.content.is_some() => Some(m.attrs.clone()),
            _ => None,
        });
        containers.push(attrs.unwrap_or_default());
        current = parent;
    }
    containers.reverse();
    containers
}

/// A problem for each `mod name;` of `module` that the model could not load.
fn unloaded_children(
    model: &warden_analysis::CrateModel,
    id: ModuleId,
    module: &Module,
) -> Vec<Problem> {
    let children = model.children(id);
    let declaring = &module.file().path;
    module
        .items()
        .iter()
        .filter_map(|item| match item {
            Item::Mod(m) if m.content.is_none() => Some(m),
            _ => None,
        })
        .filter(|m| matches!(children.get(&m.ident.to_string()), Some(None)))
        .map(|m| {
            let name = m.ident.to_string();
            unparsable_candidate(declaring, &name, &m.attrs).unwrap_or_else(|| {
                let start = m.ident.span().start();
                Problem {
                    path: declaring.clone(),
                    line_col: Some((start.line, start.column + 1)),
                    message: format!(
                        "module `{name}` is not checked: its file is missing or unreadable, or it is \
                         declared more than once (under different `#[cfg]`s)"
                    ),
                }
            })
        })
        .collect()
}

/// The syntax error of a module file near `declaring` that does not parse, to say more than
/// "not loaded". Only for the message: the model decides which file a module is.
fn unparsable_candidate(declaring: &Path, name: &str, attrs: &[Attribute]) -> Option<Problem> {
    let dir = declaring.parent()?;
    let stem = declaring.file_stem()?;
    let by_path = attrs.iter().find_map(|attr| match &attr.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(dir.join(s.value())),
            _ => None,
        },
        _ => None,
    });
    by_path
        .into_iter()
        .chain([
            dir.join(format!("{name}.rs")),
            dir.join(name).join("mod.rs"),
            dir.join(stem).join(format!("{name}.rs")),
            dir.join(stem).join(name).join("mod.rs"),
        ])
        .filter(|file| file.is_file())
        .map(|file| explain(&file))
        .find(|problem| problem.line_col.is_some())
}

/// Why `path` cannot be used: unreadable, or the first syntax error with its place.
fn explain(path: &Path) -> Problem {
    match std::fs::read_to_string(path) {
        Err(e) => Problem {
            path: path.to_path_buf(),
            line_col: None,
            message: format!("cannot read `{}`: {e}", path.display()),
        },
        Ok(text) => match syn::parse_file(&text) {
            Err(e) => {
                let start = e.span().start();
                // proc-macro2's lexer names no cause; these are the ones it rejects.
                let cause = match e.to_string().as_str() {
                    "cannot parse string into token stream" => {
                        "a delimiter is not closed or not opened, or a literal or character is not \
                         valid Rust"
                            .to_owned()
                    }
                    other => other.to_owned(),
                };
                Problem {
                    path: path.to_path_buf(),
                    line_col: Some((start.line, start.column + 1)),
                    message: format!("this file does not parse, so it is not checked: {cause}"),
                }
            }
            Ok(_) => Problem {
                path: path.to_path_buf(),
                line_col: None,
                message: "this file could not be loaded, so it is not checked".to_owned(),
            },
        },
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
