//! Marshalling, in: a state; out: the `pb::Definition` BuildKit solves. Invariants: ops are listed
//! inputs-first, each digest once; the same graph gives the same bytes; the last entry is BuildKit's
//! bare terminal op pointing at the result.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use cachefront_proto::pb;
use prost::Message as _;

use crate::caps::{op_caps, terminal_caps};
use crate::digest::digest_of;
use crate::encode::{exec_proto, file_proto, metadata_proto, source_proto, InputTable};
use crate::file::FileAction;
use crate::state::{OpKind, SourceFile, State, Vertex};

/// Serializes everything `state` depends on into a definition.
pub fn marshal(state: &State) -> pb::Definition {
    let mut marshaller = Marshaller::default();
    let Some(output) = &state.output else {
        return pb::Definition::default();
    };
    let digest = marshaller.visit(&output.vertex);
    let terminal = pb::Op {
        inputs: vec![pb::Input {
            digest,
            index: output.index,
        }],
        ..pb::Op::default()
    };
    let terminal = encode_op(&terminal);
    let terminal_metadata = pb::OpMetadata {
        caps: terminal_caps(marshaller.metadata.values()),
        ..pb::OpMetadata::default()
    };
    marshaller
        .metadata
        .insert(digest_of(&terminal), terminal_metadata);
    marshaller.ops.push(terminal);
    marshaller.into_definition()
}

/// An op's bytes in the field order Go's protobuf runtime writes: plain fields by number (inputs,
/// platform, constraints), then the `op` oneof. BuildKit since v0.18 re-marshals every op when it
/// loads a definition and keys vertices by the new digest; bytes in another order (prost writes
/// the oneof at its lowest tag, before the platform) give other digests there, and the source
/// locations, keyed by ours, would no longer match a failed vertex (no `>>>` snippet).
fn encode_op(op: &pb::Op) -> Vec<u8> {
    let plain = pb::Op {
        op: None,
        ..op.clone()
    };
    let mut bytes = plain.encode_to_vec();
    if let Some(body) = &op.op {
        bytes.reserve(body.encoded_len());
        body.encode(&mut bytes);
    }
    bytes
}

#[derive(Default)]
struct Marshaller {
    /// Digest of each vertex already marshalled, by address.
    digests: HashMap<*const Vertex, String>,
    seen: HashSet<String>,
    ops: Vec<Vec<u8>>,
    metadata: BTreeMap<String, pb::OpMetadata>,
    locations: BTreeMap<String, pb::Locations>,
    infos: Vec<pb::SourceInfo>,
    info_indices: HashMap<*const SourceFile, i32>,
}

impl Marshaller {
    /// Marshals `root` and everything below it, inputs first, without recursion (graphs from long
    /// Dockerfiles are deep).
    fn visit(&mut self, root: &Arc<Vertex>) -> String {
        let mut stack: Vec<(Arc<Vertex>, bool)> = vec![(Arc::clone(root), false)];
        while let Some((vertex, dependencies_done)) = stack.pop() {
            if self.digests.contains_key(&Arc::as_ptr(&vertex)) {
                continue;
            }
            if dependencies_done {
                self.emit(&vertex);
                continue;
            }
            let dependencies = dependencies(&vertex);
            stack.push((vertex, true));
            for dependency in dependencies.into_iter().rev() {
                if !self.digests.contains_key(&Arc::as_ptr(&dependency)) {
                    stack.push((dependency, false));
                }
            }
        }
        self.digests
            .get(&Arc::as_ptr(root))
            .cloned()
            .unwrap_or_default()
    }

    fn emit(&mut self, vertex: &Arc<Vertex>) {
        let mut inputs = InputTable {
            digests: &self.digests,
            inputs: Vec::new(),
        };
        let (body, platform) = match &vertex.op {
            OpKind::Source(source) => (source_proto(source), vertex.options.platform.as_ref()),
            OpKind::Exec(exec) => (
                exec_proto(exec, &mut inputs),
                vertex.options.platform.as_ref(),
            ),
            // File ops are not platform specific.
            OpKind::File(file) => (file_proto(file, &mut inputs), None),
        };
        let caps = op_caps(&body);
        let op = pb::Op {
            inputs: inputs.inputs,
            platform: platform.map(|platform| platform.to_proto()),
            constraints: None,
            op: Some(body),
        };
        let bytes = encode_op(&op);
        let digest = digest_of(&bytes);
        if self.seen.insert(digest.clone()) {
            self.ops.push(bytes);
            self.metadata.insert(
                digest.clone(),
                metadata_proto(&vertex.options.metadata, caps),
            );
        }
        if let Some(location) = &vertex.options.location {
            let source_index = self.source_index(&location.file);
            let ranges = location
                .ranges
                .iter()
                .map(|&(start, end)| pb::Range {
                    start: Some(pb::Position {
                        line: line_number(start),
                        character: 0,
                    }),
                    end: Some(pb::Position {
                        line: line_number(end),
                        character: 0,
                    }),
                })
                .collect();
            let entry = self.locations.entry(digest.clone()).or_default();
            let location = pb::Location {
                source_index,
                ranges,
            };
            if !entry.locations.contains(&location) {
                entry.locations.push(location);
            }
        }
        self.digests.insert(Arc::as_ptr(vertex), digest);
    }

    fn source_index(&mut self, file: &Arc<SourceFile>) -> i32 {
        if let Some(index) = self.info_indices.get(&Arc::as_ptr(file)) {
            return *index;
        }
        let index = i32::try_from(self.infos.len()).unwrap_or(i32::MAX);
        self.infos.push(pb::SourceInfo {
            filename: file.filename.clone(),
            data: file.data.clone(),
            definition: None,
            language: file.language.clone(),
        });
        self.info_indices.insert(Arc::as_ptr(file), index);
        index
    }

    fn into_definition(self) -> pb::Definition {
        let source = (!self.infos.is_empty()).then_some(pb::Source {
            locations: self.locations,
            infos: self.infos,
        });
        pb::Definition {
            def: self.ops,
            metadata: self.metadata,
            source,
        }
    }
}

fn line_number(line: u32) -> i32 {
    i32::try_from(line).unwrap_or(i32::MAX)
}

/// The vertices a vertex reads from, in the order its inputs are numbered.
pub(crate) fn dependencies(vertex: &Vertex) -> Vec<Arc<Vertex>> {
    let states: Vec<&State> = match &vertex.op {
        OpKind::Source(_) => Vec::new(),
        OpKind::Exec(exec) => std::iter::once(&exec.root)
            .chain(exec.exec.mounts.iter().map(|mount| &mount.source))
            .collect(),
        OpKind::File(file) => std::iter::once(&file.base)
            .chain(file.actions.iter().filter_map(|action| match action {
                FileAction::Copy { source, .. } => Some(source),
                _ => None,
            }))
            .collect(),
    };
    states
        .into_iter()
        .filter_map(|state| {
            state
                .output
                .as_ref()
                .map(|output| Arc::clone(&output.vertex))
        })
        .collect()
}
