//! Typing errors, in: a failed check on one instruction; out: BuildKit's message and the lines.
//! Invariant: errors raised while typing one instruction read `dockerfile parse error on line N:
//! <reason>` like BuildKit's; errors about the file's structure carry only the reason.

use super::device::DeviceError;
use super::duration::HealthcheckValueError;
use super::flags::FlagError;
use super::mount::MountError;
use crate::go_quote;
use crate::parse::Span;
use crate::suggest::Hint;

/// An instruction that BuildKit would reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct InstructionError {
    /// What is wrong, e.g. `unknown flag: --boo`.
    pub reason: TypingError,
    pub span: Span,
    /// Whether BuildKit prefixes the reason with `dockerfile parse error on line N:`.
    pub prefixed: bool,
}

/// Why BuildKit rejects an instruction (or the file's structure); `Display` is its text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypingError {
    #[error(transparent)]
    Flag(#[from] FlagError),
    #[error(transparent)]
    Device(#[from] DeviceError),
    #[error(transparent)]
    Mount(#[from] MountError),
    #[error(transparent)]
    HealthcheckValue(#[from] HealthcheckValueError),
    #[error("unknown instruction: {written}{hint}")]
    UnknownInstruction { written: String, hint: Hint },
    #[error("{instruction} requires exactly one argument")]
    ExactlyOneArgument { instruction: &'static str },
    #[error("{instruction} requires at least one argument")]
    AtLeastOneArgument { instruction: &'static str },
    #[error("{instruction} requires at least two arguments, but only one was provided. Destination could not be determined")]
    NoDestination { instruction: &'static str },
    #[error("{instruction} cannot accept a heredoc as a destination")]
    HeredocDestination { instruction: &'static str },
    #[error("Bad input to {instruction}, too many arguments")]
    TooManyArguments { instruction: &'static str },
    #[error("{instruction} names can not be blank")]
    BlankName { instruction: &'static str },
    #[error("VOLUME specified can not be an empty string")]
    EmptyVolume,
    #[error("SHELL requires the arguments to be in JSON form")]
    ShellNotJson,
    #[error("invalid name for build stage: {}, name can't start with a number or contain symbols", go_quote(.name))]
    InvalidStageName { name: String },
    #[error("FROM requires either one or three arguments")]
    FromArguments,
    #[error("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")]
    OnbuildChain,
    #[error("{trigger} isn't allowed as an ONBUILD trigger")]
    OnbuildTrigger { trigger: String },
    #[error("invalid network mode {}", go_quote(.mode))]
    NetworkMode { mode: String },
    #[error("security {} is not valid", go_quote(.mode))]
    SecurityMode { mode: String },
    #[error("HEALTHCHECK NONE takes no arguments")]
    HealthcheckNoneArguments,
    #[error("Unknown type {} in HEALTHCHECK (try CMD)", go_quote(.kind))]
    HealthcheckType { kind: String },
    #[error("Missing command after HEALTHCHECK CMD")]
    HealthcheckCommand,
    #[error("no build stage in current context")]
    NoBuildStage,
}

impl InstructionError {
    pub(super) fn in_instruction(reason: TypingError, span: Span) -> InstructionError {
        InstructionError {
            reason,
            span,
            prefixed: true,
        }
    }

    pub(super) fn in_structure(reason: TypingError, span: Span) -> InstructionError {
        InstructionError {
            reason,
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
            self.reason.to_string()
        }
    }
}
