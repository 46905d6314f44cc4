//! Parse failures, in: why the parser stopped and the lines involved; out: one located error
//! whose `Display` is BuildKit's text for it. Invariant: every text is worded exactly as
//! BuildKit's parser words it (golden error tests and snapshots compare them).

use super::arguments::ArgumentsError;
use super::directives::DirectiveError;
use super::heredoc::HeredocError;
use super::lines::MAXIMUM_LINE_LENGTH;
use super::Span;

/// Why a Dockerfile could not be parsed, with the lines involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct ParseError {
    pub reason: ParseReason,
    pub span: Span,
}

impl ParseError {
    pub(super) fn new(reason: impl Into<ParseReason>, span: Span) -> ParseError {
        ParseError {
            reason: reason.into(),
            span,
        }
    }
}

/// What made the parser stop.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseReason {
    /// A physical line longer than BuildKit's scanner buffer.
    #[error("dockerfile line greater than max allowed size of {}", MAXIMUM_LINE_LENGTH - 1)]
    LineTooLong,
    #[error("file with no instructions")]
    NoInstructions,
    #[error("unterminated heredoc")]
    UnterminatedHeredoc,
    /// ONBUILD wrapping ONBUILD deeper than the parser follows (BuildKit rejects any chain).
    #[error("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")]
    ChainedOnbuild,
    #[error(transparent)]
    Directive(#[from] DirectiveError),
    #[error(transparent)]
    Arguments(#[from] ArgumentsError),
    #[error(transparent)]
    Heredoc(#[from] HeredocError),
}
