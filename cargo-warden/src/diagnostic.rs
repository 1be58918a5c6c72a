//! A finding placed in its file, with the level it gets: the typed model every output (text,
//! JSON, SARIF, baseline, report) is made from.

use std::ops::Range;

use proc_macro2::Span;
use warden_analysis::{Finding, Rule, Severity};

use crate::config::Level;
use crate::rules;

/// A place in a file: byte range, and 1-based line and column (in characters) of both ends.
#[derive(Clone, Debug)]
pub struct Place {
    /// Bytes of the file.
    pub bytes: Range<usize>,
    /// Line and column of the first character.
    pub start: (usize, usize),
    /// Line and column just after the last character.
    pub end: (usize, usize),
}

impl Place {
    /// From the first and last token of a finding (spans with `span-locations`).
    pub fn of(span: (Span, Span)) -> Place {
        let (first, last) = span;
        let (start, end) = (first.start(), last.end());
        Place {
            bytes: first.byte_range().start..last.byte_range().end.max(first.byte_range().end),
            start: (start.line, start.column + 1),
            end: (end.line, end.column + 1),
        }
    }
}

/// One finding, ready to show.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// The rule broken.
    pub rule: Rule,
    /// `Deny` or `Warn` (findings at `Allow` are never made).
    pub level: Level,
    /// Why it has that level: the attribute, or the `Cargo.toml` setting.
    pub level_from: String,
    /// The file, relative to the workspace root.
    pub file: String,
    /// The offending code.
    pub place: Place,
    /// The first line of the engine's message.
    pub headline: String,
    /// `help:` lines.
    pub helps: Vec<String>,
    /// `note:` lines.
    pub notes: Vec<String>,
    /// Further places worth showing, in order (where a guard was taken, the path that keeps
    /// it), each with what it shows.
    pub related: Vec<(Place, String)>,
    /// The package whose crate it is in.
    pub package: String,
    /// The fn it is in (`crate::a::Server::run`).
    pub function: String,
    /// The module it is in (`crate::a`).
    pub module: String,
    /// The offending code's text, whitespace collapsed, after the related code's when there is
    /// one (`let g = m.lock().unwrap(); / .await`): with `function` and `rule`, what a baseline
    /// recognises it by when lines move.
    pub code: String,
}

/// What a finding needs from its surroundings.
pub struct Context<'a> {
    /// The package.
    pub package: &'a str,
    /// The file's text.
    pub text: &'a str,
    /// The file, relative to the workspace root.
    pub file: &'a str,
    /// The fn it is in.
    pub function: &'a str,
    /// The module it is in.
    pub module: &'a str,
}

impl Diagnostic {
    /// `finding` at `level`; a finding that is a warning by nature stays one.
    pub fn new(finding: Finding, level: Level, level_from: String, cx: &Context<'_>) -> Self {
        let warning_only =
            finding.severity == Severity::Warning || rules::info(finding.rule).warning_only;
        let (level, level_from) = if warning_only && level == Level::Deny {
            (
                Level::Warn,
                "this rule only ever warns (two locks at once are sometimes right)".to_owned(),
            )
        } else {
            (level, level_from)
        };
        let place = Place::of(finding.span);
        let mut lines = finding.message.lines();
        let headline = lines.next().unwrap_or_default().to_owned();
        let (mut helps, mut notes) = (Vec::new(), Vec::new());
        for line in lines {
            if let Some(help) = line.strip_prefix("help: ") {
                helps.push(help.to_owned());
            } else if let Some(note) = line.strip_prefix("note: ") {
                notes.push(note.to_owned());
            } else if let Some(last) = notes.last_mut().or(helps.last_mut()) {
                last.push('\n');
                last.push_str(line);
            } else {
                notes.push(line.to_owned());
            }
        }
        let related: Vec<(Place, String)> = finding
            .notes
            .into_iter()
            .map(|(span, text)| (Place::of(span), text))
            .collect();
        let text_at = |place: &Place| {
            let text = cx.text.get(place.bytes.clone()).unwrap_or_default();
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        let code = match related.first() {
            Some((at, _)) => format!("{} / {}", text_at(at), text_at(&place)),
            None => text_at(&place),
        };
        Diagnostic {
            rule: finding.rule,
            level,
            level_from,
            file: cx.file.to_owned(),
            place,
            headline,
            helps,
            notes,
            related,
            package: cx.package.to_owned(),
            function: cx.function.to_owned(),
            module: cx.module.to_owned(),
            code,
        }
    }

    /// The message as the macros show it: the rule's tag, then the headline.
    pub fn title(&self) -> String {
        format!("{}: {}", self.rule.tag(), self.headline)
    }
}
