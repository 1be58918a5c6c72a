//! Options of `#[no_blocking]`.

use syn::meta::ParseNestedMeta;

use super::duration::DurationLit;
use super::{parse_crate_path, set_once, unknown};

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

/// Run-time slow-poll detection requested by the options.
#[derive(Clone)]
pub(crate) enum Detect {
    /// `detect`: use the process-wide default threshold.
    Default,
    /// `max_poll = "10ms"`: this threshold.
    MaxPoll(DurationLit),
}

impl Detect {
    /// The fn's own threshold, `None` for the process-wide default.
    pub(crate) fn max_poll(&self) -> Option<&DurationLit> {
        match self {
            Detect::Default => None,
            Detect::MaxPoll(lit) => Some(lit),
        }
    }
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

impl NoBlockingArgs {
    /// Handles one option; the caller drives it over the attribute's arguments.
    pub(crate) fn option(&mut self, meta: &ParseNestedMeta) -> syn::Result<()> {
        if meta.path.is_ident("warn") {
            if self.mode == Mode::Warn {
                return Err(meta.error("duplicate option `warn`: give it once"));
            }
            self.mode = Mode::Warn;
        } else if meta.path.is_ident("detect") {
            set_once(&mut self.detect, Detect::Default, meta)?;
        } else if meta.path.is_ident("max_poll") {
            let lit: syn::LitStr = meta.value()?.parse()?;
            let duration = DurationLit::parse(&lit)?;
            set_once(&mut self.detect, Detect::MaxPoll(duration), meta)
                .map_err(|_| meta.error("give either `detect` or `max_poll = \"..\"`, once"))?;
        } else if meta.path.is_ident("blocking") {
            if !self.blocking.is_empty() {
                return Err(meta
                    .error("duplicate option `blocking`: list every path in one `blocking(..)`"));
            }
            meta.parse_nested_meta(|inner| {
                if !inner.input.is_empty() && !inner.input.peek(syn::Token![,]) {
                    return Err(inner.error(
                        "write each blocking API as a plain path, e.g. `blocking(my_db::query_sync, Client::get_sync)`",
                    ));
                }
                self.blocking.push(inner.path);
                Ok(())
            })?;
            if self.blocking.is_empty() {
                return Err(meta.error(
                    "`blocking(..)` needs at least one path, e.g. `blocking(my_db::query_sync)`",
                ));
            }
        } else if meta.path.is_ident("crate") {
            let path = parse_crate_path(meta)?;
            set_once(&mut self.krate, path, meta)?;
        } else {
            return Err(unknown(meta, "no_blocking", VALID));
        }
        Ok(())
    }
}
