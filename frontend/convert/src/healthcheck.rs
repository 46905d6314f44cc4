//! HEALTHCHECK, in: the typed check with its durations as written; out: Docker's healthcheck
//! config and the history text the newest upstream frontend writes (Go's `%+v` of the config).

use cachefront_dockerfile::instructions::{parse_go_duration, Healthcheck, ShellOrExec};

use crate::error::{ConvertError, ConvertResult};
use crate::image;

/// The config and history text for `HEALTHCHECK`.
pub(crate) fn lower_healthcheck(
    check: &Healthcheck,
) -> ConvertResult<(image::Healthcheck, String)> {
    let config = match check {
        Healthcheck::None => image::Healthcheck {
            test: Some(vec!["NONE".to_owned()]),
            ..image::Healthcheck::default()
        },
        Healthcheck::Check {
            test,
            interval,
            timeout,
            start_period,
            start_interval,
            retries,
        } => {
            let test = match test {
                ShellOrExec::Shell(line) => vec!["CMD-SHELL".to_owned(), line.clone()],
                ShellOrExec::Exec(args) => std::iter::once("CMD".to_owned())
                    .chain(args.iter().cloned())
                    .collect(),
            };
            image::Healthcheck {
                test: Some(test),
                interval: duration(interval)?,
                timeout: duration(timeout)?,
                start_period: duration(start_period)?,
                start_interval: duration(start_interval)?,
                retries: match retries {
                    Some(text) => text
                        .parse()
                        .map_err(|_| ConvertError::new(format!("invalid retries value {text}")))?,
                    None => 0,
                },
            }
        }
    };
    // The newest frontend writes Go's `%+v` of the config: field names, the test as a bare
    // list, durations as Go prints them.
    let history = format!(
        "HEALTHCHECK {{Test:[{}] Interval:{} Timeout:{} StartPeriod:{} StartInterval:{} Retries:{}}}",
        config.test.as_deref().unwrap_or_default().join(" "),
        go_duration(config.interval),
        go_duration(config.timeout),
        go_duration(config.start_period),
        go_duration(config.start_interval),
        config.retries
    );
    Ok((config, history))
}

fn duration(text: &Option<String>) -> ConvertResult<i64> {
    match text {
        None => Ok(0),
        Some(text) => parse_go_duration(text)
            .map(|nanoseconds| i64::try_from(nanoseconds).unwrap_or(i64::MAX))
            .map_err(|error| ConvertError::new(error.to_string())),
    }
}

/// Go's `time.Duration.String()`: `0s`, `1.5s`, `1m30s`, `2h0m0s`, `500ms`.
pub(crate) fn go_duration(nanoseconds: i64) -> String {
    if nanoseconds == 0 {
        return "0s".to_owned();
    }
    let sign = if nanoseconds < 0 { "-" } else { "" };
    let value = nanoseconds.unsigned_abs();
    if value < 1_000_000_000 {
        let (unit, scale) = match value {
            0..=999 => ("ns", 1),
            1_000..=999_999 => ("µs", 1_000),
            _ => ("ms", 1_000_000),
        };
        return format!(
            "{sign}{}{unit}",
            with_fraction(value / scale, value % scale, scale)
        );
    }
    let hours = value / 3_600_000_000_000;
    let minutes = value / 60_000_000_000 % 60;
    let seconds = with_fraction(
        value / 1_000_000_000 % 60,
        value % 1_000_000_000,
        1_000_000_000,
    );
    match (hours, minutes) {
        (0, 0) => format!("{sign}{seconds}s"),
        (0, _) => format!("{sign}{minutes}m{seconds}s"),
        _ => format!("{sign}{hours}h{minutes}m{seconds}s"),
    }
}

/// `whole.fraction` with the fraction's trailing zeros dropped.
fn with_fraction(whole: u64, fraction: u64, scale: u64) -> String {
    if fraction == 0 {
        return whole.to_string();
    }
    let digits = scale.to_string().len() - 1;
    let text = format!("{fraction:0digits$}");
    format!("{whole}.{}", text.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::{go_duration, lower_healthcheck};
    use cachefront_dockerfile::instructions::{Healthcheck, ShellOrExec};

    #[test]
    fn history_names_each_field() {
        let check = Healthcheck::Check {
            test: ShellOrExec::Exec(vec!["bin".into(), "-c".into(), "exit 0".into()]),
            interval: Some("1s".into()),
            timeout: Some("10s".into()),
            start_period: Some("3s".into()),
            start_interval: Some("100ms".into()),
            retries: Some("5".into()),
        };
        let (_, history) = lower_healthcheck(&check).unwrap_or_default();
        assert_eq!(
            history,
            "HEALTHCHECK {Test:[CMD bin -c exit 0] Interval:1s Timeout:10s StartPeriod:3s \
             StartInterval:100ms Retries:5}"
        );
        let (_, history) = lower_healthcheck(&Healthcheck::None).unwrap_or_default();
        assert_eq!(
            history,
            "HEALTHCHECK {Test:[NONE] Interval:0s Timeout:0s StartPeriod:0s StartInterval:0s \
             Retries:0}"
        );
    }

    #[test]
    fn formats_like_go() {
        assert_eq!(go_duration(0), "0s");
        assert_eq!(go_duration(30_000_000_000), "30s");
        assert_eq!(go_duration(90_000_000_000), "1m30s");
        assert_eq!(go_duration(3_600_000_000_000), "1h0m0s");
        assert_eq!(go_duration(1_500_000_000), "1.5s");
        assert_eq!(go_duration(500_000_000), "500ms");
    }
}
