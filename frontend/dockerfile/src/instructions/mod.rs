//! Typed instructions, in: the parsed AST; out: a `Dockerfile` of stages and commands.
//! Invariant: every command keeps the span and original text of its node; nothing is expanded here
//! (`expand_command` and `expand_stage` do that during lowering, field by field as BuildKit does,
//! and `MountFlag::expand` types a RUN's mounts with the stage's expander).

mod arguments;
mod commands;
mod device;
mod duration;
mod error;
mod expand_command;
mod flags;
mod healthcheck;
mod mount;
mod mount_values;
mod run;
mod types;

pub use device::{Device, DeviceError};
pub use duration::{parse_go_duration, DurationError, HealthcheckValueError};
pub use error::{InstructionError, TypingError};
pub use expand_command::{expand_command, expand_stage};
pub use flags::FlagError;
pub use mount::{parse_mount, Expander, Mount, MountError, MountFlag, MountSharing, MountType};
pub use mount_values::go_bool;
pub use types::*;

use crate::parse::Ast;
use commands::{type_instruction, Instruction};

/// Types every instruction and groups commands into stages; ARGs before the first FROM are meta
/// ARGs. Fails on the first instruction BuildKit would reject.
pub fn parse_dockerfile(ast: &Ast) -> Result<Dockerfile, InstructionError> {
    let mut dockerfile = Dockerfile {
        meta_args: Vec::new(),
        stages: Vec::new(),
    };
    for node in &ast.nodes {
        let instruction = type_instruction(node)
            .map_err(|reason| InstructionError::in_instruction(reason, node.span))?;
        let kind = match instruction {
            Instruction::From(stage) => {
                dockerfile.stages.push(stage);
                continue;
            }
            Instruction::Command(kind) => kind,
        };
        let command = Command {
            kind,
            span: node.span,
            original: node.original.trim().to_owned(),
            comments: node.comments.clone(),
        };
        match dockerfile.stages.last_mut() {
            Some(stage) => stage.commands.push(command),
            None if matches!(command.kind, CommandKind::Arg(_)) => {
                dockerfile.meta_args.push(command)
            }
            None => {
                return Err(InstructionError::in_structure(
                    TypingError::NoBuildStage,
                    node.span,
                ))
            }
        }
    }
    Ok(dockerfile)
}

#[cfg(test)]
mod tests;
