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
