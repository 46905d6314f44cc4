//! Shell analysis: every command a RUN executes, with statically known words and places.
//!
//! Input: the RUN's command (shell script or exec argv), its heredocs, the effective env and
//! user. Output: an [`Analysis`]: one [`Invocation`] per simple command reached, in execution
//! order, through `&&`/`||`/`;`/`|`, subshells, groups, `if`/`for`/`while`/`case`, functions,
//! `$(...)`, `sh -c`/`bash -c` strings, heredocs fed to shells, `eval` and wrappers such as
//! `sudo`, `env`, `nice`. Invariants: parsing uses brush-parser's real shell grammar, never
//! regexes; a word's [`Place`] is only set when its text in the RUN can be edited in place
//! (the edit maps back verbatim); scripts that fail to parse yield no invocations and a problem.

mod command;
pub(crate) mod edit;
mod scope;
mod walk;
pub(crate) mod words;
mod wrappers;

use std::collections::BTreeMap;

use crate::input::{RunCommand, RunInput};
use crate::template::VariableValue;
use words::WordValue;

pub(crate) use walk::analyse;

/// A text the RUN executes that edits can target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Root {
    /// The shell-form script.
    Script,
    /// The body of `RunInput::heredocs[index]`.
    Heredoc(usize),
    /// The exec-form argv element at this index, itself a shell script (`["sh", "-c", ...]`).
    ExecArgument(usize),
}

/// Where a word sits, for edits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Place {
    /// A byte range in a root text.
    Text {
        root: Root,
        start: usize,
        end: usize,
    },
    /// An exec-form argv element.
    Argv { index: usize },
}

/// One word of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Arg {
    /// The word as written.
    pub raw: String,
    /// The value after quote removal and known expansions.
    pub value: WordValue,
    /// Where the word sits, when it can be edited in place.
    pub place: Option<Place>,
}

impl Arg {
    /// The static text, if known.
    pub(crate) fn text(&self) -> Option<&str> {
        self.value.text()
    }
}

/// A `NAME=value` attached to one command (prefix assignment or `env NAME=value`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CommandAssignment {
    /// The variable name.
    pub name: String,
    /// Its value.
    pub value: VariableValue,
    /// Where the assignment word sits, when editable.
    pub place: Option<Place>,
}

/// Who a command runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EffectiveUser {
    /// The RUN's user.
    RunUser,
    /// Root, through `sudo`, `su`, `gosu root`...
    Root,
    /// Another user whose uid and home are unknown here.
    Other(String),
}

/// One simple command the RUN executes, after wrappers are stripped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invocation {
    /// The command's words, from the command name on.
    pub args: Vec<Arg>,
    /// Assignments for this command only (`NAME=value cmd`, `env NAME=value cmd`).
    pub assignments: Vec<CommandAssignment>,
    /// The environment overlay the command sees on top of the image env: variables the script
    /// exported before it, and its own assignments.
    pub variables: BTreeMap<String, VariableValue>,
    /// Whether the image env is hidden from the command (`sudo` without `-E`, `env -i`).
    pub env_cleared: bool,
    /// The home directory the command sees.
    pub home: String,
    /// Who the command runs as.
    pub user: EffectiveUser,
    /// Whether the command may not run even when the RUN succeeds (`||`, `if`, loops, ...).
    pub conditional: bool,
    /// Execution order among all invocations.
    pub sequence: usize,
    /// The statically known working directory.
    pub cwd: Option<String>,
}

impl Invocation {
    /// The command name's basename, if static (`/usr/bin/apt-get` → `apt-get`).
    pub(crate) fn program(&self) -> Option<&str> {
        self.args.first().and_then(Arg::text).map(basename)
    }

    /// The value of an environment variable as this command sees it.
    pub(crate) fn variable(&self, name: &str, env: &BTreeMap<String, String>) -> VariableValue {
        if let Some(value) = self.variables.get(name) {
            return value.clone();
        }
        if name == "HOME" {
            return VariableValue::Set(self.home.clone());
        }
        if self.env_cleared && name != "PATH" {
            return VariableValue::Unset;
        }
        env.get(name).map_or(VariableValue::Unset, |value| {
            VariableValue::Set(value.clone())
        })
    }
}

/// The result of analysing a RUN.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Analysis {
    /// Every command reached, in execution order.
    pub invocations: Vec<Invocation>,
    /// Parts that could not be analysed, with why.
    pub problems: Vec<String>,
}

/// The basename of a command path.
pub(crate) fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Shells whose `-c` strings and stdin heredocs are analysed.
pub(crate) fn is_posix_shell(name: &str) -> bool {
    matches!(
        name,
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "mksh" | "busybox-sh"
    )
}

/// The root texts of a RUN, for applying edits.
pub(crate) fn root_text<'a>(input: &RunInput<'a>, root: Root) -> Option<&'a str> {
    match (root, input.command) {
        (Root::Script, RunCommand::Shell { script, .. }) => Some(script),
        (Root::Heredoc(index), _) => input.heredocs.get(index).map(|heredoc| heredoc.content),
        (Root::ExecArgument(index), RunCommand::Exec(argv)) => argv.get(index).map(String::as_str),
        _ => None,
    }
}
