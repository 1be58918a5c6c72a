//! `--message-format json`: one JSON object per line, shaped like cargo's: a
//! `"reason": "compiler-message"` object whose `message` is a rustc diagnostic (spans, children,
//! rendered text), so tools that read `cargo clippy --message-format json` read these too; then
//! `"reason": "build-finished"`. warden's own fields sit in `"warden"`.

use serde_json::{Value, json};

use crate::check::Skipped;
use crate::config::Level;
use crate::diagnostic::{Diagnostic, Place};
use crate::rules;

/// One finding as a line of JSON; `rendered` is its text form.
pub fn diagnostic(d: &Diagnostic, text: &str, rendered: &str) -> String {
    let mut spans = vec![span(&d.file, &d.place, text, true, None)];
    for (place, label) in &d.related {
        spans.push(span(&d.file, place, text, false, Some(label)));
    }
    let children: Vec<Value> = d
        .helps
        .iter()
        .map(|h| child("help", h))
        .chain(d.notes.iter().map(|n| child("note", n)))
        .collect();
    let info = rules::info(d.rule);
    json!({
        "reason": "compiler-message",
        "package_name": d.package,
        "message": {
            "$message_type": "diagnostic",
            "message": d.title(),
            "code": { "code": info.id, "explanation": info.description },
            "level": level(d.level),
            "spans": spans,
            "children": children,
            "rendered": rendered,
        },
        "warden": {
            "rule": info.id,
            "family": info.family.key(),
            "level_from": d.level_from,
            "module": d.module,
            "function": d.function,
            "code": d.code,
        },
    })
    .to_string()
}

/// A file that was not checked, as a warning without code.
pub fn skipped(s: &Skipped, rendered: &str) -> String {
    let (line, column) = s.line_col.unwrap_or((1, 1));
    json!({
        "reason": "compiler-message",
        "message": {
            "$message_type": "diagnostic",
            "message": s.message,
            "code": null,
            "level": "warning",
            "spans": [{
                "file_name": s.file,
                "line_start": line, "line_end": line,
                "column_start": column, "column_end": column,
                "is_primary": true,
                "text": [],
                "label": null,
            }],
            "children": [],
            "rendered": rendered,
        },
    })
    .to_string()
}

/// The last line: whether the run passed, and the counts.
pub fn finished(success: bool, errors: usize, warnings: usize, baselined: usize) -> String {
    json!({
        "reason": "build-finished",
        "success": success,
        "warden": { "errors": errors, "warnings": warnings, "baselined": baselined },
    })
    .to_string()
}

fn level(level: Level) -> &'static str {
    match level {
        Level::Deny => "error",
        _ => "warning",
    }
}

fn child(level: &str, message: &str) -> Value {
    json!({
        "message": message,
        "code": null,
        "level": level,
        "spans": [],
        "children": [],
        "rendered": null,
    })
}

/// A rustc span: 1-based lines and columns, the lines it covers with the highlighted columns.
fn span(file: &str, place: &Place, text: &str, primary: bool, label: Option<&str>) -> Value {
    let lines: Vec<Value> = text
        .lines()
        .enumerate()
        .skip(place.start.0 - 1)
        .take(place.end.0 + 1 - place.start.0)
        .map(|(i, line)| {
            let number = i + 1;
            let start = if number == place.start.0 {
                place.start.1
            } else {
                1
            };
            let end = if number == place.end.0 {
                place.end.1
            } else {
                line.chars().count() + 1
            };
            json!({ "text": line, "highlight_start": start, "highlight_end": end })
        })
        .collect();
    json!({
        "file_name": file,
        "byte_start": place.bytes.start,
        "byte_end": place.bytes.end,
        "line_start": place.start.0,
        "line_end": place.end.0,
        "column_start": place.start.1,
        "column_end": place.end.1,
        "is_primary": primary,
        "text": lines,
        "label": label,
        "suggested_replacement": null,
        "suggestion_applicability": null,
        "expansion": null,
    })
}
