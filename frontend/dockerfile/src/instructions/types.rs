//! The typed model of a Dockerfile that lowering consumes. Strings are exactly as written
//! (unexpanded); `expand` turns them into values with a stage's environment.

use super::device::Device;
use super::mount::MountFlag;
use crate::parse::{Heredoc, Span};

/// A whole Dockerfile: the ARGs before the first FROM, then the stages in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    pub meta_args: Vec<Command>,
    pub stages: Vec<Stage>,
}

/// One `FROM ... [AS name]` and the commands that follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The name after `AS`, lowercased as BuildKit does; `None` for an unnamed stage.
    pub name: Option<String>,
    /// The image reference or stage name as written, unexpanded (`scratch` included).
    pub base_name: String,
    /// `--platform` as written, unexpanded.
    pub platform: Option<String>,
    pub commands: Vec<Command>,
    pub span: Span,
    /// The FROM line as written, for progress names and errors.
    pub original: String,
}

/// A command with its location in the Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub kind: CommandKind,
    pub span: Span,
    /// The instruction as written (continuations joined), as BuildKit's `Node.Original`.
    pub original: String,
    /// Comment lines directly above the instruction, without the leading `#` and trimmed.
    pub comments: Vec<String>,
}

/// Shell form keeps the command line as one string; exec (JSON) form keeps the argv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellOrExec {
    Shell(String),
    Exec(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandKind {
    Run(Run),
    Copy(Copy),
    /// ADD shares COPY's shape; ADD-only flags live in `Copy`'s `add` field.
    Add(Copy),
    Env(Vec<KeyValue>),
    Arg(Vec<ArgDefinition>),
    Label(Vec<KeyValue>),
    Workdir(String),
    User(String),
    Expose(Vec<String>),
    Volume(Vec<String>),
    Cmd(ShellOrExec),
    Entrypoint(ShellOrExec),
    Shell(Vec<String>),
    StopSignal(String),
    Healthcheck(Healthcheck),
    /// The trigger instruction as written after `ONBUILD`.
    Onbuild(String),
    Maintainer(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgDefinition {
    pub name: String,
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub command: ShellOrExec,
    /// Heredocs attached to the instruction, in order.
    pub heredocs: Vec<Heredoc>,
    /// Each `--device` (a labs feature: lowering refuses any).
    pub devices: Vec<Device>,
    /// Each `--mount`, read as far as it can be before the stage's environment is known;
    /// `MountFlag::expand` types it with that environment.
    pub mounts: Vec<MountFlag>,
    /// `--network`; `Default` when not given.
    pub network: NetworkMode,
    /// `--security`, when given.
    pub security: Option<SecurityMode>,
}

/// `RUN --network`: `Default` leaves the build's network mode (`force-network-mode`) in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NetworkMode {
    #[default]
    Default,
    None,
    Host,
}

/// `RUN --security`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityMode {
    Sandbox,
    Insecure,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    /// Sources as written; for a heredoc source, the heredoc's name.
    pub sources: Vec<String>,
    pub destination: String,
    pub heredocs: Vec<Heredoc>,
    pub from: Option<String>,
    pub chown: Option<String>,
    pub chmod: Option<String>,
    pub link: bool,
    pub parents: bool,
    pub excludes: Vec<String>,
    /// Flags only ADD accepts; `None` for COPY.
    pub add: Option<AddFlags>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AddFlags {
    pub checksum: Option<String>,
    pub keep_git_dir: Option<bool>,
    pub unpack: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Healthcheck {
    None,
    Check {
        test: ShellOrExec,
        interval: Option<String>,
        timeout: Option<String>,
        start_period: Option<String>,
        start_interval: Option<String>,
        retries: Option<String>,
    },
}
