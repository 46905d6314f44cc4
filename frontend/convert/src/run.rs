//! RUN, in: the command with its flags and heredocs; out: an exec op on the stage with the user's
//! mounts plus the cache mounts the injection pass adds, and the history entry the stock frontend
//! writes. Invariant: the history and the image never show what cachefront added.

use cachefront_dockerfile::instructions::{Command, Run, ShellOrExec};
use cachefront_llb::{
    FileAction, FileOperation, Mount, MountKind, Network, OpMetadata, OpOptions, Security, State,
};

use cachefront_cache::{render_plan, Plan, Sharing};
use cachefront_llb::CacheSharing;

use crate::config::{clean_path, with_shell};
use crate::dispatch::{InjectionReport, Lowering, StageState};
use crate::error::{located, ConvertResult};
use crate::inject::plan_for_run;
use crate::resolve::Resolver;
use crate::run_mount::{parse_mount_with, MountSpec, MountType};

/// Lowers one RUN.
pub(crate) async fn lower_run<R: Resolver>(
    lowering: &mut Lowering<'_>,
    stage: &mut StageState,
    command: &Command,
    run: &Run,
    name: String,
    resolver: &mut R,
) -> ConvertResult<()> {
    let span = command.span;
    let mut mounts = Vec::new();
    for text in &run.mounts {
        let mut expand = |word: &str| {
            lowering
                .lexer
                .expand_word(word, &stage.env)
                .map_err(|error| error.to_string())
        };
        let spec = parse_mount_with(text, &mut expand).map_err(|error| located(span, error))?;
        mounts.push(lower_mount(lowering, stage, &spec).map_err(|error| located(span, error))?);
    }
    let user_targets: Vec<String> = mounts
        .iter()
        .map(|mount| mount.destination.clone())
        .collect();
    let plan = plan_for_run(lowering, stage, command, run, &user_targets, resolver)
        .await
        .unwrap_or_default();
    let history_args =
        command_args(stage, run, &mut Vec::new()).map_err(|error| located(span, error))?;
    let executed = executed_run(run, &plan);
    let (args, display_suffix) = {
        let mut heredoc_mounts = Vec::new();
        let args = command_args(stage, &executed, &mut heredoc_mounts)
            .map_err(|error| located(span, error))?;
        mounts.extend(heredoc_mounts);
        (args.0, args.1)
    };
    let options = lowering.options;
    let network = match run
        .network
        .as_deref()
        .or(options.force_network_mode.as_deref())
    {
        None | Some("default" | "sandbox") => Network::Default,
        Some("none") => Network::None,
        Some("host") => Network::Host,
        Some(other) => {
            return Err(located(
                span,
                format!("unsupported network mode \"{other}\""),
            ))
        }
    };
    let security = match run.security.as_deref() {
        None | Some("sandbox") => Security::Sandbox,
        Some("insecure") => Security::Insecure,
        Some(other) => {
            return Err(located(
                span,
                format!("unsupported security mode \"{other}\""),
            ))
        }
    };
    if let Some(size) = options.shm_size.filter(|size| *size > 0) {
        mounts.push(Mount {
            kind: MountKind::Tmpfs { size },
            readonly: false,
            ..Mount::bind("/dev/shm", State::scratch(), "")
        });
    }
    mounts.extend(plan_mounts(&plan, &stage.platform));
    let mut env = stage.env.clone();
    for (key, value) in &plan.env {
        env.set(key, value);
    }
    let env: Vec<String> = env
        .iter()
        .filter(|(key, _)| !plan.env_unset.iter().any(|unset| unset == key))
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    let exec = cachefront_llb::Exec {
        args,
        env,
        cwd: stage.dir.clone(),
        user: stage.user.clone(),
        hostname: options.hostname.clone().unwrap_or_default(),
        extra_hosts: options.extra_hosts.clone(),
        cgroup_parent: options.cgroup_parent.clone().unwrap_or_default(),
        network,
        security,
        proxy_env: proxy_env(&options.build_args),
        mounts,
        ..cachefront_llb::Exec::default()
    };
    let explanation = render_plan(&plan);
    let mut step_name = stage.steps.next_name(&format!("{name}{display_suffix}"));
    if !plan.cache_mounts.is_empty() {
        let targets: Vec<&str> = plan
            .cache_mounts
            .iter()
            .map(|mount| mount.target.as_str())
            .collect();
        step_name.push_str(&format!("  [cachefront: cache {}]", targets.join(", ")));
    }
    if !explanation.trim().is_empty() {
        lowering.injections.push(InjectionReport {
            line: span.start,
            step: step_name.clone(),
            text: explanation,
        });
    }
    let op_options = lowering.op_options(stage, command, step_name);
    stage.state = exec.build(stage.state.clone(), op_options).root();
    let history = format!("RUN {}", run_command_string(&history_args.0, stage));
    stage.image.commit(history, true, true, None);
    Ok(())
}

/// The argv a RUN executes (shell prepended for shell form) and a suffix for its progress name.
fn command_args(
    stage: &StageState,
    run: &Run,
    mounts: &mut Vec<Mount>,
) -> Result<(Vec<String>, String), String> {
    let (args, suffix) = heredoc_args(stage, run, mounts)?;
    let args = match &run.command {
        ShellOrExec::Shell(_) => with_shell(
            &stage.image.config.shell,
            &ShellOrExec::Shell(args.join(" ")),
        ),
        ShellOrExec::Exec(_) => args,
    };
    Ok((args, suffix))
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

/// The command's argv before the shell is prepended, with heredocs turned into what the stock
/// frontend runs: a lone heredoc becomes the script (mounted as a file when it has a shebang);
/// otherwise the heredoc bodies are appended for the shell to read.
fn heredoc_args(
    stage: &StageState,
    run: &Run,
    mounts: &mut Vec<Mount>,
) -> Result<(Vec<String>, String), String> {
    let line = match &run.command {
        ShellOrExec::Exec(args) => return Ok((args.clone(), String::new())),
        ShellOrExec::Shell(line) => line,
    };
    let Some(first) = run.heredocs.first() else {
        return Ok((vec![line.clone()], String::new()));
    };
    if !is_lone_heredoc(line) {
        let mut script = line.clone();
        for heredoc in &run.heredocs {
            script.push('\n');
            script.push_str(&heredoc.content);
            script.push_str(&heredoc.name);
        }
        return Ok((vec![script], String::new()));
    }
    let data = if first.chomp {
        chomp(&first.content)
    } else {
        first.content.clone()
    };
    let suffix = format!(" ({})", summarize(&first.content));
    if data.starts_with("#!") {
        let file = clean_path(&format!("/{}", first.name));
        let document = FileOperation::on(State::scratch())
            .then(FileAction::Mkfile {
                path: file.clone(),
                mode: 0o755,
                data: data.into_bytes(),
                owner: None,
            })
            .build(OpOptions {
                platform: Some(stage.platform.clone()),
                metadata: OpMetadata::named("[internal] preparing inline document"),
                location: None,
            });
        mounts.push(Mount::bind("/dev/pipes/", document, "/"));
        return Ok((vec![format!("/dev/pipes{file}")], suffix));
    }
    Ok((vec![data], suffix))
}

/// Whether the command is nothing but a heredoc marker such as `<<EOF` or `<<-'EOF'`.
fn is_lone_heredoc(line: &str) -> bool {
    let Some(rest) = line.trim().strip_prefix("<<") else {
        return false;
    };
    let rest = rest.strip_prefix('-').unwrap_or(rest).trim();
    !rest.is_empty() && !rest.contains('<') && rest.split_whitespace().count() == 1
}

/// `<<-` strips leading tabs from every line.
fn chomp(content: &str) -> String {
    content
        .split_inclusive('\n')
        .map(|line| line.trim_start_matches('\t'))
        .collect()
}

/// The first line of a heredoc, with `...` when there are more.
fn summarize(content: &str) -> String {
    let trimmed = content.trim();
    let mut lines = trimmed.lines();
    let first = lines.next().unwrap_or_default().to_owned();
    if lines.next().is_some() {
        format!("{first}...")
    } else {
        first
    }
}

/// The history text of a RUN: `|N KEY=value ...` for the stage's build args, then the argv.
fn run_command_string(args: &[String], stage: &StageState) -> String {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (key, value) in &stage.build_args {
        let value = stage
            .env
            .get(key)
            .map(str::to_owned)
            .or_else(|| value.clone())
            .unwrap_or_default();
        match pairs.iter_mut().find(|(existing, _)| existing == key) {
            Some(pair) => pair.1 = value,
            None => pairs.push((key.clone(), value)),
        }
    }
    let mut parts: Vec<String> = Vec::new();
    if !pairs.is_empty() {
        parts.push(format!("|{}", pairs.len()));
        parts.extend(
            pairs
                .into_iter()
                .map(|(key, value)| format!("{key}={value}")),
        );
    }
    parts.extend(args.iter().cloned());
    parts.join(" ")
}

/// A user-written `--mount`, as the stock frontend lowers it.
fn lower_mount(
    lowering: &Lowering<'_>,
    stage: &StageState,
    spec: &MountSpec,
) -> Result<Mount, String> {
    let target = if spec.target.starts_with('/') {
        clean_path(&spec.target)
    } else {
        clean_path(&format!("{}/{}", stage.dir, spec.target))
    };
    if target == "/"
        && matches!(
            spec.kind,
            MountType::Bind | MountType::Cache | MountType::Tmpfs
        )
    {
        return Err(format!("invalid mount target \"{target}\""));
    }
    let from_state = |reference: &str| -> Result<State, String> {
        let node = lowering
            .graph
            .lookup(reference)
            .ok_or_else(|| format!("stage {reference} not found"))?;
        lowering
            .stage_state(node)
            .map(|stage| stage.state.clone())
            .ok_or_else(|| format!("stage {reference} is not built before this one"))
    };
    let source_path = spec
        .source
        .as_deref()
        .map(|source| clean_path(&format!("/{source}")))
        .filter(|source| source != "/");
    let mount = match spec.kind {
        MountType::Tmpfs => Mount {
            kind: MountKind::Tmpfs {
                size: spec.size.unwrap_or(0),
            },
            readonly: false,
            ..Mount::bind(target, State::scratch(), "")
        },
        MountType::Secret => Mount {
            kind: MountKind::Secret {
                id: spec.id.clone().unwrap_or_default(),
                uid: spec.uid.unwrap_or(0),
                gid: spec.gid.unwrap_or(0),
                mode: spec.mode.unwrap_or(0o400),
                optional: !spec.required,
            },
            readonly: true,
            ..Mount::bind(target, State::scratch(), "")
        },
        MountType::Ssh => Mount {
            kind: MountKind::Ssh {
                id: spec.id.clone().unwrap_or_else(|| "default".to_owned()),
                uid: spec.uid.unwrap_or(0),
                gid: spec.gid.unwrap_or(0),
                mode: spec.mode.unwrap_or(0o600),
                optional: !spec.required,
            },
            readonly: true,
            ..Mount::bind(
                if spec.target.is_empty() {
                    "/run/buildkit/ssh_agent.0".to_owned()
                } else {
                    target
                },
                State::scratch(),
                "",
            )
        },
        MountType::Bind => {
            let source = match &spec.from {
                Some(reference) => from_state(reference)?,
                None => lowering.context.clone(),
            };
            Mount {
                readonly: spec.readonly,
                ..Mount::bind(target, source, source_path.unwrap_or_default())
            }
        }
        MountType::Cache => {
            let id = spec
                .id
                .clone()
                .filter(|id| !id.is_empty())
                .unwrap_or_else(|| spec.target.clone());
            let namespace = lowering
                .options
                .build_args
                .get("BUILDKIT_CACHE_MOUNT_NS")
                .cloned()
                .unwrap_or_default();
            let mut source = match &spec.from {
                Some(reference) => from_state(reference)?,
                None => State::scratch(),
            };
            let mut selector = source_path.unwrap_or_default();
            if selector.is_empty()
                && (spec.uid.is_some() || spec.gid.is_some() || spec.mode.is_some())
            {
                source = cache_permissions(
                    source,
                    spec.uid.unwrap_or(0),
                    spec.gid.unwrap_or(0),
                    spec.mode.unwrap_or(0o755),
                );
                selector = "/cache".to_owned();
            }
            Mount {
                kind: MountKind::Cache {
                    id: format!("{namespace}/{id}"),
                    sharing: spec.sharing,
                },
                readonly: spec.readonly,
                ..Mount::bind(target, source, selector)
            }
        }
    };
    Ok(mount)
}

/// The seed of a cache mount owned by `uid:gid` with `mode`: a `/cache` directory in `base`.
pub(crate) fn cache_permissions(base: State, uid: u32, gid: u32, mode: u32) -> State {
    let owner = cachefront_llb::ChownSpec {
        user: Some(cachefront_llb::UserSpec::Id(uid)),
        group: Some(cachefront_llb::UserSpec::Id(gid)),
    };
    FileOperation::on(base)
        .then(FileAction::Mkdir {
            path: "/cache".to_owned(),
            mode: i32::try_from(mode).unwrap_or(0o755),
            make_parents: false,
            owner: Some(owner),
        })
        .build(OpOptions {
            metadata: OpMetadata::named("[internal] settings cache mount permissions"),
            ..OpOptions::default()
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_heredoc_markers() {
        assert!(is_lone_heredoc("<<EOF"));
        assert!(is_lone_heredoc("<<-'EOF'"));
        assert!(!is_lone_heredoc("python3 <<EOF"));
        assert!(!is_lone_heredoc("cat <<EOF > /x"));
    }

    #[test]
    fn chomp_and_summary() {
        assert_eq!(chomp("\t\techo a\n\techo b\n"), "echo a\necho b\n");
        assert_eq!(summarize("echo a\necho b\n"), "echo a...");
        assert_eq!(summarize("  echo a\n"), "echo a");
    }
}
