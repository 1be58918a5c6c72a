//! Duration literals (`"250ms"`, `"5s"`) in attribute options, checked at compile time.

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
        match parse_duration(&lit.value()) {
            Some(value) => Ok(DurationLit {
                value,
                lit: lit.clone(),
            }),
            None => Err(syn::Error::new(
                lit.span(),
                format!(
                    "`{}` is not a duration: write a whole number followed by a unit, \
                     one of ns, us, ms, s, m, h (for example \"250ms\" or \"5s\")",
                    lit.value()
                ),
            )),
        }
    }
}

/// Parses `<digits><unit>`; `None` for anything else (empty, negative, fractional, no unit,
/// unknown unit, overflow).
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = text.split_at(split);
    if digits.is_empty() {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    match unit.trim() {
        "ns" => Some(Duration::from_nanos(n)),
        "us" | "µs" => Some(Duration::from_micros(n)),
        "ms" => Some(Duration::from_millis(n)),
        "s" => Some(Duration::from_secs(n)),
        "m" => n.checked_mul(60).map(Duration::from_secs),
        "h" => n.checked_mul(3600).map(Duration::from_secs),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn parses_every_unit() {
        assert_eq!(parse_duration("7ns"), Some(Duration::from_nanos(7)));
        assert_eq!(parse_duration("7us"), Some(Duration::from_micros(7)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("5s"), Some(Duration::from_secs(5)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "ms",
            "5",
            "5 parsecs",
            "-5s",
            "1.5s",
            "5sec",
            "99999999999999999999h",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }
}
