//! HEALTHCHECK typing, in: a parsed HEALTHCHECK node; out: `Healthcheck::None` or the check with
//! its flags as written. Invariant: as BuildKit: NONE takes no arguments and its flags are not
//! looked at; CMD needs a command; durations and retries are validated but kept unparsed.

use super::commands::{at_least_one_argument, shell_or_exec};
use super::duration::{check_interval, check_retries};
use super::flags::{parse_flags, FlagKind};
use super::types::Healthcheck;
use crate::parse::Node;

pub(super) fn type_healthcheck(node: &Node) -> Result<Healthcheck, String> {
    at_least_one_argument(node, "HEALTHCHECK")?;
    let kind = node.args[0].to_uppercase();
    let command = &node.args[1..];
    // BuildKit does not look at the flags of HEALTHCHECK NONE.
    if kind == "NONE" {
        if !command.is_empty() {
            return Err("HEALTHCHECK NONE takes no arguments".to_owned());
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
        return Err(format!(
            "Unknown type {} in HEALTHCHECK (try CMD)",
            crate::go_quote(&kind)
        ));
    }
    if command.is_empty() {
        return Err("Missing command after HEALTHCHECK CMD".to_owned());
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
