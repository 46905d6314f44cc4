//! Word expansion, in: a word as written in a Dockerfile and an environment; out: the word with
//! quotes removed and `$var`/`${var...}` substituted, as one string or split into fields.
//! Invariant: behaves as BuildKit's `shell.Lex` (ProcessWord/ProcessWords), including its error
//! texts (`failed to process "<word>": <reason>`); it never runs commands and never panics.

mod dollar;
mod fields;
mod pattern;
mod reason;
mod replace;
mod scanner;
mod word;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::go_quote::go_quote;

/// Where expansion reads variables from. `None` means unset, which differs from empty for
/// `${v-w}`, `${v+w}` and `${v?msg}`.
pub trait Lookup {
    fn lookup(&self, name: &str) -> Option<String>;
}

impl Lookup for BTreeMap<String, String> {
    fn lookup(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

impl Lookup for HashMap<String, String> {
    fn lookup(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

/// Ordered pairs; when a name repeats, the last pair wins (as BuildKit's `EnvsFromSlice`).
impl Lookup for [(String, String)] {
    fn lookup(&self, name: &str) -> Option<String> {
        self.iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    }
}

impl Lookup for Vec<(String, String)> {
    fn lookup(&self, name: &str) -> Option<String> {
        self.as_slice().lookup(name)
    }
}

/// An environment with no variables at all.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoVariables;

impl Lookup for NoVariables {
    fn lookup(&self, _name: &str) -> Option<String> {
        None
    }
}

/// An expansion failure, worded as BuildKit words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed to process {}: {reason}", go_quote(word))]
pub struct ExpandError {
    /// The word that failed, as given.
    pub word: String,
    /// What went wrong, e.g. `syntax error: missing '}'`.
    pub reason: String,
}

/// The full outcome of expanding one word.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expansion {
    /// The word as one string (ProcessWord).
    pub result: String,
    /// The word split into fields after substitution (ProcessWords).
    pub words: Vec<String>,
    /// Variable names that were looked up and found.
    pub matched: BTreeSet<String>,
    /// Variable names that were looked up and not found.
    pub unmatched: BTreeSet<String>,
}

/// BuildKit's shell lexer. `escape` is the Dockerfile's escape token (`\` or `` ` ``).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lexer {
    escape: char,
    /// Keep quote characters in the output (BuildKit `RawQuotes`).
    raw_quotes: bool,
    /// Keep escape characters in the output (BuildKit `RawEscapes`).
    raw_escapes: bool,
    /// Treat quotes as ordinary characters (BuildKit `SkipProcessQuotes`).
    skip_process_quotes: bool,
    /// Leave references to unset variables as written (BuildKit `SkipUnsetEnv`).
    skip_unset: bool,
}

impl Default for Lexer {
    fn default() -> Self {
        Lexer::new('\\')
    }
}

impl Lexer {
    /// A lexer for ordinary instruction words with the given escape token.
    pub fn new(escape: char) -> Lexer {
        Lexer {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_process_quotes: false,
            skip_unset: false,
        }
    }

    /// The lexer BuildKit uses for the body of an expanding COPY/ADD heredoc: escape `\`, quotes
    /// are ordinary characters.
    pub fn for_heredoc_content() -> Lexer {
        Lexer {
            skip_process_quotes: true,
            ..Lexer::new('\\')
        }
    }

    /// The lexer BuildKit's parser uses to find heredoc words in a line: escape `\`, quotes and
    /// escapes kept, unset variables left as written.
    pub(crate) fn for_heredoc_detection(raw_quotes: bool, raw_escapes: bool) -> Lexer {
        Lexer {
            raw_quotes,
            raw_escapes,
            skip_unset: true,
            ..Lexer::new('\\')
        }
    }

    pub fn escape(&self) -> char {
        self.escape
    }

    /// Expands `word` into one string (BuildKit `ProcessWord`).
    pub fn expand_word(&self, word: &str, env: &dyn Lookup) -> Result<String, ExpandError> {
        self.expand(word, env).map(|expansion| expansion.result)
    }

    /// Expands `word` and splits it into fields on unquoted whitespace (BuildKit `ProcessWords`).
    pub fn expand_words(&self, word: &str, env: &dyn Lookup) -> Result<Vec<String>, ExpandError> {
        self.expand(word, env).map(|expansion| expansion.words)
    }

    /// Expands `word`, returning the string, the fields and which variables were used.
    pub fn expand(&self, word: &str, env: &dyn Lookup) -> Result<Expansion, ExpandError> {
        word::process(self, word, env).map_err(|reason| ExpandError {
            word: word.to_owned(),
            reason: reason.to_string(),
        })
    }
}

#[cfg(test)]
mod nesting_tests;
#[cfg(test)]
mod tests;
