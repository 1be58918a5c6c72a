//! A finding: one broken rule at one place in the user's code, before it becomes an error or a
//! warning.

use std::rc::Rc;

use proc_macro2::Span;

use crate::rules::Rule;
use crate::summary::Chain;

/// Whether a finding stops the build (in deny mode) or only warns.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Severity {
    /// Stops the build (deny mode).
    Error,
    /// Reported, the build goes on (warn mode, or a rule that only warns).
    Warning,
}

/// One broken rule at one place.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The rule it breaks.
    pub rule: Rule,
    /// Whether it stops the build.
    pub severity: Severity,
    /// First and last token of the offending code.
    pub span: (Span, Span),
    /// The message after the rule's tag: headline, then `help:` and `note:` lines.
    pub message: String,
    /// A second place worth showing, such as where a guard was taken.
    pub note: Option<((Span, Span), String)>,
    /// For R1: the blocking call, and the chain of the crate's fns that leads to it.
    pub chain: Option<Rc<Chain>>,
}

impl Finding {
    /// A finding that stops the build.
    pub fn error(rule: Rule, span: (Span, Span), message: String) -> Self {
        Finding {
            rule,
            severity: Severity::Error,
            span,
            message,
            note: None,
            chain: None,
        }
    }

    /// A finding that only warns.
    pub fn warning(rule: Rule, span: (Span, Span), message: String) -> Self {
        Finding {
            rule,
            severity: Severity::Warning,
            span,
            message,
            note: None,
            chain: None,
        }
    }

    /// Adds the chain of calls that explains an R1 finding.
    pub fn with_chain(mut self, chain: Rc<Chain>) -> Self {
        self.chain = Some(chain);
        self
    }

    /// Adds a second place worth showing, such as where a guard was taken.
    pub fn with_note(mut self, span: (Span, Span), note: String) -> Self {
        self.note = Some((span, note));
        self
    }
}
