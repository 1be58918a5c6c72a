//! The global default threshold and the global switch of slow-poll detection. One test, because
//! both are process-wide and tests of one binary run in parallel.

mod support;

use std::time::{Duration, Instant};

use warden_runtime::detect::PollSite;
use warden_runtime::settings;

fn spin(period: Duration) {
    let start = Instant::now();
    while start.elapsed() < period {
        std::hint::spin_loop();
    }
}

#[tokio::test]
async fn default_threshold_and_switch_apply_at_run_time() {
    static DEFAULT: PollSite = PollSite::new("tests::default", file!(), line!(), None);
    static OWN: PollSite = PollSite::new(
        "tests::own",
        file!(),
        line!(),
        Some(Duration::from_millis(1)),
    );
    let capture = support::Capture::global();
    assert!(settings::poll_detection());
    assert_eq!(settings::default_max_poll(), settings::DEFAULT_MAX_POLL);

    // A site without a threshold of its own follows the default, as changed at run time.
    settings::set_default_max_poll(Duration::from_millis(100));
    DEFAULT.run(async { spin(Duration::from_millis(20)) }).await;
    assert_eq!(DEFAULT.snapshot().slow_polls, 0);
    settings::set_default_max_poll(Duration::from_millis(5));
    assert_eq!(DEFAULT.snapshot().max_poll, Duration::from_millis(5));
    DEFAULT.run(async { spin(Duration::from_millis(20)) }).await;
    assert_eq!(DEFAULT.snapshot().slow_polls, 1);
    assert_eq!(capture.events_with("fn_path", "tests::default").len(), 1);

    // Switched off: counted as a poll, not timed, not reported, whatever the site's threshold.
    settings::set_poll_detection(false);
    OWN.run(async { spin(Duration::from_millis(20)) }).await;
    let snap = OWN.snapshot();
    assert_eq!(
        (snap.polls, snap.slow_polls, snap.longest_poll),
        (1, 0, Duration::ZERO)
    );
    assert!(capture.events_with("fn_path", "tests::own").is_empty());

    // Back on: reported again.
    settings::set_poll_detection(true);
    OWN.run(async { spin(Duration::from_millis(20)) }).await;
    assert_eq!(OWN.snapshot().slow_polls, 1);
    assert_eq!(capture.events_with("fn_path", "tests::own").len(), 1);
}
