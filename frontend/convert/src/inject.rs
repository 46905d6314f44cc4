//! The cache pass at a RUN, in: the RUN, its stage (env, user, base distribution) and the paths
//! later steps read; out: the pass's plan. Invariant: what the pass needs from the image (the
//! user's ids and home, the distribution) is looked up at most once per stage and user.

use std::collections::BTreeMap;
use std::sync::Arc;

use cachefront_cache::paths::clean_path;
use cachefront_cache::{
    is_opt_out_comment, offline_read_paths, parse_os_release, plan_run, HeredocScript, Plan,
    RunCommand, RunInput, RunUser,
};
use cachefront_dockerfile::instructions::{
    Command, CommandKind, Dockerfile, NetworkMode, Run, ShellOrExec,
};

use crate::lowering::Lowering;
use crate::offline_reads::offline_reads;
use crate::resolve::Resolver;
use crate::shell_form::default_shell;
use crate::stage_state::StageState;
use crate::stages::StageGraph;
use crate::tool_mounts::{shipped_tools, stage_exported, stage_has_descendants};

/// Plans the cache mounts of one RUN; `None` when the pass is off.
pub(crate) async fn plan_for_run<R: Resolver>(
    lowering: &Lowering<'_>,
    stage: &mut StageState,
    command: &Command,
    run: &Run,
    user_mount_targets: &[String],
    later: &[&Command],
    resolver: &mut R,
) -> Option<Plan> {
    if !lowering.cache_settings.enabled {
        return None;
    }
    let user = run_user(stage, resolver).await;
    if stage.facts.distro.is_none() {
        let release = resolver.read_file(&stage.state, "/etc/os-release").await;
        stage.facts.distro =
            Some(release.and_then(|bytes| parse_os_release(&String::from_utf8_lossy(&bytes))));
    }
    let distro = stage.facts.distro.clone().flatten();
    let mut settings = lowering
        .cache_settings
        .for_stage(Some(&stage.platform.to_string()), distro);
    let tool_image = lowering.options.tool_image.as_deref();
    settings.shipped_tools = shipped_tools(
        tool_image,
        &stage.platform,
        lowering.options.build_platform(),
    );
    settings.stage_exported = stage_exported(&lowering.graph, stage.node);
    settings.stage_has_descendants = stage_has_descendants(&lowering.graph, stage.node);
    settings.stage_has_later_runs = later
        .iter()
        .any(|other| matches!(other.kind, CommandKind::Run(_)))
        || lowering
            .descendant_runs
            .get(stage.node)
            .is_some_and(|runs| !runs.is_empty());
    let env = stage_variables(stage);
    let shell = stage
        .image
        .config
        .shell
        .clone()
        .filter(|shell| !shell.is_empty())
        .unwrap_or_else(default_shell);
    let heredocs = heredoc_scripts(run);
    let mut protected = lowering
        .protected_paths
        .get(stage.node)
        .cloned()
        .unwrap_or_default();
    // Download caches an offline RUN of this stage (or of one built on it) reads stay in the image.
    if stage.facts.offline_reads.is_none() {
        let reads_of = |other: &Command| {
            let CommandKind::Run(other_run) = &other.kind else {
                return Vec::new();
            };
            let other_heredocs = heredoc_scripts(other_run);
            offline_read_paths(&RunInput {
                command: run_command(other_run, &shell),
                heredocs: &other_heredocs,
                env: &env,
                user: &user,
                workdir: &stage.dir,
                user_mount_targets: &[],
                protected_paths: &[],
                offline: other_run.network == NetworkMode::None,
                opted_out: false,
                settings: &settings,
            })
        };
        let descendants = lowering
            .descendant_runs
            .get(stage.node)
            .map_or(&[][..], Vec::as_slice);
        let stage_runs = std::iter::once(command).chain(later.iter().copied());
        stage.facts.offline_reads = Some(offline_reads(
            stage_runs.chain(descendants.iter().copied()),
            reads_of,
        ));
    }
    let offline = stage.facts.offline_reads.iter().flatten();
    for path in offline.chain(&stage.facts.inherited_offline_reads) {
        if !protected.contains(path) {
            protected.push(path.clone());
        }
    }
    let input = RunInput {
        command: run_command(run, &shell),
        heredocs: &heredocs,
        env: &env,
        user: &user,
        workdir: &stage.dir,
        user_mount_targets,
        protected_paths: &protected,
        offline: run.network == NetworkMode::None,
        opted_out: command
            .comments
            .iter()
            .any(|comment| is_opt_out_comment(comment)),
        settings: &settings,
    };
    Some(plan_run(&input))
}

/// The stage environment as a map, rebuilt only when the environment changed since the last RUN.
fn stage_variables(stage: &mut StageState) -> Arc<BTreeMap<String, String>> {
    let revision = stage.env.revision();
    match &stage.facts.variables {
        Some((taken_at, variables)) if *taken_at == revision => Arc::clone(variables),
        _ => {
            let variables: Arc<BTreeMap<String, String>> = Arc::new(
                stage
                    .env
                    .iter()
                    .map(|(key, value)| (key.to_owned(), value.to_owned()))
                    .collect(),
            );
            stage.facts.variables = Some((revision, Arc::clone(&variables)));
            variables
        }
    }
}

/// The RUN's command as the cache pass reads it.
fn run_command<'a>(run: &'a Run, shell: &'a [String]) -> RunCommand<'a> {
    match &run.command {
        ShellOrExec::Shell(line) => RunCommand::Shell {
            script: line,
            shell,
        },
        ShellOrExec::Exec(args) => RunCommand::Exec(args),
    }
}

/// The RUN's heredocs as the cache pass reads them.
fn heredoc_scripts(run: &Run) -> Vec<HeredocScript<'_>> {
    run.heredocs
        .iter()
        .enumerate()
        .map(|(index, heredoc)| HeredocScript {
            name: &heredoc.name,
            content: &heredoc.content,
            fed_to_shell: fed_to_shell(run, index),
        })
        .collect()
}

/// Whether heredoc `index` runs as a shell script: the RUN is only that heredoc (without a
/// non-shell shebang), or a shell reads it on stdin.
fn fed_to_shell(run: &Run, index: usize) -> bool {
    let ShellOrExec::Shell(line) = &run.command else {
        return false;
    };
    let first_word = line.split_whitespace().next().unwrap_or_default();
    if first_word.starts_with("<<") {
        let content = run
            .heredocs
            .get(index)
            .map_or("", |heredoc| heredoc.content.as_str());
        return !content.starts_with("#!")
            || content
                .lines()
                .next()
                .is_some_and(|shebang| shebang.ends_with("sh"));
    }
    let program = first_word.rsplit('/').next().unwrap_or_default();
    matches!(program, "sh" | "bash" | "dash" | "ash" | "zsh")
}

/// The RUN's user: root, or the ids and home `/etc/passwd` (and `/etc/group`) of the stage give.
async fn run_user<R: Resolver>(stage: &mut StageState, resolver: &mut R) -> RunUser {
    let written = stage.user.clone();
    if let Some((user, known)) = &stage.facts.user {
        if *user == written {
            return known.clone();
        }
    }
    let (name, group) = match written.split_once(':') {
        Some((name, group)) => (name, Some(group)),
        None => (written.as_str(), None),
    };
    let resolved = if name.is_empty() || name == "root" || name == "0" {
        let mut root = RunUser::root();
        if let Some(gid) = group.and_then(|group| group.parse().ok()) {
            root.gid = gid;
        }
        root
    } else {
        let passwd = resolver
            .read_file(&stage.state, "/etc/passwd")
            .await
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default();
        let entry = passwd
            .lines()
            .filter_map(passwd_entry)
            .find(|entry| entry.name == name || entry.uid == name);
        let uid = name
            .parse()
            .ok()
            .or_else(|| entry.as_ref().and_then(|entry| entry.uid.parse().ok()))
            .unwrap_or(u32::MAX);
        let home = entry
            .as_ref()
            .map_or_else(|| "/".to_owned(), |entry| entry.home.to_owned());
        let primary_gid = entry
            .as_ref()
            .and_then(|entry| entry.gid.parse().ok())
            .unwrap_or(uid);
        let gid = match group {
            None => primary_gid,
            Some(group) => match group.parse() {
                Ok(gid) => gid,
                Err(_) => {
                    let groups = resolver
                        .read_file(&stage.state, "/etc/group")
                        .await
                        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                        .unwrap_or_default();
                    groups
                        .lines()
                        .find_map(
                            |line| match *line.split(':').collect::<Vec<_>>().as_slice() {
                                [name, _, gid, ..] if name == group => gid.parse().ok(),
                                _ => None,
                            },
                        )
                        .unwrap_or(u32::MAX)
                }
            },
        };
        RunUser { uid, gid, home }
    };
    stage.facts.user = Some((written, resolved.clone()));
    resolved
}

/// One `/etc/passwd` line with its seven fields: name, uid, primary gid and home.
struct PasswdEntry<'a> {
    name: &'a str,
    uid: &'a str,
    gid: &'a str,
    home: &'a str,
}

fn passwd_entry(line: &str) -> Option<PasswdEntry<'_>> {
    match *line.split(':').collect::<Vec<_>>().as_slice() {
        [name, _, uid, gid, _, home, _, ..] => Some(PasswdEntry {
            name,
            uid,
            gid,
            home,
        }),
        _ => None,
    }
}

/// For each stage, the paths other steps read from it: `COPY --from` sources and
/// `RUN --mount=from=` sources, as absolute paths (wildcards cut at their directory).
pub(crate) fn protected_paths(dockerfile: &Dockerfile, graph: &StageGraph) -> Vec<Vec<String>> {
    let mut protected = vec![Vec::new(); graph.nodes.len()];
    for stage in &dockerfile.stages {
        for command in &stage.commands {
            let reads: Vec<(String, String)> = match &command.kind {
                CommandKind::Copy(copy) | CommandKind::Add(copy) => copy
                    .from
                    .iter()
                    .flat_map(|from| {
                        copy.sources
                            .iter()
                            .map(move |source| (from.clone(), source.clone()))
                    })
                    .collect(),
                CommandKind::Run(run) => run
                    .mounts
                    .iter()
                    .filter_map(|mount| {
                        let source = mount.source_as_written().unwrap_or("/");
                        mount
                            .from()
                            .map(|from| (from.to_owned(), source.to_owned()))
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for (from, source) in reads {
                if let Some(node) = graph.lookup(&from) {
                    let literal: String = source
                        .split(['*', '?', '['])
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    let directory = if literal.len() == source.len() {
                        literal
                    } else {
                        literal
                            .rsplit_once('/')
                            .map_or_else(String::new, |(dir, _)| dir.to_owned())
                    };
                    if let Some(paths) = protected.get_mut(node) {
                        paths.push(clean_path(&format!("/{directory}")));
                    }
                }
            }
        }
    }
    protected
}
