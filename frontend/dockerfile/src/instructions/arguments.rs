//! Argument checks shared by the instruction typers, in: a parsed `Node`; out: BuildKit's error
//! when the arguments or flags do not fit, and the command of shell or exec form.
//! Invariant: each check words its error as BuildKit does for the instruction named.

use super::error::TypingError;
use super::flags::{parse_flags, UsedFlags};
use super::types::ShellOrExec;
use crate::parse::Node;

/// Rejects every flag (`unknown flag: ...`).
pub(super) fn no_flags(node: &Node) -> Result<UsedFlags, TypingError> {
    Ok(parse_flags(&node.flags, &[])?)
}

/// The one argument of the node.
pub(super) fn exactly_one_argument<'a>(
    node: &'a Node,
    instruction: &'static str,
) -> Result<&'a String, TypingError> {
    match node.args.as_slice() {
        [argument] => Ok(argument),
        _ => Err(TypingError::ExactlyOneArgument { instruction }),
    }
}

pub(super) fn at_least_one_argument(
    node: &Node,
    instruction: &'static str,
) -> Result<(), TypingError> {
    if node.args.is_empty() {
        Err(TypingError::AtLeastOneArgument { instruction })
    } else {
        Ok(())
    }
}

/// Exec form keeps the argv; shell form is the one command string (empty when none was given).
pub(super) fn shell_or_exec(node: &Node, arguments: &[String]) -> ShellOrExec {
    if node.json {
        ShellOrExec::Exec(arguments.to_vec())
    } else {
        ShellOrExec::Shell(arguments.join(" "))
    }
}
