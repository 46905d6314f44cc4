//! Instructions that change the image config (and WORKDIR, which also creates its directory),
//! in: an expanded command; out: the updated stage and one history entry as the stock frontend
//! writes it. Invariant: only WORKDIR here produces an op.

use cachefront_dockerfile::go_quote_list;
use cachefront_dockerfile::instructions::{Command, CommandKind, KeyValue};
use cachefront_llb::{FileAction, FileOperation};

use crate::error::{ConvertError, ConvertResult};
use crate::image::{Empty, RuntimeConfig};
use crate::lowering::Lowering;
use crate::ownership::parse_chown;
use crate::shell_form::with_shell;
use crate::stage_state::StageState;
use crate::workdir::normalize_workdir;

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
                timestamp: lowering
                    .epoch
                    .map(|seconds| seconds.saturating_mul(1_000_000_000)),
            })
            .build(options);
    }
    stage
        .image
        .commit(format!("WORKDIR {directory}"), with_layer, false, None);
    Ok(())
}

/// Instructions that only change the config: ENV, LABEL, USER, EXPOSE, VOLUME, CMD, ENTRYPOINT,
/// SHELL, STOPSIGNAL, HEALTHCHECK, ONBUILD, MAINTAINER.
pub(crate) fn lower_config(stage: &mut StageState, kind: &CommandKind) -> ConvertResult<()> {
    let config = &mut stage.image.config;
    let message = match kind {
        CommandKind::Env(pairs) => {
            for pair in pairs {
                stage.env.set(&pair.key, &pair.value);
            }
            for pair in pairs {
                stage.image.set_env(&pair.key, &pair.value);
            }
            pairs_history("ENV", pairs)
        }
        CommandKind::Label(pairs) => {
            let labels = config.labels.get_or_insert_with(Default::default);
            for pair in pairs {
                labels.insert(pair.key.clone(), pair.value.clone());
            }
            pairs_history("LABEL", pairs)
        }
        CommandKind::User(user) => {
            config.user = user.clone();
            stage.user = user.clone();
            format!("USER {user}")
        }
        CommandKind::Expose(ports) => crate::expose::lower_expose(config, ports)?,
        CommandKind::Volume(volumes) => lower_volume(config, volumes)?,
        CommandKind::Cmd(command) => {
            let args = with_shell(&config.shell, command);
            config.cmd = Some(args.clone());
            config.args_escaped = true;
            stage.cmd_set = true;
            format!("CMD {}", go_quote_list(&args))
        }
        CommandKind::Entrypoint(command) => {
            let args = with_shell(&config.shell, command);
            config.entrypoint = Some(args.clone());
            if !stage.cmd_set {
                config.cmd = None;
            }
            format!("ENTRYPOINT {}", go_quote_list(&args))
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
            let (healthcheck, history) = crate::healthcheck::lower_healthcheck(check)?;
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

/// `ENV` and `LABEL` history: `KEYWORD k1=v1 k2=v2`, values as expanded.
fn pairs_history(keyword: &str, pairs: &[KeyValue]) -> String {
    let mut message = keyword.to_owned();
    for pair in pairs {
        message.push_str(&format!(" {}={}", pair.key, pair.value));
    }
    message
}

/// `VOLUME`: adds the volumes, refusing an empty one as upstream does.
fn lower_volume(config: &mut RuntimeConfig, volumes: &[String]) -> ConvertResult<String> {
    let set = config.volumes.get_or_insert_with(Default::default);
    for volume in volumes {
        if volume.is_empty() {
            return Err(ConvertError::new(
                "VOLUME specified can not be an empty string",
            ));
        }
        set.insert(volume.clone(), Empty {});
    }
    Ok(format!("VOLUME {}", go_list(volumes)))
}

/// Go's `%v` of a string slice: `[a b c]`.
fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}
