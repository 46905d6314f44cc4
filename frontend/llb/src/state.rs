//! States, in: ops built by `source`, `exec` and `file`; out: cheap handles to one output of one op.
//! Invariant: a `State` never changes after it is built; cloning it shares the op graph.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::exec::ExecVertex;
use crate::file::FileOperation;
use crate::platform::Platform;
use crate::source::Source;

/// A filesystem in the build graph: scratch (empty) or one output of an op.
#[derive(Debug, Clone, Default)]
pub struct State {
    pub(crate) output: Option<Output>,
}

impl State {
    /// The empty filesystem.
    pub fn scratch() -> State {
        State { output: None }
    }

    /// Whether this is the empty filesystem.
    pub fn is_scratch(&self) -> bool {
        self.output.is_none()
    }

    pub(crate) fn from_vertex(vertex: Arc<Vertex>, index: i64) -> State {
        State {
            output: Some(Output { vertex, index }),
        }
    }
}

/// One output of one vertex.
#[derive(Debug, Clone)]
pub(crate) struct Output {
    pub vertex: Arc<Vertex>,
    pub index: i64,
}

/// An op with what BuildKit needs besides its bytes.
#[derive(Debug)]
pub(crate) struct Vertex {
    pub op: OpKind,
    pub options: OpOptions,
}

#[derive(Debug)]
pub(crate) enum OpKind {
    Source(Source),
    Exec(Box<ExecVertex>),
    File(FileOperation),
}

/// What every op can carry: its platform, its metadata and where it came from in the Dockerfile.
#[derive(Debug, Clone, Default)]
pub struct OpOptions {
    pub platform: Option<Platform>,
    pub metadata: OpMetadata,
    pub location: Option<SourceLocation>,
}

/// Per-op metadata that does not change the op's digest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpMetadata {
    pub description: BTreeMap<String, String>,
    pub ignore_cache: bool,
    pub progress_group: Option<ProgressGroup>,
}

impl OpMetadata {
    /// Metadata whose progress line reads `name` (BuildKit's `llb.customname`).
    pub fn named(name: impl Into<String>) -> OpMetadata {
        let mut metadata = OpMetadata::default();
        metadata
            .description
            .insert("llb.customname".to_owned(), name.into());
        metadata
    }
}

/// Groups vertices under one progress line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressGroup {
    pub id: String,
    pub name: String,
    pub weak: bool,
}

/// A source file (the Dockerfile) that op locations point into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub filename: String,
    pub data: Vec<u8>,
    pub language: String,
}

/// Lines of a source file an op was made from; 1-based, inclusive.
#[derive(Debug, Clone)]
pub struct SourceLocation {
    pub file: Arc<SourceFile>,
    pub ranges: Vec<(u32, u32)>,
}

impl Vertex {
    /// Moves out the vertices this one reads from, leaving scratch in their place.
    fn take_inputs(&mut self, into: &mut Vec<Arc<Vertex>>) {
        let mut take = |state: &mut State| {
            if let Some(output) = state.output.take() {
                into.push(output.vertex);
            }
        };
        match &mut self.op {
            OpKind::Source(_) => {}
            OpKind::Exec(exec) => {
                take(&mut exec.root);
                exec.exec
                    .mounts
                    .iter_mut()
                    .for_each(|mount| take(&mut mount.source));
            }
            OpKind::File(file) => {
                take(&mut file.base);
                for action in &mut file.actions {
                    if let crate::file::FileAction::Copy { source, .. } = action {
                        take(source);
                    }
                }
            }
        }
    }
}

impl Drop for Vertex {
    /// Drops long chains iteratively: the default recursive drop overflows the stack on graphs from
    /// Dockerfiles with thousands of instructions.
    fn drop(&mut self) {
        let mut pending = Vec::new();
        self.take_inputs(&mut pending);
        while let Some(vertex) = pending.pop() {
            if let Ok(mut vertex) = Arc::try_unwrap(vertex) {
                vertex.take_inputs(&mut pending);
            }
        }
    }
}
