//! A `tracing` subscriber that records every event (with its fields and the span it happened in)
//! and every span, installed either for one thread or for the whole test binary.

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::DefaultGuard;
use tracing::{Dispatch, Event, Level, Metadata, Subscriber};
use tracing_core::span::Current;

/// One recorded event.
#[derive(Clone, Debug)]
pub struct Captured {
    pub level: Level,
    pub target: &'static str,
    /// Every field, the message included, in the order recorded: strings as they are, other
    /// values in their `Debug` form.
    pub fields: Vec<(&'static str, String)>,
    /// The innermost span of the same capture entered on the emitting thread.
    pub span: Option<&'static str>,
}

impl Captured {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn u64_field(&self, name: &str) -> u64 {
        self.field(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no u64 {name} in {self:?}"))
    }

    pub fn message(&self) -> &str {
        self.field("message").unwrap_or_default()
    }

    /// The message, then the other fields as `name=value`, to search in.
    pub fn text(&self) -> String {
        text(self.message(), &self.fields)
    }
}

/// `head`, then every field but the message as `name=value `.
fn text(head: &str, fields: &[(&'static str, String)]) -> String {
    let mut text = format!("{head} ");
    for (name, value) in fields.iter().filter(|(n, _)| *n != "message") {
        let _ = write!(text, "{name}={value} ");
    }
    text
}

/// Records every event and span it sees. Clones share the records.
#[derive(Clone, Default)]
pub struct Capture(Arc<Records>);

struct Records {
    /// Tells this capture's entries in [`ENTERED`] from another's.
    key: u64,
    events: Mutex<Vec<Captured>>,
    /// Span `n` has the id `n + 1`.
    spans: Mutex<Vec<SpanRecord>>,
}

impl Default for Records {
    fn default() -> Self {
        static KEYS: AtomicU64 = AtomicU64::new(0);
        Records {
            key: KEYS.fetch_add(1, Ordering::Relaxed),
            events: Mutex::default(),
            spans: Mutex::default(),
        }
    }
}

struct SpanRecord {
    metadata: &'static Metadata<'static>,
    /// `name field=value ...`
    text: String,
}

/// A span entered on this thread and not yet exited.
struct Entered {
    capture: u64,
    id: u64,
    metadata: &'static Metadata<'static>,
}

thread_local! {
    /// The spans entered on this thread, innermost last.
    static ENTERED: RefCell<Vec<Entered>> = const { RefCell::new(Vec::new()) };
}

/// tracing caches each callsite's interest when the callsite is first hit. With a single
/// registered dispatcher it asks only the hitting thread's default, so a test thread without a
/// capture would disable a callsite for every other test. A second dispatcher that lives for the
/// whole process (and receives nothing) makes tracing ask all of them.
fn keep_callsites_enabled() {
    static KEEP: OnceLock<Dispatch> = OnceLock::new();
    KEEP.get_or_init(|| Dispatch::new(Capture::default()));
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Capture {
    /// Installs a new capture for the current thread (tests on a current-thread runtime), which
    /// sees only that test's events.
    pub fn install() -> (Self, DefaultGuard) {
        keep_callsites_enabled();
        let capture = Capture::default();
        let guard = tracing::subscriber::set_default(capture.clone());
        (capture, guard)
    }

    /// The capture of the whole process (events from Tokio's worker and blocking threads are
    /// seen too), installed at the first call. Every test of the binary shares it: a test finds
    /// its own events by a field value no other test uses.
    pub fn global() -> Self {
        static GLOBAL: OnceLock<Capture> = OnceLock::new();
        GLOBAL
            .get_or_init(|| {
                let capture = Capture::default();
                tracing::subscriber::set_global_default(capture.clone())
                    .expect("one global subscriber");
                capture
            })
            .clone()
    }

    pub fn events(&self) -> Vec<Captured> {
        lock(&self.0.events).clone()
    }

    /// Spans created so far, as `name field=value ...`.
    pub fn spans(&self) -> Vec<String> {
        lock(&self.0.spans).iter().map(|s| s.text.clone()).collect()
    }

    /// Events at exactly `level`.
    pub fn at(&self, level: Level) -> Vec<Captured> {
        self.matching(|e| e.level == level)
    }

    /// Events at exactly `level` whose text contains `needle`.
    pub fn count(&self, level: Level, needle: &str) -> usize {
        self.matching(|e| e.level == level && e.text().contains(needle))
            .len()
    }

    /// Events whose field `name` equals `value` (string fields compare without quotes).
    pub fn events_with(&self, name: &str, value: &str) -> Vec<Captured> {
        self.matching(|e| e.field(name) == Some(value))
    }

    fn matching(&self, pred: impl Fn(&Captured) -> bool) -> Vec<Captured> {
        lock(&self.0.events)
            .iter()
            .filter(|e| pred(e))
            .cloned()
            .collect()
    }

    /// This capture's innermost span entered on the current thread.
    fn innermost<R>(&self, f: impl FnOnce(&Entered) -> R) -> Option<R> {
        ENTERED.with(|entered| {
            entered
                .borrow()
                .iter()
                .rfind(|e| e.capture == self.0.key)
                .map(f)
        })
    }
}

struct Fields<'a>(&'a mut Vec<(&'static str, String)>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name(), value.to_owned()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.push((field.name(), format!("{value:?}")));
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut fields = Vec::new();
        attrs.record(&mut Fields(&mut fields));
        let metadata = attrs.metadata();
        let mut spans = lock(&self.0.spans);
        spans.push(SpanRecord {
            metadata,
            text: text(metadata.name(), &fields),
        });
        Id::from_u64(spans.len() as u64)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Vec::new();
        event.record(&mut Fields(&mut fields));
        let captured = Captured {
            level: *event.metadata().level(),
            target: event.metadata().target(),
            fields,
            span: self.innermost(|e| e.metadata.name()),
        };
        lock(&self.0.events).push(captured);
    }

    fn enter(&self, span: &Id) {
        let id = span.into_u64();
        let metadata = lock(&self.0.spans)[usize::try_from(id).unwrap() - 1].metadata;
        ENTERED.with(|entered| {
            entered.borrow_mut().push(Entered {
                capture: self.0.key,
                id,
                metadata,
            });
        });
    }

    fn exit(&self, span: &Id) {
        let id = span.into_u64();
        ENTERED.with(|entered| {
            let mut entered = entered.borrow_mut();
            if let Some(i) = entered
                .iter()
                .rposition(|e| e.capture == self.0.key && e.id == id)
            {
                entered.remove(i);
            }
        });
    }

    fn current_span(&self) -> Current {
        self.innermost(|e| Current::new(Id::from_u64(e.id), e.metadata))
            .unwrap_or_else(Current::none)
    }
}
