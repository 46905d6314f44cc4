//! HEALTHCHECK durations and retries, in: flag values as written; out: the checks BuildKit applies
//! at parse time, with Go's `time.ParseDuration`/`strconv.ParseInt` error texts.
//! Invariant: accepts exactly Go's duration grammar `[-+]?([0-9]*(\.[0-9]*)?unit)+` or `0`.

const NANOSECONDS_PER_MILLISECOND: i128 = 1_000_000;

/// Parses a Go duration into nanoseconds.
pub fn parse_go_duration(text: &str) -> Result<i128, String> {
    let invalid = || format!("time: invalid duration \"{text}\"");
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
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
        let integer_length =
            rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let integer: i128 = if integer_length == 0 {
            0
        } else {
            rest[..integer_length].parse().map_err(|_| invalid())?
        };
        rest = &rest[integer_length..];
        let mut fraction = 0.0_f64;
        let mut has_fraction_digits = false;
        if let Some(after_point) = rest.strip_prefix('.') {
            let fraction_length = after_point.len()
                - after_point
                    .trim_start_matches(|c: char| c.is_ascii_digit())
                    .len();
            has_fraction_digits = fraction_length > 0;
            if has_fraction_digits {
                fraction = format!("0.{}", &after_point[..fraction_length])
                    .parse()
                    .unwrap_or(0.0);
            }
            rest = &after_point[fraction_length..];
        }
        if integer_length == 0 && !has_fraction_digits {
            return Err(invalid());
        }
        let unit_length = rest
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(rest.len());
        if unit_length == 0 {
            return Err(format!("time: missing unit in duration \"{text}\""));
        }
        let unit_name = &rest[..unit_length];
        rest = &rest[unit_length..];
        let unit: i128 = match unit_name {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => NANOSECONDS_PER_MILLISECOND,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit \"{unit_name}\" in duration \"{text}\""
                ))
            }
        };
        total += integer.checked_mul(unit).ok_or_else(invalid)? + (fraction * unit as f64) as i128;
        if total > i128::from(i64::MAX) {
            return Err(invalid());
        }
    }
    Ok(if negative { -total } else { total })
}

/// Checks an `--interval`-like flag: a Go duration that is zero or at least one millisecond.
pub(super) fn check_interval(flag_name: &str, value: Option<&str>) -> Result<(), String> {
    let Some(value) = value.filter(|value| !value.is_empty()) else {
        return Ok(());
    };
    let nanoseconds = parse_go_duration(value)?;
    if nanoseconds != 0 && nanoseconds < NANOSECONDS_PER_MILLISECOND {
        return Err(format!("Interval \"{flag_name}\" cannot be less than 1ms"));
    }
    Ok(())
}

/// Checks `--retries`: a 32-bit integer that is not negative.
pub(super) fn check_retries(value: Option<&str>) -> Result<(), String> {
    let Some(value) = value.filter(|value| !value.is_empty()) else {
        return Ok(());
    };
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    if digits.is_empty() || !digits.chars().all(|character| character.is_ascii_digit()) {
        return Err(format!(
            "strconv.ParseInt: parsing \"{value}\": invalid syntax"
        ));
    }
    let parsed: i64 = value
        .parse()
        .ok()
        .filter(|parsed| i32::try_from(*parsed).is_ok())
        .ok_or_else(|| format!("strconv.ParseInt: parsing \"{value}\": value out of range"))?;
    if parsed < 0 {
        return Err(format!("--retries cannot be negative ({parsed})"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse_go_duration("0"), Ok(0));
        assert_eq!(parse_go_duration("1m30s"), Ok(90_000_000_000));
        assert_eq!(parse_go_duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_go_duration(".5ms"), Ok(500_000));
        assert_eq!(parse_go_duration("-2h"), Ok(-7_200_000_000_000));
        assert_eq!(
            parse_go_duration("5"),
            Err("time: missing unit in duration \"5\"".to_owned())
        );
        assert_eq!(
            parse_go_duration("5x"),
            Err("time: unknown unit \"x\" in duration \"5x\"".to_owned())
        );
        assert_eq!(
            parse_go_duration(".s"),
            Err("time: invalid duration \".s\"".to_owned())
        );
        assert!(parse_go_duration("").is_err());
    }

    #[test]
    fn checks_intervals_and_retries() {
        assert_eq!(check_interval("interval", Some("30s")), Ok(()));
        assert_eq!(check_interval("timeout", Some("0s")), Ok(()));
        assert!(check_interval("interval", Some("10us")).is_err());
        assert_eq!(check_retries(Some("3")), Ok(()));
        assert_eq!(
            check_retries(Some("-1")),
            Err("--retries cannot be negative (-1)".to_owned())
        );
        assert!(check_retries(Some("x")).is_err());
        assert!(check_retries(Some("9999999999")).is_err());
    }
}
