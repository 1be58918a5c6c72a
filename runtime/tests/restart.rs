//! Restart rules: transient, permanent, intensity, backoff, and no restart on cancellation.

mod support;

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::{Capture, bounded};
use tokio::time::Instant;
use tracing::Level;
use warden_runtime::{
    BoxError, Failure, RestartPolicy, ScopeConfig, current_token, spawn, supervise,
};

const MS: Duration = Duration::from_millis(1);

/// Runs `cfg`'s scope with the body `attempt` makes from each attempt's number (from 1);
/// returns the result and how many attempts ran.
async fn attempts<T, Fut>(
    cfg: &'static ScopeConfig,
    mut attempt: impl FnMut(u32) -> Fut,
) -> (Result<T, BoxError>, u32)
where
    Fut: Future<Output = Result<T, BoxError>>,
{
    let mut n = 0;
    let r = bounded(supervise(cfg, || {
        n += 1;
        attempt(n)
    }))
    .await;
    (r, n)
}

#[tokio::test(start_paused = true)]
async fn transient_restarts_after_errors_and_panics_then_returns_ok() {
    static CFG: ScopeConfig = ScopeConfig::new("transient").restart(RestartPolicy::on_failure());
    let (capture, _g) = Capture::install();
    let (r, attempts) = attempts::<u32, _>(&CFG, |n| async move {
        match n {
            1 => Err("first try fails".into()),
            2 => panic!("second try panics"),
            _ => Ok(n),
        }
    })
    .await;
    assert_eq!(r.expect("third attempt succeeds"), 3);
    assert_eq!(attempts, 3);
    // Each failure that led to a restart is logged once, with the attempt about to start.
    let errors = capture.at(Level::ERROR);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors[0].text().contains("first try fails") && errors[0].text().contains("attempt=2"));
    assert!(
        errors[1].text().contains("second try panics") && errors[1].text().contains("attempt=3")
    );
}

#[tokio::test(start_paused = true)]
async fn transient_does_not_restart_after_ok() {
    static CFG: ScopeConfig = ScopeConfig::new("once").restart(RestartPolicy::on_failure());
    let (r, attempts) = attempts::<&str, _>(&CFG, |_| async { Ok("done") }).await;
    assert_eq!(r.expect("ok"), "done");
    assert_eq!(attempts, 1);
}

#[tokio::test(start_paused = true)]
async fn permanent_restarts_after_ok_until_the_intensity_is_reached() {
    static CFG: ScopeConfig = ScopeConfig::new("permanent").restart(
        RestartPolicy::always()
            .max_restarts(4)
            .within(Duration::from_secs(60)),
    );
    let (capture, _g) = Capture::install();
    let (r, attempts) = attempts::<u32, _>(&CFG, |n| async move { Ok(n) }).await;
    // 1 run + 4 restarts; the last result is returned.
    assert_eq!(r.expect("ok"), 5);
    assert_eq!(attempts, 5);
    assert_eq!(
        capture.count(Level::INFO, "permanent scope returned; restarting"),
        4
    );
    assert_eq!(capture.at(Level::ERROR).len(), 0, "an Ok is not a failure");
}

#[tokio::test(start_paused = true)]
async fn intensity_exceeded_returns_the_last_failure() {
    static CFG: ScopeConfig = ScopeConfig::new("crashy").restart(
        RestartPolicy::on_failure()
            .max_restarts(2)
            .within(Duration::from_secs(10)),
    );
    let (capture, _g) = Capture::install();
    let (r, attempts) =
        attempts::<(), _>(&CFG, |n| async move { Err(format!("failure #{n}").into()) }).await;
    assert_eq!(r.expect_err("gives up").to_string(), "failure #3");
    assert_eq!(attempts, 3);
    // Failures 1 and 2 were logged when restarting; failure 3 is returned, not logged.
    assert_eq!(capture.at(Level::ERROR).len(), 2);
    assert_eq!(capture.count(Level::ERROR, "failure #3"), 0);
    assert_eq!(capture.count(Level::WARN, "giving up"), 1);
}

#[tokio::test(start_paused = true)]
async fn restarts_outside_the_period_do_not_count() {
    static CFG: ScopeConfig = ScopeConfig::new("spaced").restart(
        RestartPolicy::on_failure()
            .max_restarts(1)
            .within(Duration::from_millis(100)),
    );
    let (r, _) = attempts::<u32, _>(&CFG, |n| {
        async move {
            // Each run lasts longer than the period, so only one restart is ever "recent".
            tokio::time::sleep(Duration::from_millis(150)).await;
            if n < 4 { Err("again".into()) } else { Ok(n) }
        }
    })
    .await;
    assert_eq!(r.expect("never more than one restart per 100 ms"), 4);
}

#[tokio::test(start_paused = true)]
async fn backoff_delays_grow_and_stay_within_bounds() {
    static CFG: ScopeConfig = ScopeConfig::new("backoff").restart(
        RestartPolicy::on_failure()
            .max_restarts(6)
            .within(Duration::from_secs(3600))
            .backoff(Duration::from_millis(10), Duration::from_secs(1)),
    );
    let starts = Arc::new(Mutex::new(Vec::new()));
    let s = starts.clone();
    let r: Result<(), BoxError> = bounded(supervise(&CFG, || {
        s.lock().unwrap().push(Instant::now());
        async { Err("always".into()) }
    }))
    .await;
    assert!(r.is_err());
    let starts = starts.lock().unwrap();
    assert_eq!(starts.len(), 7);
    let gaps: Vec<Duration> = starts.windows(2).map(|w| w[1] - w[0]).collect();
    // Gap n is in [d/2, d] with d = 10 ms * 2^(n-1), capped at 1 s.
    for (n, gap) in gaps.iter().enumerate() {
        let full = (10 * MS * (1 << n)).min(1000 * MS);
        assert!(
            *gap >= full / 2 && *gap <= full + MS,
            "gap {n} = {gap:?}, full {full:?}"
        );
    }
    for w in gaps.windows(2).take(5) {
        assert!(w[1] >= w[0], "backoff did not grow: {gaps:?}");
    }
    assert!(gaps[5] >= 160 * MS, "{gaps:?}");
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_attempt_is_not_restarted() {
    static CFG: ScopeConfig = ScopeConfig::new("cancelled").restart(
        RestartPolicy::always()
            .max_restarts(10)
            .within(Duration::from_secs(60)),
    );
    let (r, attempts) = attempts::<(), _>(&CFG, |_| async {
        current_token().cancel();
        std::future::pending::<()>().await;
        Ok(())
    })
    .await;
    let err = r.expect_err("cancelled");
    assert!(
        err.downcast_ref::<Failure>()
            .is_some_and(Failure::is_cancelled),
        "{err:?}"
    );
    assert_eq!(attempts, 1);
}

#[tokio::test(start_paused = true)]
async fn child_failure_restarts_the_scope() {
    static CFG: ScopeConfig = ScopeConfig::new("parent").restart(RestartPolicy::on_failure());
    let (r, _) = attempts::<u32, _>(&CFG, |n| async move {
        if n == 1 {
            drop(spawn(async { Err::<(), _>("child down") }).await);
            std::future::pending::<()>().await;
        }
        Ok(n)
    })
    .await;
    assert_eq!(r.expect("second attempt"), 2);
}

#[tokio::test(start_paused = true)]
async fn parent_cancellation_during_backoff_stops_restarting() {
    static OUTER: ScopeConfig = ScopeConfig::new("outer");
    static WORKER: ScopeConfig = ScopeConfig::new("worker").restart(
        RestartPolicy::on_failure().backoff(Duration::from_secs(10), Duration::from_secs(10)),
    );
    let attempts = Arc::new(Mutex::new(0u32));
    let a = attempts.clone();
    let start = Instant::now();
    let r: Result<(), Failure> = bounded(warden_runtime::supervise(&OUTER, move || {
        let a = a.clone();
        async move {
            let worker = spawn(async move {
                let r: Result<(), BoxError> = supervise(&WORKER, || {
                    *a.lock().unwrap() += 1;
                    async { Err("down".into()) }
                })
                .await;
                r
            })
            .await;
            tokio::time::sleep(Duration::from_millis(100)).await; // the worker is in its backoff
            current_token().cancel();
            let err = worker.await.expect_err("cancelled");
            assert!(err.to_string().contains("cancelled"), "{err}");
            Ok(())
        }
    }))
    .await;
    assert!(matches!(r, Err(Failure::Cancelled { .. })), "{r:?}");
    assert_eq!(
        *attempts.lock().unwrap(),
        1,
        "restarted although the parent was cancelled"
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "waited out the backoff"
    );
}
