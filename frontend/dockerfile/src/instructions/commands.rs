//! Typing one instruction, in: a parsed `Node`; out: a FROM stage header or a `CommandKind`, or
//! BuildKit's error. Invariant: argument counts and flags are checked as BuildKit's
//! `instructions/parse.go` checks them, in the same order, so the first error is the same one.

use super::arguments::{at_least_one_argument, exactly_one_argument, no_flags, shell_or_exec};
use super::error::TypingError;
use super::flags::{parse_flags, FlagKind};
use super::healthcheck::type_healthcheck;
use super::run::type_run;
use super::types::{AddFlags, ArgDefinition, CommandKind, Copy, KeyValue, Stage};
use crate::parse::{parse_heredoc_word, Node};
use crate::suggest::Hint;

/// The instructions BuildKit knows.
pub(super) const INSTRUCTION_NAMES: &[&str] = &[
    "add",
    "arg",
    "cmd",
    "copy",
    "entrypoint",
    "env",
    "expose",
    "from",
    "healthcheck",
    "label",
    "maintainer",
    "onbuild",
    "run",
    "shell",
    "stopsignal",
    "user",
    "volume",
    "workdir",
];

/// A typed instruction: either the start of a stage or a command within one.
pub(super) enum Instruction {
    From(Stage),
    Command(CommandKind),
}

pub(super) fn type_instruction(node: &Node) -> Result<Instruction, TypingError> {
    let arguments = &node.args;
    let command = match node.keyword.as_str() {
        "from" => return type_from(node).map(Instruction::From),
        "env" => CommandKind::Env(key_values(node, "ENV")?),
        "label" => CommandKind::Label(key_values(node, "LABEL")?),
        "maintainer" => {
            let maintainer = exactly_one_argument(node, "MAINTAINER")?;
            no_flags(node)?;
            CommandKind::Maintainer(maintainer.clone())
        }
        "add" => CommandKind::Add(type_copy(node, true)?),
        "copy" => CommandKind::Copy(type_copy(node, false)?),
        "onbuild" => CommandKind::Onbuild(type_onbuild(node)?),
        "workdir" => {
            let path = exactly_one_argument(node, "WORKDIR")?;
            no_flags(node)?;
            CommandKind::Workdir(path.clone())
        }
        "run" => CommandKind::Run(type_run(node)?),
        "cmd" => {
            no_flags(node)?;
            CommandKind::Cmd(shell_or_exec(node, arguments))
        }
        "entrypoint" => {
            no_flags(node)?;
            CommandKind::Entrypoint(shell_or_exec(node, arguments))
        }
        "healthcheck" => CommandKind::Healthcheck(type_healthcheck(node)?),
        "expose" => {
            at_least_one_argument(node, "EXPOSE")?;
            no_flags(node)?;
            let mut ports = arguments.clone();
            ports.sort();
            CommandKind::Expose(ports)
        }
        "user" => {
            let user = exactly_one_argument(node, "USER")?;
            no_flags(node)?;
            CommandKind::User(user.clone())
        }
        "volume" => CommandKind::Volume(type_volume(node)?),
        // BuildKit does not look at STOPSIGNAL's flags.
        "stopsignal" => CommandKind::StopSignal(exactly_one_argument(node, "STOPSIGNAL")?.clone()),
        "arg" => CommandKind::Arg(type_arg(node)?),
        "shell" => {
            no_flags(node)?;
            at_least_one_argument(node, "SHELL")?;
            if !node.json {
                return Err(TypingError::ShellNotJson);
            }
            CommandKind::Shell(arguments.clone())
        }
        _ => return Err(unknown_instruction(node)),
    };
    Ok(Instruction::Command(command))
}

/// `unknown instruction: <keyword as written>`, with a hint when it is close to a real one.
fn unknown_instruction(node: &Node) -> TypingError {
    let written = node.original.split_whitespace().next().unwrap_or_default();
    TypingError::UnknownInstruction {
        written: written.to_owned(),
        hint: Hint::new(written, INSTRUCTION_NAMES, false),
    }
}

fn type_volume(node: &Node) -> Result<Vec<String>, TypingError> {
    at_least_one_argument(node, "VOLUME")?;
    no_flags(node)?;
    let mut volumes = Vec::with_capacity(node.args.len());
    for volume in &node.args {
        let volume = volume.trim();
        if volume.is_empty() {
            return Err(TypingError::EmptyVolume);
        }
        volumes.push(volume.to_owned());
    }
    Ok(volumes)
}

fn key_values(node: &Node, instruction: &'static str) -> Result<Vec<KeyValue>, TypingError> {
    no_flags(node)?;
    at_least_one_argument(node, instruction)?;
    if node.args.len() % 3 != 0 {
        return Err(TypingError::TooManyArguments { instruction });
    }
    let mut pairs = Vec::with_capacity(node.args.len() / 3);
    for triple in node.args.chunks(3) {
        let (key, value) = match triple {
            [key, value, _] => (key, value),
            _ => return Err(TypingError::TooManyArguments { instruction }),
        };
        if key.is_empty() {
            return Err(TypingError::BlankName { instruction });
        }
        pairs.push(KeyValue {
            key: key.clone(),
            value: value.clone(),
        });
    }
    Ok(pairs)
}

fn type_from(node: &Node) -> Result<Stage, TypingError> {
    let (base_name, name) = match node.args.as_slice() {
        [base_name, keyword, name] if keyword.eq_ignore_ascii_case("as") => {
            let lowered = name.to_lowercase();
            if !is_valid_stage_name(&lowered) {
                return Err(TypingError::InvalidStageName { name: name.clone() });
            }
            (base_name, Some(lowered))
        }
        [base_name] => (base_name, None),
        _ => return Err(TypingError::FromArguments),
    };
    let flags = parse_flags(&node.flags, &[("platform", FlagKind::Text)])?;
    Ok(Stage {
        name,
        base_name: base_name.clone(),
        platform: flags.text("platform"),
        commands: Vec::new(),
        span: node.span,
        original: node.original.trim().to_owned(),
    })
}

/// `^[a-z][a-z0-9-_.]*$`
fn is_valid_stage_name(name: &str) -> bool {
    let mut characters = name.chars();
    characters
        .next()
        .is_some_and(|first| first.is_ascii_lowercase())
        && characters.all(|character| {
            character.is_ascii_lowercase()
                || character.is_ascii_digit()
                || matches!(character, '-' | '_' | '.')
        })
}

fn type_copy(node: &Node, is_add: bool) -> Result<Copy, TypingError> {
    let instruction = if is_add { "ADD" } else { "COPY" };
    let Some((destination, sources)) = node
        .args
        .split_last()
        .filter(|(_, sources)| !sources.is_empty())
    else {
        return Err(TypingError::NoDestination { instruction });
    };
    // Declared in upstream's order (parse.go), which decides ties between flag hints.
    let accepted: &[(&str, FlagKind)] = if is_add {
        &[
            ("chown", FlagKind::Text),
            ("chmod", FlagKind::Text),
            ("link", FlagKind::Boolean),
            ("keep-git-dir", FlagKind::Boolean),
            ("checksum", FlagKind::Text),
            ("unpack", FlagKind::Boolean),
            ("exclude", FlagKind::List),
        ]
    } else {
        &[
            ("chown", FlagKind::Text),
            ("from", FlagKind::Text),
            ("chmod", FlagKind::Text),
            ("link", FlagKind::Boolean),
            ("exclude", FlagKind::List),
            ("parents", FlagKind::Boolean),
        ]
    };
    let flags = parse_flags(&node.flags, accepted)?;
    if parse_heredoc_word(destination).ok().flatten().is_some() {
        return Err(TypingError::HeredocDestination { instruction });
    }
    let sources = sources
        .iter()
        .map(|source| match parse_heredoc_word(source).ok().flatten() {
            Some(heredoc) => heredoc.name,
            None => source.clone(),
        })
        .collect();
    Ok(Copy {
        sources,
        destination: destination.clone(),
        heredocs: node.heredocs.clone(),
        from: flags.text("from"),
        chown: flags.text("chown"),
        chmod: flags.text("chmod"),
        link: flags.boolean("link").unwrap_or(false),
        parents: flags.boolean("parents").unwrap_or(false),
        excludes: flags.list("exclude"),
        add: is_add.then(|| AddFlags {
            checksum: flags.text("checksum"),
            keep_git_dir: flags.boolean("keep-git-dir"),
            unpack: flags.boolean("unpack"),
        }),
    })
}

fn type_onbuild(node: &Node) -> Result<String, TypingError> {
    let Some(child) = &node.next else {
        return Err(TypingError::AtLeastOneArgument {
            instruction: "ONBUILD",
        });
    };
    no_flags(node)?;
    let trigger = child
        .original
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_uppercase();
    match trigger.as_str() {
        "ONBUILD" => return Err(TypingError::OnbuildChain),
        "MAINTAINER" | "FROM" => return Err(TypingError::OnbuildTrigger { trigger }),
        _ => {}
    }
    let mut expression = strip_onbuild_keyword(&node.original).to_owned();
    for heredoc in &node.heredocs {
        expression.push('\n');
        expression.push_str(&heredoc.content);
        expression.push_str(&heredoc.name);
    }
    Ok(expression)
}

/// Removes `(?i)^\s*ONBUILD\s*` (Go's `\s`: tab, newline, form feed, carriage return, space).
fn strip_onbuild_keyword(original: &str) -> &str {
    let is_space = |character: char| matches!(character, '\t' | '\n' | '\u{c}' | '\r' | ' ');
    let rest = original.trim_start_matches(is_space);
    match rest.get(..7).zip(rest.get(7..)) {
        Some((keyword, after)) if keyword.eq_ignore_ascii_case("onbuild") => {
            after.trim_start_matches(is_space)
        }
        _ => original,
    }
}

/// BuildKit does not look at ARG's flags.
fn type_arg(node: &Node) -> Result<Vec<ArgDefinition>, TypingError> {
    at_least_one_argument(node, "ARG")?;
    let mut definitions = Vec::with_capacity(node.args.len());
    for argument in &node.args {
        let definition = match argument.split_once('=') {
            Some(("", _)) => return Err(TypingError::BlankName { instruction: "ARG" }),
            Some((name, default)) => ArgDefinition {
                name: name.to_owned(),
                default: Some(default.to_owned()),
            },
            None => ArgDefinition {
                name: argument.clone(),
                default: None,
            },
        };
        definitions.push(definition);
    }
    Ok(definitions)
}
