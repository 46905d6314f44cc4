//! HEALTHCHECK typing, in: a parsed HEALTHCHECK node; out: `Healthcheck::None` or the check with
//! its flags as written. Invariant: as BuildKit: NONE takes no arguments and its flags are not
//! looked at; CMD needs a command; durations and retries are validated but kept unparsed.

use super::arguments::{at_least_one_argument, shell_or_exec};
use super::duration::{check_interval, check_retries};
use super::error::TypingError;
use super::flags::{parse_flags, FlagKind};
use super::types::Healthcheck;
use crate::parse::Node;

pub(super) fn type_healthcheck(node: &Node) -> Result<Healthcheck, TypingError> {
    at_least_one_argument(node, "HEALTHCHECK")?;
    let (kind, command) = match node.args.split_first() {
        Some((kind, command)) => (kind.to_uppercase(), command),
        None => (String::new(), &[][..]),
    };
    // BuildKit does not look at the flags of HEALTHCHECK NONE.
    if kind == "NONE" {
        if !command.is_empty() {
            return Err(TypingError::HealthcheckNoneArguments);
        }
        return Ok(Healthcheck::None);
    }
    let flags = parse_flags(
        &node.flags,
        &[
            ("interval", FlagKind::Text),
            ("timeout", FlagKind::Text),
            ("start-period", FlagKind::Text),
            ("start-interval", FlagKind::Text),
            ("retries", FlagKind::Text),
        ],
    )?;
    if kind != "CMD" {
        return Err(TypingError::HealthcheckType { kind });
    }
    if command.is_empty() {
        return Err(TypingError::HealthcheckCommand);
    }
    for name in ["interval", "timeout", "start-period", "start-interval"] {
        check_interval(name, flags.text(name).as_deref())?;
    }
    check_retries(flags.text("retries").as_deref())?;
    Ok(Healthcheck::Check {
        test: shell_or_exec(node, command),
        interval: flags.text("interval"),
        timeout: flags.text("timeout"),
        start_period: flags.text("start-period"),
        start_interval: flags.text("start-interval"),
        retries: flags.text("retries"),
    })
}
