//! Options of `#[supervised]`.

use syn::meta::ParseNestedMeta;
use syn::{LitInt, LitStr};

use super::duration::DurationLit;
use super::no_blocking::Detect;
use super::{parse_crate_path, set_once, unknown};

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

impl SupervisedArgs {
    /// Handles one option; the caller drives it over the attribute's arguments.
    pub(crate) fn option(&mut self, meta: &ParseNestedMeta) -> syn::Result<()> {
        let key = super::key(meta);
        match key.as_str() {
            "timeout" => set_once(&mut self.timeout, duration(meta)?, meta),
            "grace" => set_once(&mut self.grace, duration(meta)?, meta),
            "within" => set_once(&mut self.within, duration(meta)?, meta),
            "name" => {
                let name: LitStr = meta.value()?.parse()?;
                if name.value().is_empty() {
                    return Err(syn::Error::new(name.span(), "`name` cannot be empty"));
                }
                set_once(&mut self.name, name, meta)
            }
            "max_children" => set_once(
                &mut self.max_children,
                positive(meta, "max_children")?,
                meta,
            ),
            "max_restarts" => set_once(&mut self.max_restarts, count(meta)?, meta),
            "restart" => {
                let lit: LitStr = meta.value()?.parse()?;
                let restart = match lit.value().as_str() {
                    "on_failure" => Restart::OnFailure,
                    "always" => Restart::Always,
                    other => {
                        return Err(syn::Error::new(
                            lit.span(),
                            format!(
                                "unknown restart policy `{other}`: use \"on_failure\" (restart after an error \
                                 or panic) or \"always\" (restart after any end)"
                            ),
                        ));
                    }
                };
                set_once(&mut self.restart, (restart, lit), meta)
            }
            "backoff" => {
                let lit: LitStr = meta.value()?.parse()?;
                set_once(&mut self.backoff, backoff(&lit)?, meta)
            }
            "detect" => set_once(&mut self.detect, Detect::Default, meta),
            "max_poll" => {
                let threshold = Detect::MaxPoll(duration(meta)?);
                set_once(&mut self.detect, threshold, meta)
                    .map_err(|_| meta.error("give either `detect` or `max_poll = \"..\"`, once"))
            }
            "crate" => set_once(&mut self.krate, parse_crate_path(meta)?, meta),
            _ => Err(unknown(meta, "supervised", VALID)),
        }
    }

    /// Checks options that only make sense together; run after all options are parsed.
    pub(crate) fn validate(&self) -> syn::Result<()> {
        if self.restart.is_none() {
            let orphan = self
                .max_restarts
                .as_ref()
                .map(|lit| (lit.span(), "max_restarts"))
                .or_else(|| self.within.as_ref().map(|d| (d.lit.span(), "within")))
                .or_else(|| self.backoff.as_ref().map(|b| (b.min.lit.span(), "backoff")));
            if let Some((span, option)) = orphan {
                return Err(syn::Error::new(
                    span,
                    format!(
                        "`{option}` tunes restarts: add `restart = \"on_failure\"` or `restart = \"always\"`"
                    ),
                ));
            }
        }
        if let Some(backoff) = &self.backoff {
            if backoff.min.value > backoff.max.value {
                return Err(syn::Error::new(
                    backoff.min.lit.span(),
                    "the backoff's lower bound is above its upper bound: write `backoff = \"min..max\"`",
                ));
            }
        }
        Ok(())
    }
}

fn duration(meta: &ParseNestedMeta) -> syn::Result<DurationLit> {
    let lit: LitStr = meta.value()?.parse()?;
    DurationLit::parse(&lit)
}

/// A whole number ≥ 1.
fn positive(meta: &ParseNestedMeta, option: &str) -> syn::Result<LitInt> {
    let lit = count(meta)?;
    if lit.base10_parse::<usize>()? == 0 {
        return Err(syn::Error::new(
            lit.span(),
            format!("`{option}` must be at least 1"),
        ));
    }
    Ok(lit)
}

/// A whole number that fits a `usize`.
fn count(meta: &ParseNestedMeta) -> syn::Result<LitInt> {
    let lit: LitInt = meta.value()?.parse()?;
    lit.base10_parse::<usize>()
        .map_err(|_| syn::Error::new(lit.span(), "expected a whole number, like `5`"))?;
    Ok(lit)
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
