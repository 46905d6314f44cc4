//! RUN mounts, in: a parsed `--mount` and the stage it is used in; out: the LLB mount (bind from
//! the context, a stage, an image or a named context; cache with its namespace and permissions
//! seed; tmpfs; secret; ssh, whose default socket path `run_ssh` fills in). Invariant: defaults
//! and paths as the stock frontend sets them.

use cachefront_cache::paths::clean_path;
use cachefront_llb::{FileAction, FileOperation, Mount, MountKind, OpMetadata, OpOptions, State};

use crate::lowering::Lowering;
use crate::run_mount::{MountSpec, MountType};
use crate::stage_state::StageState;

/// A user-written `--mount`, as the stock frontend lowers it.
pub(crate) fn lower_mount(
    lowering: &Lowering<'_>,
    stage: &StageState,
    spec: &MountSpec,
) -> Result<Mount, String> {
    let target = if spec.target.starts_with('/') {
        clean_path(&spec.target)
    } else {
        clean_path(&format!("{}/{}", stage.dir, spec.target))
    };
    if target == "/"
        && matches!(
            spec.kind,
            MountType::Bind | MountType::Cache | MountType::Tmpfs
        )
    {
        return Err(format!("invalid mount target \"{target}\""));
    }
    let from_state = |reference: &str| -> Result<State, String> {
        let node = lowering
            .graph
            .lookup(reference)
            .ok_or_else(|| format!("stage {reference} not found"))?;
        lowering
            .stage_state(node)
            .map(|stage| stage.state.clone())
            .ok_or_else(|| format!("stage {reference} is not built before this one"))
    };
    let source_path = spec
        .source
        .as_deref()
        .map(|source| clean_path(&format!("/{source}")))
        .filter(|source| source != "/");
    let mount = match spec.kind {
        MountType::Tmpfs => Mount {
            kind: MountKind::Tmpfs {
                size: spec.size.unwrap_or(0),
            },
            readonly: false,
            ..Mount::bind(target, State::scratch(), "")
        },
        MountType::Secret => Mount {
            kind: MountKind::Secret {
                id: spec.id.clone().unwrap_or_default(),
                uid: spec.uid.unwrap_or(0),
                gid: spec.gid.unwrap_or(0),
                mode: spec.mode.unwrap_or(0o400),
                optional: !spec.required,
            },
            readonly: true,
            ..Mount::bind(target, State::scratch(), "")
        },
        MountType::Ssh => Mount {
            kind: MountKind::Ssh {
                id: spec.id.clone().unwrap_or_else(|| "default".to_owned()),
                uid: spec.uid.unwrap_or(0),
                gid: spec.gid.unwrap_or(0),
                mode: spec.mode.unwrap_or(0o600),
                optional: !spec.required,
            },
            // As the stock frontend: not read-only, and the target as written (not joined to
            // the working directory); an empty one is numbered per RUN by `run_ssh`.
            readonly: false,
            ..Mount::bind(spec.target.clone(), State::scratch(), "")
        },
        MountType::Bind => {
            let source = match &spec.from {
                Some(reference) => from_state(reference)?,
                None => lowering.context.clone(),
            };
            Mount {
                readonly: spec.readonly,
                ..Mount::bind(target, source, source_path.unwrap_or_default())
            }
        }
        MountType::Cache => {
            let id = spec
                .id
                .clone()
                .filter(|id| !id.is_empty())
                .unwrap_or_else(|| spec.target.clone());
            let namespace = lowering
                .options
                .build_args
                .get("BUILDKIT_CACHE_MOUNT_NS")
                .cloned()
                .unwrap_or_default();
            let mut source = match &spec.from {
                Some(reference) => from_state(reference)?,
                None => State::scratch(),
            };
            let mut selector = source_path.unwrap_or_default();
            if selector.is_empty()
                && (spec.uid.is_some() || spec.gid.is_some() || spec.mode.is_some())
            {
                source = cache_permissions(
                    source,
                    spec.uid.unwrap_or(0),
                    spec.gid.unwrap_or(0),
                    spec.mode.unwrap_or(0o755),
                );
                selector = "/cache".to_owned();
            }
            Mount {
                kind: MountKind::Cache {
                    id: format!("{namespace}/{id}"),
                    sharing: spec.sharing,
                },
                readonly: spec.readonly,
                ..Mount::bind(target, source, selector)
            }
        }
    };
    Ok(mount)
}

/// The seed of a cache mount owned by `uid:gid` with `mode`: a `/cache` directory in `base`.
pub(crate) fn cache_permissions(base: State, uid: u32, gid: u32, mode: u32) -> State {
    let owner = cachefront_llb::ChownSpec {
        user: Some(cachefront_llb::UserSpec::Id(uid)),
        group: Some(cachefront_llb::UserSpec::Id(gid)),
    };
    FileOperation::on(base)
        .then(FileAction::Mkdir {
            path: "/cache".to_owned(),
            mode: i32::try_from(mode).unwrap_or(0o755),
            make_parents: false,
            owner: Some(owner),
        })
        .build(OpOptions {
            metadata: OpMetadata::named("[internal] settings cache mount permissions"),
            ..OpOptions::default()
        })
}
