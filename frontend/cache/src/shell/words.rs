//! Static evaluation of shell words.
//!
//! Input: a word as written (quotes, escapes, `$VAR`, `~`) and a variable lookup. Output: its
//! value after quote removal and the expansions whose result is known before run time, plus
//! whether it contains an unquoted glob. Invariant: a word whose value depends on anything not
//! known statically (command substitution, arithmetic, unknown variables, `$@`) evaluates to
//! [`WordValue::Dynamic`], never to a guess.

use brush_parser::word::{self, Parameter, ParameterExpr, ParameterTestType, WordPiece};
use brush_parser::ParserOptions;

use crate::template::VariableValue;

/// The statically known value of a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WordValue {
    /// The value, and whether an unquoted `*`, `?` or `[` makes it a glob.
    Static { text: String, glob: bool },
    /// Only known at run time.
    Dynamic,
}

impl WordValue {
    /// The text when static.
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Self::Static { text, .. } => Some(text),
            Self::Dynamic => None,
        }
    }
}

/// Evaluates `raw` with `lookup`; `home` expands a leading `~`.
pub(crate) fn evaluate_word(
    raw: &str,
    lookup: &dyn Fn(&str) -> VariableValue,
    home: &str,
) -> WordValue {
    let Ok(pieces) = word::parse(raw, &ParserOptions::default()) else {
        return WordValue::Dynamic;
    };
    let mut text = String::new();
    let mut glob = false;
    let pieces: Vec<WordPiece> = pieces.into_iter().map(|piece| piece.piece).collect();
    if evaluate_pieces(&pieces, false, lookup, home, &mut text, &mut glob) {
        WordValue::Static { text, glob }
    } else {
        WordValue::Dynamic
    }
}

/// Appends the value of `pieces` to `text`; false when a piece is dynamic.
fn evaluate_pieces(
    pieces: &[WordPiece],
    quoted: bool,
    lookup: &dyn Fn(&str) -> VariableValue,
    home: &str,
    text: &mut String,
    glob: &mut bool,
) -> bool {
    for piece in pieces {
        let known = match piece {
            WordPiece::Text(literal) => {
                if !quoted && literal.contains(['*', '?', '[']) {
                    *glob = true;
                }
                text.push_str(literal);
                true
            }
            WordPiece::SingleQuotedText(literal) => {
                text.push_str(literal);
                true
            }
            WordPiece::EscapeSequence(sequence) => {
                let mut characters = sequence.chars();
                let first = characters.next();
                match (first, quoted) {
                    (Some('\\'), _) => text.extend(characters),
                    _ => text.push_str(sequence),
                }
                true
            }
            WordPiece::DoubleQuotedSequence(inner)
            | WordPiece::GettextDoubleQuotedSequence(inner) => {
                let inner: Vec<WordPiece> = inner.iter().map(|piece| piece.piece.clone()).collect();
                evaluate_pieces(&inner, true, lookup, home, text, glob)
            }
            WordPiece::TildeExpansion(word::TildeExpr::Home) => {
                text.push_str(home);
                true
            }
            WordPiece::ParameterExpansion(expression) => {
                evaluate_parameter(expression, lookup, home, text, glob)
            }
            _ => false,
        };
        if !known {
            return false;
        }
    }
    true
}

fn evaluate_parameter(
    expression: &ParameterExpr,
    lookup: &dyn Fn(&str) -> VariableValue,
    home: &str,
    text: &mut String,
    glob: &mut bool,
) -> bool {
    match expression {
        ParameterExpr::Parameter {
            parameter: Parameter::Named(name),
            indirect: false,
        } => match lookup(name) {
            VariableValue::Set(value) => {
                text.push_str(&value);
                true
            }
            VariableValue::Unset => true,
            VariableValue::Unknown => false,
        },
        ParameterExpr::UseDefaultValues {
            parameter: Parameter::Named(name),
            indirect: false,
            test_type,
            default_value,
        } => {
            let use_value = match (lookup(name), test_type) {
                (VariableValue::Unknown, _) => return false,
                (VariableValue::Set(value), ParameterTestType::UnsetOrNull)
                    if !value.is_empty() =>
                {
                    Some(value)
                }
                (VariableValue::Set(value), ParameterTestType::Unset) => Some(value),
                _ => None,
            };
            match use_value {
                Some(value) => {
                    text.push_str(&value);
                    true
                }
                None => match evaluate_word(default_value.as_deref().unwrap_or(""), lookup, home) {
                    WordValue::Static {
                        text: default_text,
                        glob: default_glob,
                    } => {
                        text.push_str(&default_text);
                        *glob |= default_glob;
                        true
                    }
                    WordValue::Dynamic => false,
                },
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> VariableValue {
        match name {
            "HOME" => VariableValue::Set("/root".to_owned()),
            "GOPATH" => VariableValue::Set("/go".to_owned()),
            "DYN" => VariableValue::Unknown,
            _ => VariableValue::Unset,
        }
    }

    fn static_text(raw: &str) -> Option<String> {
        evaluate_word(raw, &lookup, "/home/me")
            .text()
            .map(str::to_owned)
    }

    #[test]
    fn quotes_escapes_and_variables() {
        assert_eq!(static_text("'a b'").as_deref(), Some("a b"));
        assert_eq!(static_text("\"$GOPATH/pkg\"").as_deref(), Some("/go/pkg"));
        assert_eq!(static_text("x\\$y").as_deref(), Some("x$y"));
        assert_eq!(static_text("\"a\\\"b\"").as_deref(), Some("a\"b"));
        assert_eq!(static_text("${NOPE:-/d}/x").as_deref(), Some("/d/x"));
        assert_eq!(static_text("${GOPATH:-/d}").as_deref(), Some("/go"));
        assert_eq!(static_text("~/.cache").as_deref(), Some("/home/me/.cache"));
        assert_eq!(static_text("$NOPE").as_deref(), Some(""));
    }

    #[test]
    fn dynamic_words() {
        assert_eq!(static_text("$(pwd)"), None);
        assert_eq!(static_text("$DYN/x"), None);
        assert_eq!(static_text("$((1+2))"), None);
        assert_eq!(static_text("\"$@\""), None);
    }

    #[test]
    fn globs_only_when_unquoted() {
        assert_eq!(
            evaluate_word("/var/lib/apt/lists/*", &lookup, "/root"),
            WordValue::Static {
                text: "/var/lib/apt/lists/*".to_owned(),
                glob: true
            }
        );
        assert_eq!(
            evaluate_word("'/a/*'", &lookup, "/root"),
            WordValue::Static {
                text: "/a/*".to_owned(),
                glob: false
            }
        );
    }
}
