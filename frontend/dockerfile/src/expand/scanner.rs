//! The input side of word expansion, in: one word, the lexer settings and an environment; out:
//! characters one at a time, variable names, single-quoted text and looked-up values, with a
//! record of which names were found. Invariant: as Go's `text/scanner` over the word (a leading
//! byte order mark is skipped); reading never moves backwards and stops at the end.

use std::collections::BTreeSet;

use super::reason::ExpandReason;
use super::{Lexer, Lookup};

pub(super) struct Scanner<'a> {
    characters: Vec<char>,
    position: usize,
    pub(super) lexer: &'a Lexer,
    env: &'a dyn Lookup,
    /// Names looked up and found.
    pub(super) matched: BTreeSet<String>,
    /// Names looked up and not found.
    pub(super) unmatched: BTreeSet<String>,
}

impl<'a> Scanner<'a> {
    pub(super) fn new(lexer: &'a Lexer, word: &str, env: &'a dyn Lookup) -> Scanner<'a> {
        // Go's text/scanner skips a byte order mark at the very start.
        let word = word.strip_prefix('\u{FEFF}').unwrap_or(word);
        Scanner {
            characters: word.chars().collect(),
            position: 0,
            lexer,
            env,
            matched: BTreeSet::new(),
            unmatched: BTreeSet::new(),
        }
    }

    #[inline]
    pub(super) fn peek(&self) -> Option<char> {
        self.characters.get(self.position).copied()
    }

    #[inline]
    pub(super) fn next(&mut self) -> Option<char> {
        let character = self.peek();
        if character.is_some() {
            self.position += 1;
        }
        character
    }

    pub(super) fn at_end(&self) -> bool {
        self.position >= self.characters.len()
    }

    /// The variable's value, recording whether it was found.
    pub(super) fn lookup(&mut self, name: &str) -> Option<String> {
        let value = self.env.lookup(name);
        if value.is_some() {
            self.matched.insert(name.to_owned());
        } else {
            self.unmatched.insert(name.to_owned());
        }
        value
    }

    /// Reads a variable name: letters, digits and `_`; a leading digit run or one special
    /// parameter character is a whole name.
    pub(super) fn read_name(&mut self) -> String {
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

    /// Reads `'...'` from the opening quote: everything up to the closing quote is literal.
    pub(super) fn read_single_quoted(&mut self) -> Result<String, ExpandReason> {
        let raw_quotes = self.lexer.raw_quotes;
        let mut result = String::new();
        if let Some(quote) = self.next() {
            if raw_quotes {
                result.push(quote);
            }
        }
        loop {
            match self.next() {
                None => return Err(ExpandReason::UnterminatedSingleQuote),
                Some('\'') => {
                    if raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(character) => result.push(character),
            }
        }
    }
}

/// Go's `unicode.IsDigit`, approximated by Rust's numeric property for non-ASCII characters.
fn is_digit(character: char) -> bool {
    character.is_ascii_digit() || (!character.is_ascii() && character.is_numeric())
}

/// POSIX special parameters.
fn is_special_parameter(character: char) -> bool {
    matches!(character, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0')
}
