//! The word processor, in: one word, a lexer configuration and an environment; out: the expanded
//! string, its fields and the variables used, or the reason it failed.
//! Invariant: a character-for-character port of BuildKit's `shellWord` state machine; every loop
//! consumes input, so it terminates on any input.

use std::collections::BTreeSet;

use super::fields::Fields;
use super::pattern::{trim_prefix, trim_suffix};
use super::replace::{replace_all, replace_first};
use super::{Expansion, Lexer, Lookup};

/// The deepest `${a:-${b:-...}}` nesting expanded (BuildKit has no limit; this keeps the stack
/// bounded on hostile input).
const MAXIMUM_DEPTH: usize = 200;

/// Shown where Go prints the rune of end-of-input (`string(rune(-1))`).
const END_OF_INPUT: char = '\u{FFFD}';

pub(super) fn process(lexer: &Lexer, word: &str, env: &dyn Lookup) -> Result<Expansion, String> {
    let mut characters: Vec<char> = word.chars().collect();
    // Go's text/scanner skips a byte order mark at the very start.
    if characters.first() == Some(&'\u{FEFF}') {
        characters.remove(0);
    }
    let mut processor = WordProcessor {
        characters,
        position: 0,
        lexer,
        env,
        raw_escapes: lexer.raw_escapes,
        depth: 0,
        matched: BTreeSet::new(),
        unmatched: BTreeSet::new(),
    };
    let raw_escapes = processor.raw_escapes;
    let (result, words) = processor.process_stop_on(None, raw_escapes)?;
    Ok(Expansion {
        result,
        words,
        matched: processor.matched,
        unmatched: processor.unmatched,
    })
}

struct WordProcessor<'a> {
    characters: Vec<char>,
    position: usize,
    lexer: &'a Lexer,
    env: &'a dyn Lookup,
    raw_escapes: bool,
    /// How many `${...}` enclose the current position.
    depth: usize,
    matched: BTreeSet<String>,
    unmatched: BTreeSet<String>,
}

impl WordProcessor<'_> {
    fn peek(&self) -> Option<char> {
        self.characters.get(self.position).copied()
    }

    fn next(&mut self) -> Option<char> {
        let character = self.peek();
        if character.is_some() {
            self.position += 1;
        }
        character
    }

    fn lookup(&mut self, name: &str) -> Option<String> {
        let value = self.env.lookup(name);
        if value.is_some() {
            self.matched.insert(name.to_owned());
        } else {
            self.unmatched.insert(name.to_owned());
        }
        value
    }

    /// Processes until `stop` (consumed) or the end; `raw_escapes` applies for the duration.
    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(String, Vec<String>), String> {
        let saved = std::mem::replace(&mut self.raw_escapes, raw_escapes);
        let outcome = self.process_stop_on_inner(stop);
        self.raw_escapes = saved;
        outcome
    }

    fn process_stop_on_inner(
        &mut self,
        stop: Option<char>,
    ) -> Result<(String, Vec<String>), String> {
        let mut result = String::new();
        let mut fields = Fields::default();
        let processes_quotes = !self.lexer.skip_process_quotes;
        while let Some(character) = self.peek() {
            if stop == Some(character) {
                self.next();
                return Ok((result, fields.finish()));
            }
            if character == '$' {
                let value = self.process_dollar()?;
                result.push_str(&value);
                fields.add_string(&value);
            } else if processes_quotes && (character == '\'' || character == '"') {
                let value = if character == '\'' {
                    self.process_single_quote()?
                } else {
                    self.process_double_quote()?
                };
                result.push_str(&value);
                fields.add_raw_string(&value);
            } else {
                self.next();
                let mut literal = character;
                if character == self.lexer.escape {
                    if self.raw_escapes {
                        fields.add_raw_character(character);
                        result.push(character);
                    }
                    match self.next() {
                        None => break,
                        Some(escaped) => literal = escaped,
                    }
                    fields.add_raw_character(literal);
                } else {
                    fields.add_character(literal);
                }
                result.push(literal);
            }
        }
        if let Some(stop) = stop {
            return Err(format!(
                "unexpected end of statement while looking for matching {stop}"
            ));
        }
        Ok((result, fields.finish()))
    }

    fn process_single_quote(&mut self) -> Result<String, String> {
        let mut result = String::new();
        if let Some(quote) = self.next() {
            if self.lexer.raw_quotes {
                result.push(quote);
            }
        }
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .to_owned(),
                    )
                }
                Some('\'') => {
                    if self.lexer.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(character) => result.push(character),
            }
        }
    }

    fn process_double_quote(&mut self) -> Result<String, String> {
        let mut result = String::new();
        if let Some(quote) = self.next() {
            if self.lexer.raw_quotes {
                result.push(quote);
            }
        }
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .to_owned(),
                    )
                }
                Some('"') => {
                    self.next();
                    if self.lexer.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let value = self.process_dollar()?;
                    result.push_str(&value);
                }
                Some(character) => {
                    self.next();
                    let mut literal = character;
                    if character == self.lexer.escape {
                        if self.raw_escapes {
                            result.push(character);
                        }
                        match self.peek() {
                            None => continue,
                            Some(next)
                                if next == '"' || next == '$' || next == self.lexer.escape =>
                            {
                                self.next();
                                literal = next;
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(literal);
                }
            }
        }
    }

    /// A `$` reference; nesting deeper than `MAXIMUM_DEPTH` is refused rather than recursed into.
    fn process_dollar(&mut self) -> Result<String, String> {
        if self.depth >= MAXIMUM_DEPTH {
            return Err("syntax error: substitutions nested too deeply".to_owned());
        }
        self.depth += 1;
        let outcome = self.process_dollar_inner();
        self.depth -= 1;
        outcome
    }

    fn process_dollar_inner(&mut self) -> Result<String, String> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok("$".to_owned());
            }
            return Ok(match self.lookup(&name) {
                Some(value) => value,
                None if self.lexer.skip_unset => format!("${name}"),
                None => String::new(),
            });
        }
        self.next();
        match self.peek() {
            None => return Err("syntax error: missing '}'".to_owned()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".to_owned()),
            Some(_) => {}
        }
        let name = self.process_name();
        let mut modifier = self.next();
        let mut modifier_text = modifier.unwrap_or(END_OF_INPUT).to_string();
        let mut null_is_unset = false;
        match modifier {
            Some('}') => {
                return Ok(match self.lookup(&name) {
                    Some(value) => value,
                    None if self.lexer.skip_unset => format!("${{{name}}}"),
                    None => String::new(),
                })
            }
            Some('/') => return self.process_replacement(&name),
            Some(':') => {
                null_is_unset = true;
                modifier = self.next();
                modifier_text.push(modifier.unwrap_or(END_OF_INPUT));
            }
            Some('+' | '-' | '?' | '#' | '%') => {}
            _ => {
                return Err(format!(
                    "unsupported modifier ({modifier_text}) in substitution"
                ))
            }
        }
        let is_pattern = matches!(modifier, Some('#' | '%'));
        if null_is_unset && is_pattern {
            return Err(format!(
                "unsupported modifier ({modifier_text}) in substitution"
            ));
        }
        let (word, _) = self
            .process_stop_on(Some('}'), is_pattern)
            .map_err(|error| {
                if self.peek().is_none() {
                    "syntax error: missing '}'".to_owned()
                } else {
                    error
                }
            })?;
        let value = self.lookup(&name);
        if self.lexer.skip_unset && value.is_none() {
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
                None => Err(required_message(&name, &word, "is not allowed to be unset")),
                Some(value) if null_is_unset && value.is_empty() => {
                    Err(required_message(&name, &word, "is not allowed to be empty"))
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
                trimmed.map_err(|error| {
                    format!("invalid pattern ({pattern}) in substitution: {error}")
                })
            }
            _ => Err(format!(
                "unsupported modifier ({modifier_text}) in substitution"
            )),
        }
    }

    /// `${name/pattern/replacement}` and `${name//pattern/replacement}`; the first `/` is consumed.
    fn process_replacement(&mut self, name: &str) -> Result<String, String> {
        let replace_every = self.peek() == Some('/');
        if replace_every {
            self.next();
        }
        let (pattern, _) = self.process_stop_on(Some('/'), true).map_err(|error| {
            if self.peek().is_none() {
                "syntax error: missing '/' in ${}".to_owned()
            } else {
                error
            }
        })?;
        let (replacement, _) = self.process_stop_on(Some('}'), true).map_err(|error| {
            if self.peek().is_none() {
                "syntax error: missing '}'".to_owned()
            } else {
                error
            }
        })?;
        let value = self.lookup(name);
        let Some(value) = value.or_else(|| (!self.lexer.skip_unset).then(String::new)) else {
            return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
        };
        let replaced = if replace_every {
            replace_all(&pattern, &value, &replacement)
        } else {
            replace_first(&pattern, &value, &replacement)
        };
        replaced.map_err(|error| format!("invalid pattern ({pattern}) in substitution: {error}"))
    }

    /// Reads a variable name: letters, digits and `_`; a leading digit run or one special
    /// parameter character is a whole name.
    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(character) = self.peek() {
            if name.is_empty() && is_digit(character) {
                while let Some(digit) = self.peek().filter(|candidate| is_digit(*candidate)) {
                    self.next();
                    name.push(digit);
                }
                return name;
            }
            if name.is_empty() && is_special_parameter(character) {
                self.next();
                return character.to_string();
            }
            if !character.is_alphabetic() && !is_digit(character) && character != '_' {
                break;
            }
            self.next();
            name.push(character);
        }
        name
    }
}

fn required_message(name: &str, word: &str, default_message: &str) -> String {
    let message = if word.is_empty() {
        default_message
    } else {
        word
    };
    format!("{name}: {message}")
}

/// Go's `unicode.IsDigit`, approximated by Rust's numeric property for non-ASCII characters.
fn is_digit(character: char) -> bool {
    character.is_ascii_digit() || (!character.is_ascii() && character.is_numeric())
}

/// POSIX special parameters.
fn is_special_parameter(character: char) -> bool {
    matches!(character, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0')
}
