//! The shared context of one conversion, in: the options, the stage graph, the build context and
//! the cache pass's settings; out: op options and source locations for the ops stages make, and
//! the states of finished stages. Invariant: a stage's state is here only once it is finished.

use std::sync::Arc;

use cachefront_dockerfile::expand::Lexer;
use cachefront_dockerfile::instructions::Command;
use cachefront_llb::{OpMetadata, OpOptions, SourceFile, SourceLocation, State};

use crate::env::Environment;
use crate::error::{ConvertError, ConvertResult};
use crate::options::ConvertOptions;
use crate::stage_state::StageState;
use crate::stages::{StageGraph, StageNode};

/// The cache mounts added to one RUN, for the user to see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectionReport {
    pub line: usize,
    pub step: String,
    pub text: String,
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
    /// The build's SOURCE_DATE_EPOCH in seconds, if any.
    pub epoch: Option<i64>,
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

    /// The stage graph's node `index` (an index the graph gave out).
    pub fn node(&self, index: usize) -> ConvertResult<&StageNode> {
        self.graph
            .nodes
            .get(index)
            .ok_or_else(|| ConvertError::new(format!("no stage graph node {index}")))
    }

    /// The state of a finished stage, for `--from`.
    pub fn stage_state(&self, node: usize) -> Option<&StageState> {
        self.finished.get(node).and_then(Option::as_ref)
    }
}
