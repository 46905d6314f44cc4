//! Command wrappers: `sudo`, `env`, `nice`, `timeout`, shells with `-c`, `eval`, `su`, `gosu`.
//!
//! Input: the words of one simple command. Output: an [`Unwrapped`] saying where the real
//! command starts, which env assignments and user changes the wrappers add, and whether the
//! command runs a nested script (`sh -c STRING`, a shell reading a heredoc, `eval`).
//! Invariant: an option or word that cannot be evaluated statically stops unwrapping at that
//! word, so an unknown construct is never taken for a tool.

use super::{basename, is_posix_shell, Arg, CommandAssignment, EffectiveUser};
use crate::template::{is_variable_name, VariableValue};

/// A script the command runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Nested {
    /// No nested script.
    None,
    /// `sh -c STRING`: the script is the word at this index.
    ShellString { script_arg: usize },
    /// A shell reading its script from stdin (a heredoc on this command, if any).
    ShellStdin,
    /// `eval WORDS...`: the script is the words from this index, joined by spaces.
    Eval { from: usize },
}

/// What the wrappers of one command amount to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Unwrapped {
    /// Index of the real command's name (`args.len()` when there is none).
    pub start: usize,
    /// `NAME=value` added by `env`/`sudo`.
    pub assignments: Vec<CommandAssignment>,
    /// Variables removed by `env -u`.
    pub unset: Vec<String>,
    /// Whether the env is cleared (`env -i`, `sudo` without `-E`).
    pub env_cleared: bool,
    /// The user the command runs as, when a wrapper changes it.
    pub user: Option<EffectiveUser>,
    /// A nested script.
    pub nested: Nested,
}

/// Strips wrappers from `args`.
pub(super) fn unwrap(args: &[Arg]) -> Unwrapped {
    let mut result = Unwrapped {
        start: 0,
        assignments: Vec::new(),
        unset: Vec::new(),
        env_cleared: false,
        user: None,
        nested: Nested::None,
    };
    let mut index = 0;
    while let Some(name) = args.get(index).and_then(Arg::text).map(basename) {
        let next = match name {
            "sudo" | "doas" => unwrap_sudo(args, index + 1, &mut result),
            "env" => unwrap_env(args, index + 1, &mut result),
            "nice" => skip_nice(args, index + 1),
            "nohup" | "eatmydata" | "fakeroot" | "chronic" | "unbuffer" => Some(index + 1),
            "timeout" => parse_options(args, index + 1, &["-s", "--signal", "-k", "--kill-after"])
                .map(|(next, _)| next + 1),
            "stdbuf" => parse_options(
                args,
                index + 1,
                &["-i", "-o", "-e", "--input", "--output", "--error"],
            )
            .map(|(next, _)| next),
            "ionice" => parse_options(args, index + 1, &["-c", "-n", "--class", "--classdata"])
                .map(|(next, _)| next),
            "exec" => parse_options(args, index + 1, &["-a"]).map(|(next, _)| next),
            "time" => parse_options(args, index + 1, &["-o", "-f", "--output", "--format"])
                .map(|(next, _)| next),
            "command" => match parse_options(args, index + 1, &[]) {
                Some((next, options))
                    if !options
                        .iter()
                        .any(|(option, _)| option == "-v" || option == "-V") =>
                {
                    Some(next)
                }
                _ => None,
            },
            "gosu" | "su-exec" => {
                result.user = Some(user_named(args.get(index + 1).and_then(Arg::text)));
                Some(index + 2)
            }
            "runuser" => unwrap_runuser(args, index + 1, &mut result),
            "su" => {
                unwrap_su(args, index + 1, &mut result);
                result.start = index;
                return result;
            }
            "eval" => {
                result.start = index;
                result.nested = Nested::Eval { from: index + 1 };
                return result;
            }
            shell if is_posix_shell(shell) => {
                result.start = index;
                result.nested = shell_nested(args, index + 1);
                return result;
            }
            _ => break,
        };
        match next {
            Some(next) => index = next,
            None => {
                // An option we cannot read: stop here, the command is unknown.
                index = args.len();
                break;
            }
        }
    }
    result.start = index.min(args.len());
    result
}

/// Options as (name, value) pairs, e.g. `("-u", Some("root"))`.
type ParsedOptions = Vec<(String, Option<String>)>;

/// Parses options from `index` until the first operand or `--`. Options in `with_value` take a
/// value (attached, `--long=value`, or the next word). Returns the operand index and the options.
fn parse_options(
    args: &[Arg],
    mut index: usize,
    with_value: &[&str],
) -> Option<(usize, ParsedOptions)> {
    let mut options = Vec::new();
    while let Some(arg) = args.get(index) {
        let text = arg.text()?;
        if text == "--" {
            return Some((index + 1, options));
        }
        if let Some(long) = text.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((name, value)) => (format!("--{name}"), Some(value.to_owned())),
                None => (text.to_owned(), None),
            };
            if value.is_none() && with_value.contains(&name.as_str()) {
                let value = args.get(index + 1).and_then(Arg::text)?.to_owned();
                options.push((name, Some(value)));
                index += 2;
            } else {
                options.push((name, value));
                index += 1;
            }
            continue;
        }
        let Some(cluster) = text.strip_prefix('-').filter(|cluster| !cluster.is_empty()) else {
            return Some((index, options));
        };
        index += 1;
        for (position, character) in cluster.char_indices() {
            let option = format!("-{character}");
            if with_value.contains(&option.as_str()) {
                let attached = &cluster[position + character.len_utf8()..];
                let value = if attached.is_empty() {
                    let value = args.get(index).and_then(Arg::text)?.to_owned();
                    index += 1;
                    value
                } else {
                    attached.to_owned()
                };
                options.push((option, Some(value)));
                break;
            }
            options.push((option, None));
        }
    }
    Some((index, options))
}

/// The user a `-u NAME` names.
fn user_named(name: Option<&str>) -> EffectiveUser {
    match name {
        Some("root" | "0" | "#0") => EffectiveUser::Root,
        Some(other) => EffectiveUser::Other(other.to_owned()),
        None => EffectiveUser::Other("?".to_owned()),
    }
}

/// Reads `NAME=value` words from `index`; returns the first other word's index.
fn take_assignments(args: &[Arg], mut index: usize, result: &mut Unwrapped) -> usize {
    while let Some(arg) = args.get(index) {
        let name = arg.raw.split_once('=').map(|(name, _)| name).unwrap_or("");
        if !is_variable_name(name) {
            break;
        }
        let value = match arg.text().and_then(|text| text.split_once('=')) {
            Some((_, value)) => VariableValue::Set(value.to_owned()),
            None => VariableValue::Unknown,
        };
        result.assignments.push(CommandAssignment {
            name: name.to_owned(),
            value,
            place: arg.place.clone(),
        });
        index += 1;
    }
    index
}

fn unwrap_sudo(args: &[Arg], index: usize, result: &mut Unwrapped) -> Option<usize> {
    let with_value = [
        "-u",
        "-g",
        "-C",
        "-D",
        "-h",
        "-p",
        "-r",
        "-t",
        "-U",
        "-T",
        "-R",
        "--user",
        "--group",
        "--chdir",
        "--prompt",
        "--role",
        "--type",
        "--other-user",
        "--close-from",
        "--host",
        "--command-timeout",
        "--chroot",
    ];
    let (next, options) = parse_options(args, index, &with_value)?;
    let mut user = EffectiveUser::Root;
    let mut preserve_env = false;
    for (option, value) in &options {
        match option.as_str() {
            "-u" | "--user" => user = user_named(value.as_deref()),
            "-E" => preserve_env = true,
            "--preserve-env" => preserve_env = value.is_none(),
            "-l" | "-v" | "-e" | "-k" | "-K" | "--list" | "--validate" | "--edit" => return None,
            _ => {}
        }
    }
    result.user = Some(user);
    if !preserve_env {
        result.env_cleared = true;
        result.assignments.clear();
    }
    Some(take_assignments(args, next, result))
}

fn unwrap_env(args: &[Arg], index: usize, result: &mut Unwrapped) -> Option<usize> {
    let (next, options) = parse_options(args, index, &["-u", "--unset", "-C", "--chdir", "-P"])?;
    for (option, value) in options {
        match option.as_str() {
            "-i" | "--ignore-environment" => {
                result.env_cleared = true;
                result.assignments.clear();
            }
            "-u" | "--unset" => result.unset.extend(value),
            "-S" | "--split-string" => return None,
            _ => {}
        }
    }
    // A lone `-` also clears the environment.
    let next = if args.get(next).and_then(Arg::text) == Some("-") {
        result.env_cleared = true;
        next + 1
    } else {
        next
    };
    let after = take_assignments(args, next, result);
    (after < args.len()).then_some(after)
}

fn skip_nice(args: &[Arg], index: usize) -> Option<usize> {
    match args.get(index).and_then(Arg::text) {
        Some(text)
            if text.len() > 1
                && text[1..].bytes().all(|byte| byte.is_ascii_digit())
                && text.starts_with('-') =>
        {
            Some(index + 1)
        }
        _ => parse_options(args, index, &["-n", "--adjustment"]).map(|(next, _)| next),
    }
}

fn unwrap_runuser(args: &[Arg], index: usize, result: &mut Unwrapped) -> Option<usize> {
    let (next, options) = parse_options(args, index, &["-u", "--user", "-g", "--group"])?;
    let user = options
        .iter()
        .find(|(option, _)| option == "-u" || option == "--user")
        .and_then(|(_, value)| value.as_deref());
    user?;
    result.user = Some(user_named(user));
    Some(next)
}

fn unwrap_su(args: &[Arg], index: usize, result: &mut Unwrapped) {
    let mut user = EffectiveUser::Root;
    let mut script_arg = None;
    let mut position = index;
    while let Some(arg) = args.get(position) {
        match arg.text() {
            Some("-c") => {
                script_arg = Some(position + 1);
                position += 2;
            }
            Some("-s" | "-g" | "-G" | "--shell" | "--group") => position += 2,
            Some(text) if text.starts_with('-') => position += 1,
            Some(name) => {
                user = user_named(Some(name));
                position += 1;
            }
            None => position += 1,
        }
    }
    result.user = Some(user);
    result.env_cleared = true;
    if let Some(script_arg) = script_arg.filter(|script_arg| *script_arg < args.len()) {
        result.nested = Nested::ShellString { script_arg };
    }
}

/// How a shell invocation gets its script: `-c STRING`, stdin, or a script file.
fn shell_nested(args: &[Arg], index: usize) -> Nested {
    let Some((next, options)) =
        parse_options(args, index, &["-o", "-O", "--rcfile", "--init-file"])
    else {
        return Nested::None;
    };
    // `+o name` is parsed as an operand by `parse_options`; skip such pairs here.
    let mut next = next;
    while args
        .get(next)
        .and_then(Arg::text)
        .is_some_and(|text| text.starts_with('+'))
    {
        next += if args.get(next).and_then(Arg::text) == Some("+o") {
            2
        } else {
            1
        };
    }
    let command_mode = options.iter().any(|(option, _)| option == "-c");
    if command_mode {
        if next < args.len() {
            Nested::ShellString { script_arg: next }
        } else {
            Nested::None
        }
    } else if next >= args.len() || options.iter().any(|(option, _)| option == "-s") {
        Nested::ShellStdin
    } else {
        Nested::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::words::WordValue;

    fn words(line: &str) -> Vec<Arg> {
        line.split(' ')
            .map(|word| Arg {
                raw: word.to_owned(),
                value: if word.starts_with('$') {
                    WordValue::Dynamic
                } else {
                    WordValue::Static {
                        text: word.to_owned(),
                        glob: false,
                    }
                },
                place: None,
            })
            .collect()
    }

    #[test]
    fn sudo_env_nice_chain() {
        let args = words("sudo -E env PIP_X=1 nice -n 5 pip install x");
        let unwrapped = unwrap(&args);
        assert_eq!(unwrapped.start, 7);
        assert_eq!(unwrapped.user, Some(EffectiveUser::Root));
        assert!(!unwrapped.env_cleared);
        assert_eq!(unwrapped.assignments.len(), 1);
        assert_eq!(unwrapped.assignments[0].name, "PIP_X");
    }

    #[test]
    fn sudo_other_user_and_env_reset() {
        let unwrapped = unwrap(&words("sudo -u app npm ci"));
        assert_eq!(unwrapped.start, 3);
        assert_eq!(unwrapped.user, Some(EffectiveUser::Other("app".to_owned())));
        assert!(unwrapped.env_cleared);
    }

    #[test]
    fn shells() {
        assert_eq!(
            unwrap(&words("bash -ec script")).nested,
            Nested::ShellString { script_arg: 2 }
        );
        assert_eq!(
            unwrap(&words("/bin/bash -o pipefail -c script")).nested,
            Nested::ShellString { script_arg: 4 }
        );
        assert_eq!(unwrap(&words("sh -s")).nested, Nested::ShellStdin);
        assert_eq!(unwrap(&words("sh")).nested, Nested::ShellStdin);
        assert_eq!(unwrap(&words("sh ./install.sh")).nested, Nested::None);
        assert_eq!(
            unwrap(&words("su app -c script")).nested,
            Nested::ShellString { script_arg: 3 }
        );
    }

    #[test]
    fn unknown_words_stop_unwrapping() {
        assert_eq!(unwrap(&words("env $FLAGS pip install")).start, 4);
        assert_eq!(unwrap(&words("command -v pip")).start, 3);
        assert_eq!(unwrap(&words("timeout 10 apt-get update")).start, 2);
        assert_eq!(unwrap(&words("env")).start, 1);
    }
}
