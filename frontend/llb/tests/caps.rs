//! LLB caps, in: a graph using every source kind, exec mount kind and meta field, and file
//! actions with patterns; out: a golden listing of the caps each op's metadata declares (the
//! terminal op last), next to the ops that need no extra cap.

use std::collections::BTreeMap;

use cachefront_llb::{
    marshal, CacheSharing, CopyOptions, Exec, FileAction, FileOperation, Mount, MountKind, Network,
    OpMetadata, OpOptions, Platform, Security, Source, State,
};
use cachefront_proto::pb;
use prost::Message as _;

fn options(name: &str) -> OpOptions {
    OpOptions {
        platform: Platform::parse("linux/amd64"),
        metadata: OpMetadata::named(name),
        location: None,
    }
}

fn sources() -> (State, State, State, State) {
    let image = Source::image("debian:bookworm")
        .with_attribute("image.resolvemode", "pull")
        .build(options("image"));
    let context = Source::local("context")
        .with_attribute("local.session", "s")
        .with_attribute("local.sharedkeyhint", "context")
        .with_attribute("local.excludepatterns", "[\"x\"]")
        .with_attribute("local.followpaths", "[\"Dockerfile\"]")
        .with_attribute("local.differ", "none")
        .build(OpOptions::default());
    let git = Source::new("git://github.com/a/b#main")
        .with_attribute("git.fullurl", "https://github.com/a/b")
        .with_attribute("git.keepgitdir", "true")
        .with_attribute("git.authtokensecret", "GIT_AUTH_TOKEN")
        .build(OpOptions::default());
    let http = Source::new("https://example.com/f.tgz")
        .with_attribute("http.filename", "f.tgz")
        .with_attribute("http.checksum", "sha256:00")
        .build(OpOptions::default());
    (image, context, git, http)
}

fn secret(id: &str) -> MountKind {
    MountKind::Secret {
        id: id.to_owned(),
        uid: 0,
        gid: 0,
        mode: 0o400,
        optional: false,
    }
}

fn graph() -> State {
    let (image, context, git, http) = sources();
    let plain = Exec {
        args: vec!["true".to_owned()],
        ..Exec::default()
    }
    .build(image.clone(), options("plain"))
    .root();
    let mut bind = Mount::bind("/src", context.clone(), "/sub");
    bind.readonly = true;
    let tmpfs = Mount {
        kind: MountKind::Tmpfs { size: 1 << 20 },
        ..Mount::bind("/tmp", State::scratch(), "")
    };
    let ssh = Mount {
        kind: MountKind::Ssh {
            id: "default".to_owned(),
            uid: 0,
            gid: 0,
            mode: 0o600,
            optional: false,
        },
        ..Mount::bind("/run/ssh", State::scratch(), "")
    };
    let every_mount = Exec {
        args: vec!["make".to_owned()],
        network: Network::None,
        security: Security::Insecure,
        proxy_env: Some(pb::ProxyEnv::default()),
        ulimits: vec![pb::Ulimit::default()],
        secret_env: vec![pb::SecretEnv::default()],
        mounts: vec![
            Mount::cache("/root/.cache", "//root/.cache", CacheSharing::Locked),
            Mount {
                kind: secret("token"),
                ..Mount::bind("/run/secrets/token", State::scratch(), "")
            },
            bind,
            tmpfs,
            ssh,
        ],
        ..Exec::default()
    };
    let mut uncached = options("every mount");
    uncached.metadata.ignore_cache = true;
    let built = every_mount.build(plain, uncached).root();
    FileOperation::on(built)
        .then(FileAction::Copy {
            source: context,
            source_path: "/".to_owned(),
            destination: "/app".to_owned(),
            options: CopyOptions {
                include_patterns: vec!["a/**".to_owned()],
                // Known to BuildKit v0.14+ only: sent without a cap.
                required_paths: vec!["/a".to_owned()],
                mode_string: Some("u+x".to_owned()),
                ..CopyOptions::default()
            },
        })
        .then(FileAction::Copy {
            source: git,
            source_path: "/".to_owned(),
            destination: "/git".to_owned(),
            options: CopyOptions::default(),
        })
        .then(FileAction::Copy {
            source: http,
            source_path: "f.tgz".to_owned(),
            destination: "/f.tgz".to_owned(),
            options: CopyOptions::default(),
        })
        .build(options("copy"))
}

/// One line per op: its kind, its progress name and the caps its metadata declares.
fn caps_listing(definition: &pb::Definition) -> String {
    let mut lines = Vec::new();
    for bytes in &definition.def {
        let digest = cachefront_llb::digest_of(bytes);
        let op = pb::Op::decode(bytes.as_slice()).ok().and_then(|op| op.op);
        let kind = match &op {
            Some(pb::op::Op::Source(source)) => format!("source {}", source.identifier),
            Some(pb::op::Op::Exec(_)) => "exec".to_owned(),
            Some(pb::op::Op::File(_)) => "file".to_owned(),
            _ => "terminal".to_owned(),
        };
        let metadata = definition
            .metadata
            .get(&digest)
            .cloned()
            .unwrap_or_default();
        let name = metadata
            .description
            .get("llb.customname")
            .map(|name| format!(" ({name})"))
            .unwrap_or_default();
        let caps: Vec<&str> = metadata.caps.keys().map(String::as_str).collect();
        lines.push(format!("{kind}{name}: {}", caps.join(" ")));
    }
    lines.join("\n")
}

#[test]
fn ops_declare_the_caps_they_need() {
    let definition = marshal(&graph());
    insta::assert_snapshot!(caps_listing(&definition));
}

#[test]
fn every_op_has_caps_and_all_caps_are_enabled() {
    let definition = marshal(&graph());
    assert_eq!(definition.metadata.len(), definition.def.len());
    let all: BTreeMap<&String, &bool> = definition
        .metadata
        .values()
        .flat_map(|metadata| metadata.caps.iter())
        .collect();
    assert!(all.values().all(|enabled| **enabled));
    assert!(definition
        .metadata
        .values()
        .all(|metadata| !metadata.caps.is_empty()));
}
