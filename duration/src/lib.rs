//! The one duration grammar of warden: `250ms`, `1.5s`, `100 us`, `2m`.
//!
//! Attribute options (`timeout = "1.5s"`, checked at compile time by `warden-macros`), the
//! `WARDEN_MAX_POLL` environment variable and `warden::detect::parse_duration` (run time, in
//! `warden-runtime`) all read durations with [`parse`]. The two crates must not depend on each
//! other, so the grammar lives here, once, with the one table of cases ([`CASES`]) every reader
//! is tested against.

#![no_std]

use core::fmt;
use core::time::Duration;

/// Why [`parse`] refused a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseDurationError {
    /// No digits before the unit, a `.` with no digits after it, or more than one `.`.
    BadNumber,
    /// The unit is missing or not one of `ns`, `us` (`µs`), `ms`, `s`, `m`, `h`.
    BadUnit,
    /// The duration does not fit in a [`Duration`].
    Overflow,
}

impl fmt::Display for ParseDurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParseDurationError::BadNumber => "expected a number such as `250` or `1.5`",
            ParseDurationError::BadUnit => "expected a unit: ns, us, ms, s, m or h",
            ParseDurationError::Overflow => "the duration is too large",
        })
    }
}

impl core::error::Error for ParseDurationError {}

/// Parses a duration written as a number and a unit: `"250ms"`, `"1.5s"`, `"100 us"`, `"2m"`.
///
/// Units: `ns`, `us` or `µs`, `ms`, `s`, `m`, `h`. The unit is required, so `"10"` is refused
/// rather than guessed. A fraction finer than a nanosecond is dropped.
///
/// # Errors
/// A [`ParseDurationError`] saying what is wrong.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(warden_duration::parse("250ms"), Ok(Duration::from_millis(250)));
/// assert_eq!(warden_duration::parse("1.5s"), Ok(Duration::from_millis(1_500)));
/// assert!(warden_duration::parse("10").is_err());
/// ```
pub fn parse(text: &str) -> Result<Duration, ParseDurationError> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let unit_ns: u128 = match unit.trim_start() {
        "ns" => 1,
        "us" | "µs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60 * 1_000_000_000,
        "h" => 60 * 60 * 1_000_000_000,
        _ => return Err(ParseDurationError::BadUnit),
    };
    let (whole, fraction) = match number.split_once('.') {
        Some((_, "")) => return Err(ParseDurationError::BadNumber),
        Some(parts) => parts,
        None => (number, ""),
    };
    if whole.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseDurationError::BadNumber);
    }
    let whole: u128 = whole.parse().map_err(|_| ParseDurationError::Overflow)?;
    let mut total = whole
        .checked_mul(unit_ns)
        .ok_or(ParseDurationError::Overflow)?;
    // Each fraction digit is worth a tenth of the one before; past a nanosecond, nothing.
    let mut scale = unit_ns;
    for digit in fraction.bytes() {
        scale /= 10;
        if scale == 0 {
            break;
        }
        total = total
            .checked_add(u128::from(digit - b'0') * scale)
            .ok_or(ParseDurationError::Overflow)?;
    }
    let secs = u64::try_from(total / 1_000_000_000).map_err(|_| ParseDurationError::Overflow)?;
    let nanos = u32::try_from(total % 1_000_000_000).map_err(|_| ParseDurationError::Overflow)?;
    Ok(Duration::new(secs, nanos))
}

/// Every reader of the grammar is tested against this table: a text, and what [`parse`] makes
/// of it. Not an API: it may change in any release.
#[doc(hidden)]
pub const CASES: &[(&str, Result<Duration, ParseDurationError>)] = {
    use ParseDurationError::{BadNumber, BadUnit, Overflow};
    &[
        ("7ns", Ok(Duration::from_nanos(7))),
        ("7us", Ok(Duration::from_micros(7))),
        ("7µs", Ok(Duration::from_micros(7))),
        ("250ms", Ok(Duration::from_millis(250))),
        ("5s", Ok(Duration::from_secs(5))),
        ("2m", Ok(Duration::from_secs(120))),
        ("1h", Ok(Duration::from_secs(3600))),
        ("0s", Ok(Duration::ZERO)),
        ("1.5s", Ok(Duration::from_millis(1_500))),
        ("0.25ms", Ok(Duration::from_micros(250))),
        ("1.5m", Ok(Duration::from_secs(90))),
        ("1.000000001s", Ok(Duration::new(1, 1))),
        ("1.0000000019s", Ok(Duration::new(1, 1))),
        ("1.0000000009s", Ok(Duration::from_secs(1))),
        ("100 us", Ok(Duration::from_micros(100))),
        (" 10 ms ", Ok(Duration::from_millis(10))),
        (" 5s ", Ok(Duration::from_secs(5))),
        ("", Err(BadUnit)),
        ("5", Err(BadUnit)),
        ("5 parsecs", Err(BadUnit)),
        ("10 days", Err(BadUnit)),
        ("5sec", Err(BadUnit)),
        ("1e3ms", Err(BadUnit)),
        ("-5s", Err(BadUnit)),
        ("ms", Err(BadNumber)),
        (".5s", Err(BadNumber)),
        ("5.s", Err(BadNumber)),
        ("1.2.3s", Err(BadNumber)),
        ("18446744073709551616s", Err(Overflow)),
        ("99999999999999999999h", Err(Overflow)),
        ("340282366920938463463374607431768211456ns", Err(Overflow)),
    ]
};

#[cfg(test)]
mod tests {
    #[test]
    fn every_case_of_the_table() {
        for (text, expected) in super::CASES {
            assert_eq!(super::parse(text), *expected, "{text:?}");
        }
    }
}
