//! Options of `#[supervised]`.

use syn::meta::ParseNestedMeta;
use syn::{LitInt, LitStr};

use super::detect::Detect;
use super::duration::DurationLit;
use super::{Options, parse_crate_path, set_once, unknown};

const VALID: &str = "`timeout = \"250ms\"`, `grace = \"5s\"`, `name = \"..\"`, `max_children = 64`, \
                     `restart = \"on_failure\" | \"always\"`, `max_restarts = 5`, `within = \"60s\"`, \
                     `backoff = \"100ms..10s\"`, `detect`, `max_poll = \"10ms\"`, `crate = \"..\"`";

/// When a finished body is run again.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Restart {
    /// Transient: after an error or a panic.
    OnFailure,
    /// Permanent: after any end, success included.
    Always,
}

/// `backoff = "100ms..10s"`.
#[derive(Clone)]
pub(crate) struct Backoff {
    pub(crate) min: DurationLit,
    pub(crate) max: DurationLit,
}

/// Parsed `#[supervised(..)]` options.
#[derive(Default, Clone)]
pub(crate) struct SupervisedArgs {
    pub(crate) timeout: Option<DurationLit>,
    pub(crate) grace: Option<DurationLit>,
    pub(crate) name: Option<LitStr>,
    pub(crate) max_children: Option<LitInt>,
    pub(crate) restart: Option<(Restart, LitStr)>,
    pub(crate) max_restarts: Option<LitInt>,
    pub(crate) within: Option<DurationLit>,
    pub(crate) backoff: Option<Backoff>,
    /// Slow-poll detection of the body.
    pub(crate) detect: Option<Detect>,
    pub(crate) krate: Option<syn::Path>,
}

impl Options for SupervisedArgs {
    fn option(&mut self, key: &str, meta: &ParseNestedMeta) -> syn::Result<()> {
        match key {
            "detect" | "max_poll" => Detect::option(&mut self.detect, key, meta),
            "timeout" => set_once(&mut self.timeout, duration(meta)?, meta),
            "grace" => set_once(&mut self.grace, duration(meta)?, meta),
            "within" => set_once(&mut self.within, duration(meta)?, meta),
            "name" => set_once(&mut self.name, meta.value()?.parse()?, meta),
            "max_children" => set_once(&mut self.max_children, count(meta)?, meta),
            "max_restarts" => set_once(&mut self.max_restarts, count(meta)?, meta),
            "restart" => {
                let lit: LitStr = meta.value()?.parse()?;
                set_once(&mut self.restart, (restart(&lit)?, lit), meta)
            }
            "backoff" => {
                let lit: LitStr = meta.value()?.parse()?;
                set_once(&mut self.backoff, backoff(&lit)?, meta)
            }
            "crate" => set_once(&mut self.krate, parse_crate_path(meta)?, meta),
            _ => Err(unknown(meta, "supervised", VALID)),
        }
    }
}

fn duration(meta: &ParseNestedMeta) -> syn::Result<DurationLit> {
    let lit: LitStr = meta.value()?.parse()?;
    DurationLit::parse(&lit)
}

/// A whole number that fits a `usize`.
fn count(meta: &ParseNestedMeta) -> syn::Result<LitInt> {
    let lit: LitInt = meta.value()?.parse()?;
    lit.base10_parse::<usize>()
        .map_err(|_| syn::Error::new(lit.span(), "expected a whole number, like `5`"))?;
    Ok(lit)
}

/// `"on_failure"` or `"always"`.
fn restart(lit: &LitStr) -> syn::Result<Restart> {
    match lit.value().as_str() {
        "on_failure" => Ok(Restart::OnFailure),
        "always" => Ok(Restart::Always),
        other => Err(syn::Error::new(
            lit.span(),
            format!(
                "unknown restart policy `{other}`: use \"on_failure\" (restart after an error \
                 or panic) or \"always\" (restart after any end)"
            ),
        )),
    }
}

/// `"100ms..10s"`.
fn backoff(lit: &LitStr) -> syn::Result<Backoff> {
    let value = lit.value();
    let Some((min, max)) = value.split_once("..") else {
        return Err(syn::Error::new(
            lit.span(),
            "write the backoff as a range of durations, like `backoff = \"100ms..10s\"`",
        ));
    };
    let part = |text: &str| DurationLit::parse(&LitStr::new(text.trim(), lit.span()));
    Ok(Backoff {
        min: part(min)?,
        max: part(max)?,
    })
}
