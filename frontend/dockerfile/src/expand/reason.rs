//! Expansion failure reasons, in: the point where the word processor or a pattern gives up; out:
//! a typed reason whose `Display` is BuildKit's text for it. Invariant: every text is worded
//! exactly as BuildKit's `shell.Lex` words it (golden error tests compare them).

/// A shell glob pattern that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum PatternError {
    /// `\` followed by anything but `*`, `?` or `\` (`U+FFFD` when nothing follows).
    #[error("invalid escape '\\{0}'")]
    InvalidEscape(char),
}

/// Why one word could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum ExpandReason {
    /// A word that had to end at `stop` reached the end of the input.
    #[error("unexpected end of statement while looking for matching {0}")]
    Unterminated(char),
    #[error("unexpected end of statement while looking for matching single-quote")]
    UnterminatedSingleQuote,
    #[error("unexpected end of statement while looking for matching double-quote")]
    UnterminatedDoubleQuote,
    #[error("syntax error: missing '}}'")]
    MissingClosingBrace,
    #[error("syntax error: missing '/' in ${{}}")]
    MissingSlash,
    /// `${{`, `${}` or `${:`.
    #[error("syntax error: bad substitution")]
    BadSubstitution,
    /// The modifier as written (one or two characters).
    #[error("unsupported modifier ({0}) in substitution")]
    UnsupportedModifier(String),
    /// `${name?message}` on an unset (or, with `:`, empty) variable.
    #[error("{name}: {message}")]
    Required { name: String, message: String },
    #[error("invalid pattern ({pattern}) in substitution: {error}")]
    InvalidPattern {
        pattern: String,
        error: PatternError,
    },
}
