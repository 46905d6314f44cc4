//! Tools cachefront ships, in: a RUN's plan, cachefront's own image reference and the stage;
//! out: the read-only one-file bind mounts of those tools (from `/bin/<tool>` in cachefront's
//! image) and the private tmpfs mounts the plan asks for, plus the per-stage facts the cache
//! pass needs to decide whether it may use them. Invariant: nothing here writes to the RUN's
//! root filesystem; without an image reference no tool is mounted.

use cachefront_cache::{Plan, ShippedTools};
use cachefront_llb::{Mount, MountKind, OpMetadata, OpOptions, Platform, Source, State};

use crate::stages::{Base, StageGraph};

/// Where the tools sit in cachefront's image.
const TOOL_DIRECTORY: &str = "/bin";

/// The mounts a plan's tools and scratch directories need; none without `image`.
pub(crate) fn tool_mounts(plan: &Plan, image: Option<&str>, platform: &Platform) -> Vec<Mount> {
    let mut mounts = Vec::new();
    if let Some(image) = image.filter(|_| !plan.tool_mounts.is_empty()) {
        let tools = Source::image(image).build(OpOptions {
            platform: Some(platform.clone()),
            metadata: OpMetadata::named("[internal] cachefront tools".to_owned()),
            location: None,
        });
        for tool in &plan.tool_mounts {
            mounts.push(Mount::bind(
                tool.target.clone(),
                tools.clone(),
                format!("{TOOL_DIRECTORY}/{}", tool.tool),
            ));
        }
    }
    for target in &plan.scratch_mounts {
        mounts.push(Mount {
            kind: MountKind::Tmpfs { size: 0 },
            readonly: false,
            ..Mount::bind(target.clone(), State::scratch(), "")
        });
    }
    mounts
}

/// Whether this stage's RUNs can mount cachefront's tools: cachefront's image is known (the
/// frontend's `source` option; without one the pass stays silent about them) and holds them for
/// the stage's platform (the build platform's).
pub(crate) fn shipped_tools(
    image: Option<&str>,
    stage_platform: &Platform,
    build_platform: &Platform,
) -> ShippedTools {
    match image {
        // Lowering outside a build (golden tests): nothing to mount from, nothing to say.
        None => ShippedTools::Unknown,
        Some(_) if stage_platform.os != build_platform.os
            || stage_platform.architecture != build_platform.architecture
            || stage_platform.variant != build_platform.variant =>
        {
            ShippedTools::Unavailable(format!(
                "the stage builds for {stage_platform}, and cachefront's image has its tools for {build_platform} only"
            ))
        }
        Some(_) => ShippedTools::Available,
    }
}

/// Whether stage `node`'s files reach the exported image: it is the target, or the target is
/// built `FROM` it (directly or not).
pub(crate) fn stage_exported(graph: &StageGraph, node: usize) -> bool {
    let mut current = graph.target;
    for _ in 0..=graph.nodes.len() {
        if current == node {
            return true;
        }
        match graph.nodes.get(current).map(|stage| &stage.base) {
            Some(Base::Stage(parent)) => current = *parent,
            _ => return false,
        }
    }
    false
}

/// Whether a stage the build runs is built `FROM` stage `node`, directly or not.
pub(crate) fn stage_has_descendants(graph: &StageGraph, node: usize) -> bool {
    graph.reachable().into_iter().any(|index| {
        let mut current = index;
        for _ in 0..=graph.nodes.len() {
            match graph.nodes.get(current).map(|stage| &stage.base) {
                Some(Base::Stage(parent)) if *parent == node => return true,
                Some(Base::Stage(parent)) => current = *parent,
                _ => return false,
            }
        }
        false
    })
}
