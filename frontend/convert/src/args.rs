//! Build arguments, in: the platforms, the client's build args, the ARGs before the first FROM and
//! a stage's ARG instructions; out: the global scope FROM lines and stage ARGs read, and each stage
//! ARG's env entries and history. Invariant: the client's values win over defaults, and defaults
//! are expanded with the arguments defined before them.

use cachefront_dockerfile::expand::Lexer;
use cachefront_dockerfile::instructions::{ArgDefinition, Command, CommandKind};

use crate::env::Environment;
use crate::error::{located, ConvertResult};
use crate::lowering::Lowering;
use crate::options::ConvertOptions;
use crate::stage_state::StageState;

/// Build args whose values never reach the exec environment.
const NON_ENV_ARGS: [&str; 2] = ["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

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

/// `ARG`: declares build arguments, taking values from the client, the default or the global scope.
pub(crate) fn lower_arg(
    lowering: &mut Lowering<'_>,
    stage: &mut StageState,
    command: &Command,
    definitions: &[ArgDefinition],
) -> ConvertResult<()> {
    let mut committed = Vec::new();
    for definition in definitions {
        let from_client = lowering.options.build_args.get(&definition.name).cloned();
        let value = match (from_client, &definition.default) {
            (Some(value), _) => Some(value),
            (None, Some(default)) => Some(
                lowering
                    .lexer
                    .expand_word(default, &stage.env)
                    .map_err(|error| located(command.span, error))?,
            ),
            (None, None) => lowering.global.get(&definition.name).map(str::to_owned),
        };
        if let Some(value) = &value {
            if !NON_ENV_ARGS.contains(&definition.name.as_str()) {
                stage.env.set(&definition.name, value);
            }
        }
        // History records the value the ARG takes (client's, expanded default or global), as
        // upstream frontends since 1.8 do; an ARG without any value is its bare name.
        committed.push(match &value {
            Some(value) => format!("{}={value}", definition.name),
            None => definition.name.clone(),
        });
        stage.build_args.push((definition.name.clone(), value));
    }
    stage
        .image
        .commit(format!("ARG {}", committed.join(" ")), false, false, None);
    Ok(())
}
