//! History-text rules of the known engine differences, in: a stock history entry's text and
//! cachefront's entry at the same place; out: whether they are the same instruction in the older
//! and the newest frontend's formats. Invariant: a rule accepts only a change of format (or the
//! extra facts the newest frontend records), never a different instruction, port, value or
//! command.

/// `ARG name=default` (BuildKit 0.13 records the default as written) against `ARG name=value`
/// (newer frontends record the value the build gives it): same names in the same order, and some
/// value differs.
pub fn arg_history_default_not_value(stock: &str, cachefront: &str) -> bool {
    let (Some(stock_pairs), Some(cachefront_pairs)) =
        (stock.strip_prefix("ARG "), cachefront.strip_prefix("ARG "))
    else {
        return false;
    };
    let stock_pairs: Vec<(&str, Option<&str>)> = stock_pairs.split(' ').map(split_pair).collect();
    let cachefront_pairs: Vec<(&str, Option<&str>)> =
        cachefront_pairs.split(' ').map(split_pair).collect();
    stock_pairs.len() == cachefront_pairs.len()
        && stock_pairs != cachefront_pairs
        && stock_pairs.iter().zip(&cachefront_pairs).all(
            |((stock_name, stock_value), (name, value))| {
                stock_name == name
                    && (stock_value == value || (stock_value.is_some() && value.is_some()))
            },
        )
}

fn split_pair(pair: &str) -> (&str, Option<&str>) {
    match pair.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (pair, None),
    }
}

/// `RUN |N k=v ... command`: BuildKit 0.13 lists only the ARGs the stage itself declared (not
/// those of the stage it is built on) and repeats a name declared twice; newer frontends list the
/// base stage's too, each name once. Same command, and every pair stock lists is in cachefront's
/// list with the same value.
pub fn run_history_build_args(stock: &str, cachefront: &str) -> bool {
    let (Some(stock), Some(cachefront)) =
        (stock.strip_prefix("RUN "), cachefront.strip_prefix("RUN "))
    else {
        return false;
    };
    let (Some((stock_pairs, stock_command)), Some((pairs, command))) =
        (split_build_args(stock), split_build_args(cachefront))
    else {
        return false;
    };
    let mut names: Vec<&str> = pairs.iter().map(|(name, _)| *name).collect();
    names.sort_unstable();
    names.dedup();
    stock_command == command
        && stock_pairs != pairs
        && names.len() == pairs.len()
        && stock_pairs.iter().all(|pair| pairs.contains(pair))
}

/// The `|N` build-arg pairs of a RUN history text (none without the prefix) and the command.
fn split_build_args(text: &str) -> Option<(Vec<(&str, &str)>, &str)> {
    let Some(rest) = text.strip_prefix('|') else {
        return Some((Vec::new(), text));
    };
    let (count, mut rest) = rest.split_once(' ')?;
    let count: usize = count.parse().ok()?;
    let mut pairs = Vec::with_capacity(count);
    for _ in 0..count {
        let (pair, after) = rest.split_once(' ')?;
        pairs.push(pair.split_once('=')?);
        rest = after;
    }
    Some((pairs, rest))
}

/// `HEALTHCHECK &{["CMD" "x"] "30s" "5s" "0s" "0s" '\x03'}` (Go's `%q` of the config, as BuildKit
/// 0.13 and frontend 1.19 print it) against frontend 1.26's `%+v`:
/// `HEALTHCHECK {Test:[CMD x] Interval:30s Timeout:5s StartPeriod:0s StartInterval:0s Retries:3}`.
pub fn healthcheck_history_fields(stock: &str, cachefront: &str) -> bool {
    let Some(quoted) = stock
        .strip_prefix("HEALTHCHECK &{[")
        .and_then(|rest| rest.strip_suffix('}'))
    else {
        return false;
    };
    let Some((test, fields)) = cachefront
        .strip_prefix("HEALTHCHECK {Test:[")
        .and_then(|rest| rest.strip_suffix('}'))
        .and_then(|rest| rest.rsplit_once("] Interval:"))
    else {
        return false;
    };
    let Some((stock_test, stock_fields)) = quoted.split_once("] ") else {
        return false;
    };
    let Some(stock_test) = unquote_list(stock_test) else {
        return false;
    };
    let fields: Vec<&str> = fields.split(' ').collect();
    let [interval, timeout, start_period, start_interval, retries] = fields.as_slice() else {
        return false;
    };
    let names = [
        ("", interval),
        ("Timeout:", timeout),
        ("StartPeriod:", start_period),
        ("StartInterval:", start_interval),
    ];
    let mut durations = Vec::new();
    for (name, field) in names {
        let Some(value) = field.strip_prefix(name) else {
            return false;
        };
        durations.push(format!("\"{value}\""));
    }
    let Some(retries) = retries
        .strip_prefix("Retries:")
        .and_then(|count| count.parse::<u32>().ok())
    else {
        return false;
    };
    let Some((stock_durations, stock_retries)) = stock_fields.rsplit_once(' ') else {
        return false;
    };
    let stock_retries = stock_retries
        .strip_prefix('\'')
        .and_then(|rest| rest.strip_suffix('\''))
        .and_then(go_unquote)
        .and_then(|text| text.chars().next())
        .map(u32::from);
    stock_test.join(" ") == test
        && stock_durations == durations.join(" ")
        && stock_retries == Some(retries)
}

/// The strings of Go's `%q` of a string slice without its brackets: `"a" "b c"`.
fn unquote_list(text: &str) -> Option<Vec<String>> {
    let mut items = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let body = rest.strip_prefix('"')?;
        let mut end = None;
        let mut escaped = false;
        for (position, character) in body.char_indices() {
            match (escaped, character) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => {
                    end = Some(position);
                    break;
                }
                _ => {}
            }
        }
        let end = end?;
        items.push(go_unquote(body.get(..end)?)?);
        rest = body.get(end + 1..)?;
        rest = rest.strip_prefix(' ').unwrap_or(rest);
    }
    Some(items)
}

/// The text of a Go-quoted string or rune literal's body (`\xNN`, `\uNNNN`, `\UNNNNNNNN` and the
/// one-letter escapes).
fn go_unquote(body: &str) -> Option<String> {
    let mut text = String::new();
    let mut characters = body.chars();
    while let Some(character) = characters.next() {
        if character != '\\' {
            text.push(character);
            continue;
        }
        let escape = characters.next()?;
        let digits = match escape {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            _ => 0,
        };
        if digits > 0 {
            let hex: String = characters.by_ref().take(digits).collect();
            text.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            continue;
        }
        text.push(match escape {
            'a' => '\u{7}',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\u{b}',
            other => other,
        });
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arg_default_matches_only_other_values_of_the_same_names() {
        assert!(arg_history_default_not_value(
            "ARG OVERRIDDEN=default",
            "ARG OVERRIDDEN=from-cli"
        ));
        assert!(arg_history_default_not_value("ARG a b=1", "ARG a b=2"));
        assert!(!arg_history_default_not_value("ARG a=1", "ARG b=2"));
        assert!(!arg_history_default_not_value("ARG a=1", "ARG a=1"));
        assert!(!arg_history_default_not_value("ARG a=1", "ARG a"));
        assert!(!arg_history_default_not_value("ARG a=1", "ARG a=1 b=2"));
    }

    #[test]
    fn run_build_args_match_only_the_same_command_and_values() {
        assert!(run_history_build_args(
            "RUN |2 OTHER=global LOCAL=cli /bin/sh -c echo x # buildkit",
            "RUN |3 VERSION=1 OTHER=global LOCAL=cli /bin/sh -c echo x # buildkit"
        ));
        assert!(run_history_build_args(
            "RUN |4 V=2 O=g L=c V=2 /bin/sh -c true # buildkit",
            "RUN |3 V=2 O=g L=c /bin/sh -c true # buildkit"
        ));
        assert!(run_history_build_args(
            "RUN /bin/sh -c true # buildkit",
            "RUN |1 V=1 /bin/sh -c true # buildkit"
        ));
        assert!(!run_history_build_args(
            "RUN |1 V=1 /bin/sh -c true # buildkit",
            "RUN |1 V=2 /bin/sh -c true # buildkit"
        ));
        assert!(!run_history_build_args(
            "RUN |1 V=1 /bin/sh -c true # buildkit",
            "RUN |1 V=1 /bin/sh -c false # buildkit"
        ));
        assert!(!run_history_build_args(
            "RUN |1 V=1 /bin/sh -c true",
            "RUN |1 V=1 /bin/sh -c true"
        ));
    }

    #[test]
    fn healthcheck_fields_match_only_the_same_check() {
        let stock =
            r#"HEALTHCHECK &{["CMD" "/bin/true" "x\u00a0y"] "30s" "5s" "10s" "0s" '\u00a0'}"#;
        let newest = "HEALTHCHECK {Test:[CMD /bin/true x\u{a0}y] Interval:30s Timeout:5s \
                      StartPeriod:10s StartInterval:0s Retries:160}";
        assert!(healthcheck_history_fields(stock, newest));
        assert!(healthcheck_history_fields(
            r#"HEALTHCHECK &{["NONE"] "0s" "0s" "0s" "0s" '\x00'}"#,
            "HEALTHCHECK {Test:[NONE] Interval:0s Timeout:0s StartPeriod:0s StartInterval:0s \
             Retries:0}"
        ));
        assert!(!healthcheck_history_fields(
            stock,
            &newest.replace("Retries:160", "Retries:4")
        ));
        assert!(!healthcheck_history_fields(
            stock,
            &newest.replace("Timeout:5s", "Timeout:6s")
        ));
        assert!(!healthcheck_history_fields(
            stock,
            &newest.replace("/bin/true", "/bin/false")
        ));
        assert!(!healthcheck_history_fields(newest, newest));
    }
}
