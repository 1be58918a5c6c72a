//! Duration literals (`"250ms"`, `"1.5s"`) in attribute options, read at compile time with the
//! grammar `warden-duration` keeps for the runtime too.

use std::time::Duration;

use syn::LitStr;

/// A duration written as a string literal, kept with its literal for spans.
#[derive(Clone)]
pub(crate) struct DurationLit {
    pub(crate) value: Duration,
    pub(crate) lit: LitStr,
}

impl DurationLit {
    pub(crate) fn parse(lit: &LitStr) -> syn::Result<Self> {
        match warden_duration::parse(&lit.value()) {
            Ok(value) => Ok(DurationLit {
                value,
                lit: lit.clone(),
            }),
            Err(error) => Err(syn::Error::new(
                lit.span(),
                format!(
                    "`{}` is not a duration ({error}): write a number and a unit, like \"250ms\", \
                     \"1.5s\" or \"2m\"",
                    lit.value()
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::Span;
    use syn::LitStr;

    /// Options read durations exactly as the runtime does: the one table of cases.
    #[test]
    fn reads_the_shared_table_of_cases() {
        for (text, expected) in warden_duration::CASES {
            let read = super::DurationLit::parse(&LitStr::new(text, Span::call_site()));
            match (read, expected) {
                (Ok(read), Ok(expected)) => assert_eq!(read.value, *expected, "{text:?}"),
                (Err(error), Err(why)) => {
                    assert!(
                        error.to_string().contains(&why.to_string()),
                        "{text:?}: {error}"
                    );
                }
                (read, _) => panic!(
                    "{text:?}: read {:?}, expected {expected:?}",
                    read.ok().map(|d| d.value)
                ),
            }
        }
    }
}
