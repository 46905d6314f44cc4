//! Image timestamps, in: the client's `SOURCE_DATE_EPOCH` build arg; out: the RFC 3339 time the
//! image and its new history entries are stamped with, formatted as Go's `time.RFC3339Nano` in
//! UTC. Invariant: without `SOURCE_DATE_EPOCH` nothing is stamped, as upstream: BuildKit's image
//! exporter then dates each new entry by its layer's creation, so a fully cached rebuild gives
//! the same image id again.

use std::collections::BTreeMap;

/// Stamps the image and the history entries this build added (those without a time) with
/// `SOURCE_DATE_EPOCH`, as the stock frontend does; without it, leaves every time unset.
pub fn stamp_image(image: &mut cachefront_convert::Image, build_args: &BTreeMap<String, String>) {
    let Some(created) = source_date_epoch(build_args) else {
        return;
    };
    for entry in image.history.iter_mut().flatten() {
        entry.created.get_or_insert_with(|| created.clone());
    }
    image.created = Some(created);
}

/// `SOURCE_DATE_EPOCH` as an RFC 3339 time, when the build arg holds whole seconds.
pub fn source_date_epoch(build_args: &BTreeMap<String, String>) -> Option<String> {
    build_args
        .get("SOURCE_DATE_EPOCH")
        .and_then(|value| value.trim().parse::<i64>().ok())
        .map(|seconds| rfc3339(seconds, 0))
}

/// `seconds` since the Unix epoch (plus `nanos`) as `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, the
/// fraction without trailing zeros.
pub fn rfc3339(seconds: i64, nanos: u32) -> String {
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_date(days);
    let mut text = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    );
    if nanos > 0 {
        let fraction = format!("{nanos:09}");
        text.push('.');
        text.push_str(fraction.trim_end_matches('0'));
    }
    text.push('Z');
    text
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
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000, 0), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400, 500_000_000), "2000-02-29T00:00:00.5Z");
        let arguments = BTreeMap::from([("SOURCE_DATE_EPOCH".to_owned(), "86400".to_owned())]);
        assert_eq!(
            source_date_epoch(&arguments).as_deref(),
            Some("1970-01-02T00:00:00Z")
        );
    }

    #[test]
    fn stamps_only_with_source_date_epoch() {
        let mut image = cachefront_convert::Image::default();
        image.commit("RUN true", true, true, None);
        stamp_image(&mut image, &BTreeMap::new());
        assert_eq!(image.created, None);
        let unstamped = image
            .history
            .iter()
            .flatten()
            .all(|entry| entry.created.is_none());
        assert!(
            unstamped,
            "history entries must stay undated without SOURCE_DATE_EPOCH"
        );
        let arguments = BTreeMap::from([("SOURCE_DATE_EPOCH".to_owned(), "60".to_owned())]);
        stamp_image(&mut image, &arguments);
        assert_eq!(image.created.as_deref(), Some("1970-01-01T00:01:00Z"));
        let stamped = image
            .history
            .iter()
            .flatten()
            .all(|entry| entry.created.as_deref() == Some("1970-01-01T00:01:00Z"));
        assert!(stamped);
    }
}
