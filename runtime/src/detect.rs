//! Slow-poll detection: time every poll of a fn's future and warn when one poll holds the
//! executor thread longer than a threshold, the run-time sign of blocking code that
//! `#[no_blocking]` could not see at compile time.
//!
//! Each watched fn owns a `static` [`PollSite`] (its path, file, line, an optional threshold of
//! its own, and its counters). Per poll the wrapper reads the clock twice and bumps one atomic;
//! it never allocates. Warnings go to `tracing` (target `warden::detect`, level WARN), at most
//! one a second per fn, each carrying the number held back before it.
//!
//! The threshold of a site without its own is the process-wide default of
//! [`settings`](crate::settings): 10 ms, or the `WARDEN_MAX_POLL` environment variable, or what
//! the setters there set later.
//!
//! A watched fn awaiting another watched fn is timed by both: a slow poll of the inner one is a
//! slow poll of the outer one too, and each reports it.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::ratelimit::RateLimit;
use crate::registry::Registry;
use crate::settings::{default_max_poll, nanos, poll_settings};
use crate::snapshot::PollSnapshot;

/// Every site polled so far, in order of first poll. Grows by one entry per watched fn, once.
static SITES: Registry<&'static PollSite> = Registry::new();

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
        let settings = poll_settings();
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
