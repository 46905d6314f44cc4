//! Substitutions, in: the scanner at a `$`, and later the nested words a `${...}` encloses; out:
//! the substituted text, or the nested word still to read and what to do with it. Invariant: the
//! reads, lookups and errors of BuildKit's `processDollar` in the same order; nothing here reads a
//! nested word itself, so nesting depth never grows the call stack (see `word.rs`).

use super::pattern::{trim_prefix, trim_suffix};
use super::reason::ExpandReason;
use super::replace::{replace_all, replace_first};
use super::scanner::Scanner;

/// Shown where Go prints the rune of end-of-input (`string(rune(-1))`).
const END_OF_INPUT: char = '\u{FFFD}';

/// What a `$` (or a finished nested word) leads to.
pub(super) enum Dollar {
    /// The substitution is complete.
    Value(String),
    /// A nested word must be read first.
    Nested(Nested),
}

/// A nested word to read, up to `stop` (consumed), and the substitution waiting for it.
pub(super) struct Nested {
    pub(super) stop: char,
    /// Keep escape characters in the nested word (patterns need them).
    pub(super) raw_escapes: bool,
    pub(super) pending: Pending,
}

/// A `${...}` waiting for its nested word.
pub(super) enum Pending {
    /// `${name<modifier>word}` with `-`, `+`, `?`, `#`, `%` (or anything after `:`).
    Modified(Modified),
    /// `${name/pattern/...}`: waiting for the pattern.
    ReplacePattern { name: String, replace_every: bool },
    /// `${name/pattern/replacement}`: waiting for the replacement.
    ReplaceWith {
        name: String,
        replace_every: bool,
        pattern: String,
    },
}

/// Reads a `$` reference from the `$` on, up to the point where a nested word starts.
pub(super) fn start(scanner: &mut Scanner) -> Result<Dollar, ExpandReason> {
    let skip_unset = scanner.lexer.skip_unset;
    scanner.next();
    if scanner.peek() != Some('{') {
        let name = scanner.read_name();
        if name.is_empty() {
            return Ok(Dollar::Value("$".to_owned()));
        }
        return Ok(Dollar::Value(match scanner.lookup(&name) {
            Some(value) => value,
            None if skip_unset => format!("${name}"),
            None => String::new(),
        }));
    }
    scanner.next();
    match scanner.peek() {
        None => return Err(ExpandReason::MissingClosingBrace),
        Some('{' | '}' | ':') => return Err(ExpandReason::BadSubstitution),
        Some(_) => {}
    }
    let name = scanner.read_name();
    let mut modifier = scanner.next();
    let mut modifier_text = modifier.unwrap_or(END_OF_INPUT).to_string();
    let mut null_is_unset = false;
    match modifier {
        Some('}') => {
            return Ok(Dollar::Value(match scanner.lookup(&name) {
                Some(value) => value,
                None if skip_unset => format!("${{{name}}}"),
                None => String::new(),
            }))
        }
        Some('/') => {
            let replace_every = scanner.peek() == Some('/');
            if replace_every {
                scanner.next();
            }
            return Ok(Dollar::Nested(Nested {
                stop: '/',
                raw_escapes: true,
                pending: Pending::ReplacePattern {
                    name,
                    replace_every,
                },
            }));
        }
        Some(':') => {
            null_is_unset = true;
            modifier = scanner.next();
            modifier_text.push(modifier.unwrap_or(END_OF_INPUT));
        }
        Some('+' | '-' | '?' | '#' | '%') => {}
        _ => return Err(ExpandReason::UnsupportedModifier(modifier_text)),
    }
    let is_pattern = matches!(modifier, Some('#' | '%'));
    if null_is_unset && is_pattern {
        return Err(ExpandReason::UnsupportedModifier(modifier_text));
    }
    Ok(Dollar::Nested(Nested {
        stop: '}',
        raw_escapes: is_pattern,
        pending: Pending::Modified(Modified {
            name,
            modifier,
            modifier_text,
            null_is_unset,
        }),
    }))
}

impl Pending {
    /// The error BuildKit reports instead of any other when the input ends inside this
    /// substitution's nested word.
    pub(super) fn missing_at_end(&self) -> ExpandReason {
        match self {
            Pending::ReplacePattern { .. } => ExpandReason::MissingSlash,
            Pending::Modified(_) | Pending::ReplaceWith { .. } => ExpandReason::MissingClosingBrace,
        }
    }

    /// Continues with the nested word just read.
    pub(super) fn resume(
        self,
        word: String,
        scanner: &mut Scanner,
    ) -> Result<Dollar, ExpandReason> {
        match self {
            Pending::Modified(modified) => modified.apply(word, scanner).map(Dollar::Value),
            Pending::ReplacePattern {
                name,
                replace_every,
            } => Ok(Dollar::Nested(Nested {
                stop: '}',
                raw_escapes: true,
                pending: Pending::ReplaceWith {
                    name,
                    replace_every,
                    pattern: word,
                },
            })),
            Pending::ReplaceWith {
                name,
                replace_every,
                pattern,
            } => replace(&name, replace_every, &pattern, &word, scanner).map(Dollar::Value),
        }
    }
}

/// A `${name<modifier>word}` waiting for (or given) its word.
pub(super) struct Modified {
    name: String,
    /// The character after the name, or after `:`.
    modifier: Option<char>,
    /// The modifier as written, for messages and `SkipUnsetEnv` output.
    modifier_text: String,
    null_is_unset: bool,
}

impl Modified {
    fn apply(self, word: String, scanner: &mut Scanner) -> Result<String, ExpandReason> {
        let Modified {
            name,
            modifier,
            modifier_text,
            null_is_unset,
        } = self;
        let value = scanner.lookup(&name);
        if scanner.lexer.skip_unset && value.is_none() {
            return Ok(format!("${{{name}{modifier_text}{word}}}"));
        }
        let unset_or_null = match &value {
            None => true,
            Some(value) => null_is_unset && value.is_empty(),
        };
        match modifier {
            Some('-') => Ok(if unset_or_null {
                word
            } else {
                value.unwrap_or_default()
            }),
            Some('+') => Ok(if unset_or_null { String::new() } else { word }),
            Some('?') => match value {
                None => Err(required(name, word, "is not allowed to be unset")),
                Some(value) if null_is_unset && value.is_empty() => {
                    Err(required(name, word, "is not allowed to be empty"))
                }
                Some(value) => Ok(value),
            },
            Some(pattern_kind @ ('#' | '%')) => {
                let value = value.unwrap_or_default();
                let (greedy, pattern) = match word.strip_prefix(pattern_kind) {
                    Some(rest) => (true, rest),
                    None => (false, word.as_str()),
                };
                let trimmed = if pattern_kind == '%' {
                    trim_suffix(pattern, &value, greedy)
                } else {
                    trim_prefix(pattern, &value, greedy)
                };
                trimmed.map_err(|error| ExpandReason::InvalidPattern {
                    pattern: pattern.to_owned(),
                    error,
                })
            }
            _ => Err(ExpandReason::UnsupportedModifier(modifier_text)),
        }
    }
}

/// `${name/pattern/replacement}` and `${name//pattern/replacement}` once both words are read.
fn replace(
    name: &str,
    replace_every: bool,
    pattern: &str,
    replacement: &str,
    scanner: &mut Scanner,
) -> Result<String, ExpandReason> {
    let value = scanner.lookup(name);
    let Some(value) = value.or_else(|| (!scanner.lexer.skip_unset).then(String::new)) else {
        return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
    };
    let replaced = if replace_every {
        replace_all(pattern, &value, replacement)
    } else {
        replace_first(pattern, &value, replacement)
    };
    replaced.map_err(|error| ExpandReason::InvalidPattern {
        pattern: pattern.to_owned(),
        error,
    })
}

/// `${name?word}`: the word is the message, or the default when it is empty.
fn required(name: String, word: String, default_message: &str) -> ExpandReason {
    let message = if word.is_empty() {
        default_message.to_owned()
    } else {
        word
    };
    ExpandReason::Required { name, message }
}
