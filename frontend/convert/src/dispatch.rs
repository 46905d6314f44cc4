//! The lowering driver, in: a typed Dockerfile and options; out: the target stage's state and
//! image. Invariant: stages are lowered in an order where each comes after what it reads, each
//! once; every command of a stage sees the environment its predecessors left.

use std::sync::Arc;

use cachefront_dockerfile::expand::Lexer;
use cachefront_dockerfile::instructions::{expand_command, Command, CommandKind, Dockerfile};
use cachefront_llb::{OpMetadata, OpOptions, Source, SourceFile, State};

use crate::args::{add_meta_arguments, default_arguments, lower_arg};
use crate::epoch::resolve_epoch;
use crate::error::{located, ConvertError, ConvertResult};
use crate::image::Image;
use crate::lowering::{InjectionReport, Lowering};
use crate::naming::uppercase_keyword;
use crate::onbuild::trigger_commands;
use crate::options::ConvertOptions;
use crate::resolve::Resolver;
use crate::stage_start::start_stage;
use crate::stage_state::StageState;
use crate::stages::StageGraph;
use crate::{config_instructions, copy, run};

/// A build arg that makes lowering report the build as unsupported (tests the fallback).
pub const FORCE_FALLBACK_ARGUMENT: &str = "CACHEFRONT_FORCE_FALLBACK";

/// The result of lowering: what to solve and the config of the image it makes.
#[derive(Debug, Clone)]
pub struct Converted {
    pub state: State,
    pub image: Image,
    /// What the cache pass added, per RUN, for the progress output.
    pub injections: Vec<InjectionReport>,
    /// The build's SOURCE_DATE_EPOCH in seconds, for the exporter.
    pub epoch: Option<i64>,
}

/// Lowers `dockerfile` for the platform and options given.
pub async fn convert<R: Resolver>(
    dockerfile: &Dockerfile,
    source: Arc<SourceFile>,
    escape: char,
    options: &ConvertOptions,
    resolver: &mut R,
) -> ConvertResult<Converted> {
    if options.build_args.contains_key(FORCE_FALLBACK_ARGUMENT) {
        return Err(ConvertError::unsupported(format!(
            "the build arg {FORCE_FALLBACK_ARGUMENT} asks for it"
        )));
    }
    let lexer = Lexer::new(escape);
    let last_name = dockerfile
        .stages
        .last()
        .and_then(|stage| stage.name.clone())
        .unwrap_or_default();
    let target_name = options
        .target
        .clone()
        .filter(|target| !target.is_empty())
        .unwrap_or(last_name);
    let mut global = default_arguments(options, &target_name);
    add_meta_arguments(&mut global, &dockerfile.meta_args, &lexer, options)?;
    let mut build_args = options.build_args.clone();
    let epoch = resolve_epoch(
        dockerfile,
        &options.named_contexts,
        &mut build_args,
        &mut global,
    )?;
    // Later steps see the epoch's canonical value (or no argument at all for an empty one).
    let with_epoch;
    let options = if build_args == options.build_args {
        options
    } else {
        with_epoch = ConvertOptions {
            build_args,
            ..options.clone()
        };
        &with_epoch
    };
    let graph = StageGraph::build(
        dockerfile,
        &global,
        &lexer,
        options.target.as_deref(),
        &options.named_contexts,
    )?;
    let context = context_source(options);
    let cache_settings = cachefront_cache::parse_settings(&options.build_args)
        .map_err(|error| ConvertError::new(error.to_string()))?;
    let protected_paths = crate::inject::protected_paths(dockerfile, &graph);
    let descendant_runs = crate::offline_reads::descendant_runs(dockerfile, &graph);
    let mut lowering = Lowering {
        cache_settings,
        protected_paths,
        descendant_runs,
        options,
        lexer,
        global,
        source,
        context,
        finished: vec![None; graph.nodes.len()],
        graph,
        injections: Vec::new(),
        epoch,
    };
    let single_stage = dockerfile.stages.len() == 1;
    for node_index in lowering.graph.reachable() {
        let stage = lower_stage(
            &mut lowering,
            dockerfile,
            node_index,
            single_stage,
            resolver,
        )
        .await?;
        if let Some(finished) = lowering.finished.get_mut(node_index) {
            *finished = Some(stage);
        }
    }
    let target = lowering.graph.target;
    let mut stage = lowering
        .finished
        .get_mut(target)
        .and_then(Option::take)
        .ok_or_else(|| ConvertError::new("target stage was not lowered"))?;
    finalize_image(&mut stage.image, options);
    stage.image.created = stage.image.epoch.clone();
    Ok(Converted {
        state: stage.state,
        image: stage.image,
        injections: lowering.injections,
        epoch,
    })
}

/// Lowers one stage: starts it from its base, then runs the base's ONBUILD triggers and the
/// stage's own commands (none when a named context replaces the stage).
async fn lower_stage<R: Resolver>(
    lowering: &mut Lowering<'_>,
    dockerfile: &Dockerfile,
    node_index: usize,
    single_stage: bool,
    resolver: &mut R,
) -> ConvertResult<StageState> {
    let mut stage = start_stage(lowering, dockerfile, node_index, single_stage, resolver).await?;
    let node = lowering.node(node_index)?;
    let span = node.span;
    let Some(index) = node.dockerfile_index.filter(|_| !node.replaced_by_context) else {
        return Ok(stage);
    };
    let own = dockerfile
        .stages
        .get(index)
        .ok_or_else(|| ConvertError::new(format!("no stage {index} in the Dockerfile")))?;
    // The base's ONBUILD triggers run first, then leave the config.
    let triggers = stage.image.config.on_build.take().unwrap_or_default();
    let triggers = trigger_commands(&triggers, span)?;
    let commands: Vec<&Command> = triggers.iter().chain(&own.commands).collect();
    for (position, command) in commands.iter().enumerate() {
        let later = commands.get(position + 1..).unwrap_or_default();
        dispatch(lowering, &mut stage, command, later, resolver)
            .await
            .map_err(|error| error.at(command.span))?;
    }
    Ok(stage)
}

/// The build context the client sends, with `.dockerignore` applied.
fn context_source(options: &ConvertOptions) -> State {
    let mut source = Source::local("context")
        .with_attribute("local.session", options.session_id.clone())
        .with_attribute("local.sharedkeyhint", "context");
    if !options.dockerignore.is_empty() {
        let patterns = serde_json::to_string(&options.dockerignore).unwrap_or_default();
        source = source.with_attribute("local.excludepatterns", patterns);
    }
    source.build(OpOptions {
        metadata: OpMetadata::named("[internal] load build context"),
        ..OpOptions::default()
    })
}

/// Lowers one command into the stage.
async fn dispatch<R: Resolver>(
    lowering: &mut Lowering<'_>,
    stage: &mut StageState,
    command: &Command,
    later: &[&Command],
    resolver: &mut R,
) -> ConvertResult<()> {
    let kind = match &command.kind {
        // ARG values are expanded as they are declared; RUN's mounts and heredocs are expanded when lowered.
        CommandKind::Arg(_) | CommandKind::Run(_) => command.kind.clone(),
        other => expand_command(other, &lowering.lexer, &stage.env)
            .map_err(|error| located(command.span, error))?,
    };
    let name = uppercase_keyword(command.original.trim());
    match &kind {
        CommandKind::Run(run) => {
            run::lower_run(lowering, stage, command, run, name, later, resolver).await
        }
        CommandKind::Copy(copy) => copy::lower_copy(lowering, stage, command, copy, false, name),
        CommandKind::Add(copy) => copy::lower_copy(lowering, stage, command, copy, true, name),
        CommandKind::Workdir(path) => {
            config_instructions::lower_workdir(lowering, stage, command, path, name)
        }
        CommandKind::Arg(definitions) => lower_arg(lowering, stage, command, definitions),
        other => config_instructions::lower_config(stage, other),
    }
}

/// Applies the client's labels and an explicitly requested platform to the result.
fn finalize_image(image: &mut Image, options: &ConvertOptions) {
    if !options.labels.is_empty() {
        let labels = image.config.labels.get_or_insert_with(Default::default);
        labels.extend(
            options
                .labels
                .iter()
                .map(|(key, value)| (key.clone(), value.clone())),
        );
    }
    if options.explicit_target_platform {
        let target = &options.target_platform;
        let same = image.os == target.os && image.architecture == target.architecture;
        image.os = target.os.clone();
        image.architecture = target.architecture.clone();
        if !target.variant.is_empty() || !same {
            image.variant = target.variant.clone();
        }
    }
}
