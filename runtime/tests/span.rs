//! What a supervised scope costs and shows: its span (named by the config, made at the first
//! poll) and its future's size (the body stored once).

mod support;

use support::Capture;
use warden_runtime::{Failure, ScopeConfig, spawn, supervise, supervise_with};

#[tokio::test]
async fn spans_are_named_by_the_config() {
    static NAMED: ScopeConfig =
        ScopeConfig::new("named").span(|| tracing::info_span!("my_supervised_fn"));
    static DEFAULT: ScopeConfig = ScopeConfig::new("defaulted");
    let (capture, _g) = Capture::install();
    let r: Result<(), Failure> = supervise(&NAMED, || async { Ok(()) }).await;
    r.expect("ok");
    let r: Result<(), Failure> = supervise(&DEFAULT, || async { Ok(()) }).await;
    r.expect("ok");
    let spans = capture.spans();
    assert!(
        spans.iter().any(|s| s.starts_with("my_supervised_fn")),
        "{spans:?}"
    );
    assert!(
        spans
            .iter()
            .any(|s| s.starts_with("supervised") && s.contains("scope=defaulted")),
        "{spans:?}"
    );
}

#[test]
fn the_supervised_future_stores_the_body_once() {
    // Regression: an `async fn` driver stored the body several times (5× its size per level).
    static CFG: ScopeConfig = ScopeConfig::new("size");
    let big = [0u8; 4096];
    let body = async move {
        tokio::task::yield_now().await;
        Ok::<_, Failure>(big.len())
    };
    let body_size = std::mem::size_of_val(&body);
    let scoped = supervise_with(&CFG, body, |failure| failure);
    let size = std::mem::size_of_val(&scoped);
    assert!(
        size <= body_size + 512,
        "body {body_size} B, supervised {size} B"
    );
    let child = spawn(async move {
        tokio::task::yield_now().await;
        Ok::<_, Failure>(big.len())
    });
    assert!(std::mem::size_of_val(&child) <= body_size + 512);
}

#[tokio::test]
async fn generated_scopes_make_their_span_at_the_first_poll() {
    // `#[supervised]` under another attribute builds its future before the outer layer runs
    // (stored once, not in one more async block): a call that the outer layer turns away, like
    // a rejected `#[bounded(n, reject)]` call, must not cost a span.
    static CFG: ScopeConfig =
        ScopeConfig::new("lazy").span(|| tracing::info_span!("lazy_supervised_fn"));
    let (capture, _g) = Capture::install();
    let convert = |failure: Failure| failure;
    drop(warden_runtime::__private::supervise_with(
        &CFG,
        async { Ok::<(), Failure>(()) },
        convert,
    ));
    assert!(capture.spans().is_empty(), "{:?}", capture.spans());
    let r = warden_runtime::__private::supervise_with(&CFG, async { Ok(()) }, convert).await;
    r.expect("ok");
    let spans = capture.spans();
    assert!(
        spans.iter().any(|s| s.starts_with("lazy_supervised_fn")),
        "{spans:?}"
    );
}

/// A child's events are in the span it was spawned in: its scope's own (entered through the
/// scope, no span of its own), or a span the body entered around the spawn; on a worker
/// thread, where nothing else entered it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::async_yields_async)] // the inner block gives the handle, awaited after
async fn a_child_runs_in_the_span_it_was_spawned_in() {
    use tracing::Instrument as _;
    static IN_SPAN: ScopeConfig =
        ScopeConfig::new("in_span").span(|| tracing::info_span!("scope_fn"));
    let capture = Capture::global();
    let r: Result<(), Failure> = supervise(&IN_SPAN, || async {
        let in_scope = spawn(async {
            tokio::task::yield_now().await;
            tracing::info!(probe = "scope_span", "child");
        })
        .await;
        let inner = async {
            spawn(async {
                tokio::task::yield_now().await;
                tracing::info!(probe = "own_span", "child");
            })
            .await
        }
        .instrument(tracing::info_span!("inner_step"))
        .await;
        in_scope.await?;
        inner.await
    })
    .await;
    r.expect("both children succeed");
    for (probe, span) in [("scope_span", "scope_fn"), ("own_span", "inner_step")] {
        let events = capture.events_with("probe", probe);
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].span, Some(span), "{probe}");
    }
}
