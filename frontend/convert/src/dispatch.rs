//! The lowering driver, in: a typed Dockerfile and options; out: the target stage's state and
//! image. Invariant: stages are lowered in an order where each comes after what it reads, each
//! once; every command of a stage sees the environment its predecessors left.

use std::sync::Arc;

use cachefront_dockerfile::expand::Lexer;
use cachefront_dockerfile::instructions::{expand_command, Command, CommandKind, Dockerfile};
use cachefront_llb::{OpMetadata, OpOptions, Platform, Source, SourceFile, SourceLocation, State};

use crate::args::{add_meta_arguments, default_arguments};
use crate::env::Environment;
use crate::error::{located, ConvertError, ConvertResult};
use crate::image::Image;
use crate::naming::{uppercase_keyword, StepCounter};
use crate::onbuild::trigger_commands;
use crate::options::ConvertOptions;
use crate::resolve::Resolver;
use crate::stage_start::start_stage;
use crate::stages::StageGraph;
use crate::{config, copy, run};

/// A build arg that makes lowering report the build as unsupported (tests the fallback).
pub const FORCE_FALLBACK_ARGUMENT: &str = "CACHEFRONT_FORCE_FALLBACK";

/// The result of lowering: what to solve and the config of the image it makes.
#[derive(Debug, Clone)]
pub struct Converted {
    pub state: State,
    pub image: Image,
    /// What the cache pass added, per RUN, for the progress output.
    pub injections: Vec<InjectionReport>,
}

/// The cache mounts added to one RUN, for the user to see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectionReport {
    pub line: usize,
    pub step: String,
    pub text: String,
}

/// A stage being lowered: its filesystem, config and the exec context instructions change.
#[derive(Debug, Clone)]
pub(crate) struct StageState {
    pub state: State,
    pub image: Image,
    pub platform: Platform,
    pub env: Environment,
    pub dir: String,
    pub user: String,
    /// ARGs declared in the stage (and the stages it builds on), with their values.
    pub build_args: Vec<(String, Option<String>)>,
    pub steps: StepCounter,
    pub ignore_cache: bool,
    pub name: Option<String>,
    /// The graph node this stage is.
    pub node: usize,
    /// Whether CMD was set in this stage (ENTRYPOINT then keeps it).
    pub cmd_set: bool,
    /// What the cache pass knows of the stage's user and base distribution, once looked up.
    pub facts: crate::inject::StageFacts,
}

/// Shared context of one conversion.
pub(crate) struct Lowering<'a> {
    pub options: &'a ConvertOptions,
    pub lexer: Lexer,
    pub global: Environment,
    pub source: Arc<SourceFile>,
    /// The client's build context, as a local source.
    pub context: State,
    /// Finished stages, by graph node.
    pub finished: Vec<Option<StageState>>,
    pub graph: StageGraph,
    pub injections: Vec<InjectionReport>,
    /// Settings of the cache pass, from the build args.
    pub cache_settings: cachefront_cache::Settings,
    /// Per graph node, the paths later steps read from that stage (never mounted over).
    pub protected_paths: Vec<Vec<String>>,
    /// Per graph node, the RUNs of the stages built `FROM` it, directly or not: they run on top
    /// of its image, so the download caches they read offline must stay in it.
    pub descendant_runs: Vec<Vec<&'a Command>>,
}

impl Lowering<'_> {
    /// Options for an op made from `command` with progress name `name`.
    pub fn op_options(&self, stage: &StageState, command: &Command, name: String) -> OpOptions {
        let mut metadata = OpMetadata::named(name);
        metadata.description.insert(
            "com.docker.dockerfile.v1.command".to_owned(),
            command.original.clone(),
        );
        metadata.ignore_cache = stage.ignore_cache;
        OpOptions {
            platform: Some(stage.platform.clone()),
            metadata,
            location: Some(self.location(command.span)),
        }
    }

    pub fn location(&self, span: cachefront_dockerfile::parse::Span) -> SourceLocation {
        let to_line = |line: usize| u32::try_from(line).unwrap_or(u32::MAX);
        SourceLocation {
            file: Arc::clone(&self.source),
            ranges: vec![(to_line(span.start), to_line(span.end))],
        }
    }

    /// The state of a finished stage, for `--from`.
    pub fn stage_state(&self, node: usize) -> Option<&StageState> {
        self.finished.get(node).and_then(Option::as_ref)
    }
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
    };
    let single_stage = dockerfile.stages.len() == 1;
    for node_index in lowering.graph.reachable() {
        let mut stage =
            start_stage(&lowering, dockerfile, node_index, single_stage, resolver).await?;
        let node = &lowering.graph.nodes[node_index];
        if let Some(index) = node.dockerfile_index.filter(|_| !node.replaced_by_context) {
            // The base's ONBUILD triggers run first, then leave the config.
            let triggers = stage.image.config.on_build.take().unwrap_or_default();
            let triggers = trigger_commands(&triggers, lowering.graph.nodes[node_index].span)?;
            let commands: Vec<&Command> = triggers
                .iter()
                .chain(&dockerfile.stages[index].commands)
                .collect();
            for (position, command) in commands.iter().enumerate() {
                dispatch(
                    &mut lowering,
                    &mut stage,
                    command,
                    &commands[position + 1..],
                    resolver,
                )
                .await
                .map_err(|error| error.at(command.span))?;
            }
        }
        lowering.finished[node_index] = Some(stage);
    }
    let target = lowering.graph.target;
    let mut stage = lowering.finished[target]
        .take()
        .ok_or_else(|| ConvertError::new("target stage was not lowered"))?;
    finalize_image(&mut stage.image, options);
    Ok(Converted {
        state: stage.state,
        image: stage.image,
        injections: lowering.injections,
    })
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
        CommandKind::Workdir(path) => config::lower_workdir(lowering, stage, command, path, name),
        CommandKind::Arg(definitions) => config::lower_arg(lowering, stage, command, definitions),
        other => config::lower_config(stage, other),
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
