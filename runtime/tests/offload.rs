//! `offload` and `offload_with_token`: values come back, panics become `Failure::Panicked`, the
//! caller's span follows the closure, and a dropped caller cancels the token.

mod support;

use std::sync::mpsc;
use std::time::Duration;

use tokio::time::timeout;
use warden_runtime::{Failure, offload, offload_with_token};

const PATIENCE: Duration = Duration::from_secs(10);

#[tokio::test]
async fn returns_the_closures_value() {
    let text = timeout(PATIENCE, offload(|| "done".repeat(2)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(text, "donedone");
    let sum = timeout(PATIENCE, offload_with_token(|_token| 2 + 2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sum, 4);
}

#[tokio::test]
async fn a_panic_becomes_failure_panicked_naming_the_call_site() {
    let line = line!() + 1;
    let result = timeout(PATIENCE, offload(|| -> u8 { panic!("disk on fire") }))
        .await
        .unwrap();
    match result {
        Err(Failure::Panicked { at, message }) => {
            assert_eq!(message, "disk on fire");
            assert!(at.ends_with(&format!("{}:{line}", file!())), "{at}");
        }
        other => panic!("expected Failure::Panicked, got {other:?}"),
    }
    let result = timeout(
        PATIENCE,
        offload_with_token(|_| -> u8 { panic!("{} bytes lost", 3) }),
    )
    .await
    .unwrap();
    assert!(
        matches!(result, Err(Failure::Panicked { ref message, .. }) if message == "3 bytes lost")
    );
}

#[tokio::test]
async fn works_with_question_mark_in_a_failure_returning_fn() {
    async fn caller() -> Result<u32, Failure> {
        let n = offload(|| 40).await?;
        Ok(n + 2)
    }
    assert_eq!(timeout(PATIENCE, caller()).await.unwrap().unwrap(), 42);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_caller_cancels_the_token() {
    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    let (seen_tx, seen_rx) = mpsc::channel();
    let call = offload_with_token(move |token| {
        started_tx.send(()).unwrap();
        // Blocking work that checks the token between units, giving up after the patience.
        let start = std::time::Instant::now();
        while !token.is_cancelled() && start.elapsed() < PATIENCE {
            std::thread::sleep(Duration::from_millis(1));
        }
        seen_tx.send(token.is_cancelled()).unwrap();
    });
    let call = tokio::spawn(call);
    timeout(PATIENCE, started_rx).await.unwrap().unwrap();
    call.abort();
    let cancelled = tokio::task::spawn_blocking(move || seen_rx.recv_timeout(PATIENCE))
        .await
        .unwrap();
    assert_eq!(cancelled, Ok(true));
}

#[tokio::test]
async fn a_completed_call_leaves_its_token_alone() {
    let token = timeout(PATIENCE, offload_with_token(|token| token))
        .await
        .unwrap()
        .unwrap();
    assert!(!token.is_cancelled());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_closure_runs_in_the_callers_span() {
    let capture = support::Capture::global();
    let span = tracing::info_span!("caller_span");
    let inner = async {
        let plain = offload(|| {
            tracing::info!(probe = "offload", "inside");
            tracing::Span::current()
                .metadata()
                .map(tracing::Metadata::name)
        });
        let with_token =
            offload_with_token(|_| tracing::info!(probe = "offload_with_token", "inside"));
        (plain.await, with_token.await)
    };
    let (plain, with_token) = timeout(PATIENCE, tracing::Instrument::instrument(inner, span))
        .await
        .unwrap();
    assert_eq!(plain.unwrap(), Some("caller_span"));
    with_token.unwrap();
    for probe in ["offload", "offload_with_token"] {
        let events = capture.events_with("probe", probe);
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].span, Some("caller_span"), "{probe}");
    }
}
