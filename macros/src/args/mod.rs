//! Options of each attribute, as written: the syntax only.
//!
//! Every parser rejects unknown and duplicate options on the offending token and lists the valid
//! ones. What the values may be (at least 1, not zero, options that need each other) is judged
//! afterwards, in `valid`, with the rest of the rules.

pub(crate) mod bounded;
pub(crate) mod detect;
pub(crate) mod duration;
pub(crate) mod no_blocking;
pub(crate) mod supervised;

use proc_macro2::TokenStream;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;

/// An attribute's `key` or `key = value` options.
pub(crate) trait Options: Default {
    /// Reads the option `key` (as the user wrote it) into `self`.
    fn option(&mut self, key: &str, meta: &ParseNestedMeta) -> syn::Result<()>;

    /// Reads every option of `tokens`, starting from the defaults.
    fn parse(tokens: TokenStream) -> syn::Result<Self> {
        let mut options = Self::default();
        options.parse_into(tokens)?;
        Ok(options)
    }

    /// Reads every option of `tokens` into `self`.
    fn parse_into(&mut self, tokens: TokenStream) -> syn::Result<()> {
        syn::meta::parser(|meta| self.option(&key(&meta), &meta)).parse2(tokens)
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
    crate::path::text(&meta.path)
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
