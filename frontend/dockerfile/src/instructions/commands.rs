//! Typing one instruction, in: a parsed `Node`; out: a FROM stage header or a `CommandKind`, or
//! BuildKit's error text. Invariant: argument counts and flags are checked as BuildKit's
//! `instructions/parse.go` checks them, in the same order, so the first error is the same one.

use super::flags::{parse_flags, FlagKind, UsedFlags};
use super::healthcheck::type_healthcheck;
use super::mount::check_mount;
use super::types::{AddFlags, ArgDefinition, CommandKind, Copy, KeyValue, Run, ShellOrExec, Stage};
use crate::parse::{parse_heredoc_word, Node};
use crate::suggest::with_suggestion;

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

pub(super) fn type_instruction(node: &Node) -> Result<Instruction, String> {
    let arguments = &node.args;
    let command = match node.keyword.as_str() {
        "from" => return type_from(node).map(Instruction::From),
        "env" => CommandKind::Env(key_values(node, "ENV")?),
        "label" => CommandKind::Label(key_values(node, "LABEL")?),
        "maintainer" => {
            exactly_one_argument(node, "MAINTAINER")?;
            no_flags(node)?;
            CommandKind::Maintainer(arguments[0].clone())
        }
        "add" => CommandKind::Add(type_copy(node, true)?),
        "copy" => CommandKind::Copy(type_copy(node, false)?),
        "onbuild" => CommandKind::Onbuild(type_onbuild(node)?),
        "workdir" => {
            exactly_one_argument(node, "WORKDIR")?;
            no_flags(node)?;
            CommandKind::Workdir(arguments[0].clone())
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
            exactly_one_argument(node, "USER")?;
            no_flags(node)?;
            CommandKind::User(arguments[0].clone())
        }
        "volume" => {
            at_least_one_argument(node, "VOLUME")?;
            no_flags(node)?;
            let mut volumes = Vec::with_capacity(arguments.len());
            for volume in arguments {
                let volume = volume.trim();
                if volume.is_empty() {
                    return Err("VOLUME specified can not be an empty string".to_owned());
                }
                volumes.push(volume.to_owned());
            }
            CommandKind::Volume(volumes)
        }
        // BuildKit does not look at STOPSIGNAL's flags.
        "stopsignal" => {
            exactly_one_argument(node, "STOPSIGNAL")?;
            CommandKind::StopSignal(arguments[0].clone())
        }
        "arg" => CommandKind::Arg(type_arg(node)?),
        "shell" => {
            no_flags(node)?;
            if arguments.is_empty() {
                return Err("SHELL requires at least one argument".to_owned());
            }
            if !node.json {
                return Err("SHELL requires the arguments to be in JSON form".to_owned());
            }
            CommandKind::Shell(arguments.clone())
        }
        _ => return Err(unknown_instruction(node)),
    };
    Ok(Instruction::Command(command))
}

/// `unknown instruction: <keyword as written>`, with a hint when it is close to a real one.
fn unknown_instruction(node: &Node) -> String {
    let written = node.original.split_whitespace().next().unwrap_or_default();
    with_suggestion(
        format!("unknown instruction: {written}"),
        written,
        INSTRUCTION_NAMES,
        false,
    )
}

fn no_flags(node: &Node) -> Result<UsedFlags, String> {
    parse_flags(&node.flags, &[])
}

fn exactly_one_argument(node: &Node, instruction: &str) -> Result<(), String> {
    if node.args.len() == 1 {
        Ok(())
    } else {
        Err(format!("{instruction} requires exactly one argument"))
    }
}

pub(super) fn at_least_one_argument(node: &Node, instruction: &str) -> Result<(), String> {
    if node.args.is_empty() {
        Err(format!("{instruction} requires at least one argument"))
    } else {
        Ok(())
    }
}

/// Exec form keeps the argv; shell form is the one command string (empty when none was given).
pub(super) fn shell_or_exec(node: &Node, arguments: &[String]) -> ShellOrExec {
    if node.json {
        ShellOrExec::Exec(arguments.to_vec())
    } else {
        ShellOrExec::Shell(arguments.join(" "))
    }
}

fn key_values(node: &Node, instruction: &str) -> Result<Vec<KeyValue>, String> {
    no_flags(node)?;
    at_least_one_argument(node, instruction)?;
    if node.args.len() % 3 != 0 {
        return Err(format!("Bad input to {instruction}, too many arguments"));
    }
    let mut pairs = Vec::with_capacity(node.args.len() / 3);
    for triple in node.args.chunks(3) {
        if triple[0].is_empty() {
            return Err(format!("{instruction} names can not be blank"));
        }
        pairs.push(KeyValue {
            key: triple[0].clone(),
            value: triple[1].clone(),
        });
    }
    Ok(pairs)
}

fn type_from(node: &Node) -> Result<Stage, String> {
    let arguments = &node.args;
    let name = match arguments.len() {
        3 if arguments[1].eq_ignore_ascii_case("as") => {
            let name = arguments[2].to_lowercase();
            if !is_valid_stage_name(&name) {
                return Err(format!(
                    "invalid name for build stage: {}, name can't start with a number or contain symbols",
                    crate::go_quote(&arguments[2])
                ));
            }
            Some(name)
        }
        1 => None,
        _ => return Err("FROM requires either one or three arguments".to_owned()),
    };
    let flags = parse_flags(&node.flags, &[("platform", FlagKind::Text)])?;
    Ok(Stage {
        name,
        base_name: arguments[0].clone(),
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

fn type_copy(node: &Node, is_add: bool) -> Result<Copy, String> {
    let instruction = if is_add { "ADD" } else { "COPY" };
    if node.args.len() < 2 {
        return Err(format!(
            "{instruction} requires at least two arguments, but only one was provided. Destination could not be determined"
        ));
    }
    let mut accepted = vec![
        ("exclude", FlagKind::List),
        ("chown", FlagKind::Text),
        ("chmod", FlagKind::Text),
        ("link", FlagKind::Boolean),
    ];
    if is_add {
        accepted.extend([
            ("keep-git-dir", FlagKind::Boolean),
            ("checksum", FlagKind::Text),
            ("unpack", FlagKind::Boolean),
        ]);
    } else {
        accepted.extend([("parents", FlagKind::Boolean), ("from", FlagKind::Text)]);
    }
    let flags = parse_flags(&node.flags, &accepted)?;
    let (destination, sources) = node.args.split_last().unwrap_or((&node.args[0], &[]));
    if parse_heredoc_word(destination).ok().flatten().is_some() {
        return Err(format!(
            "{instruction} cannot accept a heredoc as a destination"
        ));
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

fn type_onbuild(node: &Node) -> Result<String, String> {
    let Some(child) = &node.next else {
        return Err("ONBUILD requires at least one argument".to_owned());
    };
    no_flags(node)?;
    let trigger = child
        .original
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_uppercase();
    match trigger.as_str() {
        "ONBUILD" => return Err("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".to_owned()),
        "MAINTAINER" | "FROM" => {
            return Err(format!("{trigger} isn't allowed as an ONBUILD trigger"))
        }
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
    match rest.get(..7) {
        Some(keyword) if keyword.eq_ignore_ascii_case("onbuild") => {
            rest[7..].trim_start_matches(is_space)
        }
        _ => original,
    }
}

fn type_run(node: &Node) -> Result<Run, String> {
    let flags = parse_flags(
        &node.flags,
        &[
            ("mount", FlagKind::List),
            ("network", FlagKind::Text),
            ("security", FlagKind::Text),
        ],
    )?;
    let mounts = flags.list("mount");
    for mount in &mounts {
        check_mount(mount)?;
    }
    let network = flags.text("network");
    let network_mode = network.as_deref().unwrap_or("default");
    if !matches!(network_mode, "default" | "none" | "host") {
        return Err(format!(
            "invalid network mode {}",
            crate::go_quote(network_mode)
        ));
    }
    let security = flags.text("security");
    let security_mode = security.as_deref().unwrap_or("sandbox");
    if !matches!(security_mode, "sandbox" | "insecure") {
        return Err(format!(
            "security {} is not valid",
            crate::go_quote(security_mode)
        ));
    }
    Ok(Run {
        command: shell_or_exec(node, &node.args),
        heredocs: node.heredocs.clone(),
        mounts,
        network,
        security,
    })
}

/// BuildKit does not look at ARG's flags.
fn type_arg(node: &Node) -> Result<Vec<ArgDefinition>, String> {
    at_least_one_argument(node, "ARG")?;
    let mut definitions = Vec::with_capacity(node.args.len());
    for argument in &node.args {
        let definition = match argument.split_once('=') {
            Some(("", _)) => return Err("ARG names can not be blank".to_owned()),
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
