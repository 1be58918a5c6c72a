//! `detect` and `max_poll = ".."`: run-time slow-poll detection, an option of `#[no_blocking]`
//! and `#[supervised]` alike.

use syn::LitStr;
use syn::meta::ParseNestedMeta;

use super::duration::DurationLit;
use super::set_once;

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

    /// Reads the option `detect` or `max_poll = ".."` (`key`, one of the two) into `slot`.
    pub(crate) fn option(
        slot: &mut Option<Detect>,
        key: &str,
        meta: &ParseNestedMeta,
    ) -> syn::Result<()> {
        if key == "detect" {
            return set_once(slot, Detect::Default, meta);
        }
        let lit: LitStr = meta.value()?.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "`max_poll` takes a duration string, e.g. `max_poll = \"10ms\"`",
            )
        })?;
        let threshold = Detect::MaxPoll(DurationLit::parse(&lit)?);
        set_once(slot, threshold, meta)
            .map_err(|_| meta.error("give either `detect` or `max_poll = \"..\"`, once"))
    }
}
