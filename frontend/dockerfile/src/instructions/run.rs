//! RUN typing, in: a parsed RUN node; out: the typed `Run`: the command, its heredocs, each
//! `--device` read, each `--mount` read as far as BuildKit reads it before expansion, and
//! `--network`/`--security` as enums. Invariant: BuildKit's (dockerfile 1.26) checks and their
//! order: flags, then each device, each mount (CSV, no variable in `from`), then the network
//! mode, then the security mode.

use super::arguments::shell_or_exec;
use super::device::parse_device;
use super::error::TypingError;
use super::flags::{parse_flags, FlagKind};
use super::mount::MountFlag;
use super::types::{NetworkMode, Run, SecurityMode};
use crate::parse::Node;

pub(super) fn type_run(node: &Node) -> Result<Run, TypingError> {
    let flags = parse_flags(
        &node.flags,
        &[
            ("device", FlagKind::List),
            ("mount", FlagKind::List),
            ("network", FlagKind::Text),
            ("security", FlagKind::Text),
        ],
    )?;
    let devices = flags
        .list("device")
        .iter()
        .map(|value| parse_device(value))
        .collect::<Result<_, _>>()?;
    let mounts = flags
        .list("mount")
        .iter()
        .map(|value| MountFlag::read(value))
        .collect::<Result<_, _>>()?;
    let network = match flags.text("network") {
        None => NetworkMode::Default,
        Some(mode) => network_mode(mode)?,
    };
    let security = flags.text("security").map(security_mode).transpose()?;
    Ok(Run {
        command: shell_or_exec(node, &node.args),
        heredocs: node.heredocs.clone(),
        devices,
        mounts,
        network,
        security,
    })
}

fn network_mode(mode: String) -> Result<NetworkMode, TypingError> {
    match mode.as_str() {
        "default" => Ok(NetworkMode::Default),
        "none" => Ok(NetworkMode::None),
        "host" => Ok(NetworkMode::Host),
        _ => Err(TypingError::NetworkMode { mode }),
    }
}

fn security_mode(mode: String) -> Result<SecurityMode, TypingError> {
    match mode.as_str() {
        "sandbox" => Ok(SecurityMode::Sandbox),
        "insecure" => Ok(SecurityMode::Insecure),
        _ => Err(TypingError::SecurityMode { mode }),
    }
}
