//! The plain data lowering hands to the planner for one RUN instruction.
//!
//! Input: borrowed views of the RUN as written (shell script or exec argv, heredocs), the effective
//! environment, the user, the paths the user already mounted and the paths later steps read.
//! Output: nothing; these are passive types. Invariant: nothing here refers to other cachefront
//! crates, so lowering can build a `RunInput` from its own types without conversions in this crate.

use std::collections::BTreeMap;

use crate::settings::Settings;

/// How the RUN executes: a shell script (shell form) or an argv (exec form).
#[derive(Debug, Clone, Copy)]
pub enum RunCommand<'a> {
    /// Shell form: `script` is run as `shell... script` (default `["/bin/sh", "-c"]`).
    Shell {
        /// The script text after Dockerfile-level processing (line continuations joined). With
        /// heredocs, the command line without their bodies (`bash <<EOF`); the bodies come in
        /// `RunInput::heredocs`.
        script: &'a str,
        /// The SHELL in effect, e.g. `["/bin/sh", "-c"]`.
        shell: &'a [String],
    },
    /// Exec form: the argv exactly as written.
    Exec(&'a [String]),
}

/// A heredoc attached to the RUN (`RUN <<EOF ... EOF`).
#[derive(Debug, Clone, Copy)]
pub struct HeredocScript<'a> {
    /// The heredoc's delimiter word, e.g. `EOF`.
    pub name: &'a str,
    /// The heredoc body.
    pub content: &'a str,
    /// Whether the body runs as a shell script (the RUN is only the heredoc, or it is fed to a
    /// shell on stdin). Bodies not fed to a shell (e.g. a Python script) are not analysed.
    pub fed_to_shell: bool,
}

/// The user the RUN executes as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunUser {
    /// Numeric user id.
    pub uid: u32,
    /// Numeric group id.
    pub gid: u32,
    /// The user's home directory (from the image's passwd or `HOME`).
    pub home: String,
}

impl RunUser {
    /// The root user: uid 0, gid 0, home `/root`.
    pub fn root() -> Self {
        Self {
            uid: 0,
            gid: 0,
            home: "/root".to_owned(),
        }
    }

    /// Whether this is uid 0.
    pub fn is_root(&self) -> bool {
        self.uid == 0
    }
}

impl Default for RunUser {
    fn default() -> Self {
        Self::root()
    }
}

/// Everything the planner needs to know about one RUN.
#[derive(Debug, Clone, Copy)]
pub struct RunInput<'a> {
    /// The command as written.
    pub command: RunCommand<'a>,
    /// Heredocs attached to the RUN, in order.
    pub heredocs: &'a [HeredocScript<'a>],
    /// Effective environment at this RUN: image ENV, Dockerfile ENV and ARGs in scope.
    pub env: &'a BTreeMap<String, String>,
    /// The user the RUN executes as.
    pub user: &'a RunUser,
    /// The RUN's working directory (absolute), used to resolve relative paths in the script.
    pub workdir: &'a str,
    /// Targets of `--mount` flags the user wrote on this RUN; the user's mounts win.
    pub user_mount_targets: &'a [String],
    /// Paths later steps read from this stage (e.g. `COPY --from=this-stage` sources, or caches a
    /// later `--network=none` RUN reads, see [`crate::offline_read_paths`]). Never mounted over.
    pub protected_paths: &'a [String],
    /// Whether the RUN has no network (`--network=none`): download caches are then needed from
    /// the image itself and are never mounted over.
    pub offline: bool,
    /// Whether a `# cachefront: off` comment sits right above the RUN (see
    /// [`crate::is_opt_out_comment`]).
    pub opted_out: bool,
    /// Build-wide settings from build args, refined per stage (platform, distro).
    pub settings: &'a Settings,
}
