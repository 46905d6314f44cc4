//! Marshalling tests: determinism, deduplication, input numbering and source locations.

// Test helpers outside `#[test]` functions: a malformed fixture should fail the test loudly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use cachefront_llb::{
    marshal, CacheSharing, CopyOptions, Exec, FileAction, FileOperation, Mount, OpMetadata,
    OpOptions, Platform, Source, SourceFile, SourceLocation, State,
};
use cachefront_proto::pb;
use prost::Message as _;

fn decode(definition: &pb::Definition) -> Vec<pb::Op> {
    definition
        .def
        .iter()
        .map(|bytes| pb::Op::decode(bytes.as_slice()).expect("valid op"))
        .collect()
}

fn image() -> State {
    let options = OpOptions {
        platform: Platform::parse("linux/amd64"),
        ..OpOptions::default()
    };
    Source::image("debian:bookworm").build(options)
}

fn run(root: State, command: &str) -> State {
    let exec = Exec {
        args: vec!["/bin/sh".into(), "-c".into(), command.into()],
        cwd: "/".into(),
        ..Exec::default()
    };
    exec.build(root, OpOptions::default()).root()
}

#[test]
fn same_graph_gives_same_bytes() {
    let first = marshal(&run(run(image(), "a"), "b"));
    let second = marshal(&run(run(image(), "a"), "b"));
    assert_eq!(first, second);
    assert_eq!(first.def.len(), 4, "source, two execs, terminal");
}

#[test]
fn identical_ops_appear_once() {
    let base = image();
    let left = run(base.clone(), "same");
    let right = run(image(), "same");
    let copy = FileOperation::on(left)
        .then(FileAction::Copy {
            source: right,
            source_path: "/x".into(),
            destination: "/y".into(),
            options: CopyOptions::default(),
        })
        .build(OpOptions::default());
    let ops = decode(&marshal(&copy));
    // image, exec, file op, terminal: the two equal execs and the two equal images collapse.
    assert_eq!(ops.len(), 4);
    let Some(pb::op::Op::File(file)) = &ops[2].op else {
        panic!("file op expected")
    };
    assert_eq!(ops[2].inputs.len(), 1, "both sides are one input");
    assert_eq!(file.actions[0].input, 0);
    assert_eq!(file.actions[0].secondary_input, 0);
}

#[test]
fn file_action_chain_numbers_previous_results_after_inputs() {
    let context = Source::local("context").build(OpOptions::default());
    let state = FileOperation::on(image())
        .then(FileAction::Mkdir {
            path: "/app".into(),
            mode: 0o755,
            make_parents: true,
            owner: None,
            timestamp: None,
        })
        .then(FileAction::Copy {
            source: context,
            source_path: "/src".into(),
            destination: "/app/".into(),
            options: CopyOptions::default(),
        })
        .then(FileAction::Rm {
            path: "/tmp/x".into(),
            allow_not_found: true,
            allow_wildcard: false,
        })
        .build(OpOptions::default());
    let ops = decode(&marshal(&state));
    let file_op = ops
        .iter()
        .find(|op| matches!(op.op, Some(pb::op::Op::File(_))))
        .expect("file op");
    let Some(pb::op::Op::File(file)) = &file_op.op else {
        unreachable!()
    };
    assert_eq!(file_op.inputs.len(), 2);
    let numbering: Vec<(i64, i64, i64)> = file
        .actions
        .iter()
        .map(|a| (a.input, a.secondary_input, a.output))
        .collect();
    assert_eq!(numbering, vec![(0, -1, -1), (2, 1, -1), (3, -1, 0)]);
    assert!(
        file_op.platform.is_none(),
        "file ops are not platform specific"
    );
}

#[test]
fn exec_mounts_are_sorted_and_cache_mounts_have_no_output() {
    let mut exec = Exec {
        args: vec!["true".into()],
        ..Exec::default()
    };
    exec.mounts.push(Mount::cache(
        "/var/lib/apt",
        "/var/lib/apt",
        CacheSharing::Locked,
    ));
    exec.mounts.push(Mount::cache(
        "/var/cache/apt",
        "/var/cache/apt",
        CacheSharing::Locked,
    ));
    let ops = decode(&marshal(&exec.build(image(), OpOptions::default()).root()));
    let Some(pb::op::Op::Exec(exec)) = &ops[1].op else {
        panic!("exec expected")
    };
    let mounts: Vec<(&str, i64, i64)> = exec
        .mounts
        .iter()
        .map(|m| (m.dest.as_str(), m.input, m.output))
        .collect();
    assert_eq!(
        mounts,
        vec![
            ("/", 0, 0),
            ("/var/cache/apt", -1, -1),
            ("/var/lib/apt", -1, -1)
        ]
    );
    assert_eq!(
        exec.mounts[1].cache_opt.as_ref().map(|c| c.sharing),
        Some(pb::CacheSharingOpt::Locked as i32)
    );
    assert!(exec
        .meta
        .as_ref()
        .is_some_and(|meta| meta.remove_mount_stubs_recursive));
}

#[test]
fn terminal_op_points_at_result_and_metadata_is_keyed_by_digest() {
    let options = OpOptions {
        metadata: OpMetadata::named("[stage-0 1/1] RUN x"),
        ..OpOptions::default()
    };
    let exec = Exec {
        args: vec!["x".into()],
        ..Exec::default()
    };
    let definition = marshal(&exec.build(image(), options).root());
    let ops = decode(&definition);
    let terminal = ops.last().expect("terminal");
    assert!(terminal.op.is_none());
    let exec_digest = cachefront_llb::digest_of(&definition.def[1]);
    assert_eq!(
        terminal.inputs,
        vec![pb::Input {
            digest: exec_digest.clone(),
            index: 0
        }]
    );
    let name = definition.metadata[&exec_digest]
        .description
        .get("llb.customname")
        .cloned();
    assert_eq!(name.as_deref(), Some("[stage-0 1/1] RUN x"));
}

#[test]
fn locations_point_into_one_shared_source_info() {
    let file = Arc::new(SourceFile {
        filename: "Dockerfile".into(),
        data: b"FROM x\nRUN a\nRUN b\n".to_vec(),
        language: "Dockerfile".into(),
    });
    let located = |line: u32| OpOptions {
        location: Some(SourceLocation {
            file: Arc::clone(&file),
            ranges: vec![(line, line)],
        }),
        ..OpOptions::default()
    };
    let first = Exec {
        args: vec!["a".into()],
        ..Exec::default()
    }
    .build(image(), located(2))
    .root();
    let second = Exec {
        args: vec!["b".into()],
        ..Exec::default()
    }
    .build(first, located(3))
    .root();
    let definition = marshal(&second);
    let source = definition.source.expect("source map");
    assert_eq!(source.infos.len(), 1);
    let lines: Vec<i32> = source
        .locations
        .values()
        .flat_map(|locations| locations.locations.iter())
        .map(|location| location.ranges[0].start.map(|p| p.line).unwrap_or_default())
        .collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(sorted, vec![2, 3]);
}

#[test]
fn scratch_marshals_to_an_empty_definition() {
    assert!(marshal(&State::scratch()).def.is_empty());
}

#[test]
fn deep_chains_do_not_overflow_the_stack() {
    let mut state = image();
    for index in 0..20_000 {
        state = FileOperation::on(state)
            .then(FileAction::Mkdir {
                path: format!("/d{index}"),
                mode: 0o755,
                make_parents: false,
                owner: None,
                timestamp: None,
            })
            .build(OpOptions::default());
    }
    assert_eq!(marshal(&state).def.len(), 20_002);
}

/// BuildKit v0.18+ re-marshals each op with Go's protobuf runtime (plain fields first, then the
/// `op` oneof) and keys vertices by that digest; ours must be the same bytes, or a failed step's
/// source location is lost. The digest is the one BuildKit v0.25 (Docker 28.5) reported for this
/// op.
#[test]
fn ops_are_written_in_go_field_order() {
    let options = OpOptions {
        platform: Platform::parse("linux/amd64"),
        ..OpOptions::default()
    };
    let source = Source::image("docker.io/library/debian:bookworm")
        .with_attribute("image.resolvemode", "local")
        .build(options);
    let definition = marshal(&run(source, "true"));
    assert_eq!(
        cachefront_llb::digest_of(&definition.def[0]),
        "sha256:ccffb3ab1b04521e9bd3c80cd46ffd25ebd4a677875df8bedb7be24afde326b7"
    );
    let exec = &definition.def[1];
    assert_eq!(exec[0], 0x0a, "inputs first");
    let inputs_length = usize::from(exec[1]);
    assert_eq!(
        exec[2 + inputs_length],
        0x12,
        "then the exec body (no platform here)"
    );
    assert_eq!(
        definition.def[0][0], 0x52,
        "a source op starts with its platform"
    );
}
