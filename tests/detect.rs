//! Slow-poll detection through the macros: `#[no_blocking(max_poll)]` and
//! `#[supervised(max_poll)]` time every poll of the fn's body and count the slow ones.

use std::time::{Duration, Instant};

use warden::{Failure, no_blocking, supervised};

/// Busy-waits on the executor thread, which is exactly what the detector must see.
fn spin(for_: Duration) {
    let start = Instant::now();
    while start.elapsed() < for_ {
        std::hint::spin_loop();
    }
}

#[no_blocking(max_poll = "10ms")]
async fn hogs_the_thread() {
    spin(Duration::from_millis(50));
    tokio::task::yield_now().await;
}

#[no_blocking(max_poll = "10ms")]
async fn sleeps_politely() {
    tokio::time::sleep(Duration::from_millis(50)).await;
}

#[supervised(max_poll = "10ms")]
async fn supervised_hog() -> Result<(), Failure> {
    spin(Duration::from_millis(30));
    Ok(())
}

fn snapshot(name: &str) -> warden::metrics::PollSnapshot {
    warden::metrics::polls()
        .into_iter()
        .find(|p| p.fn_path.ends_with(name))
        .unwrap_or_else(|| panic!("{name} is listed"))
}

#[tokio::test]
async fn a_blocking_poll_is_counted_against_the_fn() {
    hogs_the_thread().await;
    let polls = snapshot("::hogs_the_thread");
    assert_eq!(polls.slow_polls, 1);
    assert!(polls.polls >= 2, "the yield makes a second poll");
    assert!(polls.longest_poll >= Duration::from_millis(50));
    assert!(polls.file.ends_with("detect.rs"));
    assert_eq!(polls.max_poll, Duration::from_millis(10));
}

#[tokio::test]
async fn awaiting_a_sleep_is_not_slow() {
    sleeps_politely().await;
    let polls = snapshot("::sleeps_politely");
    assert_eq!(polls.slow_polls, 0);
}

#[tokio::test]
async fn supervised_scopes_record_their_longest_poll() {
    supervised_hog().await.unwrap();
    let polls = snapshot("::supervised_hog");
    assert_eq!(polls.slow_polls, 1);
    assert!(polls.longest_poll >= Duration::from_millis(30));
}
