//! Instruction argument parsers, in: the keyword and the text after its flags; out: the node's
//! argument list, whether it is JSON (exec) form, or why the text is rejected. Invariant: one function per
//! BuildKit line parser (`parseMaybeJSON`, `parseNameVal`, ...), producing the same argument list
//! as BuildKit's node chain (ENV/LABEL give key, value, separator triples).

use super::split_command::is_token_whitespace;
use crate::go_quote::go_quote;

/// The parsed arguments of one instruction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Arguments {
    pub(super) values: Vec<String>,
    pub(super) json: bool,
}

impl Arguments {
    fn plain(values: Vec<String>) -> Arguments {
        Arguments {
            values,
            json: false,
        }
    }
}

/// Instruction arguments BuildKit's line parsers reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgumentsError {
    #[error("when using JSON array syntax, arrays must be comprised of strings only")]
    NotStringArray,
    /// The legacy `ENV key value` form without a value; holds the instruction name.
    #[error("{0} must have two arguments")]
    MissingValue(&'static str),
    /// A word of the `key=value` form without `=`; holds the word.
    #[error("Syntax error - can't find = in {}. Must be of the form: name=value", go_quote(.0))]
    MissingEquals(String),
}

/// Dispatches on the lowercase keyword; unknown keywords keep one empty argument, as BuildKit's
/// `parseIgnore`. ONBUILD is handled by the caller.
pub(super) fn parse_arguments(
    keyword: &str,
    rest: &str,
    escape: char,
) -> Result<Arguments, ArgumentsError> {
    match keyword {
        "add" | "copy" | "volume" => parse_maybe_json_to_list(rest),
        "arg" => Ok(Arguments::plain(parse_words(rest, escape))),
        "cmd" | "entrypoint" | "run" | "shell" => parse_maybe_json(rest),
        "env" => parse_name_value(rest, "ENV", escape).map(Arguments::plain),
        "label" => parse_name_value(rest, "LABEL", escape).map(Arguments::plain),
        "expose" | "from" => Ok(Arguments::plain(split_whitespace_delimited(rest))),
        "healthcheck" => parse_health_config(rest),
        "maintainer" | "stopsignal" | "user" | "workdir" => {
            Ok(Arguments::plain(parse_string(rest)))
        }
        _ => Ok(Arguments::plain(vec![String::new()])),
    }
}

fn parse_string(rest: &str) -> Vec<String> {
    if rest.is_empty() {
        Vec::new()
    } else {
        vec![rest.to_owned()]
    }
}

fn split_whitespace_delimited(rest: &str) -> Vec<String> {
    if rest.is_empty() {
        return Vec::new();
    }
    rest.split(is_token_whitespace)
        .filter(|piece| !piece.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Parses a JSON array of strings; `Ok(None)` when the text is not a JSON array at all.
fn parse_json(rest: &str) -> Result<Option<Vec<String>>, ArgumentsError> {
    let rest = rest.trim_start_matches(char::is_whitespace);
    if !rest.starts_with('[') {
        return Ok(None);
    }
    let Ok(values) = serde_json::from_str::<Vec<serde_json::Value>>(rest) else {
        return Ok(None);
    };
    values
        .into_iter()
        .map(|value| match value {
            serde_json::Value::String(text) => Ok(text),
            _ => Err(ArgumentsError::NotStringArray),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// JSON array, or else the whole text as one argument.
fn parse_maybe_json(rest: &str) -> Result<Arguments, ArgumentsError> {
    if rest.is_empty() {
        return Ok(Arguments::default());
    }
    Ok(match parse_json(rest)? {
        Some(values) => Arguments { values, json: true },
        None => Arguments::plain(vec![rest.to_owned()]),
    })
}

/// JSON array, or else whitespace-separated words.
fn parse_maybe_json_to_list(rest: &str) -> Result<Arguments, ArgumentsError> {
    Ok(match parse_json(rest)? {
        Some(values) => Arguments { values, json: true },
        None => Arguments::plain(split_whitespace_delimited(rest)),
    })
}

/// `HEALTHCHECK TYPE rest`: the type word, then the rest as `parse_maybe_json`.
fn parse_health_config(rest: &str) -> Result<Arguments, ArgumentsError> {
    let (kind, command) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if kind.is_empty() {
        return Ok(Arguments::default());
    }
    let command = command.trim_start_matches(char::is_whitespace);
    let parsed = parse_maybe_json(command)?;
    let mut values = vec![kind.to_owned()];
    values.extend(parsed.values);
    Ok(Arguments {
        values,
        json: parsed.json,
    })
}

/// ENV/LABEL: `k=v k2="v 2"` or the legacy `k v`; gives key, value, separator (`=` or empty).
fn parse_name_value(
    rest: &str,
    instruction: &'static str,
    escape: char,
) -> Result<Vec<String>, ArgumentsError> {
    let words = parse_words(rest, escape);
    let Some(first) = words.first() else {
        return Ok(Vec::new());
    };
    if !first.contains('=') {
        let Some((key, value)) = rest.split_once(is_token_whitespace) else {
            return Err(ArgumentsError::MissingValue(instruction));
        };
        let value = value.trim_start_matches(is_token_whitespace);
        return Ok(vec![key.to_owned(), value.to_owned(), String::new()]);
    }
    let mut values = Vec::with_capacity(words.len() * 3);
    for word in words {
        let Some((key, value)) = word.split_once('=') else {
            return Err(ArgumentsError::MissingEquals(word));
        };
        values.extend([key.to_owned(), value.to_owned(), "=".to_owned()]);
    }
    Ok(values)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Spaces,
    Word,
    Quote(char),
}

/// Splits into words on unquoted whitespace, keeping quotes and escapes (BuildKit `parseWords`).
pub(super) fn parse_words(rest: &str, escape: char) -> Vec<String> {
    let mut characters = rest.chars().peekable();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut blank_ok = false;
    while let Some(character) = characters.next() {
        let is_last = characters.peek().is_none();
        if phase == Phase::Spaces {
            if character.is_whitespace() {
                continue;
            }
            phase = Phase::Word;
        }
        let escapes = match phase {
            Phase::Word if character.is_whitespace() => {
                phase = Phase::Spaces;
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                blank_ok = false;
                continue;
            }
            Phase::Word => {
                if character == '\'' || character == '"' {
                    phase = Phase::Quote(character);
                    blank_ok = true;
                }
                character == escape
            }
            Phase::Quote(quote) => {
                if character == quote {
                    phase = Phase::Word;
                }
                character == escape && quote != '\''
            }
            Phase::Spaces => false,
        };
        if escapes && is_last {
            // A trailing escape is dropped (and closes a quote it was in).
            phase = Phase::Word;
            continue;
        }
        word.push(character);
        if escapes {
            word.extend(characters.next());
        }
    }
    if phase != Phase::Spaces && (blank_ok || !word.is_empty()) {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(keyword: &str, rest: &str) -> Vec<String> {
        parse_arguments(keyword, rest, '\\')
            .map(|arguments| arguments.values)
            .unwrap_or_default()
    }

    #[test]
    fn words_keep_quotes_and_escapes() {
        assert_eq!(
            parse_words(r#"a "b c" d\ e 'f\ g'"#, '\\'),
            vec!["a", "\"b c\"", "d\\ e", "'f\\ g'"]
        );
        assert_eq!(parse_words("\"\"", '\\'), vec!["\"\""]);
        assert_eq!(parse_words("a\\", '\\'), vec!["a"]);
    }

    #[test]
    fn env_forms() {
        assert_eq!(
            values("env", "A=1 B=\"x y\""),
            vec!["A", "1", "=", "B", "\"x y\"", "="]
        );
        assert_eq!(values("env", "A  x y"), vec!["A", "x y", ""]);
        assert!(parse_arguments("env", "A", '\\').is_err());
        assert!(parse_arguments("label", "a=b c", '\\').is_err());
    }

    #[test]
    fn json_and_shell_forms() {
        let exec = parse_arguments("run", r#"["echo", "hi"]"#, '\\').ok();
        assert_eq!(
            exec.map(|arguments| (arguments.values, arguments.json)),
            Some((vec!["echo".to_owned(), "hi".to_owned()], true))
        );
        assert_eq!(
            values("run", r#"["echo", "hi"] x"#),
            vec![r#"["echo", "hi"] x"#]
        );
        assert!(parse_arguments("cmd", r#"["echo", 1]"#, '\\').is_err());
        assert_eq!(values("copy", "a  b\tc"), vec!["a", "b", "c"]);
        assert_eq!(values("healthcheck", "CMD  curl x"), vec!["CMD", "curl x"]);
        assert_eq!(values("healthcheck", "NONE"), vec!["NONE"]);
        assert_eq!(values("frob", "x"), vec![""]);
    }
}
