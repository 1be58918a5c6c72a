//! A finding: one broken rule at one place in the user's code, before it becomes an error or a
//! warning.

use proc_macro2::Span;

use crate::rules::Rule;

/// Whether a finding stops the build (in deny mode) or only warns.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Severity {
    Error,
    Warning,
}

/// One broken rule at one place.
#[derive(Clone, Debug)]
pub(crate) struct Finding {
    pub(crate) rule: Rule,
    pub(crate) severity: Severity,
    /// First and last token of the offending code.
    pub(crate) span: (Span, Span),
    /// The message after the rule's tag: headline, then `help:` and `note:` lines.
    pub(crate) message: String,
    /// A second place worth showing, such as where a guard was taken.
    pub(crate) note: Option<((Span, Span), String)>,
}

impl Finding {
    pub(crate) fn error(rule: Rule, span: (Span, Span), message: String) -> Self {
        Finding {
            rule,
            severity: Severity::Error,
            span,
            message,
            note: None,
        }
    }

    pub(crate) fn warning(rule: Rule, span: (Span, Span), message: String) -> Self {
        Finding {
            rule,
            severity: Severity::Warning,
            span,
            message,
            note: None,
        }
    }

    pub(crate) fn with_note(mut self, span: (Span, Span), note: String) -> Self {
        self.note = Some((span, note));
        self
    }
}
