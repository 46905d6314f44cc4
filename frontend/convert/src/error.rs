//! Lowering errors, in: what went wrong and where; out: a message plus the Dockerfile lines it
//! points at. Invariant: every error raised while lowering an instruction carries its span; only
//! constructs cachefront cannot lower are `unsupported` (the build then goes to the stock
//! frontend), user errors never are.

use cachefront_dockerfile::parse::Span;

/// A lowering failure, located at the instruction that caused it when there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConvertError {
    pub message: String,
    pub span: Option<Span>,
    /// The Dockerfile is fine but cachefront cannot lower this construct.
    pub unsupported: bool,
}

impl ConvertError {
    /// An error with no location yet.
    pub fn new(message: impl Into<String>) -> ConvertError {
        ConvertError {
            message: message.into(),
            span: None,
            unsupported: false,
        }
    }

    /// A construct cachefront cannot lower (the stock frontend can).
    pub fn unsupported(message: impl Into<String>) -> ConvertError {
        ConvertError {
            unsupported: true,
            ..ConvertError::new(message)
        }
    }

    /// The same error, located at `span` unless it already has a location.
    pub fn at(mut self, span: Span) -> ConvertError {
        self.span.get_or_insert(span);
        self
    }
}

/// Shorthand for results of lowering.
pub type ConvertResult<T> = Result<T, ConvertError>;

/// Builds a located error from anything printable.
pub(crate) fn located(span: Span, message: impl std::fmt::Display) -> ConvertError {
    ConvertError::new(message.to_string()).at(span)
}
