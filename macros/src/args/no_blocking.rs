//! Options of `#[no_blocking]`.

use syn::meta::ParseNestedMeta;

use super::detect::Detect;
use super::{Options, parse_crate_path, set_once, unknown};

/// What a malformed `blocking(..)` is told.
const BLOCKING_FORM: &str =
    "write each blocking API as a plain path, e.g. `blocking(my_db::query_sync, Client::get_sync)`";

const VALID: &str =
    "`warn`, `detect`, `max_poll = \"10ms\"`, `blocking(path, ..)`, `crate = \"..\"`";

/// How findings are reported.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub(crate) enum Mode {
    /// Findings are compile errors.
    #[default]
    Deny,
    /// Findings are compiler warnings: for turning the rules on before fixing everything.
    Warn,
}

/// Parsed `#[no_blocking(..)]` options.
#[derive(Default, Clone)]
pub(crate) struct NoBlockingArgs {
    pub(crate) mode: Mode,
    pub(crate) detect: Option<Detect>,
    /// The user's own blocking APIs: fn paths, or `Type::method` for methods.
    pub(crate) blocking: Vec<syn::Path>,
    pub(crate) krate: Option<syn::Path>,
}

impl Options for NoBlockingArgs {
    fn option(&mut self, key: &str, meta: &ParseNestedMeta) -> syn::Result<()> {
        match key {
            "detect" | "max_poll" => Detect::option(&mut self.detect, key, meta)?,
            "warn" => {
                if self.mode == Mode::Warn {
                    return Err(meta.error("duplicate option `warn`: give it once"));
                }
                self.mode = Mode::Warn;
            }
            "blocking" => {
                if !self.blocking.is_empty() {
                    return Err(meta.error(
                        "duplicate option `blocking`: list every path in one `blocking(..)`",
                    ));
                }
                self.blocking = parse_blocking_paths(meta)?;
            }
            "crate" => set_once(&mut self.krate, parse_crate_path(meta)?, meta)?,
            _ => return Err(unknown(meta, "no_blocking", VALID)),
        }
        Ok(())
    }
}

/// `blocking(path, ..)`: at least one path, nothing else.
fn parse_blocking_paths(meta: &ParseNestedMeta) -> syn::Result<Vec<syn::Path>> {
    if !meta.input.peek(syn::token::Paren) {
        return Err(meta.error(BLOCKING_FORM));
    }
    let content;
    syn::parenthesized!(content in meta.input);
    let mut paths = Vec::new();
    while !content.is_empty() {
        let path: syn::Path = content
            .parse()
            .map_err(|e| syn::Error::new(e.span(), BLOCKING_FORM))?;
        paths.push(path);
        if !content.is_empty() {
            content
                .parse::<syn::Token![,]>()
                .map_err(|e| syn::Error::new(e.span(), BLOCKING_FORM))?;
        }
    }
    if paths.is_empty() {
        return Err(meta
            .error("`blocking(..)` needs at least one path, e.g. `blocking(my_db::query_sync)`"));
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::quote;

    use super::{Mode, NoBlockingArgs};
    use crate::args::Options;

    fn parse(tokens: TokenStream) -> Result<NoBlockingArgs, String> {
        NoBlockingArgs::parse(tokens).map_err(|e| e.to_string())
    }

    #[test]
    fn every_option_parses() {
        let args = parse(quote!(
            warn,
            max_poll = "5ms",
            blocking(db::q, C::m),
            crate = "::w"
        ))
        .unwrap();
        assert_eq!(args.mode, Mode::Warn);
        assert!(args.detect.is_some());
        assert_eq!(args.blocking.len(), 2);
        assert!(args.krate.is_some());
        assert!(parse(quote!(detect)).unwrap().detect.is_some());
        assert!(parse(quote!()).unwrap().blocking.is_empty());
    }

    #[test]
    fn bad_options_are_rejected_with_their_fix() {
        for (tokens, expected) in [
            (quote!(strict), "valid options"),
            (quote!(warn, warn), "duplicate option `warn`"),
            (
                quote!(detect, max_poll = "1ms"),
                "either `detect` or `max_poll",
            ),
            (quote!(max_poll = 10), "duration string"),
            (quote!(max_poll = "10 parsecs"), "not a duration"),
            (quote!(blocking()), "at least one path"),
            (quote!(blocking), "plain path"),
            (quote!(blocking(a = 1)), "plain path"),
            (quote!(blocking("a")), "plain path"),
            (
                quote!(blocking(a), blocking(b)),
                "duplicate option `blocking`",
            ),
            (quote!(crate = "1 2"), "not a path"),
        ] {
            let error = parse(tokens.clone()).err().unwrap_or_default();
            assert!(error.contains(expected), "{tokens}: {error}");
        }
    }
}
