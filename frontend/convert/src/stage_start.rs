//! Stage starts, in: a stage graph node and what it is based on (scratch, an earlier stage, an
//! image or a named context); out: the stage's initial filesystem, config, environment, directory
//! and user. Invariant: a stage built on another inherits its state, env and ARG list,
//! its ONBUILD triggers are left in the config for the caller to run, as upstream does.

use cachefront_dockerfile::instructions::{CommandKind, Dockerfile, Stage};
use cachefront_llb::{OpMetadata, OpOptions, Platform, Source, State};

use crate::error::{located, ConvertError, ConvertResult};
use crate::image::Image;
use crate::lowering::Lowering;
use crate::naming::StepCounter;
use crate::resolve::Resolver;
use crate::stage_state::StageState;
use crate::stages::{Base, StageNode};

/// Sets up a stage from its base: scratch, an earlier stage, an image or a named context.
pub(crate) async fn start_stage<R: Resolver>(
    lowering: &Lowering<'_>,
    dockerfile: &Dockerfile,
    node_index: usize,
    single_stage: bool,
    resolver: &mut R,
) -> ConvertResult<StageState> {
    let node = lowering.node(node_index)?;
    let options = lowering.options;
    let stage_source = node
        .dockerfile_index
        .and_then(|index| dockerfile.stages.get(index));
    let steps = step_counter(lowering, node, stage_source, single_stage);
    let platform = node
        .platform
        .clone()
        .unwrap_or_else(|| options.target_platform.clone());
    let description = stage_source.map(|stage| stage.original.clone());
    let mut stage = match &node.base {
        Base::Stage(base) => return derived_stage(lowering, node_index, *base, steps),
        Base::Scratch => StageState::new(
            State::scratch(),
            Image::empty(&options.target_platform),
            options.target_platform.clone(),
            steps,
        ),
        Base::Image(name) => {
            image_stage(
                lowering,
                node_index,
                name,
                platform,
                steps,
                description,
                resolver,
            )
            .await?
        }
        Base::Context(name, value) => match value.strip_prefix("docker-image://") {
            Some(reference) => {
                image_stage(
                    lowering,
                    node_index,
                    reference,
                    platform,
                    steps,
                    description,
                    resolver,
                )
                .await?
            }
            None => local_context_stage(lowering, node, name, value, platform, steps)?,
        },
    };
    stage.image.epoch = lowering.epoch.map(crate::epoch::rfc3339);
    stage.name = node.name.clone();
    stage.node = node_index;
    stage.ignore_cache = options.no_cache.applies_to(node.name.as_deref());
    stage.inherit_image_context();
    Ok(stage)
}

/// The stage's progress numbering: its name (none when the Dockerfile has one stage) and how
/// many numbered steps it has (RUN, COPY, ADD, WORKDIR, and FROM of an image).
fn step_counter(
    lowering: &Lowering<'_>,
    node: &StageNode,
    stage_source: Option<&Stage>,
    single_stage: bool,
) -> StepCounter {
    let options = lowering.options;
    let stage_name = match (node.dockerfile_index, &node.name) {
        (None, _) => String::new(),
        (Some(_), _) if single_stage => String::new(),
        (Some(_), Some(name)) => name.clone(),
        (Some(index), None) => format!("stage-{index}"),
    };
    let counted_steps = stage_source.map_or(0, |stage| {
        stage
            .commands
            .iter()
            .filter(|command| {
                matches!(
                    command.kind,
                    CommandKind::Run(_)
                        | CommandKind::Copy(_)
                        | CommandKind::Add(_)
                        | CommandKind::Workdir(_)
                )
            })
            .count()
    });
    StepCounter {
        stage_name,
        total: counted_steps
            + usize::from(matches!(node.base, Base::Image(_)) && stage_source.is_some()),
        index: 0,
        platform: options.multi_platform.then(|| {
            node.platform
                .clone()
                .unwrap_or_else(|| options.target_platform.clone())
        }),
    }
}

/// A stage built `FROM` an earlier one: its state, env, config and ARG list, but not whether CMD
/// was set; the cache pass's facts carry over as for a derived stage.
fn derived_stage(
    lowering: &Lowering<'_>,
    node_index: usize,
    base: usize,
    steps: StepCounter,
) -> ConvertResult<StageState> {
    let node = lowering.node(node_index)?;
    let mut inherited = lowering
        .stage_state(base)
        .cloned()
        .ok_or_else(|| located(node.span, "base stage was not lowered"))?;
    inherited.steps = steps;
    inherited.name = node.name.clone();
    inherited.ignore_cache = lowering.options.no_cache.applies_to(node.name.as_deref());
    inherited.node = node_index;
    inherited.cmd_set = false;
    inherited.facts = inherited.facts.for_derived_stage();
    // The base stage's ARG declarations carry over into RUN history (not into scope rules,
    // which read the stage's own instructions), as upstream since 1.9.
    Ok(inherited)
}

/// A stage from a named context other than an image: a local directory of the client (`local:`);
/// any other kind is left to the stock frontend.
fn local_context_stage(
    lowering: &Lowering<'_>,
    node: &StageNode,
    name: &str,
    value: &str,
    platform: Platform,
    steps: StepCounter,
) -> ConvertResult<StageState> {
    let options = lowering.options;
    let Some(local) = value.strip_prefix("local:") else {
        return Err(ConvertError::unsupported(format!(
            "named context {name}={value} (only docker-image:// and local directories are lowered)"
        ))
        .at(node.span));
    };
    let mut source = Source::local(local)
        .with_attribute("local.session", options.session_id.clone())
        .with_attribute("local.sharedkeyhint", local);
    if let Some(patterns) = options.named_context_excludes.get(local) {
        let patterns = serde_json::to_string(patterns).unwrap_or_default();
        source = source.with_attribute("local.excludepatterns", patterns);
    }
    let state = source.build(OpOptions {
        metadata: OpMetadata::named(format!("[context {name}] load from client")),
        ..OpOptions::default()
    });
    Ok(StageState::new(
        state,
        Image::empty(&platform),
        platform,
        steps,
    ))
}

/// A stage starting from the image `name`: its resolved config and, unless it has no layers, the
/// image source pinned to the resolved digest.
async fn image_stage<R: Resolver>(
    lowering: &Lowering<'_>,
    node_index: usize,
    name: &str,
    platform: Platform,
    mut steps: StepCounter,
    description: Option<String>,
    resolver: &mut R,
) -> ConvertResult<StageState> {
    let node = lowering.node(node_index)?;
    let options = lowering.options;
    let reference = cachefront_llb::normalize_image_reference(name);
    let resolved = resolver
        .resolve_image_config(&reference, &platform)
        .await
        .map_err(|error| located(node.span, format!("{name}: {error}")))?;
    let image = Image::from_base_config(&resolved.config)
        .map_err(|error| located(node.span, format!("failed to parse image config: {error}")))?;
    let pinned = if resolved.digest.is_empty() {
        reference
    } else {
        format!("{reference}@{}", resolved.digest)
    };
    let state = if image.has_no_layers() {
        State::scratch()
    } else {
        let mut source = Source::image(&pinned);
        if let Some(mode) = options
            .image_resolve_mode
            .as_deref()
            .filter(|mode| *mode != "default")
        {
            source = source.with_attribute("image.resolvemode", mode);
        }
        let mut metadata = OpMetadata::named(steps.next_name(&format!("FROM {pinned}")));
        if let Some(description) = description {
            metadata
                .description
                .insert("com.docker.dockerfile.v1.command".to_owned(), description);
        }
        source.build(OpOptions {
            platform: Some(platform.clone()),
            metadata,
            location: Some(lowering.location(node.span)),
        })
    };
    Ok(StageState::new(state, image, platform, steps))
}
