//! Exec ops, in: a command, its environment and mounts over input states; out: the root filesystem
//! after the command (and any writable bind mount that asks for an output).
//! Invariant: the root mount is `/`, always first and always output 0.

use std::sync::Arc;

use cachefront_proto::pb;

use crate::state::{OpKind, OpOptions, State, Vertex};

/// A process to run, as BuildKit's `ExecOp`.
#[derive(Debug, Clone, Default)]
pub struct Exec {
    pub args: Vec<String>,
    /// `KEY=value` entries, in order.
    pub env: Vec<String>,
    pub cwd: String,
    pub user: String,
    pub hostname: String,
    /// `(host, ip)` pairs for `/etc/hosts`.
    pub extra_hosts: Vec<(String, String)>,
    pub ulimits: Vec<pb::Ulimit>,
    pub cgroup_parent: String,
    pub network: Network,
    pub security: Security,
    pub valid_exit_codes: Vec<i32>,
    pub secret_env: Vec<pb::SecretEnv>,
    pub proxy_env: Option<pb::ProxyEnv>,
    /// Mounts besides the root, in order.
    pub mounts: Vec<Mount>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Network {
    #[default]
    Default,
    Host,
    None,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Security {
    #[default]
    Sandbox,
    Insecure,
}

/// A filesystem mounted into the process.
#[derive(Debug, Clone)]
pub struct Mount {
    pub destination: String,
    /// What is mounted: for a bind mount its content, for a cache mount its initial content.
    pub source: State,
    /// The path inside `source` to mount; empty for its root.
    pub selector: String,
    pub readonly: bool,
    pub kind: MountKind,
    /// Whether a writable bind mount's result is an output of the op.
    pub has_output: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountKind {
    Bind,
    Cache {
        id: String,
        sharing: CacheSharing,
    },
    Tmpfs {
        size: i64,
    },
    Secret {
        id: String,
        uid: u32,
        gid: u32,
        mode: u32,
        optional: bool,
    },
    Ssh {
        id: String,
        uid: u32,
        gid: u32,
        mode: u32,
        optional: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CacheSharing {
    Shared,
    Private,
    Locked,
}

impl Mount {
    /// A read-only bind mount of `source` (or a path in it) at `destination`.
    pub fn bind(
        destination: impl Into<String>,
        source: State,
        selector: impl Into<String>,
    ) -> Mount {
        Mount {
            destination: destination.into(),
            source,
            selector: selector.into(),
            readonly: true,
            kind: MountKind::Bind,
            has_output: false,
        }
    }

    /// A persistent cache directory at `destination`, seeded from `source` (scratch when empty).
    pub fn cache(
        destination: impl Into<String>,
        id: impl Into<String>,
        sharing: CacheSharing,
    ) -> Mount {
        Mount {
            destination: destination.into(),
            source: State::scratch(),
            selector: String::new(),
            readonly: false,
            kind: MountKind::Cache {
                id: id.into(),
                sharing,
            },
            has_output: false,
        }
    }
}

/// The states an exec op produces.
#[derive(Debug, Clone)]
pub struct ExecResult {
    vertex: Arc<Vertex>,
    mount_outputs: Vec<(String, i64)>,
}

impl ExecResult {
    /// The root filesystem after the command ran.
    pub fn root(&self) -> State {
        State::from_vertex(Arc::clone(&self.vertex), 0)
    }

    /// The content of the writable bind mount at `destination` after the command ran, if it asked
    /// for an output.
    pub fn mount(&self, destination: &str) -> Option<State> {
        self.mount_outputs
            .iter()
            .find(|(path, _)| path == destination)
            .map(|(_, index)| State::from_vertex(Arc::clone(&self.vertex), *index))
    }
}

/// An exec op over a root filesystem, ready to be built.
#[derive(Debug, Clone)]
pub(crate) struct ExecVertex {
    pub exec: Exec,
    pub root: State,
}

impl Exec {
    /// Runs this process on top of `root`.
    pub fn build(self, root: State, options: OpOptions) -> ExecResult {
        let mut next_output = 1;
        let mut mount_outputs = Vec::new();
        for mount in self.mounts_in_order() {
            if mount.produces_output() {
                mount_outputs.push((mount.destination.clone(), next_output));
                next_output += 1;
            }
        }
        let vertex = Vertex {
            op: OpKind::Exec(Box::new(ExecVertex { exec: self, root })),
            options,
        };
        ExecResult {
            vertex: Arc::new(vertex),
            mount_outputs,
        }
    }
}

impl Exec {
    /// The mounts in the order BuildKit gets them, which numbers their outputs too: BuildKit
    /// mounts in the order given, so parents must come before what is mounted inside them.
    pub(crate) fn mounts_in_order(&self) -> Vec<&Mount> {
        let mut ordered: Vec<&Mount> = self.mounts.iter().collect();
        ordered.sort_by(|left, right| left.destination.cmp(&right.destination));
        ordered
    }
}

impl Mount {
    pub(crate) fn produces_output(&self) -> bool {
        self.kind == MountKind::Bind && !self.readonly && self.has_output
    }
}
