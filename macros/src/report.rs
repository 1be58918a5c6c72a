//! Findings become compile errors (deny mode) or compiler warnings (warn mode, and findings that
//! are warnings by nature).
//!
//! Stable Rust has no warning API for proc macros, so a warning is a use of a `#[deprecated]`
//! constant whose note is the message, spanned on the offending code. The use carries its own
//! `#[warn(deprecated)]`: the innermost lint level wins, so an `#![allow(deprecated)]` of the
//! crate, module or fn (or `-A deprecated`) cannot hide warden's findings by accident. What still
//! silences them is what silences every warning: `allow(warnings)` and `--cap-lints` (Cargo's for
//! dependencies); `deny(warnings)` still turns them into errors, because rustc applies the
//! `warnings` level after the lint's own.

use proc_macro2::{Span, TokenStream};
use quote::format_ident;
use syn::Stmt;

use warden_analysis::finding::{Finding, Severity};

/// Collects a fn's findings as errors, or as statements that warn.
#[derive(Default)]
pub(crate) struct Report {
    errors: Option<syn::Error>,
}

impl Report {
    /// A report that starts with the options' error, if any.
    pub(crate) fn with(error: Option<syn::Error>) -> Self {
        let mut report = Report::default();
        if let Some(error) = error {
            report.error(error);
        }
        report
    }

    /// Adds an error (a finding, or bad input), keeping all of them.
    pub(crate) fn error(&mut self, error: syn::Error) {
        match &mut self.errors {
            Some(all) => all.combine(error),
            None => self.errors = Some(error),
        }
    }

    /// Turns `findings` into errors here, or (when `warn_only`, or for warnings by nature) into
    /// statements to put at the start of the fn's body.
    pub(crate) fn findings(&mut self, findings: Vec<Finding>, warn_only: bool) -> Vec<Stmt> {
        let mut warnings = Vec::new();
        for finding in findings {
            let tag = finding.rule.tag();
            let message = format!("{tag}: {}", finding.message);
            let notes = finding
                .notes
                .into_iter()
                .map(|(span, note)| (span, format!("{tag}: {note}")));
            if warn_only || finding.severity == Severity::Warning {
                warnings.push(warning(&message, finding.span.0));
                warnings.extend(notes.map(|(span, note)| warning(&note, span.0)));
            } else {
                self.error(spanned_error(finding.span, &message));
                for (span, note) in notes {
                    self.error(spanned_error(span, &note));
                }
            }
        }
        warnings
    }

    /// The errors as tokens, to emit beside the item.
    pub(crate) fn into_tokens(self) -> TokenStream {
        self.errors
            .map(|e| e.to_compile_error())
            .unwrap_or_default()
    }
}

/// An error covering the code from `span.0` to `span.1`.
fn spanned_error(span: (Span, Span), message: &str) -> syn::Error {
    let mut first = proc_macro2::Punct::new('.', proc_macro2::Spacing::Alone);
    first.set_span(span.0);
    let mut last = proc_macro2::Punct::new('.', proc_macro2::Spacing::Alone);
    last.set_span(span.1);
    syn::Error::new_spanned(quote::quote!(#first #last), message)
}

/// A statement that makes rustc warn with `message` at `span`, whatever level `deprecated` has
/// around it. The `#[warn(..)]` carries the attribute's span, so rustc's "the lint level is
/// defined here" points at the warden attribute that asked for warnings.
fn warning(message: &str, span: Span) -> Stmt {
    let name = format_ident!("warden", span = span);
    let level = quote::quote_spanned!(Span::call_site()=> #[warn(deprecated)]);
    syn::parse_quote_spanned! {span=>
        {
            #[deprecated(note = #message)]
            #[allow(non_upper_case_globals)]
            const #name: () = ();
            #level
            let () = #name;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn warning_is_a_block_statement() {
        let stmt = super::warning("m", proc_macro2::Span::call_site());
        assert!(matches!(stmt, syn::Stmt::Expr(syn::Expr::Block(_), None)));
    }
}
