//! Process-wide switches: the slow-wait warning of bounds, slow-poll detection and its default
//! threshold. Detection starts from the `WARDEN_MAX_POLL` environment variable, read once on
//! first use (`"25ms"`, or `"off"`); the setters here win over it.
//!
//! Each setting is an atomic read with a relaxed load on the hot path, so changing one at run
//! time is cheap and takes effect for the next call.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use crate::duration::parse_duration;

/// The slow-poll threshold used when neither the fn (`max_poll = ".."`), `WARDEN_MAX_POLL` nor
/// [`set_default_max_poll`] gives one: 10 ms, far above a healthy poll (microseconds) and below
/// what users feel.
pub const DEFAULT_MAX_POLL: Duration = Duration::from_millis(10);

/// The environment variable read once, on first use, for the default threshold.
pub(crate) const ENV_VAR: &str = "WARDEN_MAX_POLL";

/// `u64::MAX` nanoseconds stands for "off".
const WAIT_WARNING_OFF: u64 = u64::MAX;

/// 100 ms, in nanoseconds.
static WAIT_WARNING_NS: AtomicU64 = AtomicU64::new(100_000_000);

/// Sets how long a caller may wait for a `#[bounded]` permit before warden logs a `tracing`
/// warning (target `warden::bound`, at most one a second per bound); `None` switches the
/// warnings off.
///
/// A long wait means the limit, not the work, sets the latency: worth knowing when sizing it.
/// The default is 100 ms.
///
/// A plain `#[bounded(n)]` times **one waiting caller at a time**: a caller that starts waiting
/// while another caller of the same fn is being timed is not timed itself (one clock-read pair
/// per turn of the queue instead of per caller, which is what kept a contended bound's cost near
/// a raw semaphore's). The queue is fair, so the timed caller waits as long as the queue ahead
/// of it, and a limit that keeps its callers waiting past the threshold is still reported. What
/// is lost: the warning speaks for timed callers only, so a caller that waited past the
/// threshold while no timed caller did goes unreported (say, one queued just behind a timed
/// caller that got in quickly, then held up by long-running holders while no new caller came
/// to be timed), and the `suppressed` count of a warning counts timed waits only.
/// `#[bounded(n, per = key)]` times every waiting caller: one key's queue says nothing about
/// another's.
///
/// ```
/// use std::time::Duration;
/// warden_runtime::settings::set_wait_warning(Some(Duration::from_millis(250)));
/// assert_eq!(warden_runtime::settings::wait_warning(), Some(Duration::from_millis(250)));
/// ```
pub fn set_wait_warning(threshold: Option<Duration>) {
    let nanos = threshold.map_or(WAIT_WARNING_OFF, |d| nanos(d).min(WAIT_WARNING_OFF - 1));
    WAIT_WARNING_NS.store(nanos, Relaxed);
}

/// The wait after which a caller's wait for a permit is logged, or `None` when that is
/// switched off.
#[must_use]
pub fn wait_warning() -> Option<Duration> {
    match WAIT_WARNING_NS.load(Relaxed) {
        WAIT_WARNING_OFF => None,
        nanos => Some(Duration::from_nanos(nanos)),
    }
}

/// Slow-poll detection's switch and default threshold.
pub(crate) struct PollSettings {
    pub(crate) enabled: AtomicBool,
    pub(crate) default_max_poll_ns: AtomicU64,
}

/// The detection settings, initialized from `WARDEN_MAX_POLL` on first use so later setters win
/// over it.
pub(crate) fn poll_settings() -> &'static PollSettings {
    static SETTINGS: OnceLock<PollSettings> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        let (enabled, max_poll) = match std::env::var(ENV_VAR) {
            Err(_) => (true, DEFAULT_MAX_POLL),
            Ok(value) => match value.trim() {
                "off" | "false" | "none" => (false, DEFAULT_MAX_POLL),
                text => match parse_duration(text) {
                    Ok(max_poll) if !max_poll.is_zero() => (true, max_poll),
                    Ok(_) => {
                        tracing::warn!(
                            target: "warden::detect",
                            "{ENV_VAR}={value:?} would report every poll as slow; using \
                             {DEFAULT_MAX_POLL:?} (write \"off\" to switch detection off)"
                        );
                        (true, DEFAULT_MAX_POLL)
                    }
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
        PollSettings {
            enabled: AtomicBool::new(enabled),
            default_max_poll_ns: AtomicU64::new(nanos(max_poll)),
        }
    })
}

/// A duration in nanoseconds, saturating.
pub(crate) fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

/// Sets the slow-poll threshold of every watched fn that has none of its own, overriding
/// `WARDEN_MAX_POLL`.
///
/// ```
/// use std::time::Duration;
/// warden_runtime::settings::set_default_max_poll(Duration::from_millis(5));
/// assert_eq!(warden_runtime::settings::default_max_poll(), Duration::from_millis(5));
/// ```
pub fn set_default_max_poll(max_poll: Duration) {
    poll_settings()
        .default_max_poll_ns
        .store(nanos(max_poll), Relaxed);
}

/// The slow-poll threshold of every watched fn that has none of its own.
#[must_use]
pub fn default_max_poll() -> Duration {
    Duration::from_nanos(poll_settings().default_max_poll_ns.load(Relaxed))
}

/// Switches slow-poll detection on or off for the whole process, overriding
/// `WARDEN_MAX_POLL=off`. Off, a watched poll costs one atomic load and one increment: no clock.
///
/// ```
/// warden_runtime::settings::set_poll_detection(false);
/// assert!(!warden_runtime::settings::poll_detection());
/// # warden_runtime::settings::set_poll_detection(true);
/// ```
pub fn set_poll_detection(enabled: bool) {
    poll_settings().enabled.store(enabled, Relaxed);
}

/// Whether slow-poll detection is on.
#[must_use]
pub fn poll_detection() -> bool {
    poll_settings().enabled.load(Relaxed)
}
