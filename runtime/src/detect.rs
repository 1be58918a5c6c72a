//! Slow-poll detection: time every poll of a fn's future and warn when one poll holds the
//! executor thread longer than a threshold, the run-time sign of blocking code that
//! `#[no_blocking]` could not see at compile time.
//!
//! Each watched fn owns a `static` [`PollSite`] (its path, file, line, an optional threshold of
//! its own, and its counters). Per poll the wrapper reads the clock twice and bumps one atomic;
//! it never allocates. Warnings go to `tracing` (target `warden::detect`, level WARN), at most
//! one a second per fn, each carrying the number held back before it.
//!
//! The threshold of a site without its own is the global default: [`DEFAULT_MAX_POLL`], or the
//! `WARDEN_MAX_POLL` environment variable read once on first use (`"25ms"`, or `"off"` to
//! switch detection off), or whatever [`set_default_max_poll`] and [`set_enabled`] set later.
//!
//! A watched fn awaiting another watched fn is timed by both: a slow poll of the inner one is a
//! slow poll of the outer one too, and each reports it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::ratelimit::RateLimit;
use crate::registry::Registry;

/// The threshold used when neither the site, `WARDEN_MAX_POLL` nor [`set_default_max_poll`]
/// gives one: 10 ms, far above a healthy poll (microseconds) and below what users feel.
pub const DEFAULT_MAX_POLL: Duration = Duration::from_millis(10);

/// The environment variable read once, on first use, for the default threshold.
pub const ENV_VAR: &str = "WARDEN_MAX_POLL";

// ---------------------------------------------------------------------------------------------
// Global settings

struct Settings {
    enabled: AtomicBool,
    default_max_poll_ns: AtomicU64,
}

/// The settings, initialized from `WARDEN_MAX_POLL` on first use so later setters win over it.
fn settings() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        let (enabled, max_poll) = match std::env::var(ENV_VAR) {
            Err(_) => (true, DEFAULT_MAX_POLL),
            Ok(value) => match value.trim() {
                "off" | "false" | "none" => (false, DEFAULT_MAX_POLL),
                text => match parse_duration(text) {
                    Ok(max_poll) => (true, max_poll),
                    Err(error) => {
                        tracing::warn!(
                            target: "warden::detect",
                            "{ENV_VAR}={value:?} is not a duration ({error}); using \
                             {DEFAULT_MAX_POLL:?}"
                        );
                        (true, DEFAULT_MAX_POLL)
                    }
                },
            },
        };
        Settings {
            enabled: AtomicBool::new(enabled),
            default_max_poll_ns: AtomicU64::new(nanos(max_poll)),
        }
    })
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

/// Sets the threshold of every [`PollSite`] that has none of its own, overriding
/// `WARDEN_MAX_POLL`.
///
/// ```
/// use std::time::Duration;
/// warden_runtime::detect::set_default_max_poll(Duration::from_millis(5));
/// assert_eq!(warden_runtime::detect::default_max_poll(), Duration::from_millis(5));
/// ```
pub fn set_default_max_poll(max_poll: Duration) {
    settings()
        .default_max_poll_ns
        .store(nanos(max_poll), Relaxed);
}

/// The threshold of every [`PollSite`] that has none of its own.
#[must_use]
pub fn default_max_poll() -> Duration {
    Duration::from_nanos(settings().default_max_poll_ns.load(Relaxed))
}

/// Switches slow-poll detection on or off for the whole process, overriding
/// `WARDEN_MAX_POLL=off`. Off, a watched poll costs one atomic load and one increment: no clock.
///
/// ```
/// warden_runtime::detect::set_enabled(false);
/// assert!(!warden_runtime::detect::is_enabled());
/// # warden_runtime::detect::set_enabled(true);
/// ```
pub fn set_enabled(enabled: bool) {
    settings().enabled.store(enabled, Relaxed);
}

/// Whether slow-poll detection is on.
#[must_use]
pub fn is_enabled() -> bool {
    settings().enabled.load(Relaxed)
}

// ---------------------------------------------------------------------------------------------
// Durations

/// Why [`parse_duration`] refused a text.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseDurationError {
    /// No digits before the unit, or more than one `.`.
    BadNumber,
    /// The unit is missing or not one of `ns`, `us` (`µs`), `ms`, `s`, `m`, `h`.
    BadUnit,
    /// The duration does not fit in a [`Duration`].
    Overflow,
}

impl fmt::Display for ParseDurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParseDurationError::BadNumber => "expected a number such as `250` or `1.5`",
            ParseDurationError::BadUnit => "expected a unit: ns, us, ms, s, m or h",
            ParseDurationError::Overflow => "the duration is too large",
        })
    }
}

impl std::error::Error for ParseDurationError {}

/// Parses a duration written as a number and a unit: `"250ms"`, `"1.5s"`, `"100 us"`, `"2m"`.
///
/// Units: `ns`, `us` or `µs`, `ms`, `s`, `m`, `h`. The unit is required, so `"10"` is refused
/// rather than guessed.
///
/// # Errors
/// A [`ParseDurationError`] saying what is wrong.
///
/// ```
/// use std::time::Duration;
/// use warden_runtime::detect::parse_duration;
/// assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
/// assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1_500)));
/// assert!(parse_duration("10").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, ParseDurationError> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let unit_ns: u128 = match unit.trim_start() {
        "ns" => 1,
        "us" | "µs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60 * 1_000_000_000,
        "h" => 60 * 60 * 1_000_000_000,
        _ => return Err(ParseDurationError::BadUnit),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return Err(ParseDurationError::BadNumber);
    }
    let whole: u128 = whole.parse().map_err(|_| ParseDurationError::Overflow)?;
    let mut total = whole
        .checked_mul(unit_ns)
        .ok_or(ParseDurationError::Overflow)?;
    // Digits beyond nanosecond precision are dropped; at most 39 matter for a u128.
    let mut scale = unit_ns;
    for digit in fraction.bytes().take(39) {
        scale /= 10;
        total = total
            .checked_add(u128::from(digit - b'0') * scale)
            .ok_or(ParseDurationError::Overflow)?;
    }
    let secs = u64::try_from(total / 1_000_000_000).map_err(|_| ParseDurationError::Overflow)?;
    let subsec = u32::try_from(total % 1_000_000_000).map_err(|_| ParseDurationError::Overflow)?;
    Ok(Duration::new(secs, subsec))
}

// ---------------------------------------------------------------------------------------------
// Sites

/// Every site polled so far, in order of first poll. Grows by one entry per watched fn, once.
static SITES: Registry<&'static PollSite> = Registry::new();

/// Counters of one watched fn at a moment, as [`crate::metrics::polls`] lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PollSnapshot {
    /// The fn's path.
    pub fn_path: &'static str,
    /// The source file of the fn.
    pub file: &'static str,
    /// The line of the fn.
    pub line: u32,
    /// The threshold in force now (the site's own, or the global default).
    pub max_poll: Duration,
    /// Polls of the fn's futures so far.
    pub polls: u64,
    /// Polls longer than the threshold so far (counted only while detection is on).
    pub slow_polls: u64,
    /// The longest poll seen, slow or not (timed only while detection is on).
    pub longest_poll: Duration,
    /// Warnings emitted.
    pub warnings: u64,
    /// Slow polls not yet reported by a warning: the next warning carries their count. So
    /// `warnings` + the `suppressed` counts of the warnings + this = `slow_polls`.
    pub suppressed: u64,
}

/// Where a watched fn is and what it has seen: one `static` per fn annotated for slow-poll
/// detection, shared by all of its calls.
///
/// ```
/// use warden_runtime::detect::PollSite;
///
/// static HANDLE: PollSite = PollSite::new(concat!(module_path!(), "::handle"), file!(), line!(), None);
///
/// async fn handle() -> u32 {
///     HANDLE.run(async { 7 }).await
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert_eq!(handle().await, 7);
/// assert_eq!(HANDLE.snapshot().polls, 1);
/// # }
/// ```
#[derive(Debug)]
pub struct PollSite {
    fn_path: &'static str,
    file: &'static str,
    line: u32,
    max_poll: Option<Duration>,
    registered: AtomicBool,
    polls: AtomicU64,
    slow_polls: AtomicU64,
    longest_ns: AtomicU64,
    warnings: AtomicU64,
    rate: RateLimit,
}

impl PollSite {
    /// The site of the fn `fn_path` at `file:line`; `max_poll` is its own threshold, `None` for
    /// the global default. Generated code passes
    /// `concat!(module_path!(), "::", "fn_name"), file!(), line!()`.
    #[must_use]
    pub const fn new(
        fn_path: &'static str,
        file: &'static str,
        line: u32,
        max_poll: Option<Duration>,
    ) -> Self {
        PollSite {
            fn_path,
            file,
            line,
            max_poll,
            registered: AtomicBool::new(false),
            polls: AtomicU64::new(0),
            slow_polls: AtomicU64::new(0),
            longest_ns: AtomicU64::new(0),
            warnings: AtomicU64::new(0),
            rate: RateLimit::new(),
        }
    }

    /// Drives `fut` to completion, timing each poll: what generated code emits,
    /// `PollSite::run(&STATIC, async move { body }).await`.
    ///
    /// The returned future stores `fut` once, in place: its size is `fut`'s plus a pointer.
    /// The site is listed in [`crate::metrics::polls`] from the first poll on.
    pub fn run<F: Future>(&'static self, fut: F) -> impl Future<Output = F::Output> {
        Timed { site: self, fut }
    }

    /// Lists the site on its first poll; afterwards one relaxed load.
    fn register(&'static self) {
        SITES.join_once(&self.registered, self);
    }

    /// The threshold in force now.
    #[must_use]
    pub fn max_poll(&self) -> Duration {
        self.max_poll.unwrap_or_else(default_max_poll)
    }

    fn poll_timed<F: Future>(&self, fut: Pin<&mut F>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls.fetch_add(1, Relaxed);
        let settings = settings();
        if !settings.enabled.load(Relaxed) {
            return fut.poll(cx);
        }
        let start = Instant::now();
        let output = fut.poll(cx);
        let end = Instant::now();
        let took = end.saturating_duration_since(start);
        // Usually one relaxed load: a new longest poll is rare once the site has warmed up.
        let took_ns = nanos(took);
        if took_ns > self.longest_ns.load(Relaxed) {
            self.longest_ns.fetch_max(took_ns, Relaxed);
        }
        let max_poll = match self.max_poll {
            Some(max_poll) => max_poll,
            None => Duration::from_nanos(settings.default_max_poll_ns.load(Relaxed)),
        };
        if took > max_poll {
            self.slow(took, max_poll, end);
        }
        output
    }

    /// Counts a slow poll and warns about it unless a warning went out less than a second ago.
    #[cold]
    fn slow(&self, took: Duration, max_poll: Duration, end: Instant) {
        self.slow_polls.fetch_add(1, Relaxed);
        let Some(suppressed) = self.rate.admit(end) else {
            return;
        };
        self.warnings.fetch_add(1, Relaxed);
        let (fn_path, file, line) = (self.fn_path, self.file, self.line);
        tracing::warn!(
            target: "warden::detect",
            fn_path,
            file,
            line,
            poll = ?took,
            max_poll = ?max_poll,
            suppressed,
            "`{fn_path}` ({file}:{line}) held its thread for {took:?} in one poll (limit \
             {max_poll:?}): blocking code in async code stalls every task on that thread; move \
             it to `warden::offload`"
        );
    }

    /// This site's counters now.
    #[must_use]
    pub fn snapshot(&self) -> PollSnapshot {
        PollSnapshot {
            fn_path: self.fn_path,
            file: self.file,
            line: self.line,
            max_poll: self.max_poll(),
            polls: self.polls.load(Relaxed),
            slow_polls: self.slow_polls.load(Relaxed),
            longest_poll: Duration::from_nanos(self.longest_ns.load(Relaxed)),
            warnings: self.warnings.load(Relaxed),
            suppressed: self.rate.pending(),
        }
    }
}

pin_project_lite::pin_project! {
    /// A watched fn's body with the site that times it: the future of [`PollSite::run`].
    ///
    /// Hand-written (not an `async fn` taking the body by value) so the body is stored once,
    /// in place: an `async fn` keeps it as its argument and again as the awaited local.
    struct Timed<F> {
        site: &'static PollSite,
        #[pin]
        fut: F,
    }
}

impl<F: Future> Future for Timed<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let site: &'static PollSite = this.site;
        site.register();
        site.poll_timed(this.fut, cx)
    }
}

/// Snapshots of every site polled so far, in order of first poll.
pub(crate) fn snapshots() -> Vec<PollSnapshot> {
    SITES
        .entries()
        .into_iter()
        .map(PollSite::snapshot)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(parse_duration("7ns"), Ok(Duration::from_nanos(7)));
        assert_eq!(parse_duration("7us"), Ok(Duration::from_micros(7)));
        assert_eq!(parse_duration("7µs"), Ok(Duration::from_micros(7)));
        assert_eq!(parse_duration("7ms"), Ok(Duration::from_millis(7)));
        assert_eq!(parse_duration("7s"), Ok(Duration::from_secs(7)));
        assert_eq!(parse_duration("7m"), Ok(Duration::from_secs(420)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7_200)));
        assert_eq!(parse_duration(" 10 ms "), Ok(Duration::from_millis(10)));
        assert_eq!(parse_duration("0.25s"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1.5ms"), Ok(Duration::from_micros(1_500)));
        assert_eq!(parse_duration("1.0000000009s"), Ok(Duration::from_secs(1)));
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert_eq!(parse_duration("10"), Err(ParseDurationError::BadUnit));
        assert_eq!(parse_duration("ms"), Err(ParseDurationError::BadNumber));
        assert_eq!(parse_duration("1.2.3s"), Err(ParseDurationError::BadNumber));
        assert_eq!(parse_duration(".5s"), Err(ParseDurationError::BadNumber));
        assert_eq!(parse_duration("10 days"), Err(ParseDurationError::BadUnit));
        assert_eq!(parse_duration("-1s"), Err(ParseDurationError::BadUnit));
        assert_eq!(
            parse_duration("99999999999999999999999h"),
            Err(ParseDurationError::Overflow)
        );
        assert_eq!(parse_duration(""), Err(ParseDurationError::BadUnit));
    }
}
