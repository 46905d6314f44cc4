//! SOURCE_DATE_EPOCH, in: the client's build args, the global scope after the ARGs before the
//! first FROM, and the Dockerfile's stage names; out: the build's epoch in seconds (and as the
//! RFC 3339 time images are dated with), with the build arg and global ARG rewritten to its
//! canonical form. Invariant: as the newest upstream
//! frontend, the client's build arg wins over a global ARG default, an empty value means no epoch
//! (and removes the argument), and only whole seconds are lowered here: `context` and stage or
//! named-context sources are left to the stock frontend.

use std::collections::BTreeMap;

use cachefront_dockerfile::instructions::Dockerfile;

use crate::env::Environment;
use crate::error::{ConvertError, ConvertResult};

/// The build argument that dates the build.
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

/// The epoch the build is dated with, if any, after rewriting `build_args` and `global` to hold
/// its canonical value (decimal seconds), or to no longer hold an empty one.
pub(crate) fn resolve_epoch(
    dockerfile: &Dockerfile,
    named_contexts: &BTreeMap<String, String>,
    build_args: &mut BTreeMap<String, String>,
    global: &mut Environment,
) -> ConvertResult<Option<i64>> {
    let value = match build_args.get(SOURCE_DATE_EPOCH) {
        Some(value) => value.clone(),
        None => match global.get(SOURCE_DATE_EPOCH) {
            Some(value) if !value.is_empty() => value.to_owned(),
            _ => return Ok(None),
        },
    };
    let epoch = if value.is_empty() {
        None
    } else if let Some(seconds) = parse_go_int64(&value) {
        Some(seconds)
    } else if is_source_reference(&value, dockerfile, named_contexts) {
        return Err(ConvertError::unsupported(format!(
            "{SOURCE_DATE_EPOCH}={value} (dating the build from a source is left to the stock frontend)"
        )));
    } else {
        return Err(ConvertError::new(format!(
            "invalid {SOURCE_DATE_EPOCH}: {value}"
        )));
    };
    let canonical = epoch.map(|seconds| seconds.to_string());
    if build_args.contains_key(SOURCE_DATE_EPOCH) {
        match &canonical {
            Some(text) => {
                build_args.insert(SOURCE_DATE_EPOCH.to_owned(), text.clone());
            }
            None => {
                build_args.remove(SOURCE_DATE_EPOCH);
            }
        }
    }
    if global.get(SOURCE_DATE_EPOCH).is_some() {
        match &canonical {
            Some(text) => global.set(SOURCE_DATE_EPOCH, text),
            None => global.remove(SOURCE_DATE_EPOCH),
        }
    }
    Ok(epoch)
}

/// `context`, a stage's name or a named context: sources the newest frontend dates the build by.
fn is_source_reference(
    value: &str,
    dockerfile: &Dockerfile,
    named_contexts: &BTreeMap<String, String>,
) -> bool {
    value == "context"
        || named_contexts.contains_key(value)
        || dockerfile.stages.iter().any(|stage| {
            stage
                .name
                .as_deref()
                .is_some_and(|name| name.eq_ignore_ascii_case(value))
        })
}

/// Go's `strconv.ParseInt(text, 10, 64)`: an optional sign and decimal digits, in range.
fn parse_go_int64(text: &str) -> Option<i64> {
    let digits = text
        .strip_prefix('+')
        .or_else(|| text.strip_prefix('-'))
        .unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.strip_prefix('+').unwrap_or(text).parse().ok()
}

/// `seconds` since the Unix epoch as Go's `time.RFC3339Nano` prints a whole-second UTC time:
/// `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_date(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01.
fn civil_date(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }

    fn resolve(
        client: Option<&str>,
        default: Option<&str>,
    ) -> (ConvertResult<Option<i64>>, Option<String>, Option<String>) {
        let Ok((_, dockerfile)) = cachefront_dockerfile::parse_and_type(b"FROM scratch AS src\n")
        else {
            panic!("the test Dockerfile parses");
        };
        let mut build_args = BTreeMap::new();
        if let Some(value) = client {
            build_args.insert(SOURCE_DATE_EPOCH.to_owned(), value.to_owned());
        }
        let mut global = Environment::default();
        if let Some(value) = default {
            global.set(SOURCE_DATE_EPOCH, value);
        }
        let epoch = resolve_epoch(&dockerfile, &BTreeMap::new(), &mut build_args, &mut global);
        (
            epoch,
            build_args.get(SOURCE_DATE_EPOCH).cloned(),
            global.get(SOURCE_DATE_EPOCH).map(str::to_owned),
        )
    }

    #[test]
    fn the_client_wins_over_the_default() {
        assert_eq!(
            resolve(Some("100"), Some("200")),
            (Ok(Some(100)), Some("100".into()), Some("100".into()))
        );
        assert_eq!(
            resolve(None, Some("+0200")),
            (Ok(Some(200)), None, Some("200".into()))
        );
        assert_eq!(resolve(None, None), (Ok(None), None, None));
        assert_eq!(
            resolve(None, Some("")),
            (Ok(None), None, Some(String::new()))
        );
    }

    #[test]
    fn an_empty_build_arg_removes_the_argument() {
        assert_eq!(resolve(Some(""), Some("5")), (Ok(None), None, None));
    }

    #[test]
    fn sources_fall_back_and_other_words_fail() {
        let (epoch, _, _) = resolve(None, Some("context"));
        assert!(epoch.is_err_and(|error| error.unsupported));
        let (epoch, _, _) = resolve(Some("SRC"), None);
        assert!(epoch.is_err_and(|error| error.unsupported));
        let (epoch, _, _) = resolve(Some("soon"), None);
        assert_eq!(
            epoch.map_err(|error| (error.unsupported, error.message)),
            Err((false, "invalid SOURCE_DATE_EPOCH: soon".to_owned()))
        );
    }
}
