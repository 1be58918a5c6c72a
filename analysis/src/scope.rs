//! What the code under analysis can see: the crate around it (when the file is readable) or only
//! the item itself, plus the `use` items of the body and the fn's parameters.
//!
//! With the crate, every path is resolved exactly through the module's items and `use` items.
//! Item-only (an editor's proc-macro server, generated code), a short path means something only
//! when a `use` inside the item says so; nothing is guessed.

use std::rc::Rc;

use syn::{FnArg, Pat, Signature};

use crate::model::types::canonical;
use crate::model::{CrateModel, Location, ModuleId, Ns, Resolved, Ty, TyName};
use crate::resolve::{Certainty, Imports};

/// What the analysed code can see.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// `use` items in sight that the model does not hold: the annotated item's own (item-only)
    /// and the body's.
    imports: Imports,
    krate: Option<InCrate>,
    /// The fn's parameters and their types, where written and resolved.
    params: Vec<(String, Option<Ty>)>,
    /// The type of `self`, when the fn has a receiver and `Self` is known.
    self_value: Option<Ty>,
}

#[derive(Clone, Debug)]
struct InCrate {
    model: Rc<CrateModel>,
    module: ModuleId,
    self_ty: Option<Ty>,
}

impl Scope {
    /// Only the item itself is known: `use` items inside it resolve, nothing else does.
    pub fn item_only() -> Scope {
        Scope::default()
    }

    /// Code in `module` of `model`, inside an `impl` of `self_ty` if given.
    pub fn in_crate(model: Rc<CrateModel>, module: ModuleId, self_ty: Option<Ty>) -> Scope {
        Scope {
            krate: Some(InCrate {
                model,
                module,
                self_ty,
            }),
            ..Scope::default()
        }
    }

    /// Code at `location` (from [`CrateModel::locate`]).
    pub fn at(model: Rc<CrateModel>, location: Location) -> Scope {
        Scope::in_crate(model, location.module, location.self_ty)
    }

    /// The crate model, when the crate is known.
    pub fn model(&self) -> Option<&Rc<CrateModel>> {
        self.krate.as_ref().map(|k| &k.model)
    }

    /// The module, when the crate is known.
    pub fn module(&self) -> Option<ModuleId> {
        self.krate.as_ref().map(|k| k.module)
    }

    /// The type `Self` means here, when known.
    pub fn self_ty(&self) -> Option<&Ty> {
        self.krate.as_ref().and_then(|k| k.self_ty.as_ref())
    }

    /// The scope inside the inline module `m` of this one.
    pub fn enter_mod(&self, m: &syn::ItemMod) -> Scope {
        let mut inner = self.clone();
        match &self.krate {
            Some(k) => {
                inner.krate = k
                    .model
                    .child(k.module, &m.ident.to_string())
                    .map(|module| InCrate {
                        model: Rc::clone(&k.model),
                        module,
                        self_ty: None,
                    });
                if inner.krate.is_none() {
                    // Not in the model (generated, or `#[cfg]`-duplicated): the item alone.
                    inner.imports = Imports::default();
                    if let Some((_, items)) = &m.content {
                        inner.imports.add_items(items);
                    }
                }
            }
            None => {
                if let Some((_, items)) = &m.content {
                    inner.imports.add_items(items);
                }
            }
        }
        inner
    }

    /// The scope inside `impl .. for T` / `impl T`: `Self` is `T`.
    pub fn enter_impl(&self, imp: &syn::ItemImpl) -> Scope {
        let mut inner = self.clone();
        if let Some(k) = &mut inner.krate {
            k.self_ty = k.model.impl_self_type(k.module, imp);
        }
        inner
    }

    /// The scope inside a trait: `Self` is unknown.
    pub fn enter_trait(&self) -> Scope {
        let mut inner = self.clone();
        if let Some(k) = &mut inner.krate {
            k.self_ty = None;
        }
        inner
    }

    /// The scope of a fn's body: its parameters and their types are known.
    pub fn with_params(&self, sig: &Signature) -> Scope {
        let mut inner = self.clone();
        inner.params.clear();
        inner.self_value = None;
        for input in &sig.inputs {
            match input {
                FnArg::Receiver(r) => {
                    let ty = if r.colon_token.is_some() {
                        self.resolve_type(&r.ty)
                    } else {
                        self.self_ty().cloned()
                    };
                    inner.self_value = ty.map(Ty::deref_pointers);
                }
                FnArg::Typed(t) => {
                    let ty = self.resolve_type(&t.ty);
                    for name in pattern_names(&t.pat) {
                        let ty = if matches!(&*t.pat, Pat::Ident(_)) {
                            ty.clone()
                        } else {
                            None
                        };
                        inner.params.push((name, ty));
                    }
                }
            }
        }
        inner
    }

    /// Adds `use` items found in a body.
    pub fn add_use(&mut self, tree: &syn::UseTree) {
        self.imports.add(tree);
    }

    /// The parameters in sight, innermost last.
    pub(crate) fn params(&self) -> &[(String, Option<Ty>)] {
        &self.params
    }

    /// The type of `self`, when known.
    pub(crate) fn self_value(&self) -> Option<&Ty> {
        self.self_value.as_ref()
    }

    /// What a value path (a callee) means, when known.
    pub fn meaning(&self, path: &syn::Path) -> Option<(Resolved, Certainty)> {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let first = segments.first()?;
        let Some(k) = &self.krate else {
            return self
                .imports
                .resolve(path)
                .into_iter()
                .next()
                .map(|(full, certainty)| (Resolved::External(full), certainty));
        };
        if path.leading_colon.is_some() {
            return Some((Resolved::External(segments.join("::")), Certainty::Certain));
        }
        if first == "Self" {
            let Some(TyName::Crate(key)) = k.self_ty.as_ref().map(|t| &t.name) else {
                return None;
            };
            let mut current = Resolved::Type(key.clone());
            for (index, segment) in segments[1..].iter().enumerate() {
                let last = index + 2 == segments.len();
                current = k.model.step(current, segment, Ns::Value, last, 0);
            }
            return known(current);
        }
        let full = match self.imports.binding(first) {
            Some(target) => target.iter().chain(&segments[1..]).cloned().collect(),
            None => segments,
        };
        known(k.model.resolve_segments(k.module, &full, false, Ns::Value))
    }

    /// The external paths a value path may mean, for the rule tables (which list external APIs).
    pub fn resolve(&self, path: &syn::Path) -> Vec<(String, Certainty)> {
        match self.meaning(path) {
            Some((Resolved::External(full), certainty)) => vec![(canonical(&full), certainty)],
            _ => Vec::new(),
        }
    }

    /// The type a written type names, when known.
    pub fn resolve_type(&self, ty: &syn::Type) -> Option<Ty> {
        match &self.krate {
            Some(k) => k.model.resolve_type(k.module, ty, k.self_ty.as_ref()),
            None => item_only_type(&self.imports, ty),
        }
    }
}

/// A resolution that is known, as a certain meaning.
fn known(resolved: Resolved) -> Option<(Resolved, Certainty)> {
    match resolved {
        Resolved::Unknown => None,
        other => Some((other, Certainty::Certain)),
    }
}

/// A type from the item alone: known when written in full or imported inside the item.
fn item_only_type(imports: &Imports, ty: &syn::Type) -> Option<Ty> {
    match ty {
        syn::Type::Reference(r) => item_only_type(imports, &r.elem),
        syn::Type::Paren(p) => item_only_type(imports, &p.elem),
        syn::Type::Path(p) if p.qself.is_none() => {
            let args = match &p.path.segments.last()?.arguments {
                syn::PathArguments::AngleBracketed(a) => a
                    .args
                    .iter()
                    .filter_map(|a| match a {
                        syn::GenericArgument::Type(t) => {
                            Some(item_only_type(imports, t).unwrap_or_else(|| Ty::external("_")))
                        }
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let name = match imports.resolve(&p.path).into_iter().next() {
                Some((full, Certainty::Certain)) => canonical(&full),
                // Not resolvable from the item: kept as written, so it matches no external API,
                // only a type the user names the same way in `blocking(..)`.
                _ => written(&p.path),
            };
            Some(Ty {
                name: TyName::External(name),
                args,
            })
        }
        _ => None,
    }
}

fn written(path: &syn::Path) -> String {
    path.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

/// The names a pattern binds.
pub(crate) fn pattern_names(pat: &Pat) -> Vec<String> {
    let mut names = Vec::new();
    collect_names(pat, &mut names);
    names
}

fn collect_names(pat: &Pat, names: &mut Vec<String>) {
    match pat {
        Pat::Ident(p) => {
            names.push(p.ident.to_string());
            if let Some((_, sub)) = &p.subpat {
                collect_names(sub, names);
            }
        }
        Pat::Type(t) => collect_names(&t.pat, names),
        Pat::Reference(r) => collect_names(&r.pat, names),
        Pat::Paren(p) => collect_names(&p.pat, names),
        Pat::Tuple(t) => t.elems.iter().for_each(|p| collect_names(p, names)),
        Pat::TupleStruct(t) => t.elems.iter().for_each(|p| collect_names(p, names)),
        Pat::Slice(s) => s.elems.iter().for_each(|p| collect_names(p, names)),
        Pat::Or(o) => o.cases.iter().take(1).for_each(|p| collect_names(p, names)),
        Pat::Struct(s) => s.fields.iter().for_each(|f| collect_names(&f.pat, names)),
        _ => {}
    }
}
