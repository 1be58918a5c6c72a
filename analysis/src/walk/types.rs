//! The types of values in a body, where the source shows them: parameters and `let` bindings
//! with a written type, constructors and builder methods the table knows (also through a
//! variable), struct fields from the crate's struct definitions, `self` in an `impl`, and the
//! return types of the crate's own fns. Anything else is of unknown type.

use syn::{Expr, Pat};

use super::Walker;
use crate::model::{Resolved, Ty, TyName};
use crate::rules::types::{self, Returns, SAME_TYPE, UNWRAP, WRAPPERS};

/// Bindings in sight, one list per open block; `None` where the type is unknown (a binding still
/// hides an outer one of the same name).
#[derive(Default)]
pub(super) struct Locals {
    blocks: Vec<Vec<(String, Option<Ty>)>>,
}

impl Locals {
    pub(super) fn enter(&mut self) {
        self.blocks.push(Vec::new());
    }

    pub(super) fn leave(&mut self) {
        self.blocks.pop();
    }

    fn bind(&mut self, name: String, ty: Option<Ty>) {
        if let Some(block) = self.blocks.last_mut() {
            block.push((name, ty));
        }
    }

    /// The innermost binding of `name`: `Some(type)` when bound in the body.
    fn get(&self, name: &str) -> Option<&Option<Ty>> {
        self.blocks
            .iter()
            .rev()
            .flat_map(|b| b.iter().rev())
            .find(|(n, _)| n == name)
            .map(|(_, ty)| ty)
    }
}

/// The value inside a `Result` or `Option` type.
fn inner(ty: Ty) -> Option<Ty> {
    let wraps = match &ty.name {
        TyName::External(path) => WRAPPERS.contains(&path.as_str()),
        // The crate's own `type Result<T> = ..` alias.
        TyName::Crate(key) => matches!(key.name.as_str(), "Result" | "Option"),
        TyName::Tuple => false,
    };
    if wraps {
        ty.args.into_iter().next()
    } else {
        None
    }
}

fn result_of(ty: Ty) -> Ty {
    Ty {
        name: TyName::External("std::result::Result".to_owned()),
        args: vec![ty],
    }
}

impl Walker<'_> {
    /// Whether `name` is a binding of the body or a parameter (so not a path to an item).
    pub(super) fn is_local(&self, name: &str) -> bool {
        self.locals.get(name).is_some() || self.imports.params().iter().any(|(n, _)| n == name)
    }

    /// Binds the names of `pat`, typed `ty` where the pattern's shape allows.
    pub(super) fn bind_pattern(&mut self, pat: &Pat, ty: Option<Ty>) {
        match (pat, ty) {
            (Pat::Ident(p), ty) if p.subpat.is_none() => self.locals.bind(p.ident.to_string(), ty),
            (Pat::Type(t), ty) => {
                let declared = self.imports.resolve_type(&t.ty).or(ty);
                self.bind_pattern(&t.pat, declared);
            }
            (Pat::Reference(r), ty) => self.bind_pattern(&r.pat, ty),
            (Pat::Paren(p), ty) => self.bind_pattern(&p.pat, ty),
            (
                Pat::Tuple(t),
                Some(Ty {
                    name: TyName::Tuple,
                    args,
                }),
            ) if args.len() == t.elems.len() => {
                for (pat, ty) in t.elems.iter().zip(args) {
                    self.bind_pattern(pat, Some(ty));
                }
            }
            (pat, _) => {
                for name in crate::scope::pattern_names(pat) {
                    self.locals.bind(name, None);
                }
            }
        }
    }

    /// Whether the lock-named method `call` is called on a receiver known to be a lock.
    pub(super) fn holds_lock(&self, call: &syn::ExprMethodCall) -> bool {
        self.type_of(&call.receiver)
            .map(Ty::deref_pointers)
            .is_some_and(|ty| ty.path().is_some_and(|p| types::LOCKS.contains(&p)))
    }

    /// The type of `expr`, when the source shows it.
    pub(super) fn type_of(&self, expr: &Expr) -> Option<Ty> {
        match expr {
            Expr::Path(p) if p.qself.is_none() => {
                let ident = p.path.get_ident()?;
                if ident == "self" {
                    return self.imports.self_value().cloned();
                }
                let name = ident.to_string();
                if let Some(ty) = self.locals.get(&name) {
                    return ty.clone();
                }
                if let Some((_, ty)) = self.imports.params().iter().rev().find(|(n, _)| *n == name)
                {
                    return ty.clone();
                }
                // A `static` or `const` of the module.
                let model = self.imports.model()?;
                model.value_type(self.imports.module()?, &name)
            }
            Expr::Paren(e) => self.type_of(&e.expr),
            Expr::Reference(e) => self.type_of(&e.expr),
            Expr::Group(e) => self.type_of(&e.expr),
            Expr::Unary(e) if matches!(e.op, syn::UnOp::Deref(_)) => self.type_of(&e.expr),
            Expr::Try(e) => inner(self.type_of(&e.expr)?),
            Expr::Field(f) => {
                let base = self.type_of(&f.base)?.deref_pointers();
                let TyName::Crate(key) = &base.name else {
                    return None;
                };
                let member = match &f.member {
                    syn::Member::Named(name) => name.to_string(),
                    syn::Member::Unnamed(index) => index.index.to_string(),
                };
                self.imports.model()?.field_type(key, &member)
            }
            Expr::Call(call) => self.call_type(call),
            Expr::MethodCall(call) => self.method_type(call),
            Expr::Struct(s) => match self.imports.meaning(&s.path)?.0 {
                Resolved::Type(key) => Some(Ty {
                    name: TyName::Crate(key),
                    args: Vec::new(),
                }),
                _ => None,
            },
            Expr::Cast(c) => self.imports.resolve_type(&c.ty),
            _ => None,
        }
    }

    fn call_type(&self, call: &syn::ExprCall) -> Option<Ty> {
        let Expr::Path(callee) = &*call.func else {
            return None;
        };
        if callee.qself.is_some() {
            return None;
        }
        match self.imports.meaning(&callee.path)?.0 {
            Resolved::External(path) => {
                let path = crate::model::types::canonical(&path);
                let returns = types::constructor(&path)?;
                self.returned(returns, None, call.args.first())
            }
            Resolved::Fn(id) => self.fn_output(id, None),
            Resolved::Assoc(key, name) => {
                let model = self.imports.model()?;
                let id = model.assoc_fn(&key, &name)?;
                let self_ty = Ty {
                    name: TyName::Crate(key),
                    args: Vec::new(),
                };
                self.fn_output(id, Some(&self_ty))
            }
            Resolved::Type(key) => Some(Ty {
                name: TyName::Crate(key),
                args: Vec::new(),
            }),
            _ => None,
        }
    }

    fn method_type(&self, call: &syn::ExprMethodCall) -> Option<Ty> {
        let name = call.method.to_string();
        if UNWRAP.contains(&name.as_str()) {
            return inner(self.type_of(&call.receiver)?);
        }
        let receiver = self.type_of(&call.receiver)?.deref_pointers();
        if SAME_TYPE.contains(&name.as_str()) {
            return Some(receiver);
        }
        match &receiver.name {
            TyName::External(path) => {
                let returns = types::method(path, &name)?;
                self.returned(returns, Some(&receiver), call.args.first())
            }
            TyName::Crate(key) => {
                let id = self.imports.model()?.assoc_fn(key, &name)?;
                self.fn_output(id, Some(&receiver))
            }
            TyName::Tuple => None,
        }
    }

    fn returned(
        &self,
        returns: Returns,
        receiver: Option<&Ty>,
        first: Option<&Expr>,
    ) -> Option<Ty> {
        Some(match returns {
            Returns::Type(path) => Ty::external(path),
            Returns::Ok(path) => result_of(Ty::external(path)),
            Returns::Pair(a, b) => Ty {
                name: TyName::Tuple,
                args: vec![Ty::external(a), Ty::external(b)],
            },
            Returns::Same => receiver?.clone(),
            Returns::OkInner => result_of(receiver?.args.first()?.clone()),
            Returns::FirstArgument => self.type_of(first?)?,
        })
    }

    /// The return type of a crate fn, resolved where it is written.
    fn fn_output(&self, id: crate::model::FnId, self_ty: Option<&Ty>) -> Option<Ty> {
        let model = self.imports.model()?;
        let item = model.fn_item(id)?;
        let (_, sig, _) = item.parts();
        if sig.asyncness.is_some() {
            return None; // a future
        }
        match &sig.output {
            syn::ReturnType::Type(_, ty) => model.resolve_type(id.module, ty, self_ty),
            syn::ReturnType::Default => None,
        }
    }
}
