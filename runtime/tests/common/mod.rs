//! A `tracing` subscriber that records every event with its fields and the name of the span
//! it happened in, installed as the global default of a test binary (so events from Tokio's
//! worker and blocking threads are seen too).

#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use std::sync::{Mutex, Once};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_core::span::Current;

/// One recorded event.
#[derive(Clone, Debug)]
pub struct Captured {
    pub target: String,
    pub level: Level,
    pub fields: HashMap<String, String>,
    /// The innermost span entered on the emitting thread.
    pub span: Option<&'static str>,
}

impl Captured {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    pub fn u64_field(&self, name: &str) -> u64 {
        self.field(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no u64 {name} in {self:?}"))
    }
}

static EVENTS: Mutex<Vec<Captured>> = Mutex::new(Vec::new());
static SPANS: Mutex<Vec<&'static Metadata<'static>>> = Mutex::new(Vec::new());

thread_local! {
    static STACK: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

struct Capture;

struct Fields<'a>(&'a mut HashMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

fn metadata_of(id: u64) -> &'static Metadata<'static> {
    SPANS.lock().unwrap()[usize::try_from(id).unwrap() - 1]
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut spans = SPANS.lock().unwrap();
        spans.push(span.metadata());
        Id::from_u64(spans.len() as u64)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = HashMap::new();
        event.record(&mut Fields(&mut fields));
        let span = STACK.with(|stack| stack.borrow().last().map(|id| metadata_of(*id).name()));
        EVENTS.lock().unwrap().push(Captured {
            target: event.metadata().target().to_owned(),
            level: *event.metadata().level(),
            fields,
            span,
        });
    }

    fn enter(&self, span: &Id) {
        STACK.with(|stack| stack.borrow_mut().push(span.into_u64()));
    }

    fn exit(&self, _: &Id) {
        STACK.with(|stack| stack.borrow_mut().pop());
    }

    fn current_span(&self) -> Current {
        match STACK.with(|stack| stack.borrow().last().copied()) {
            Some(id) => Current::new(Id::from_u64(id), metadata_of(id)),
            None => Current::none(),
        }
    }
}

/// Installs the capturing subscriber once per test binary.
pub fn init() {
    static INIT: Once = Once::new();
    INIT.call_once(|| tracing::subscriber::set_global_default(Capture).unwrap());
}

/// Events whose field `name` equals `value` (string fields compare without quotes).
pub fn events_with(name: &str, value: &str) -> Vec<Captured> {
    EVENTS
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.field(name) == Some(value))
        .cloned()
        .collect()
}

/// Every event of `target`.
pub fn events_of(target: &str) -> Vec<Captured> {
    EVENTS
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.target == target)
        .cloned()
        .collect()
}
