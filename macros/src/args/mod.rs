//! Options of each attribute: parsed and validated before anything looks at the item.
//!
//! Every parser rejects unknown and duplicate options on the offending token and lists the valid
//! ones. A caller that gets an error still expands with the defaults, so one bad option does not
//! turn into a cascade of type errors.

pub(crate) mod bounded;
pub(crate) mod duration;
pub(crate) mod no_blocking;
pub(crate) mod supervised;

use proc_macro2::TokenStream;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;

/// Runs a `syn::meta` parser over attribute arguments; on error returns the defaults with it.
pub(crate) fn parse_or_default<A: Default>(
    tokens: TokenStream,
    mut on_option: impl FnMut(&mut A, &ParseNestedMeta) -> syn::Result<()>,
) -> (A, Option<syn::Error>) {
    let mut args = A::default();
    let parser = syn::meta::parser(|meta| on_option(&mut args, &meta));
    match parser.parse2(tokens) {
        Ok(()) => (args, None),
        Err(err) => (A::default(), Some(err)),
    }
}

/// Stores an option's value, rejecting a second occurrence on its key.
pub(crate) fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    meta: &ParseNestedMeta,
) -> syn::Result<()> {
    if slot.is_some() {
        return Err(meta.error(format!("duplicate option `{}`: give it once", key(meta))));
    }
    *slot = Some(value);
    Ok(())
}

/// Rejects an option the attribute does not know, naming the ones it does.
pub(crate) fn unknown(meta: &ParseNestedMeta, attribute: &str, valid: &str) -> syn::Error {
    meta.error(format!(
        "unknown option `{}` for `#[{attribute}]`; valid options: {valid}",
        key(meta)
    ))
}

/// The option's key as the user wrote it.
pub(crate) fn key(meta: &ParseNestedMeta) -> String {
    meta.path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

/// `crate = "path"`: where generated code finds warden when the dependency is renamed.
pub(crate) fn parse_crate_path(meta: &ParseNestedMeta) -> syn::Result<syn::Path> {
    let lit: syn::LitStr = meta.value()?.parse()?;
    lit.parse::<syn::Path>().map_err(|_| {
        syn::Error::new(
            lit.span(),
            format!("`{}` is not a path: write the path warden is reachable at, e.g. crate = \"::my_warden\"", lit.value()),
        )
    })
}
