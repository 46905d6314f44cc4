//! Typing errors, in: a failed check on one instruction; out: BuildKit's message and the lines.
//! Invariant: errors raised while typing one instruction read `dockerfile parse error on line N:
//! <reason>` like BuildKit's; errors about the file's structure carry only the reason.

use crate::parse::Span;

/// An instruction that BuildKit would reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct InstructionError {
    /// What is wrong, e.g. `unknown flag: boo`.
    pub reason: String,
    pub span: Span,
    /// Whether BuildKit prefixes the reason with `dockerfile parse error on line N:`.
    pub prefixed: bool,
}

impl InstructionError {
    pub(super) fn in_instruction(reason: String, span: Span) -> InstructionError {
        InstructionError {
            reason,
            span,
            prefixed: true,
        }
    }

    pub(super) fn in_structure(reason: &str, span: Span) -> InstructionError {
        InstructionError {
            reason: reason.to_owned(),
            span,
            prefixed: false,
        }
    }

    /// The message as BuildKit prints it.
    pub fn message(&self) -> String {
        if self.prefixed {
            format!(
                "dockerfile parse error on line {}: {}",
                self.span.start, self.reason
            )
        } else {
            self.reason.clone()
        }
    }
}
