//! Test helpers: a tracing subscriber that records events, and a bound on every wait.
#![allow(dead_code)]

use std::fmt::{self, Write as _};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::DefaultGuard;
use tracing::{Event, Level, Metadata, Subscriber};

/// tracing caches each callsite's interest when the callsite is first hit. With a single
/// registered dispatcher it asks only the hitting thread's default, so a test thread without a
/// capture would disable a callsite for every other test. A second dispatcher that lives for the
/// whole process (and receives nothing) makes tracing ask all of them.
fn keep_callsites_enabled() {
    static KEEP: std::sync::OnceLock<tracing::Dispatch> = std::sync::OnceLock::new();
    KEEP.get_or_init(|| tracing::Dispatch::new(Capture::default()));
}

/// One recorded event: its level, its message and its other fields as `name=value` text.
#[derive(Clone, Debug)]
pub struct Captured {
    pub level: Level,
    pub message: String,
    pub fields: String,
}

impl Captured {
    /// Message and fields, to search in.
    pub fn text(&self) -> String {
        format!("{} {}", self.message, self.fields)
    }
}

/// Records every event it sees.
#[derive(Clone, Default)]
pub struct Capture {
    events: Arc<Mutex<Vec<Captured>>>,
    spans: Arc<Mutex<Vec<String>>>,
    ids: Arc<AtomicU64>,
}

impl Capture {
    /// Installs a capture for the current thread (tests on a current-thread runtime).
    pub fn install() -> (Self, DefaultGuard) {
        keep_callsites_enabled();
        let capture = Capture::default();
        let guard = tracing::subscriber::set_default(capture.clone());
        (capture, guard)
    }

    /// Installs a capture for the whole process (one test per binary).
    pub fn install_global() -> Self {
        let capture = Capture::default();
        tracing::subscriber::set_global_default(capture.clone()).expect("one global subscriber");
        capture
    }

    pub fn events(&self) -> Vec<Captured> {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Spans created so far, as `name field=value ...`.
    pub fn spans(&self) -> Vec<String> {
        self.spans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Events at exactly `level`.
    pub fn at(&self, level: Level) -> Vec<Captured> {
        self.events()
            .into_iter()
            .filter(|e| e.level == level)
            .collect()
    }

    /// Events at exactly `level` whose text contains `needle`.
    pub fn count(&self, level: Level, needle: &str) -> usize {
        self.at(level)
            .iter()
            .filter(|e| e.text().contains(needle))
            .count()
    }
}

struct Fields<'a> {
    message: &'a mut String,
    fields: &'a mut String,
}

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, "{}={value:?} ", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, "{}={value} ", field.name());
        }
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut message = String::new();
        let mut fields = String::new();
        attrs.record(&mut Fields {
            message: &mut message,
            fields: &mut fields,
        });
        let text = format!("{} {fields}", attrs.metadata().name());
        self.spans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(text);
        Id::from_u64(self.ids.fetch_add(1, Ordering::Relaxed) + 1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut message = String::new();
        let mut fields = String::new();
        event.record(&mut Fields {
            message: &mut message,
            fields: &mut fields,
        });
        let captured = Captured {
            level: *event.metadata().level(),
            message,
            fields,
        };
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(captured);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// Fails the test instead of hanging it (in paused time, the bound passes instantly).
pub async fn bounded<F: Future>(fut: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(30), fut)
        .await
        .expect("the test hung: bound of 30 s reached")
}

/// Waits (bounded) until `cond` holds, polling every millisecond.
pub async fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let r = tokio::time::timeout(Duration::from_secs(10), async {
        while !cond() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    assert!(r.is_ok(), "never happened: {what}");
}

/// Sets its flag when dropped: proves a future was dropped (cancelled or aborted).
pub struct DropFlag(pub Arc<std::sync::atomic::AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

pub fn flag() -> Arc<std::sync::atomic::AtomicBool> {
    Arc::new(std::sync::atomic::AtomicBool::new(false))
}

pub fn is_set(f: &std::sync::atomic::AtomicBool) -> bool {
    f.load(Ordering::SeqCst)
}
