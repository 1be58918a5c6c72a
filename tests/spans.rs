//! The span of a `#[supervised]` fn, as a subscriber sees it: named after the fn (or its
//! `name`), at INFO, holding the fn's events, entered while a dropped call's body is dropped,
//! and not made at all when the subscriber filters INFO out.

use std::sync::{Arc, Mutex};

use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use warden::{Failure, supervised};

/// What the subscriber saw: each new span (`name LEVEL`) and each event (`message in span`).
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<String>>>);

impl Seen {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Seen {
    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        let meta = attrs.metadata();
        let line = format!("span {} {}", meta.name(), meta.level());
        self.0.lock().unwrap().push(line);
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let span = ctx
            .event_span(event)
            .map_or_else(|| "none".to_owned(), |span| span.name().to_owned());
        let mut message = String::new();
        event.record(
            &mut |field: &tracing::field::Field, value: &dyn std::fmt::Debug| {
                if field.name() == "message" {
                    message = format!("{value:?}");
                }
            },
        );
        self.0
            .lock()
            .unwrap()
            .push(format!("event {message} in {span}"));
    }
}

#[supervised]
async fn fetch_user(id: u64) -> Result<u64, Failure> {
    tracing::info!("fetching");
    Ok(id)
}

#[supervised(name = "renamed_scope")]
async fn named(id: u64) -> Result<u64, Failure> {
    tracing::info!("named");
    Ok(id)
}

/// Logs when dropped, so the test sees in which span a cancelled body is dropped.
struct LogsOnDrop;

impl Drop for LogsOnDrop {
    fn drop(&mut self) {
        tracing::info!("body dropped");
    }
}

#[supervised]
async fn never_ends() -> Result<(), Failure> {
    let _guard = LogsOnDrop;
    std::future::pending::<()>().await;
    Ok(())
}

#[tokio::test]
async fn the_span_is_the_fns_and_holds_its_events() {
    let seen = Seen::default();
    let _default =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(seen.clone()));

    assert_eq!(fetch_user(7).await.unwrap(), 7);
    assert_eq!(
        seen.take(),
        ["span fetch_user INFO", "event fetching in fetch_user"]
    );

    assert_eq!(named(8).await.unwrap(), 8);
    assert_eq!(
        seen.take(),
        ["span renamed_scope INFO", "event named in renamed_scope"]
    );

    // Dropped after its first poll: the body is dropped inside the fn's span.
    let mut call = Box::pin(never_ends());
    assert!(futures_poll_once(call.as_mut()).await.is_none());
    drop(call);
    assert_eq!(
        seen.take(),
        ["span never_ends INFO", "event body dropped in never_ends"]
    );
}

#[tokio::test]
async fn no_span_is_made_when_info_is_filtered_out() {
    let seen = Seen::default();
    let layer = seen.clone().with_filter(LevelFilter::WARN);
    let _default = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
    assert_eq!(fetch_user(7).await.unwrap(), 7);
    assert_eq!(seen.take(), Vec::<String>::new());
}

/// Polls `future` once: its output if it was ready.
async fn futures_poll_once<F: std::future::Future + Unpin>(mut future: F) -> Option<F::Output> {
    std::future::poll_fn(|cx| {
        std::task::Poll::Ready(match std::pin::Pin::new(&mut future).poll(cx) {
            std::task::Poll::Ready(out) => Some(out),
            std::task::Poll::Pending => None,
        })
    })
    .await
}
