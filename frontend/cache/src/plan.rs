//! What the planner decides for one RUN: mounts, RUN-scoped env, and a rewritten command.
//!
//! Input: none (data types). Output: a [`Plan`] that lowering applies to the RUN's exec op.
//! Invariants: every [`CacheMount`] target is clean and absolute and differs from every other
//! mount's target; `script`/`exec_args`/`heredocs` are `Some`/non-empty only when the executed
//! command must differ from the written one (history keeps the written text).

use std::fmt;

/// How concurrent builds share a cache mount (BuildKit's `sharing=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sharing {
    /// Concurrent writers share one directory (content-addressed caches).
    #[default]
    Shared,
    /// Concurrent writers each get their own directory.
    Private,
    /// Concurrent writers wait for each other (package manager state with its own locks).
    Locked,
}

impl Sharing {
    /// Parses `shared`, `private` or `locked`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "shared" => Some(Self::Shared),
            "private" => Some(Self::Private),
            "locked" => Some(Self::Locked),
            _ => None,
        }
    }

    /// The Dockerfile spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shared => "shared",
            Self::Private => "private",
            Self::Locked => "locked",
        }
    }
}

impl fmt::Display for Sharing {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A `--mount=type=cache` the planner adds to the RUN.
///
/// Lowering maps it exactly as the stock frontend maps a hand-written cache mount: LLB cache id
/// `id` (verbatim, it is already namespaced), sharing `sharing`, and, only when any of
/// `uid`/`gid`/`mode` is `Some`, a scratch base with `mkdir /cache` owned by `uid:gid` (default
/// 0) with mode `mode` (default 0755) and source path `/cache`. Root mounts leave all three
/// `None`: a base state is part of BuildKit's cache key, so adding one (even `uid=0`) would stop
/// sharing with hand-written mounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheMount {
    /// Absolute, clean mount point.
    pub target: String,
    /// Where the tool's cache lives without cachefront (the id derives from it). Differs from
    /// `target` when the cache is relocated under `/.cachefront` through a RUN-scoped env var.
    pub cache_path: String,
    /// The cache id (already namespaced).
    pub id: String,
    /// Sharing mode.
    pub sharing: Sharing,
    /// Owner uid of the cache directory; `None` as in a hand-written mount without `uid=`.
    pub uid: Option<u32>,
    /// Owner gid of the cache directory; `None` as in a hand-written mount without `gid=`.
    pub gid: Option<u32>,
    /// Mode of the cache directory; `None` as in a hand-written mount without `mode=` (0755).
    pub mode: Option<u32>,
    /// The rule that asked for it, e.g. `pip`.
    pub rule: String,
}

/// A small file bind-mounted read-only at `path` for this RUN only.
///
/// Lowering materialises `contents` in a scratch state and mounts that file at `path`
/// read-only; BuildKit removes the empty stub it creates when `path` did not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMount {
    /// Absolute path of the file inside the container.
    pub path: String,
    /// The file's contents.
    pub contents: String,
    /// The rule that asked for it.
    pub rule: String,
}

/// A tool cachefront ships in its own image, bind-mounted read-only as one file at `target`
/// for this RUN only (see [`crate::shipped`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolMount {
    /// Absolute path of the tool inside the container, under `/.cachefront/`.
    pub target: String,
    /// The tool's file name in cachefront's image (`/bin/<tool>`), e.g. `sccache`.
    pub tool: String,
    /// The rule that asked for it.
    pub rule: String,
}

/// A heredoc whose executed body must differ from the written one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewrittenHeredoc {
    /// Index of the heredoc in `RunInput::heredocs`.
    pub index: usize,
    /// The body to execute.
    pub content: String,
}

/// The planner's decision for one RUN.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Cache mounts to add.
    pub cache_mounts: Vec<CacheMount>,
    /// Read-only files to mount for this RUN only.
    pub file_mounts: Vec<FileMount>,
    /// Tools from cachefront's image to mount read-only for this RUN only.
    pub tool_mounts: Vec<ToolMount>,
    /// Empty in-memory directories (tmpfs) private to this RUN.
    pub scratch_mounts: Vec<String>,
    /// Environment variables to set for this RUN only (not in the image config).
    pub env: Vec<(String, String)>,
    /// Environment variables to remove for this RUN only (not from the image config).
    pub env_unset: Vec<String>,
    /// The shell script to execute instead of the written one (shell form).
    pub script: Option<String>,
    /// The argv to execute instead of the written one (exec form).
    pub exec_args: Option<Vec<String>>,
    /// Heredoc bodies to execute instead of the written ones.
    pub heredocs: Vec<RewrittenHeredoc>,
    /// Argv to run in front of the executed one, which it runs as `"$@"` (a `/bin/sh -c`
    /// prologue that points cargo's target directory into its cache); empty for none.
    pub command_prefix: Vec<String>,
    /// One line per mount, file, env change and rewrite, for progress output and `explain`.
    pub explanation: Vec<String>,
    /// What was detected but not injected, and why.
    pub skipped: Vec<String>,
}

impl Plan {
    /// Whether the plan changes nothing about the RUN.
    pub fn is_empty(&self) -> bool {
        self.cache_mounts.is_empty()
            && self.file_mounts.is_empty()
            && self.tool_mounts.is_empty()
            && self.scratch_mounts.is_empty()
            && self.env.is_empty()
            && self.env_unset.is_empty()
            && self.script.is_none()
            && self.exec_args.is_none()
            && self.heredocs.is_empty()
            && self.command_prefix.is_empty()
    }

    /// Whether the executed command differs from the written one.
    pub fn rewrites_command(&self) -> bool {
        self.script.is_some()
            || self.exec_args.is_some()
            || !self.heredocs.is_empty()
            || !self.command_prefix.is_empty()
    }
}
