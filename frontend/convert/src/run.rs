//! RUN, in: the command with its flags and heredocs; out: an exec op on the stage with the user's
//! mounts plus the cache mounts the injection pass adds, and the history entry the stock frontend
//! writes (ssh mounts also set `SSH_AUTH_SOCK` for the command, as in the stock frontend;
//! `--security` sets the exec's mode; `--device`, a labs feature, is refused where the engine
//! could run it, as the stable frontend refuses it, and ignored where it could not).
//! Invariant: the history and the image never show what cachefront added.

use cachefront_dockerfile::instructions::{Command, NetworkMode, Run, SecurityMode, ShellOrExec};
use cachefront_dockerfile::parse::Span;
use cachefront_llb::{
    FileAction, FileOperation, Mount, MountKind, Network, OpMetadata, OpOptions, Security, State,
};

use cachefront_cache::{render_plan, Plan, Sharing};
use cachefront_llb::CacheSharing;

use crate::error::{located, ConvertResult};
use crate::inject::plan_for_run;
use crate::lowering::{InjectionReport, Lowering};
use crate::resolve::Resolver;
use crate::run_heredoc::heredoc_args;
use crate::run_mount::user_mounts;
use crate::run_mount_lower::cache_permissions;
use crate::run_ssh::{place_agent_sockets, AGENT_SOCKET_VARIABLE};
use crate::shell_form::with_shell;
use crate::stage_state::StageState;
use crate::tool_mounts::tool_mounts;

/// Lowers one RUN.
pub(crate) async fn lower_run<R: Resolver>(
    lowering: &mut Lowering<'_>,
    stage: &mut StageState,
    command: &Command,
    run: &Run,
    name: String,
    later: &[&Command],
    resolver: &mut R,
) -> ConvertResult<()> {
    let span = command.span;
    let (mut mounts, secret_env) = user_mounts(lowering, stage, run, span)?;
    reject_devices(lowering, run, span)?;
    let agent_socket = place_agent_sockets(&mut mounts);
    let user_targets: Vec<String> = mounts
        .iter()
        .map(|mount| mount.destination.clone())
        .collect();
    let plan = plan_for_run(
        lowering,
        stage,
        command,
        run,
        &user_targets,
        later,
        resolver,
    )
    .await
    .unwrap_or_default();
    let (history_args, _) = command_args(stage, run, &mut Vec::new());
    let (args, display_suffix) = command_args(stage, &executed_run(run, &plan), &mut mounts);
    let args = [plan.command_prefix.clone(), args].concat();
    let options = lowering.options;
    if let Some(size) = options.shm_size.filter(|size| *size > 0) {
        mounts.push(Mount {
            kind: MountKind::Tmpfs { size },
            readonly: false,
            ..Mount::bind("/dev/shm", State::scratch(), "")
        });
    }
    mounts.extend(plan_mounts(&plan, &stage.platform));
    let tool_image = options.tool_image.as_deref();
    mounts.extend(tool_mounts(&plan, tool_image, &stage.platform));
    let env = exec_environment(
        &stage.env,
        &plan.env,
        agent_socket.as_deref(),
        &plan.env_unset,
    );
    let exec = cachefront_llb::Exec {
        args,
        env,
        cwd: stage.dir.clone(),
        user: stage.user.clone(),
        hostname: options.hostname.clone().unwrap_or_default(),
        extra_hosts: options.extra_hosts.clone(),
        cgroup_parent: options.cgroup_parent.clone().unwrap_or_default(),
        network: exec_network(run.network, options.force_network_mode.as_deref()),
        security: match run.security {
            Some(SecurityMode::Insecure) => Security::Insecure,
            Some(SecurityMode::Sandbox) | None => Security::Sandbox,
        },
        secret_env,
        proxy_env: proxy_env(&options.build_args),
        ulimits: options.ulimits.clone(),
        mounts,
        ..cachefront_llb::Exec::default()
    };
    let step_name = step_name(stage, &format!("{name}{display_suffix}"), &plan);
    let explanation = render_plan(&plan);
    if !explanation.trim().is_empty() {
        lowering.injections.push(InjectionReport {
            line: span.start,
            step: step_name.clone(),
            text: explanation,
        });
    }
    let op_options = lowering.op_options(stage, command, step_name);
    stage.state = exec.build(stage.state.clone(), op_options).root();
    let history = format!("RUN {}", run_command_string(&history_args, stage));
    stage.image.commit(history, true, true, None);
    Ok(())
}

/// `RUN --device` is a labs feature: the stable frontend refuses it, but only when the engine
/// knows CDI devices (`exec.meta.cdi`); on an older engine it never looks at the flag.
fn reject_devices(lowering: &Lowering<'_>, run: &Run, span: Span) -> ConvertResult<()> {
    if run.devices.is_empty() || !lowering.options.has_llb_cap("exec.meta.cdi") {
        return Ok(());
    }
    Err(located(
        span,
        "device feature is only supported in Dockerfile frontend 1.14.0-labs or later",
    ))
}

/// The network a RUN's process gets: its `--network`, or the build's `force-network-mode`
/// (`none` or `host`) when it says `default` or nothing, as the stock frontend sets the latter
/// on the stage and the former on the exec.
fn exec_network(mode: NetworkMode, forced: Option<&str>) -> Network {
    match (mode, forced) {
        (NetworkMode::None, _) | (NetworkMode::Default, Some("none")) => Network::None,
        (NetworkMode::Host, _) | (NetworkMode::Default, Some("host")) => Network::Host,
        (NetworkMode::Default, _) => Network::Default,
    }
}

/// The progress name of the exec, numbered within the stage, with what the cache pass added
/// and what it left alone (so it shows in the build output, not only in `explain`).
fn step_name(stage: &mut StageState, name: &str, plan: &Plan) -> String {
    let mut step_name = stage.steps.next_name(name);
    if !plan.cache_mounts.is_empty() {
        // Name each cache by where its tool keeps it, which is what users know.
        let caches: Vec<String> = plan
            .cache_mounts
            .iter()
            .map(|mount| format!("{} {}", mount.rule, mount.cache_path))
            .collect();
        step_name.push_str(&format!("  [cachefront: {}]", caches.join(", ")));
    }
    if !plan.skipped.is_empty() {
        step_name.push_str(&format!(
            "  [cachefront skipped: {}]",
            plan.skipped.join("; ")
        ));
    }
    step_name
}

/// The argv a RUN executes (shell prepended for shell form) and a suffix for its progress name.
fn command_args(stage: &StageState, run: &Run, mounts: &mut Vec<Mount>) -> (Vec<String>, String) {
    let (args, suffix) = heredoc_args(stage, run, mounts);
    let args = match &run.command {
        ShellOrExec::Shell(_) => with_shell(
            &stage.image.config.shell,
            &ShellOrExec::Shell(args.join(" ")),
        ),
        ShellOrExec::Exec(_) => args,
    };
    (args, suffix)
}

/// The RUN as it executes: the plan's rewritten script, argv or heredoc bodies where it has them.
fn executed_run(run: &Run, plan: &Plan) -> Run {
    let mut executed = run.clone();
    match (&mut executed.command, &plan.script, &plan.exec_args) {
        (ShellOrExec::Shell(line), Some(script), _) => *line = script.clone(),
        (ShellOrExec::Exec(args), _, Some(rewritten)) => *args = rewritten.clone(),
        _ => {}
    }
    for rewrite in &plan.heredocs {
        if let Some(heredoc) = executed.heredocs.get_mut(rewrite.index) {
            heredoc.content = rewrite.content.clone();
        }
    }
    executed
}

/// The mounts a plan adds: cache directories, and read-only one-file mounts.
fn plan_mounts(plan: &Plan, platform: &cachefront_llb::Platform) -> Vec<Mount> {
    let mut mounts = Vec::new();
    for cache in &plan.cache_mounts {
        let sharing = match cache.sharing {
            Sharing::Shared => CacheSharing::Shared,
            Sharing::Private => CacheSharing::Private,
            Sharing::Locked => CacheSharing::Locked,
        };
        let mut mount = Mount::cache(cache.target.clone(), cache.id.clone(), sharing);
        if cache.uid.is_some() || cache.gid.is_some() || cache.mode.is_some() {
            mount.source = cache_permissions(
                State::scratch(),
                cache.uid.unwrap_or(0),
                cache.gid.unwrap_or(0),
                cache.mode.unwrap_or(0o755),
            );
            mount.selector = "/cache".to_owned();
        }
        mounts.push(mount);
    }
    for file in &plan.file_mounts {
        let content = FileOperation::on(State::scratch())
            .then(FileAction::Mkfile {
                path: "/file".to_owned(),
                mode: 0o644,
                data: file.contents.clone().into_bytes(),
                owner: None,
            })
            .build(OpOptions {
                platform: Some(platform.clone()),
                metadata: OpMetadata::named(format!(
                    "[internal] cachefront {} settings",
                    file.rule
                )),
                location: None,
            });
        mounts.push(Mount::bind(file.path.clone(), content, "/file"));
    }
    mounts
}

/// The history text of a RUN: `|N KEY=value ...` for the stage's build args, then the argv.
fn run_command_string(args: &[String], stage: &StageState) -> String {
    let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(stage.build_args.len());
    let mut positions: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (key, value) in &stage.build_args {
        let value = stage.env.get(key).or(value.as_deref()).unwrap_or_default();
        match positions.get(key.as_str()) {
            Some(&position) => {
                if let Some(pair) = pairs.get_mut(position) {
                    pair.1 = value;
                }
            }
            None => {
                positions.insert(key, pairs.len());
                pairs.push((key, value));
            }
        }
    }
    let mut text = String::new();
    if !pairs.is_empty() {
        text.push('|');
        text.push_str(&pairs.len().to_string());
        for (key, value) in pairs {
            text.push(' ');
            push_entry(&mut text, key, value);
        }
    }
    let pairs_written = !text.is_empty();
    for (index, arg) in args.iter().enumerate() {
        if index > 0 || pairs_written {
            text.push(' ');
        }
        text.push_str(arg);
    }
    text
}

/// `KEY=value` appended to `text`.
fn push_entry(text: &mut String, key: &str, value: &str) {
    text.reserve(key.len() + value.len() + 1);
    text.push_str(key);
    text.push('=');
    text.push_str(value);
}

/// The exec op's environment: the stage's, with the cache pass's variables set (in place, or
/// appended in the order first set), `SSH_AUTH_SOCK` added for an ssh mount unless already set,
/// and the variables the pass unsets left out.
fn exec_environment(
    stage_env: &crate::env::Environment,
    overrides: &[(String, String)],
    agent_socket: Option<&str>,
    unset: &[String],
) -> Vec<String> {
    let is_unset = |key: &str| unset.iter().any(|name| name == key);
    let override_of = |key: &str| {
        overrides
            .iter()
            .rev()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.as_str())
    };
    let entry = |key: &str, value: &str| {
        let mut text = String::new();
        push_entry(&mut text, key, value);
        text
    };
    let mut entries: Vec<String> = Vec::with_capacity(stage_env.len() + overrides.len() + 1);
    for (key, value) in stage_env.iter().filter(|(key, _)| !is_unset(key)) {
        entries.push(entry(key, override_of(key).unwrap_or(value)));
    }
    let mut appended: Vec<&str> = Vec::new();
    for (key, value) in overrides {
        if stage_env.get(key).is_none() && !appended.contains(&key.as_str()) && !is_unset(key) {
            appended.push(key);
            entries.push(entry(key, override_of(key).unwrap_or(value)));
        }
    }
    if let Some(socket) = agent_socket {
        let already_set = stage_env.get(AGENT_SOCKET_VARIABLE).is_some()
            || override_of(AGENT_SOCKET_VARIABLE).is_some();
        if !already_set && !is_unset(AGENT_SOCKET_VARIABLE) {
            entries.push(entry(AGENT_SOCKET_VARIABLE, socket));
        }
    }
    entries
}

/// Proxy settings from the predefined proxy build args, which stay out of history.
fn proxy_env(
    build_args: &std::collections::BTreeMap<String, String>,
) -> Option<cachefront_proto::pb::ProxyEnv> {
    let mut proxy = cachefront_proto::pb::ProxyEnv::default();
    let mut any = false;
    for (key, value) in build_args {
        let slot = match key.to_ascii_lowercase().as_str() {
            "http_proxy" => &mut proxy.http_proxy,
            "https_proxy" => &mut proxy.https_proxy,
            "ftp_proxy" => &mut proxy.ftp_proxy,
            "no_proxy" => &mut proxy.no_proxy,
            "all_proxy" => &mut proxy.all_proxy,
            _ => continue,
        };
        *slot = value.clone();
        any = true;
    }
    any.then_some(proxy)
}
