//! File ops, in: a chain of actions (copy, mkdir, mkfile, rm, symlink) applied to a base state;
//! out: the state after the last action. Invariant: paths are absolute; callers resolve them.

use std::sync::Arc;

use crate::state::{OpKind, OpOptions, State, Vertex};

/// A chain of file actions, each applied on top of the previous one's result.
#[derive(Debug, Clone)]
pub struct FileOperation {
    pub(crate) base: State,
    pub(crate) actions: Vec<FileAction>,
}

#[derive(Debug, Clone)]
pub enum FileAction {
    Copy {
        source: State,
        source_path: String,
        destination: String,
        options: CopyOptions,
    },
    Mkdir {
        path: String,
        mode: i32,
        make_parents: bool,
        owner: Option<ChownSpec>,
        /// The directories' modification time in Unix nanoseconds; `None`: the time of the build.
        timestamp: Option<i64>,
    },
    Mkfile {
        path: String,
        mode: i32,
        data: Vec<u8>,
        owner: Option<ChownSpec>,
    },
    Rm {
        path: String,
        allow_not_found: bool,
        allow_wildcard: bool,
    },
    Symlink {
        target: String,
        path: String,
        owner: Option<ChownSpec>,
    },
}

/// Options of a copy, as BuildKit's `FileActionCopy`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyOptions {
    pub owner: Option<ChownSpec>,
    /// Octal mode bits; `None` keeps the source's.
    pub mode: Option<i32>,
    /// A symbolic mode such as `u+x` (needs the `file.copy.modestr` capability).
    pub mode_string: Option<String>,
    pub follow_symlinks: bool,
    pub copy_directory_contents: bool,
    pub attempt_unpack: bool,
    pub create_destination_path: bool,
    pub allow_wildcard: bool,
    pub allow_empty_wildcard: bool,
    pub timestamp: Option<i64>,
    pub include_patterns: Vec<String>,
    pub exclude_patterns: Vec<String>,
    pub always_replace_existing_destination_paths: bool,
    pub required_paths: Vec<String>,
}

/// Owner of created files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChownSpec {
    pub user: Option<UserSpec>,
    pub group: Option<UserSpec>,
}

/// A user or group by id, or by name resolved in the base state's `/etc/passwd` or `/etc/group`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserSpec {
    Id(u32),
    Name(String),
}

impl FileOperation {
    /// Starts a chain on `base`.
    pub fn on(base: State) -> FileOperation {
        FileOperation {
            base,
            actions: Vec::new(),
        }
    }

    /// Appends an action to the chain.
    pub fn then(mut self, action: FileAction) -> FileOperation {
        self.actions.push(action);
        self
    }

    /// Whether the chain has no action yet.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// The op as a state; an empty chain is its base unchanged.
    pub fn build(self, options: OpOptions) -> State {
        if self.actions.is_empty() {
            return self.base;
        }
        State::from_vertex(
            Arc::new(Vertex {
                op: OpKind::File(self),
                options,
            }),
            0,
        )
    }
}
