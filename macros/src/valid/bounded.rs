//! The rules of `#[bounded]`.

use syn::Ident;

use crate::args::bounded::{BoundedArgs, Limit};
use crate::model::{Argument, AsyncFn, Binding};

/// A `#[bounded]` fn that passed the rules: what `expand::bounded` rewrites.
pub(crate) struct Bounded<'a> {
    pub(crate) args: &'a BoundedArgs,
    pub(crate) function: AsyncFn<'a>,
    /// `per = key`: the argument whose value picks the limiter.
    pub(crate) key: Option<Key<'a>>,
}

/// The `per` key: the option's name for it and what the fn binds to that name.
pub(crate) struct Key<'a> {
    pub(crate) per: &'a Ident,
    pub(crate) binding: Binding<'a>,
}

/// A literal limit lets at least one call run.
pub(crate) fn options(args: &BoundedArgs) -> syn::Result<()> {
    match args.limit {
        Limit::Literal(0, span) => Err(syn::Error::new(
            span,
            "`bounded(0)` would never let a call run: the limit must be at least 1",
        )),
        _ => Ok(()),
    }
}

/// What the options demand of the fn: an argument for `per`. (That a failing mode's return type
/// carries a `Failure`, and that the key can be hashed, is the type system's to judge: the
/// expansion asks it, see `expand::user_types`.)
pub(crate) fn check<'a>(args: &'a BoundedArgs, function: AsyncFn<'a>) -> syn::Result<Bounded<'a>> {
    let key = match &args.per {
        Some(per) => Some(key(per, &function)?),
        None => None,
    };
    Ok(Bounded {
        args,
        function,
        key,
    })
}

/// `per = name`: a name one of the fn's arguments binds, whole (`tenant: String`) or inside a
/// pattern (`Path(tenant): Path<String>`).
fn key<'a>(per: &'a Ident, function: &AsyncFn<'a>) -> syn::Result<Key<'a>> {
    let bindings: Vec<Binding<'a>> = function.arguments().flat_map(Argument::bindings).collect();
    if let Some(binding) = bindings.iter().find(|b| b.pat.ident == *per) {
        return Ok(Key {
            per,
            binding: *binding,
        });
    }
    let listed = if bindings.is_empty() {
        "it has none".to_owned()
    } else {
        let names: Vec<String> = bindings.iter().map(|b| b.pat.ident.to_string()).collect();
        format!("its arguments bind `{}`", names.join("`, `"))
    };
    Err(syn::Error::new(
        per.span(),
        format!(
            "`per = {per}` must name an argument of `{}`: {listed}",
            function.sig.ident
        ),
    ))
}
