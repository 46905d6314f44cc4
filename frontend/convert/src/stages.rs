//! The stage graph, in: typed stages and the global arguments; out: each stage's resolved base
//! (scratch, an earlier stage or an image), its dependencies and whether the target needs it.
//! Invariant: a stage only depends on stages before it; images named by `--from` become stages of
//! their own, after the Dockerfile's, as upstream does; a named context wins over an image of the
//! same name (never over a stage).

use std::collections::BTreeMap;

use cachefront_dockerfile::expand::Lexer;
use cachefront_dockerfile::instructions::{CommandKind, Dockerfile, Stage};
use cachefront_dockerfile::parse::Span;
use cachefront_llb::Platform;

use crate::env::Environment;
use crate::error::{located, ConvertError, ConvertResult};

/// Where a stage starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    Scratch,
    Stage(usize),
    Image(String),
    /// A named context (`--build-context name=value`): its name and value.
    Context(String, String),
}

/// One stage of the graph.
#[derive(Debug, Clone)]
pub struct StageNode {
    /// Index into the Dockerfile's stages; `None` for an image used only by `--from`.
    pub dockerfile_index: Option<usize>,
    /// The name after `AS`, lowercased.
    pub name: Option<String>,
    pub base: Base,
    pub platform: Option<Platform>,
    /// Stages this one reads from through `COPY --from` or `RUN --mount=from=`.
    pub dependencies: Vec<usize>,
    pub span: Span,
    /// A named context of the stage's name replaces the whole stage (its commands never run).
    pub replaced_by_context: bool,
}

/// All stages and the one to build.
#[derive(Debug, Clone)]
pub struct StageGraph {
    pub nodes: Vec<StageNode>,
    pub target: usize,
}

impl StageGraph {
    /// Builds the graph: expands base names and platforms with the global arguments and links
    /// stages by name or index.
    pub fn build(
        dockerfile: &Dockerfile,
        global: &Environment,
        lexer: &Lexer,
        target: Option<&str>,
        contexts: &BTreeMap<String, String>,
    ) -> ConvertResult<StageGraph> {
        if dockerfile.stages.is_empty() {
            return Err(ConvertError::new("dockerfile contains no stages to build"));
        }
        let mut nodes: Vec<StageNode> = Vec::new();
        for (index, stage) in dockerfile.stages.iter().enumerate() {
            let node = stage_node(&nodes, index, stage, global, lexer, contexts)?;
            nodes.push(node);
        }
        link_dependencies(&mut nodes, dockerfile, contexts)?;
        let stage_count = dockerfile.stages.len();
        let target = match target.filter(|name| !name.is_empty()) {
            None => stage_count.saturating_sub(1),
            Some(name) => nodes
                .get(..stage_count)
                .and_then(|stages| find_stage(stages, name))
                .ok_or_else(|| {
                    ConvertError::new(format!("target stage \"{name}\" could not be found"))
                })?,
        };
        Ok(StageGraph { nodes, target })
    }

    /// The stages the target needs, in an order where each comes after what it reads.
    pub fn reachable(&self) -> Vec<usize> {
        let mut needed = vec![false; self.nodes.len()];
        let mut pending = vec![self.target];
        while let Some(index) = pending.pop() {
            let (Some(flag), Some(node)) = (needed.get_mut(index), self.nodes.get(index)) else {
                continue;
            };
            if std::mem::replace(flag, true) {
                continue;
            }
            if let Base::Stage(base) = node.base {
                pending.push(base);
            }
            pending.extend(node.dependencies.iter().copied());
        }
        // Images named by --from come last in `nodes` but are read by earlier stages: list them first.
        let mut images = Vec::new();
        let mut stages = Vec::new();
        for (index, (node, needed)) in self.nodes.iter().zip(&needed).enumerate() {
            match (needed, node.dockerfile_index) {
                (false, _) => {}
                (true, None) => images.push(index),
                (true, Some(_)) => stages.push(index),
            }
        }
        images.extend(stages);
        images
    }
}

/// The node of Dockerfile stage `index`: its base expanded with the global arguments and
/// resolved to scratch, an earlier stage, a named context or an image; its platform parsed.
fn stage_node(
    nodes: &[StageNode],
    index: usize,
    stage: &Stage,
    global: &Environment,
    lexer: &Lexer,
    contexts: &BTreeMap<String, String>,
) -> ConvertResult<StageNode> {
    let base_name = lexer
        .expand_word(&stage.base_name, global)
        .map_err(|error| located(stage.span, error))?;
    if base_name.is_empty() {
        return Err(located(
            stage.span,
            format!("base name ({}) should not be blank", stage.base_name),
        ));
    }
    let platform = match &stage.platform {
        None => None,
        Some(text) => {
            let expanded = lexer
                .expand_word(text, global)
                .map_err(|error| located(stage.span, error))?;
            if expanded.is_empty() {
                return Err(located(
                    stage.span,
                    format!("empty platform value from expression {text}"),
                ));
            }
            let platform = Platform::parse(&expanded).ok_or_else(|| {
                located(
                    stage.span,
                    format!(
                        "failed to parse platform {text}: \"{expanded}\" is an invalid platform"
                    ),
                )
            })?;
            Some(platform)
        }
    };
    let name = stage.name.as_ref().map(|name| name.to_lowercase());
    let replacement = name
        .as_deref()
        .and_then(|name| named_context(contexts, name).map(|value| (name, value)));
    let base = if let Some((name, value)) = &replacement {
        Base::Context(name.to_string(), value.clone())
    } else if base_name.eq_ignore_ascii_case("scratch") {
        Base::Scratch
    } else if let Some(earlier) = find_stage(nodes, &base_name) {
        Base::Stage(earlier)
    } else if let Some(value) = named_context(contexts, &base_name) {
        Base::Context(base_name, value)
    } else {
        Base::Image(base_name)
    };
    Ok(StageNode {
        dockerfile_index: Some(index),
        replaced_by_context: replacement.is_some(),
        name,
        base,
        platform,
        dependencies: Vec::new(),
        span: stage.span,
    })
}

/// Links each stage to the stages (and images) its commands read with `--from`.
fn link_dependencies(
    nodes: &mut Vec<StageNode>,
    dockerfile: &Dockerfile,
    contexts: &BTreeMap<String, String>,
) -> ConvertResult<()> {
    for (index, stage) in dockerfile.stages.iter().enumerate() {
        if nodes.get(index).is_none_or(|node| node.replaced_by_context) {
            continue;
        }
        for command in &stage.commands {
            for reference in stage_references(&command.kind) {
                let dependency =
                    resolve_reference(nodes, index, &reference, command.span, contexts)?;
                if let Some(node) = nodes.get_mut(index) {
                    if !node.dependencies.contains(&dependency) {
                        node.dependencies.push(dependency);
                    }
                }
            }
        }
    }
    Ok(())
}

/// Finds a stage by name (case-insensitively) among `nodes`.
fn find_stage(nodes: &[StageNode], name: &str) -> Option<usize> {
    let name = name.to_lowercase();
    nodes.iter().position(|node| {
        node.dockerfile_index.is_some() && node.name.as_deref() == Some(name.as_str())
    })
}

/// The `--from` values of a command: COPY/ADD's flag and RUN's mounts.
fn stage_references(kind: &CommandKind) -> Vec<String> {
    match kind {
        CommandKind::Copy(copy) | CommandKind::Add(copy) => copy.from.iter().cloned().collect(),
        CommandKind::Run(run) => run
            .mounts
            .iter()
            .filter_map(|mount| mount.from().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// Resolves `--from=reference` in stage `current`: a stage name, a stage index, or an image.
fn resolve_reference(
    nodes: &mut Vec<StageNode>,
    current: usize,
    reference: &str,
    span: Span,
    contexts: &BTreeMap<String, String>,
) -> ConvertResult<usize> {
    if let Ok(index) = reference.parse::<usize>() {
        let stage_count = nodes
            .iter()
            .filter(|node| node.dockerfile_index.is_some())
            .count();
        if index >= stage_count {
            return Err(located(span, format!("invalid stage index {index}")));
        }
        return check_order(index, current, reference, span);
    }
    if let Some(index) = find_stage(nodes, reference) {
        return check_order(index, current, reference, span);
    }
    if let Some(index) = find_outside(nodes, reference) {
        return Ok(index);
    }
    let base = match named_context(contexts, reference) {
        Some(value) => Base::Context(reference.to_owned(), value),
        None => Base::Image(reference.to_owned()),
    };
    nodes.push(StageNode {
        dockerfile_index: None,
        name: None,
        base,
        platform: None,
        dependencies: Vec::new(),
        span,
        replaced_by_context: false,
    });
    Ok(nodes.len() - 1)
}

fn check_order(index: usize, current: usize, reference: &str, span: Span) -> ConvertResult<usize> {
    if index >= current {
        return Err(located(span, format!("cannot copy from stage \"{reference}\", it needs to be defined before the current stage")));
    }
    Ok(index)
}

impl StageGraph {
    /// The node a `--from` value names, as `build` linked it.
    pub fn lookup(&self, reference: &str) -> Option<usize> {
        if let Ok(index) = reference.parse::<usize>() {
            return self
                .nodes
                .iter()
                .position(|node| node.dockerfile_index == Some(index));
        }
        find_stage(&self.nodes, reference).or_else(|| find_outside(&self.nodes, reference))
    }
}

/// The node of an image or named context used by `--from` (not a Dockerfile stage).
fn find_outside(nodes: &[StageNode], reference: &str) -> Option<usize> {
    nodes.iter().position(|node| {
        node.dockerfile_index.is_none()
            && match &node.base {
                Base::Image(name) | Base::Context(name, _) => name == reference,
                _ => false,
            }
    })
}

/// The value of the named context `name`, also when written with a `:latest` tag.
fn named_context(contexts: &BTreeMap<String, String>, name: &str) -> Option<String> {
    contexts
        .get(name)
        .or_else(|| {
            name.strip_suffix(":latest")
                .and_then(|bare| contexts.get(bare))
        })
        .cloned()
}
