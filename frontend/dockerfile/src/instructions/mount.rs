//! `RUN --mount` values, in: a mount value as written (`type=cache,target=/x`); out: its CSV
//! fields, the parse-time checks BuildKit makes, and the value with each field's value expanded.
//! Invariant: fields are split as Go's `encoding/csv` reads one record; expansion touches only the
//! part after the first `=` of each field, and the result re-reads to the same fields.

use crate::expand::{ExpandError, Lexer, Lookup};

/// Splits a mount value into its comma-separated fields (double quotes group, `""` is a quote).
pub fn mount_fields(value: &str) -> Result<Vec<String>, String> {
    let record = value
        .split(['\n'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('\r');
    if record.is_empty() {
        return Err("failed to parse csv mounts: EOF".to_owned());
    }
    let characters: Vec<char> = record.chars().collect();
    let mut fields = Vec::new();
    let mut position = 0;
    loop {
        let mut field = String::new();
        if characters.get(position) == Some(&'"') {
            position += 1;
            loop {
                match characters.get(position) {
                    None => {
                        return Err(csv_error(
                            position,
                            "extraneous or missing \" in quoted-field",
                        ))
                    }
                    Some('"') if characters.get(position + 1) == Some(&'"') => {
                        field.push('"');
                        position += 2;
                    }
                    Some('"') => {
                        position += 1;
                        break;
                    }
                    Some(character) => {
                        field.push(*character);
                        position += 1;
                    }
                }
            }
            if !matches!(characters.get(position), None | Some(',')) {
                return Err(csv_error(
                    position,
                    "extraneous or missing \" in quoted-field",
                ));
            }
        } else {
            while let Some(character) = characters
                .get(position)
                .filter(|character| **character != ',')
            {
                if *character == '"' {
                    return Err(csv_error(position, "bare \" in non-quoted-field"));
                }
                field.push(*character);
                position += 1;
            }
        }
        fields.push(field);
        if characters.get(position) == Some(&',') {
            position += 1;
        } else {
            return Ok(fields);
        }
    }
}

fn csv_error(position: usize, reason: &str) -> String {
    format!(
        "failed to parse csv mounts: parse error on line 1, column {}: {reason}",
        position + 1
    )
}

/// The checks BuildKit makes on a mount before expansion: valid CSV, and no variable in `from`.
pub(super) fn check_mount(value: &str) -> Result<(), String> {
    for field in mount_fields(value)? {
        let Some((key, field_value)) = field.split_once('=') else {
            continue;
        };
        if key.eq_ignore_ascii_case("from") && has_variable(field_value) {
            return Err(
                "'from' doesn't support variable expansion, define alias stage instead".to_owned(),
            );
        }
    }
    Ok(())
}

/// Go regexp `\$.`: a `$` followed by any character but a newline.
fn has_variable(text: &str) -> bool {
    text.chars()
        .zip(text.chars().skip(1))
        .any(|(dollar, next)| dollar == '$' && next != '\n')
}

/// Expands the value of every `key=value` field and joins the fields back into one mount value.
pub(super) fn expand_mount(
    value: &str,
    lexer: &Lexer,
    env: &dyn Lookup,
) -> Result<String, ExpandError> {
    let fields = mount_fields(value).map_err(|reason| ExpandError {
        word: value.to_owned(),
        reason,
    })?;
    let mut expanded = Vec::with_capacity(fields.len());
    for field in fields {
        let field = match field.split_once('=') {
            Some((key, field_value)) => format!("{key}={}", lexer.expand_word(field_value, env)?),
            None => field,
        };
        expanded.push(quote_field(&field));
    }
    Ok(expanded.join(","))
}

/// Quotes a field as Go's `csv.Writer` would, when it needs it.
fn quote_field(field: &str) -> String {
    let needs_quotes = field.contains([',', '"', '\r', '\n'])
        || field.starts_with(char::is_whitespace)
        || field == "\\.";
    if needs_quotes {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_csv_fields() {
        assert_eq!(
            mount_fields("type=cache,target=/x"),
            Ok(vec!["type=cache".to_owned(), "target=/x".to_owned()])
        );
        assert_eq!(
            mount_fields("\"a,b\",c="),
            Ok(vec!["a,b".to_owned(), "c=".to_owned()])
        );
        assert_eq!(mount_fields("\"a\"\"b\""), Ok(vec!["a\"b".to_owned()]));
        assert!(mount_fields("").is_err());
        assert!(mount_fields("a\"b").is_err());
        assert!(mount_fields("\"ab").is_err());
        assert!(mount_fields("\"a\"b").is_err());
    }

    #[test]
    fn rejects_variables_in_from() {
        assert!(check_mount("type=bind,from=$STAGE").is_err());
        assert!(check_mount("type=bind,from=stage,target=$X").is_ok());
    }

    #[test]
    fn expands_values_only() {
        let env = vec![
            ("DIR".to_owned(), "/cache".to_owned()),
            ("ID".to_owned(), "a,b".to_owned()),
        ];
        let expanded = expand_mount(
            "type=cache,target=$DIR,id=${ID},ro",
            &Lexer::new('\\'),
            &env,
        );
        assert_eq!(
            expanded.ok().as_deref(),
            Some("type=cache,target=/cache,\"id=a,b\",ro")
        );
    }
}
