//! Op encoding, in: one vertex's op and the digests of what it reads; out: the protobuf op body,
//! with inputs numbered through an `InputTable`. Invariant: only this module knows `pb` op shapes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use cachefront_proto::pb;

use crate::exec::{CacheSharing, ExecVertex, Mount, MountKind, Network, Security};
use crate::file::{ChownSpec, FileAction, FileOperation, UserSpec};
use crate::source::Source;
use crate::state::{OpMetadata, Output, State, Vertex};

/// The inputs of one op: deduplicated by digest and output index, numbered in first-use order.
pub(crate) struct InputTable<'a> {
    pub digests: &'a HashMap<*const Vertex, String>,
    pub inputs: Vec<pb::Input>,
}

impl InputTable<'_> {
    /// The input index of `state`, or -1 for scratch.
    fn index(&mut self, state: &State) -> i64 {
        let Some(Output { vertex, index }) = &state.output else {
            return -1;
        };
        let digest = self
            .digests
            .get(&Arc::as_ptr(vertex))
            .cloned()
            .unwrap_or_default();
        let input = pb::Input {
            digest,
            index: *index,
        };
        let position = match self.inputs.iter().position(|existing| *existing == input) {
            Some(position) => position,
            None => {
                self.inputs.push(input);
                self.inputs.len() - 1
            }
        };
        i64::try_from(position).unwrap_or(i64::MAX)
    }
}

pub(crate) fn source_proto(source: &Source) -> pb::op::Op {
    pb::op::Op::Source(pb::SourceOp {
        identifier: source.identifier.clone(),
        attrs: source.attributes.clone(),
    })
}

pub(crate) fn exec_proto(vertex: &ExecVertex, inputs: &mut InputTable<'_>) -> pb::op::Op {
    let exec = &vertex.exec;
    let root = pb::Mount {
        input: inputs.index(&vertex.root),
        dest: "/".to_owned(),
        output: 0,
        ..pb::Mount::default()
    };
    let mut mounts = vec![root];
    let mut next_output = 1;
    for mount in exec.mounts_in_order() {
        let output = if mount.produces_output() {
            next_output += 1;
            next_output - 1
        } else {
            -1
        };
        mounts.push(mount_proto(mount, output, inputs));
    }
    pb::op::Op::Exec(pb::ExecOp {
        meta: Some(meta_proto(exec)),
        mounts,
        network: match exec.network {
            Network::Default => pb::NetMode::Unset,
            Network::Host => pb::NetMode::Host,
            Network::None => pb::NetMode::None,
        } as i32,
        security: match exec.security {
            Security::Sandbox => pb::SecurityMode::Sandbox,
            Security::Insecure => pb::SecurityMode::Insecure,
        } as i32,
        secretenv: exec.secret_env.clone(),
        cdi_devices: Vec::new(),
    })
}

/// One mount besides the root; `output` is its output index, or -1.
fn mount_proto(mount: &Mount, output: i64, inputs: &mut InputTable<'_>) -> pb::Mount {
    let mut proto = pb::Mount {
        input: inputs.index(&mount.source),
        selector: mount.selector.clone(),
        dest: mount.destination.clone(),
        output,
        readonly: mount.readonly,
        ..pb::Mount::default()
    };
    match &mount.kind {
        MountKind::Bind => proto.mount_type = pb::MountType::Bind as i32,
        MountKind::Cache { id, sharing } => {
            proto.mount_type = pb::MountType::Cache as i32;
            proto.cache_opt = Some(pb::CacheOpt {
                id: id.clone(),
                sharing: sharing_proto(*sharing) as i32,
            });
        }
        MountKind::Tmpfs { size } => {
            proto.mount_type = pb::MountType::Tmpfs as i32;
            proto.tmpfs_opt = Some(pb::TmpfsOpt { size: *size });
        }
        MountKind::Secret {
            id,
            uid,
            gid,
            mode,
            optional,
        } => {
            proto.mount_type = pb::MountType::Secret as i32;
            proto.secret_opt = Some(pb::SecretOpt {
                id: id.clone(),
                uid: *uid,
                gid: *gid,
                mode: *mode,
                optional: *optional,
            });
        }
        MountKind::Ssh {
            id,
            uid,
            gid,
            mode,
            optional,
        } => {
            proto.mount_type = pb::MountType::Ssh as i32;
            proto.ssh_opt = Some(pb::SshOpt {
                id: id.clone(),
                uid: *uid,
                gid: *gid,
                mode: *mode,
                optional: *optional,
            });
        }
    }
    proto
}

/// The process: argv, environment, user and the other settings of `Meta`.
fn meta_proto(exec: &crate::exec::Exec) -> pb::Meta {
    pb::Meta {
        args: exec.args.clone(),
        env: exec.env.clone(),
        cwd: exec.cwd.clone(),
        user: exec.user.clone(),
        proxy_env: exec.proxy_env.clone(),
        extra_hosts: exec
            .extra_hosts
            .iter()
            .map(|(host, ip)| pb::HostIp {
                host: host.clone(),
                ip: ip.clone(),
            })
            .collect(),
        hostname: exec.hostname.clone(),
        ulimit: exec.ulimits.clone(),
        cgroup_parent: exec.cgroup_parent.clone(),
        remove_mount_stubs_recursive: true,
        valid_exit_codes: exec.valid_exit_codes.clone(),
    }
}

fn sharing_proto(sharing: CacheSharing) -> pb::CacheSharingOpt {
    match sharing {
        CacheSharing::Shared => pb::CacheSharingOpt::Shared,
        CacheSharing::Private => pb::CacheSharingOpt::Private,
        CacheSharing::Locked => pb::CacheSharingOpt::Locked,
    }
}

pub(crate) fn file_proto(file: &FileOperation, inputs: &mut InputTable<'_>) -> pb::op::Op {
    let base = inputs.index(&file.base);
    let secondary: Vec<i64> = file
        .actions
        .iter()
        .map(|action| match action {
            FileAction::Copy { source, .. } => inputs.index(source),
            _ => -1,
        })
        .collect();
    let input_count = i64::try_from(inputs.inputs.len()).unwrap_or(i64::MAX);
    let last = file.actions.len().saturating_sub(1);
    let actions = file
        .actions
        .iter()
        .zip(secondary)
        .enumerate()
        .map(|(position, (action, secondary_input))| pb::FileAction {
            // Each action applies to the previous action's result, numbered after the real inputs.
            input: if position == 0 {
                base
            } else {
                input_count + i64::try_from(position - 1).unwrap_or(0)
            },
            secondary_input,
            output: if position == last { 0 } else { -1 },
            action: Some(action_proto(action, base)),
        })
        .collect();
    pb::op::Op::File(pb::FileOp { actions })
}

fn action_proto(action: &FileAction, base: i64) -> pb::file_action::Action {
    use pb::file_action::Action;
    let owner = |spec: &Option<ChownSpec>| spec.as_ref().map(|spec| chown_proto(spec, base));
    match action {
        FileAction::Copy {
            source_path,
            destination,
            options,
            ..
        } => Action::Copy(pb::FileActionCopy {
            src: source_path.clone(),
            dest: destination.clone(),
            owner: owner(&options.owner),
            mode: options.mode.unwrap_or(-1),
            follow_symlink: options.follow_symlinks,
            dir_copy_contents: options.copy_directory_contents,
            attempt_unpack_docker_compatibility: options.attempt_unpack,
            create_dest_path: options.create_destination_path,
            allow_wildcard: options.allow_wildcard,
            allow_empty_wildcard: options.allow_empty_wildcard,
            timestamp: options.timestamp.unwrap_or(-1),
            include_patterns: options.include_patterns.clone(),
            exclude_patterns: options.exclude_patterns.clone(),
            always_replace_existing_dest_paths: options.always_replace_existing_destination_paths,
            mode_str: options.mode_string.clone().unwrap_or_default(),
            required_paths: options.required_paths.clone(),
        }),
        FileAction::Mkdir {
            path,
            mode,
            make_parents,
            owner: spec,
            timestamp,
        } => Action::Mkdir(pb::FileActionMkDir {
            path: path.clone(),
            mode: *mode,
            make_parents: *make_parents,
            owner: owner(spec),
            timestamp: timestamp.unwrap_or(-1),
        }),
        FileAction::Mkfile {
            path,
            mode,
            data,
            owner: spec,
        } => Action::Mkfile(pb::FileActionMkFile {
            path: path.clone(),
            mode: *mode,
            data: data.clone(),
            owner: owner(spec),
            timestamp: -1,
        }),
        FileAction::Rm {
            path,
            allow_not_found,
            allow_wildcard,
        } => Action::Rm(pb::FileActionRm {
            path: path.clone(),
            allow_not_found: *allow_not_found,
            allow_wildcard: *allow_wildcard,
        }),
        FileAction::Symlink {
            target,
            path,
            owner: spec,
        } => Action::Symlink(pb::FileActionSymlink {
            oldpath: target.clone(),
            newpath: path.clone(),
            owner: owner(spec),
            timestamp: -1,
        }),
    }
}

fn chown_proto(spec: &ChownSpec, base: i64) -> pb::ChownOpt {
    let user = |user: &Option<UserSpec>| {
        user.as_ref().map(|user| pb::UserOpt {
            user: Some(match user {
                UserSpec::Id(id) => pb::user_opt::User::ById(*id),
                UserSpec::Name(name) => pb::user_opt::User::ByName(pb::NamedUserOpt {
                    name: name.clone(),
                    input: base,
                }),
            }),
        })
    };
    pb::ChownOpt {
        user: user(&spec.user),
        group: user(&spec.group),
    }
}

/// An op's metadata, declaring the `caps` it needs (see `caps::op_caps`).
pub(crate) fn metadata_proto(
    metadata: &OpMetadata,
    caps: BTreeMap<String, bool>,
) -> pb::OpMetadata {
    pb::OpMetadata {
        ignore_cache: metadata.ignore_cache,
        description: metadata.description.clone(),
        export_cache: None,
        caps,
        progress_group: metadata
            .progress_group
            .as_ref()
            .map(|group| pb::ProgressGroup {
                id: group.id.clone(),
                name: group.name.clone(),
                weak: group.weak,
            }),
    }
}
