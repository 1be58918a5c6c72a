//! Diagnostics as rustc shows them, through `annotate-snippets` (the renderer rustc uses):
//! `path:line:col`, the source lines, the span underlined, then `help` and `note` lines.

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level as Shown, Renderer, Snippet};

use crate::check::Skipped;
use crate::config::Level;
use crate::diagnostic::Diagnostic;

/// Renders diagnostics, plain or in colour.
pub struct Text {
    renderer: Renderer,
}

impl Text {
    /// A renderer; `color` adds terminal colours.
    pub fn new(color: bool) -> Self {
        Text {
            renderer: if color {
                Renderer::styled()
            } else {
                Renderer::plain()
            },
        }
    }

    /// One diagnostic, with the text of its file.
    pub fn diagnostic(&self, d: &Diagnostic, text: &str) -> String {
        let shown = match d.level {
            Level::Deny => Shown::ERROR,
            _ => Shown::WARNING,
        };
        let mut spans = vec![d.place.bytes.clone()];
        spans.extend(d.related.iter().map(|(place, _)| place.bytes.clone()));
        let (excerpt, first_line, offset) = excerpt(text, &spans);
        let shift = |r: &Range<usize>| r.start - offset..r.end - offset;
        let mut snippet = Snippet::source(excerpt)
            .line_start(first_line)
            .path(d.file.as_str())
            .fold(true)
            .annotation(AnnotationKind::Primary.span(shift(&d.place.bytes)));
        for (place, label) in &d.related {
            snippet = snippet.annotation(
                AnnotationKind::Context
                    .span(shift(&place.bytes))
                    .label(label.as_str()),
            );
        }
        let title = d.title();
        let level_note = if d.level_from.is_empty() {
            String::new()
        } else {
            format!("`{}`: {}", d.level.name(), d.level_from)
        };
        let group = shown
            .primary_title(title.as_str())
            .element(snippet)
            .elements(d.helps.iter().map(|h| Shown::HELP.message(h.as_str())))
            .elements(d.notes.iter().map(|n| Shown::NOTE.message(n.as_str())))
            .elements((!level_note.is_empty()).then(|| Shown::NOTE.message(level_note.as_str())));
        self.renderer.render(&[group])
    }

    /// A file that was not checked.
    pub fn skipped(&self, skipped: &Skipped) -> String {
        let place = match skipped.line_col {
            Some((line, col)) => format!("{}:{line}:{col}", skipped.file),
            None => skipped.file.clone(),
        };
        let group = Group::with_title(Shown::WARNING.primary_title(skipped.message.as_str()))
            .element(annotate_snippets::Origin::path(place));
        self.renderer.render(&[group])
    }

    /// A message with no place, such as the summary.
    pub fn message(&self, error: bool, message: &str) -> String {
        let level = if error { Shown::ERROR } else { Shown::WARNING };
        self.renderer
            .render(&[Group::with_title(level.primary_title(message))])
    }
}

/// The whole lines of `text` that `spans` touch (and those between), the 1-based number of the
/// first, and the byte offset the excerpt starts at: rendering a few lines, not the whole file.
fn excerpt<'t>(text: &'t str, spans: &[Range<usize>]) -> (&'t str, usize, usize) {
    let mut lo = spans
        .iter()
        .map(|r| r.start)
        .min()
        .unwrap_or(0)
        .min(text.len());
    let mut hi = spans
        .iter()
        .map(|r| r.end)
        .max()
        .unwrap_or(0)
        .min(text.len());
    while !text.is_char_boundary(lo) {
        lo -= 1;
    }
    while !text.is_char_boundary(hi) {
        hi += 1;
    }
    let start = text[..lo].rfind('\n').map_or(0, |i| i + 1);
    let end = text[hi..].find('\n').map_or(text.len(), |i| hi + i);
    let first_line = text[..start].matches('\n').count() + 1;
    (&text[start..end], first_line, start)
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn excerpt_is_whole_lines() {
        let text = "a\nbb cc\ndd\nee\n";
        let (ex, line, offset) = excerpt(text, &[5..7, 8..9]);
        assert_eq!((ex, line, offset), ("bb cc\ndd", 2, 2));
        let first_char = 0..1;
        assert_eq!(
            excerpt(text, std::slice::from_ref(&first_char)),
            ("a", 1, 0)
        );
    }
}
