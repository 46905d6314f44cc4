//! Offline readers, in: a stage's RUNs, the RUNs of the stages built `FROM` it, and a function
//! giving the download caches one RUN reads offline; out: the caches no RUN of the stage may
//! mount. Invariant: a cache an offline RUN reads stays in the image all along the chain of
//! stages it runs in (a mount would keep it out of the image, or hide what the image has there),
//! and each RUN is analysed once per stage, so lowering stays linear in the number of commands.

use cachefront_dockerfile::instructions::{Command, CommandKind, Dockerfile};

use crate::stages::{Base, StageGraph};

/// The download caches that RUNs of `commands` read offline, each path once.
pub(crate) fn offline_reads<'a>(
    commands: impl IntoIterator<Item = &'a Command>,
    reads_of: impl Fn(&Command) -> Vec<String>,
) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    for command in commands {
        for path in reads_of(command) {
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
    }
    paths
}

/// Per graph node, the RUN commands of every stage built `FROM` it, directly or through other
/// stages, that this build runs (not stages the target does not need, nor stages a named context
/// replaces).
pub(crate) fn descendant_runs<'a>(
    dockerfile: &'a Dockerfile,
    graph: &StageGraph,
) -> Vec<Vec<&'a Command>> {
    let mut built = vec![false; graph.nodes.len()];
    for index in graph.reachable() {
        if let Some(flag) = built.get_mut(index) {
            *flag = true;
        }
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); graph.nodes.len()];
    for (index, node) in graph.nodes.iter().enumerate() {
        if let Base::Stage(base) = node.base {
            if let Some(siblings) = children.get_mut(base) {
                siblings.push(index);
            }
        }
    }
    (0..graph.nodes.len())
        .map(|root| {
            let mut runs = Vec::new();
            let mut visited = vec![false; graph.nodes.len()];
            let mut pending = children.get(root).cloned().unwrap_or_default();
            while let Some(index) = pending.pop() {
                let (Some(seen), Some(node)) = (visited.get_mut(index), graph.nodes.get(index))
                else {
                    continue;
                };
                if std::mem::replace(seen, true)
                    || node.replaced_by_context
                    || !built.get(index).copied().unwrap_or(false)
                {
                    continue;
                }
                let commands = node
                    .dockerfile_index
                    .and_then(|stage| dockerfile.stages.get(stage))
                    .map_or(&[][..], |stage| stage.commands.as_slice());
                runs.extend(
                    commands
                        .iter()
                        .filter(|command| matches!(command.kind, CommandKind::Run(_))),
                );
                pending.extend(children.get(index).into_iter().flatten());
            }
            runs
        })
        .collect()
}
