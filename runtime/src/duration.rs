//! The duration grammar of `WARDEN_MAX_POLL`: a number and a unit, `"250ms"`, `"1.5s"`, `"2m"`.
//!
//! The same grammar reads warden's attribute options at compile time; it lives once, in
//! `warden-duration`, which both `warden-runtime` and `warden-macros` use.

use std::time::Duration;

pub use warden_duration::ParseDurationError;

/// Parses a duration written as a number and a unit: `"250ms"`, `"1.5s"`, `"100 us"`, `"2m"`.
///
/// Units: `ns`, `us` or `µs`, `ms`, `s`, `m`, `h`. The unit is required, so `"10"` is refused
/// rather than guessed. `WARDEN_MAX_POLL` and the attribute options (`max_poll = ".."`,
/// `timeout = ".."`) read durations this way too.
///
/// # Errors
/// A [`ParseDurationError`] saying what is wrong.
///
/// ```
/// use std::time::Duration;
/// use warden_runtime::parse_duration;
/// assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
/// assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1_500)));
/// assert!(parse_duration("10").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, ParseDurationError> {
    warden_duration::parse(text)
}

#[cfg(test)]
mod tests {
    /// `WARDEN_MAX_POLL` and `parse_duration` read the one table of cases the macros read too.
    #[test]
    fn parses_the_shared_table_of_cases() {
        let differs = warden_duration::CASES
            .iter()
            .find(|(text, expected)| super::parse_duration(text) != *expected);
        assert_eq!(differs, None);
    }
}
