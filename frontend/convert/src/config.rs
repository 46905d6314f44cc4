//! Instructions that change the image config (and WORKDIR, which also creates its directory),
//! in: an expanded command; out: the updated stage and one history entry as the stock frontend
//! writes it. Invariant: only WORKDIR here produces an op.

use cachefront_dockerfile::instructions::{ArgDefinition, Command, CommandKind, ShellOrExec};
use cachefront_llb::{FileAction, FileOperation};

use crate::copy::parse_chown;
use crate::dispatch::{Lowering, StageState};
use crate::error::{located, ConvertResult};
use crate::image::Empty;

/// Build args whose values never reach the exec environment.
const NON_ENV_ARGS: [&str; 2] = ["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

/// `WORKDIR`: resolves the path against the current one and creates it, owned by the current user.
pub(crate) fn lower_workdir(
    lowering: &mut Lowering<'_>,
    stage: &mut StageState,
    command: &Command,
    path: &str,
    name: String,
) -> ConvertResult<()> {
    let directory = normalize_workdir(&stage.image.config.working_dir, path);
    stage.image.config.working_dir = directory.clone();
    stage.dir = directory.clone();
    let with_layer = directory != "/";
    if with_layer {
        let owner = if stage.user.is_empty() {
            None
        } else {
            Some(parse_chown(&stage.user))
        };
        let step_name = stage.steps.next_name(&name);
        let options = lowering.op_options(stage, command, step_name);
        stage.state = FileOperation::on(stage.state.clone())
            .then(FileAction::Mkdir {
                path: directory.clone(),
                mode: 0o755,
                make_parents: true,
                owner,
            })
            .build(options);
    }
    stage
        .image
        .commit(format!("WORKDIR {directory}"), with_layer, false, None);
    Ok(())
}

/// Joins a WORKDIR path onto the current directory and cleans it.
pub(crate) fn normalize_workdir(current: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("{}/{path}", if current.is_empty() { "/" } else { current })
    };
    clean_path(&joined)
}

/// Cleans an absolute path lexically, as Go's `path.Clean`.
pub(crate) fn clean_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

/// `ARG`: declares build arguments, taking values from the client, the default or the global scope.
pub(crate) fn lower_arg(
    lowering: &mut Lowering<'_>,
    stage: &mut StageState,
    command: &Command,
    definitions: &[ArgDefinition],
) -> ConvertResult<()> {
    let mut committed = Vec::new();
    for definition in definitions {
        let from_client = lowering.options.build_args.get(&definition.name).cloned();
        let value = match (from_client, &definition.default) {
            (Some(value), _) => Some(value),
            (None, Some(default)) => Some(
                lowering
                    .lexer
                    .expand_word(default, &stage.env)
                    .map_err(|error| located(command.span, error))?,
            ),
            (None, None) => lowering.global.get(&definition.name).map(str::to_owned),
        };
        if let Some(value) = &value {
            if !NON_ENV_ARGS.contains(&definition.name.as_str()) {
                stage.env.set(&definition.name, value);
            }
        }
        // History keeps the ARG as written, as the stock frontend of BuildKit 0.13 does.
        committed.push(match &definition.default {
            Some(default) => format!("{}={default}", definition.name),
            None => definition.name.clone(),
        });
        stage.build_args.push((definition.name.clone(), value));
    }
    stage
        .image
        .commit(format!("ARG {}", committed.join(" ")), false, false, None);
    Ok(())
}

/// Instructions that only change the config: ENV, LABEL, USER, EXPOSE, VOLUME, CMD, ENTRYPOINT,
/// SHELL, STOPSIGNAL, HEALTHCHECK, ONBUILD, MAINTAINER.
pub(crate) fn lower_config(stage: &mut StageState, kind: &CommandKind) -> ConvertResult<()> {
    let config = &mut stage.image.config;
    let message = match kind {
        CommandKind::Env(pairs) => {
            let mut message = String::from("ENV");
            for pair in pairs {
                stage.env.set(&pair.key, &pair.value);
                message.push_str(&format!(" {}={}", pair.key, pair.value));
            }
            for pair in pairs {
                stage.image.set_env(&pair.key, &pair.value);
            }
            message
        }
        CommandKind::Label(pairs) => {
            let labels = config.labels.get_or_insert_with(Default::default);
            let mut message = String::from("LABEL");
            for pair in pairs {
                labels.insert(pair.key.clone(), pair.value.clone());
                message.push_str(&format!(" {}={}", pair.key, pair.value));
            }
            message
        }
        CommandKind::User(user) => {
            config.user = user.clone();
            stage.user = user.clone();
            format!("USER {user}")
        }
        CommandKind::Expose(ports) => {
            let exposed = config.exposed_ports.get_or_insert_with(Default::default);
            let mut added: Vec<String> = ports.iter().map(|port| normalize_port(port)).collect();
            for port in &added {
                exposed.insert(port.clone(), Empty {});
            }
            // Go prints the instruction's port set as a map: sorted, `{}` values, no duplicates.
            added.sort();
            added.dedup();
            let entries: Vec<String> = added.iter().map(|port| format!("{port}:{{}}")).collect();
            format!("EXPOSE map[{}]", entries.join(" "))
        }
        CommandKind::Volume(volumes) => {
            let set = config.volumes.get_or_insert_with(Default::default);
            for volume in volumes {
                if volume.is_empty() {
                    return Err(crate::error::ConvertError::new(
                        "VOLUME specified can not be an empty string",
                    ));
                }
                set.insert(volume.clone(), Empty {});
            }
            format!("VOLUME {}", go_list(volumes))
        }
        CommandKind::Cmd(command) => {
            let args = with_shell(&config.shell, command);
            config.cmd = Some(args.clone());
            config.args_escaped = true;
            stage.cmd_set = true;
            format!("CMD {}", go_quoted_list(&args))
        }
        CommandKind::Entrypoint(command) => {
            let args = with_shell(&config.shell, command);
            config.entrypoint = Some(args.clone());
            if !stage.cmd_set {
                config.cmd = None;
            }
            format!("ENTRYPOINT {}", go_quoted_list(&args))
        }
        CommandKind::Shell(shell) => {
            config.shell = Some(shell.clone());
            format!("SHELL {}", go_list(shell))
        }
        CommandKind::StopSignal(signal) => {
            config.stop_signal = signal.clone();
            format!("STOPSIGNAL {signal}")
        }
        CommandKind::Healthcheck(check) => {
            let (healthcheck, history) = crate::healthcheck::lower_healthcheck(check)
                .map_err(crate::error::ConvertError::new)?;
            config.healthcheck = Some(healthcheck);
            history
        }
        CommandKind::Onbuild(trigger) => {
            config
                .on_build
                .get_or_insert_with(Vec::new)
                .push(trigger.clone());
            return Ok(());
        }
        CommandKind::Maintainer(name) => {
            stage.image.author = name.clone();
            format!("MAINTAINER {name}")
        }
        CommandKind::Run(_)
        | CommandKind::Copy(_)
        | CommandKind::Add(_)
        | CommandKind::Workdir(_)
        | CommandKind::Arg(_) => {
            return Ok(());
        }
    };
    stage.image.commit(message, false, false, None);
    Ok(())
}

/// Shell form runs through the image's SHELL (default `/bin/sh -c`); exec form runs as written.
pub(crate) fn with_shell(shell: &Option<Vec<String>>, command: &ShellOrExec) -> Vec<String> {
    match command {
        ShellOrExec::Exec(args) => args.clone(),
        ShellOrExec::Shell(line) => {
            let mut args = shell
                .clone()
                .filter(|shell| !shell.is_empty())
                .unwrap_or_else(|| vec!["/bin/sh".to_owned(), "-c".to_owned()]);
            args.push(line.clone());
            args
        }
    }
}

/// `80` is `80/tcp`; a protocol is lowercased.
fn normalize_port(port: &str) -> String {
    match port.split_once('/') {
        Some((number, protocol)) => format!("{number}/{}", protocol.to_lowercase()),
        None => format!("{port}/tcp"),
    }
}

/// Go's `%v` of a string slice: `[a b c]`.
fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

/// Go's `%q` of a string slice: `["a" "b"]`.
pub(crate) fn go_quoted_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| go_quote(item)).collect();
    format!("[{}]", quoted.join(" "))
}

/// Go's `%q` of a string.
pub(crate) fn go_quote(text: &str) -> String {
    let mut quoted = String::from("\"");
    for character in text.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            '\u{7}' => quoted.push_str("\\a"),
            '\u{8}' => quoted.push_str("\\b"),
            '\u{c}' => quoted.push_str("\\f"),
            '\u{b}' => quoted.push_str("\\v"),
            character if (character as u32) < 0x20 || character as u32 == 0x7f => {
                quoted.push_str(&format!("\\x{:02x}", character as u32))
            }
            character => quoted.push(character),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workdir_paths() {
        assert_eq!(normalize_workdir("/", "app"), "/app");
        assert_eq!(normalize_workdir("/app", "src/../lib/"), "/app/lib");
        assert_eq!(normalize_workdir("/app", "/x"), "/x");
        assert_eq!(normalize_workdir("", "."), "/");
    }

    #[test]
    fn go_quoting() {
        assert_eq!(
            go_quoted_list(&["/bin/sh".into(), "-c".into(), "echo \"hi\"".into()]),
            r#"["/bin/sh" "-c" "echo \"hi\""]"#
        );
    }
}
