//! Build arguments, in: the platforms, the client's build args and the ARGs before the first FROM;
//! out: the global scope FROM lines and stage ARGs read. Invariant: the client's values win over
//! defaults, and defaults are expanded with the arguments defined before them.

use cachefront_dockerfile::expand::Lexer;
use cachefront_dockerfile::instructions::{Command, CommandKind};

use crate::env::Environment;
use crate::error::{located, ConvertResult};
use crate::options::ConvertOptions;

/// The automatic platform arguments, overridable by build args, plus `TARGETSTAGE`.
pub fn default_arguments(options: &ConvertOptions, target_stage: &str) -> Environment {
    let build = options.build_platform();
    let target = &options.target_platform;
    let mut environment = Environment::default();
    let defaults = [
        ("BUILDPLATFORM", build.to_string()),
        ("BUILDOS", build.os.clone()),
        ("BUILDARCH", build.architecture.clone()),
        ("BUILDVARIANT", build.variant.clone()),
        ("TARGETPLATFORM", target.to_string()),
        ("TARGETOS", target.os.clone()),
        ("TARGETARCH", target.architecture.clone()),
        ("TARGETVARIANT", target.variant.clone()),
        ("TARGETSTAGE", target_stage.to_owned()),
    ];
    for (key, value) in defaults {
        let value = options.build_args.get(key).cloned().unwrap_or(value);
        environment.set(key, &value);
    }
    environment
}

/// Adds the ARGs before the first FROM to the global scope.
pub fn add_meta_arguments(
    global: &mut Environment,
    meta_args: &[Command],
    lexer: &Lexer,
    options: &ConvertOptions,
) -> ConvertResult<()> {
    for command in meta_args {
        let CommandKind::Arg(definitions) = &command.kind else {
            continue;
        };
        for definition in definitions {
            let value = match options.build_args.get(&definition.name) {
                Some(value) => Some(value.clone()),
                None => match &definition.default {
                    Some(default) => Some(
                        lexer
                            .expand_word(default, &*global)
                            .map_err(|error| located(command.span, error))?,
                    ),
                    None => None,
                },
            };
            if let Some(value) = value {
                global.set(&definition.name, &value);
            }
        }
    }
    Ok(())
}
