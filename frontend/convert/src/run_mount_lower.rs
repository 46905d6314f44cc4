//! RUN mounts, in: one typed `--mount` (values expanded) and the stage it is used in; out: the
//! LLB mount (bind from the context, a stage, an image or a named context; cache with its id and
//! permissions seed; tmpfs; secret, as a file and/or an environment variable; ssh, whose default
//! socket path `run_ssh` fills in), or the error the stock frontend gives. Invariant: ids, defaults and paths as `dockerfile2llb` sets
//! them (`convert_runmount.go`, `convert_secrets.go`, `convert_ssh.go`); cache ids come from
//! `cachefront_cache::cache_id` alone.

use cachefront_cache::cache_id::mount_cache_id;
use cachefront_cache::paths::clean_path;
use cachefront_dockerfile::go_quote;
use cachefront_dockerfile::instructions::{Mount as TypedMount, MountSharing, MountType};
use cachefront_llb::{
    CacheSharing, ChownSpec, FileAction, FileOperation, Mount, MountKind, OpMetadata, OpOptions,
    State, UserSpec,
};
use cachefront_proto::pb;

use crate::lowering::Lowering;
use crate::stage_state::StageState;

/// Why the stock frontend cannot lower a mount; `Display` is its text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum MountLoweringError {
    #[error("invalid mount target {}", go_quote(.target))]
    InvalidTarget { target: String },
    #[error("stage {reference} not found")]
    StageNotFound { reference: String },
    #[error("stage {reference} is not built before this one")]
    StageNotBuilt { reference: String },
    #[error("ssh does not support source")]
    SshSource,
}

/// A user-written `--mount`, as the stock frontend lowers it; `None` for a secret that is only
/// an environment variable (`env=` without `target=`).
pub(crate) fn lower_mount(
    lowering: &Lowering<'_>,
    stage: &StageState,
    mount: &TypedMount,
) -> Result<Option<Mount>, MountLoweringError> {
    let mount = match mount.kind {
        MountType::Secret => return Ok(secret_mount(mount)),
        MountType::Ssh => ssh_mount(mount)?,
        MountType::Tmpfs => Mount {
            kind: MountKind::Tmpfs {
                size: mount.size_limit,
            },
            readonly: mount.readonly,
            ..Mount::bind(mount_target(stage, mount)?, State::scratch(), "")
        },
        MountType::Bind => bind_mount(lowering, stage, mount)?,
        MountType::Cache => cache_mount(lowering, stage, mount)?,
    };
    Ok(Some(mount))
}

/// Where a bind, cache or tmpfs mount goes: the target, joined to the working directory when
/// relative (the working directory itself when none is given); never `/`.
fn mount_target(stage: &StageState, mount: &TypedMount) -> Result<String, MountLoweringError> {
    let written = mount.target.as_deref().unwrap_or_default();
    let target = if written.starts_with('/') {
        clean_path(written)
    } else {
        clean_path(&format!("/{}/{written}", stage.dir))
    };
    if target == "/" {
        return Err(MountLoweringError::InvalidTarget { target });
    }
    Ok(target)
}

/// `source` as a path inside what is mounted; `None` for its root.
fn source_path(mount: &TypedMount) -> Option<String> {
    mount
        .source
        .as_deref()
        .map(|source| clean_path(&format!("/{source}")))
        .filter(|source| source != "/")
}

/// The state `from=` names: a stage lowered earlier, an image, or a named context.
fn from_state(lowering: &Lowering<'_>, reference: &str) -> Result<State, MountLoweringError> {
    let node =
        lowering
            .graph
            .lookup(reference)
            .ok_or_else(|| MountLoweringError::StageNotFound {
                reference: reference.to_owned(),
            })?;
    lowering
        .stage_state(node)
        .map(|stage| stage.state.clone())
        .ok_or_else(|| MountLoweringError::StageNotBuilt {
            reference: reference.to_owned(),
        })
}

fn bind_mount(
    lowering: &Lowering<'_>,
    stage: &StageState,
    mount: &TypedMount,
) -> Result<Mount, MountLoweringError> {
    let target = mount_target(stage, mount)?;
    let source = match &mount.from {
        Some(reference) => from_state(lowering, reference)?,
        None => lowering.context.clone(),
    };
    Ok(Mount {
        readonly: mount.readonly,
        ..Mount::bind(target, source, source_path(mount).unwrap_or_default())
    })
}

/// A cache: its id is `id`, else the target as written, cleaned (both after the namespace); it
/// starts from `from` (scratch without), with a `/cache` directory owned as asked when the mount
/// sets an owner or mode and no `source`.
fn cache_mount(
    lowering: &Lowering<'_>,
    stage: &StageState,
    mount: &TypedMount,
) -> Result<Mount, MountLoweringError> {
    let target = mount_target(stage, mount)?;
    let id = mount_cache_id(
        &lowering.cache_settings.cache_namespace,
        mount.id.as_deref(),
        mount.target.as_deref().unwrap_or_default(),
    );
    let mut source = match &mount.from {
        Some(reference) => from_state(lowering, reference)?,
        None => State::scratch(),
    };
    let selector = match source_path(mount) {
        Some(path) => path,
        None if mount.uid.is_some() || mount.gid.is_some() || mount.mode.is_some() => {
            source = cache_permissions(
                source,
                mount.uid.unwrap_or(0),
                mount.gid.unwrap_or(0),
                mount.mode.unwrap_or(0o755),
            );
            "/cache".to_owned()
        }
        None => String::new(),
    };
    let sharing = match mount.sharing {
        None | Some(MountSharing::Shared) => CacheSharing::Shared,
        Some(MountSharing::Private) => CacheSharing::Private,
        Some(MountSharing::Locked) => CacheSharing::Locked,
    };
    Ok(Mount {
        kind: MountKind::Cache { id, sharing },
        readonly: mount.readonly,
        ..Mount::bind(target, source, selector)
    })
}

/// A secret's id: `source`, else `id`, else the target's base name.
fn secret_id(mount: &TypedMount) -> String {
    mount
        .source
        .clone()
        .or_else(|| mount.id.clone())
        .unwrap_or_else(|| go_base(mount.target.as_deref().unwrap_or_default()).to_owned())
}

/// A secret file: at the target as written; without a target, at `/run/secrets/<base name of
/// the id>`, unless the secret goes to an environment variable (then there is no file).
fn secret_mount(mount: &TypedMount) -> Option<Mount> {
    let id = secret_id(mount);
    let target = match (&mount.target, &mount.env) {
        (Some(target), _) => target.clone(),
        (None, Some(_)) => return None,
        (None, None) => format!("/run/secrets/{}", go_base(&id)),
    };
    Some(Mount {
        kind: MountKind::Secret {
            id,
            uid: mount.uid.unwrap_or(0),
            gid: mount.gid.unwrap_or(0),
            mode: mount.mode.unwrap_or(0o400),
            optional: !mount.required,
        },
        readonly: true,
        ..Mount::bind(target, State::scratch(), "")
    })
}

/// A secret's environment variable (`env=`), as the exec's `secretenv` entry.
pub(crate) fn secret_env(mount: &TypedMount) -> Option<pb::SecretEnv> {
    let name = mount
        .env
        .clone()
        .filter(|_| mount.kind == MountType::Secret)?;
    Some(pb::SecretEnv {
        id: secret_id(mount),
        name,
        optional: !mount.required,
    })
}

/// An ssh agent socket: the target as written (an empty one is numbered per RUN by `run_ssh`),
/// and, as the stock frontend, not read-only.
fn ssh_mount(mount: &TypedMount) -> Result<Mount, MountLoweringError> {
    if mount.source.is_some() {
        return Err(MountLoweringError::SshSource);
    }
    Ok(Mount {
        kind: MountKind::Ssh {
            id: mount.id.clone().unwrap_or_else(|| "default".to_owned()),
            uid: mount.uid.unwrap_or(0),
            gid: mount.gid.unwrap_or(0),
            mode: mount.mode.unwrap_or(0o600),
            optional: !mount.required,
        },
        readonly: false,
        ..Mount::bind(
            mount.target.clone().unwrap_or_default(),
            State::scratch(),
            "",
        )
    })
}

/// Go's `path.Base`: the last element, trailing slashes ignored; `.` for an empty path and `/`
/// for slashes only.
fn go_base(path: &str) -> &str {
    if path.is_empty() {
        return ".";
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

/// The seed of a cache mount owned by `uid:gid` with `mode`: a `/cache` directory in `base`.
pub(crate) fn cache_permissions(base: State, uid: u32, gid: u32, mode: u32) -> State {
    let owner = ChownSpec {
        user: Some(UserSpec::Id(uid)),
        group: Some(UserSpec::Id(gid)),
    };
    FileOperation::on(base)
        .then(FileAction::Mkdir {
            path: "/cache".to_owned(),
            mode: i32::try_from(mode).unwrap_or(0o755),
            make_parents: false,
            owner: Some(owner),
            timestamp: None,
        })
        .build(OpOptions {
            metadata: OpMetadata::named("[internal] settings cache mount permissions"),
            ..OpOptions::default()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names_as_go() {
        assert_eq!(go_base("/run/secrets/token"), "token");
        assert_eq!(go_base("/tok/"), "tok");
        assert_eq!(go_base("token"), "token");
        assert_eq!(go_base(""), ".");
        assert_eq!(go_base("//"), "/");
    }
}
