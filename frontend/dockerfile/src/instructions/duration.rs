//! HEALTHCHECK durations and retries, in: flag values as written; out: the checks BuildKit applies
//! at parse time, with Go's `time.ParseDuration`/`strconv.ParseInt` error texts.
//! Invariant: accepts exactly Go's duration grammar `[-+]?([0-9]*(\.[0-9]*)?unit)+` or `0`.

const NANOSECONDS_PER_MILLISECOND: i128 = 1_000_000;

/// Why Go's `time.ParseDuration` rejects a text; `Display` is Go's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("time: invalid duration \"{text}\"")]
    Invalid { text: String },
    #[error("time: missing unit in duration \"{text}\"")]
    MissingUnit { text: String },
    #[error("time: unknown unit \"{unit}\" in duration \"{text}\"")]
    UnknownUnit { unit: String, text: String },
}

/// Why BuildKit rejects a HEALTHCHECK duration or retry count; `Display` is its text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HealthcheckValueError {
    #[error(transparent)]
    Duration(#[from] DurationError),
    #[error("Interval \"{flag}\" cannot be less than 1ms")]
    IntervalTooShort { flag: String },
    #[error("strconv.ParseInt: parsing \"{value}\": invalid syntax")]
    RetriesSyntax { value: String },
    #[error("strconv.ParseInt: parsing \"{value}\": value out of range")]
    RetriesRange { value: String },
    #[error("--retries cannot be negative ({value})")]
    RetriesNegative { value: i64 },
}

/// Parses a Go duration into nanoseconds.
pub fn parse_go_duration(text: &str) -> Result<i128, DurationError> {
    let invalid = || DurationError::Invalid {
        text: text.to_owned(),
    };
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: i128 = 0;
    while !rest.is_empty() {
        if !rest.starts_with(|character: char| character == '.' || character.is_ascii_digit()) {
            return Err(invalid());
        }
        let (integer_digits, after_integer) = split_digits(rest);
        let integer: i128 = if integer_digits.is_empty() {
            0
        } else {
            integer_digits.parse().map_err(|_| invalid())?
        };
        rest = after_integer;
        let mut fraction = 0.0_f64;
        let mut has_fraction_digits = false;
        if let Some(after_point) = rest.strip_prefix('.') {
            let (fraction_digits, after_fraction) = split_digits(after_point);
            has_fraction_digits = !fraction_digits.is_empty();
            if has_fraction_digits {
                fraction = format!("0.{fraction_digits}").parse().unwrap_or(0.0);
            }
            rest = after_fraction;
        }
        if integer_digits.is_empty() && !has_fraction_digits {
            return Err(invalid());
        }
        let unit_length = rest
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (unit_name, after_unit) = rest.split_at(unit_length);
        if unit_name.is_empty() {
            return Err(DurationError::MissingUnit {
                text: text.to_owned(),
            });
        }
        rest = after_unit;
        let unit: i128 = match unit_name {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => NANOSECONDS_PER_MILLISECOND,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(DurationError::UnknownUnit {
                    unit: unit_name.to_owned(),
                    text: text.to_owned(),
                })
            }
        };
        total += integer.checked_mul(unit).ok_or_else(invalid)? + (fraction * unit as f64) as i128;
        if total > i128::from(i64::MAX) {
            return Err(invalid());
        }
    }
    Ok(if negative { -total } else { total })
}

/// The leading ASCII digits of `text`, and what follows them.
fn split_digits(text: &str) -> (&str, &str) {
    let end = text
        .find(|character: char| !character.is_ascii_digit())
        .unwrap_or(text.len());
    text.split_at(end)
}

/// Checks an `--interval`-like flag: a Go duration that is zero or at least one millisecond.
pub(super) fn check_interval(
    flag_name: &str,
    value: Option<&str>,
) -> Result<(), HealthcheckValueError> {
    let Some(value) = value.filter(|value| !value.is_empty()) else {
        return Ok(());
    };
    let nanoseconds = parse_go_duration(value)?;
    if nanoseconds != 0 && nanoseconds < NANOSECONDS_PER_MILLISECOND {
        return Err(HealthcheckValueError::IntervalTooShort {
            flag: flag_name.to_owned(),
        });
    }
    Ok(())
}

/// Checks `--retries`: a 32-bit integer that is not negative.
pub(super) fn check_retries(value: Option<&str>) -> Result<(), HealthcheckValueError> {
    let Some(value) = value.filter(|value| !value.is_empty()) else {
        return Ok(());
    };
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    if digits.is_empty() || !digits.chars().all(|character| character.is_ascii_digit()) {
        return Err(HealthcheckValueError::RetriesSyntax {
            value: value.to_owned(),
        });
    }
    let parsed: i64 = value
        .parse()
        .ok()
        .filter(|parsed| i32::try_from(*parsed).is_ok())
        .ok_or_else(|| HealthcheckValueError::RetriesRange {
            value: value.to_owned(),
        })?;
    if parsed < 0 {
        return Err(HealthcheckValueError::RetriesNegative { value: parsed });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn duration_error(text: &str) -> String {
        parse_go_duration(text)
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse_go_duration("0"), Ok(0));
        assert_eq!(parse_go_duration("1m30s"), Ok(90_000_000_000));
        assert_eq!(parse_go_duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_go_duration(".5ms"), Ok(500_000));
        assert_eq!(parse_go_duration("-2h"), Ok(-7_200_000_000_000));
        assert_eq!(parse_go_duration("+1\u{b5}s"), Ok(1_000));
        assert_eq!(duration_error("5"), "time: missing unit in duration \"5\"");
        assert_eq!(
            duration_error("5x"),
            "time: unknown unit \"x\" in duration \"5x\""
        );
        assert_eq!(duration_error(".s"), "time: invalid duration \".s\"");
        assert!(parse_go_duration("").is_err());
        assert!(parse_go_duration("-").is_err());
    }

    #[test]
    fn checks_intervals_and_retries() {
        let error = |result: Result<(), HealthcheckValueError>| {
            result
                .err()
                .map(|error| error.to_string())
                .unwrap_or_default()
        };
        assert_eq!(check_interval("interval", Some("30s")), Ok(()));
        assert_eq!(check_interval("timeout", Some("0s")), Ok(()));
        assert_eq!(
            error(check_interval("interval", Some("10us"))),
            "Interval \"interval\" cannot be less than 1ms"
        );
        assert_eq!(check_retries(Some("3")), Ok(()));
        assert_eq!(
            error(check_retries(Some("-1"))),
            "--retries cannot be negative (-1)"
        );
        assert_eq!(
            error(check_retries(Some("x"))),
            "strconv.ParseInt: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            error(check_retries(Some("9999999999"))),
            "strconv.ParseInt: parsing \"9999999999\": value out of range"
        );
    }
}
