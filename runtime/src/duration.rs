//! The duration grammar of `WARDEN_MAX_POLL`: a number and a unit, `"250ms"`, `"1.5s"`, `"2m"`.

use std::fmt;
use std::time::Duration;

/// Why [`parse_duration`] refused a text.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseDurationError {
    /// No digits before the unit, or more than one `.`.
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

impl std::error::Error for ParseDurationError {}

/// Parses a duration written as a number and a unit: `"250ms"`, `"1.5s"`, `"100 us"`, `"2m"`.
///
/// Units: `ns`, `us` or `µs`, `ms`, `s`, `m`, `h`. The unit is required, so `"10"` is refused
/// rather than guessed.
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
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return Err(ParseDurationError::BadNumber);
    }
    let whole: u128 = whole.parse().map_err(|_| ParseDurationError::Overflow)?;
    let mut total = whole
        .checked_mul(unit_ns)
        .ok_or(ParseDurationError::Overflow)?;
    // Digits beyond nanosecond precision are dropped; at most 39 matter for a u128.
    let mut scale = unit_ns;
    for digit in fraction.bytes().take(39) {
        scale /= 10;
        total = total
            .checked_add(u128::from(digit - b'0') * scale)
            .ok_or(ParseDurationError::Overflow)?;
    }
    let secs = u64::try_from(total / 1_000_000_000).map_err(|_| ParseDurationError::Overflow)?;
    let subsec = u32::try_from(total % 1_000_000_000).map_err(|_| ParseDurationError::Overflow)?;
    Ok(Duration::new(secs, subsec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(parse_duration("7ns"), Ok(Duration::from_nanos(7)));
        assert_eq!(parse_duration("7us"), Ok(Duration::from_micros(7)));
        assert_eq!(parse_duration("7µs"), Ok(Duration::from_micros(7)));
        assert_eq!(parse_duration("7ms"), Ok(Duration::from_millis(7)));
        assert_eq!(parse_duration("7s"), Ok(Duration::from_secs(7)));
        assert_eq!(parse_duration("7m"), Ok(Duration::from_secs(420)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7_200)));
        assert_eq!(parse_duration(" 10 ms "), Ok(Duration::from_millis(10)));
        assert_eq!(parse_duration("0.25s"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1.5ms"), Ok(Duration::from_micros(1_500)));
        assert_eq!(parse_duration("1.0000000009s"), Ok(Duration::from_secs(1)));
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert_eq!(parse_duration("10"), Err(ParseDurationError::BadUnit));
        assert_eq!(parse_duration("ms"), Err(ParseDurationError::BadNumber));
        assert_eq!(parse_duration("1.2.3s"), Err(ParseDurationError::BadNumber));
        assert_eq!(parse_duration(".5s"), Err(ParseDurationError::BadNumber));
        assert_eq!(parse_duration("10 days"), Err(ParseDurationError::BadUnit));
        assert_eq!(parse_duration("-1s"), Err(ParseDurationError::BadUnit));
        assert_eq!(
            parse_duration("99999999999999999999999h"),
            Err(ParseDurationError::Overflow)
        );
        assert_eq!(parse_duration(""), Err(ParseDurationError::BadUnit));
    }
}
