//! Types where the source shows them: a written type resolved to the crate's own types or to a
//! canonical external path, struct field types, and the `impl` blocks of each crate type.

use std::collections::HashMap;

use syn::{GenericArgument, ImplItem, Item, PathArguments, Type};

use super::resolve::Resolved;
use super::{CrateModel, FnId, ModuleId, TypeKey};

/// A type, resolved: what methods called on it are.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Ty {
    /// Which type.
    pub name: TyName,
    /// Its generic type arguments, in order (`Receiver<Job>` → `[Job]`).
    pub args: Vec<Ty>,
}

/// The name of a resolved type.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum TyName {
    /// Outside the crate, by canonical path (`std::sync::mpsc::Receiver`).
    External(String),
    /// Defined in the crate.
    Crate(TypeKey),
    /// A tuple; its elements are the arguments.
    Tuple,
}

impl Ty {
    /// An external type with no arguments.
    pub fn external(path: &str) -> Ty {
        Ty {
            name: TyName::External(path.to_owned()),
            args: Vec::new(),
        }
    }

    /// The canonical path when external.
    pub fn path(&self) -> Option<&str> {
        match &self.name {
            TyName::External(path) => Some(path),
            _ => None,
        }
    }

    /// The type a method call on this value reaches through auto-deref of the smart pointers
    /// that do not have the method themselves (`Arc<Receiver<T>>` → `Receiver<T>`).
    pub fn deref_pointers(mut self) -> Ty {
        while matches!(
            self.path(),
            Some(
                "std::sync::Arc"
                    | "std::rc::Rc"
                    | "std::boxed::Box"
                    | "std::sync::LazyLock"
                    | "once_cell::sync::Lazy"
                    | "lazy_static::lazy::Lazy"
            )
        ) && self.args.len() == 1
        {
            self = self.args.swap_remove(0);
        }
        self
    }
}

/// Names of the standard prelude and of `alloc`/`core` paths, as their `std` paths.
pub(crate) fn canonical(path: &str) -> String {
    let prelude = match path {
        "Box" => Some("std::boxed::Box"),
        "Vec" => Some("std::vec::Vec"),
        "String" => Some("std::string::String"),
        "Option" => Some("std::option::Option"),
        "Result" => Some("std::result::Result"),
        "drop" => Some("std::mem::drop"),
        _ => None,
    };
    if let Some(path) = prelude {
        return path.to_owned();
    }
    for alias in ["core::", "alloc::"] {
        if let Some(rest) = path.strip_prefix(alias) {
            return format!("std::{rest}");
        }
    }
    path.to_owned()
}

impl CrateModel {
    /// The type `ty` written in `module` names, with `Self` meaning `self_ty`. References and
    /// parentheses are looked through; `impl Trait`, `dyn Trait`, pointers and the like are
    /// unknown (`None`).
    pub fn resolve_type(&self, module: ModuleId, ty: &Type, self_ty: Option<&Ty>) -> Option<Ty> {
        self.resolve_type_in(module, ty, self_ty, 0)
    }

    fn resolve_type_in(
        &self,
        module: ModuleId,
        ty: &Type,
        self_ty: Option<&Ty>,
        depth: usize,
    ) -> Option<Ty> {
        if depth > 8 {
            return None;
        }
        match ty {
            Type::Reference(r) => self.resolve_type_in(module, &r.elem, self_ty, depth),
            Type::Paren(p) => self.resolve_type_in(module, &p.elem, self_ty, depth),
            Type::Group(g) => self.resolve_type_in(module, &g.elem, self_ty, depth),
            Type::Tuple(t) => Some(Ty {
                name: TyName::Tuple,
                args: t
                    .elems
                    .iter()
                    .map(|e| self.resolve_type_in(module, e, self_ty, depth + 1))
                    .collect::<Option<_>>()?,
            }),
            Type::Path(p) if p.qself.is_none() => {
                if p.path.is_ident("Self") {
                    return self_ty.cloned();
                }
                let args = generic_args(&p.path)
                    .into_iter()
                    .map(|a| {
                        self.resolve_type_in(module, a, self_ty, depth + 1)
                            .unwrap_or_else(|| Ty::external("_"))
                    })
                    .collect();
                match self.resolve_type_path(module, &p.path) {
                    Resolved::External(path) => Some(Ty {
                        name: TyName::External(canonical(&path)),
                        args,
                    }),
                    Resolved::Type(key) => match self.alias(&key) {
                        Some((alias_module, target)) => {
                            self.resolve_type_in(alias_module, &target, self_ty, depth + 1)
                        }
                        None => Some(Ty {
                            name: TyName::Crate(key),
                            args,
                        }),
                    },
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `type Key = Target;`: the target and the module it is written in.
    fn alias(&self, key: &TypeKey) -> Option<(ModuleId, Type)> {
        let module = self.module(key.module);
        module.items().iter().find_map(|item| match item {
            Item::Type(t) if t.ident == key.name && t.generics.params.is_empty() => {
                Some((key.module, (*t.ty).clone()))
            }
            _ => None,
        })
    }

    /// The type of field `field` (a name, or a tuple index) of the struct `key`, resolved where
    /// the struct is defined. A field whose type is a generic parameter is unknown.
    pub fn field_type(&self, key: &TypeKey, field: &str) -> Option<Ty> {
        let module = self.module(key.module);
        let mut structs = module.items().iter().filter_map(|item| match item {
            Item::Struct(s) if s.ident == key.name => Some(s),
            _ => None,
        });
        let def = structs.next()?;
        if structs.next().is_some() {
            return None; // `#[cfg]` variants: which one is compiled is unknown
        }
        let ty = def.fields.iter().enumerate().find_map(|(index, f)| {
            let matches = match &f.ident {
                Some(ident) => ident == field,
                None => index.to_string() == field,
            };
            matches.then_some(&f.ty)
        })?;
        let is_param =
            |p: &syn::TypeParam| matches!(ty, Type::Path(t) if t.path.is_ident(&p.ident));
        if def.generics.type_params().any(is_param) {
            return None; // a field of a generic type: its type depends on the instance
        }
        self.resolve_type(key.module, ty, None)
    }

    /// The type of the `static` or `const` `name` declared in `module`.
    pub fn value_type(&self, module: ModuleId, name: &str) -> Option<Ty> {
        let items = self.module(module);
        let mut types = items.items().iter().filter_map(|item| match item {
            Item::Static(s) if s.ident == name => Some(&*s.ty),
            Item::Const(c) if c.ident == name => Some(&*c.ty),
            _ => None,
        });
        let ty = types.next()?;
        if types.next().is_some() {
            return None;
        }
        self.resolve_type(module, ty, None)
    }

    /// The fn `name` in the `impl` blocks of `key`: the inherent one if there is exactly one,
    /// else the only trait impl's. `None` when there is none or the choice is ambiguous.
    pub fn assoc_fn(&self, key: &TypeKey, name: &str) -> Option<FnId> {
        let impls = self.impls.get_or_init(|| self.index_impls());
        let named: Vec<(FnId, bool)> = impls
            .get(key)?
            .iter()
            .copied()
            .filter(|(id, _)| self.fn_item(*id).is_some_and(|f| f.parts().1.ident == name))
            .collect();
        let inherent: Vec<FnId> = named
            .iter()
            .filter(|(_, i)| *i)
            .map(|(id, _)| *id)
            .collect();
        match (&inherent[..], &named[..]) {
            ([one], _) | ([], [(one, false)]) => Some(*one),
            _ => None,
        }
    }

    /// The type an `impl` block is for, resolved in `module`.
    pub fn impl_self_type(&self, module: ModuleId, imp: &syn::ItemImpl) -> Option<Ty> {
        self.resolve_type(module, &imp.self_ty, None)
    }

    fn index_impls(&self) -> HashMap<TypeKey, Vec<(FnId, bool)>> {
        let mut impls: HashMap<TypeKey, Vec<(FnId, bool)>> = HashMap::new();
        for module in self.all_modules() {
            let items = self.module(module);
            for (item, node) in items.items().iter().enumerate() {
                let Item::Impl(imp) = node else { continue };
                let Some(Ty {
                    name: TyName::Crate(key),
                    ..
                }) = self.impl_self_type(module, imp)
                else {
                    continue;
                };
                for (member, node) in imp.items.iter().enumerate() {
                    if matches!(node, ImplItem::Fn(_)) {
                        let id = FnId {
                            module,
                            item,
                            member: Some(member),
                        };
                        impls
                            .entry(key.clone())
                            .or_default()
                            .push((id, imp.trait_.is_none()));
                    }
                }
            }
        }
        impls
    }
}

/// The type arguments of a path's last segment (`Receiver<Job>` → `[Job]`).
fn generic_args(path: &syn::Path) -> Vec<&Type> {
    let Some(last) = path.segments.last() else {
        return Vec::new();
    };
    match &last.arguments {
        PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|a| match a {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}
