//! Slow-poll detection with per-site thresholds: one warning per slow poll naming the fn, none
//! for a fn that awaits, and rate-limited warnings whose counts add up in a hot loop.
//!
//! Tests that change global settings live in `detect_global.rs` and `detect_env.rs`.

mod support;

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::time::timeout;
use warden_runtime::detect::PollSite;

const PATIENCE: Duration = Duration::from_secs(10);

/// Keeps the thread busy for `period`, like blocking code would.
fn spin(period: Duration) {
    let start = Instant::now();
    while start.elapsed() < period {
        std::hint::spin_loop();
    }
}

/// A future that spins `period` in each of its first `polls` polls, waking itself in between.
struct SpinningPolls {
    polls: u32,
    period: Duration,
}

impl Future for SpinningPolls {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.polls == 0 {
            return Poll::Ready(());
        }
        spin(self.period);
        self.polls -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[tokio::test]
async fn one_blocking_poll_gives_exactly_one_warning_naming_the_fn() {
    static SITE: PollSite = PollSite::new(
        "tests::spins_50ms",
        file!(),
        77,
        Some(Duration::from_millis(10)),
    );
    let capture = support::Capture::global();
    let value = timeout(
        PATIENCE,
        SITE.run(async {
            spin(Duration::from_millis(50));
            3
        }),
    )
    .await
    .unwrap();
    assert_eq!(value, 3);
    let events = capture.events_with("fn_path", "tests::spins_50ms");
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event.level, tracing::Level::WARN);
    assert_eq!(event.target, "warden::detect");
    assert_eq!(event.field("file"), Some(file!()));
    assert_eq!(event.u64_field("line"), 77);
    assert_eq!(event.u64_field("suppressed"), 0);
    let message = event.field("message").unwrap();
    assert!(
        message.contains("tests::spins_50ms") && message.contains("offload"),
        "{message}"
    );
    let snap = SITE.snapshot();
    assert_eq!((snap.polls, snap.slow_polls, snap.warnings), (1, 1, 1));
    assert!(snap.longest_poll >= Duration::from_millis(50), "{snap:?}");
}

/// Regression: `longest_poll` only recorded slow polls, so a fn that never crossed its
/// threshold showed a longest poll of zero although its doc says "the longest poll seen".
#[tokio::test]
async fn the_longest_poll_is_recorded_even_when_no_poll_was_slow() {
    static SITE: PollSite = PollSite::new(
        "tests::longest_not_slow",
        file!(),
        line!(),
        Some(Duration::from_secs(3_600)),
    );
    let capture = support::Capture::global();
    let polls = SpinningPolls {
        polls: 3,
        period: Duration::from_millis(5),
    };
    timeout(PATIENCE, SITE.run(polls)).await.unwrap();
    let snap = SITE.snapshot();
    assert_eq!((snap.polls, snap.slow_polls, snap.warnings), (4, 0, 0));
    assert!(snap.longest_poll >= Duration::from_millis(5), "{snap:?}");
    assert!(
        capture
            .events_with("fn_path", "tests::longest_not_slow")
            .is_empty()
    );
}

#[tokio::test]
async fn awaiting_a_sleep_is_not_a_slow_poll() {
    static SITE: PollSite = PollSite::new(
        "tests::sleeps_50ms",
        file!(),
        line!(),
        Some(Duration::from_millis(10)),
    );
    let capture = support::Capture::global();
    timeout(
        PATIENCE,
        SITE.run(tokio::time::sleep(Duration::from_millis(50))),
    )
    .await
    .unwrap();
    assert!(
        capture
            .events_with("fn_path", "tests::sleeps_50ms")
            .is_empty()
    );
    let snap = SITE.snapshot();
    assert!(snap.polls >= 2, "{snap:?}");
    assert_eq!((snap.slow_polls, snap.warnings), (0, 0));
    assert!(snap.longest_poll < Duration::from_millis(10));
}

#[tokio::test]
async fn a_hot_loop_of_slow_polls_is_rate_limited_and_counts_add_up() {
    const POLLS: u32 = 1_000;
    static SITE: PollSite = PollSite::new(
        "tests::hot_loop",
        file!(),
        line!(),
        Some(Duration::from_millis(1)),
    );
    let capture = support::Capture::global();
    let start = Instant::now();
    let spinning = SpinningPolls {
        polls: POLLS,
        period: Duration::from_micros(1_300),
    };
    timeout(PATIENCE, SITE.run(spinning)).await.unwrap();
    let elapsed = start.elapsed();

    let events = capture.events_with("fn_path", "tests::hot_loop");
    let snap = SITE.snapshot();
    assert_eq!(snap.polls, u64::from(POLLS) + 1);
    assert_eq!(snap.slow_polls, u64::from(POLLS));
    assert_eq!(snap.warnings, events.len() as u64);
    // At most one warning a second, the first at once.
    let most = elapsed.as_secs() + 1;
    assert!(
        !events.is_empty() && events.len() as u64 <= most,
        "{} warnings in {elapsed:?}",
        events.len()
    );
    let reported: u64 = events.iter().map(|e| e.u64_field("suppressed")).sum();
    assert_eq!(
        events.len() as u64 + reported + snap.suppressed,
        u64::from(POLLS),
        "{snap:?}"
    );
}

#[tokio::test]
async fn watched_fns_are_listed_in_metrics_once() {
    static LISTED: PollSite = PollSite::new("tests::listed", file!(), line!(), None);
    LISTED.run(async {}).await;
    LISTED.run(async {}).await;
    let polls = warden_runtime::metrics::polls();
    let listed: Vec<_> = polls
        .iter()
        .filter(|p| p.fn_path == "tests::listed")
        .collect();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].polls, 2);
    assert_eq!(
        listed[0].max_poll,
        warden_runtime::settings::default_max_poll()
    );
}
