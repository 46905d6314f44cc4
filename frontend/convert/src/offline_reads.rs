//! Offline readers, in: the RUNs after a stage's first planned RUN (its own later commands and the
//! RUNs of stages built `FROM` it) and a function giving the download caches one RUN reads
//! offline; out: for any RUN of the stage, the caches a RUN after it reads. Invariant: each RUN is
//! analysed once per stage, so lowering stays linear in the number of commands.

use cachefront_dockerfile::instructions::{Command, CommandKind, Dockerfile};

use crate::stages::{Base, StageGraph};

/// The download caches that RUNs after a stage's RUNs read offline, so must stay in its image.
#[derive(Debug, Clone, Default)]
pub(crate) struct OfflineReads {
    /// RUNs of the stage itself that read something: how many commands follow each, its paths.
    in_stage: Vec<(usize, Vec<String>)>,
    /// What the RUNs of stages built `FROM` this one read: after every RUN of this stage.
    in_descendants: Vec<String>,
}

impl OfflineReads {
    /// Reads of `later` (the commands after the stage's first planned RUN) and of `descendants`.
    pub(crate) fn collect(
        later: &[&Command],
        descendants: &[&Command],
        reads_of: impl Fn(&Command) -> Vec<String>,
    ) -> OfflineReads {
        let in_stage = later
            .iter()
            .enumerate()
            .map(|(position, command)| (later.len() - position - 1, reads_of(command)))
            .filter(|(_, paths)| !paths.is_empty())
            .collect();
        let in_descendants = descendants
            .iter()
            .flat_map(|command| reads_of(command))
            .collect();
        OfflineReads {
            in_stage,
            in_descendants,
        }
    }

    /// What the RUNs after a command read, given how many commands of the stage follow it.
    pub(crate) fn after(&self, followers: usize) -> impl Iterator<Item = &String> {
        self.in_stage
            .iter()
            .filter(move |(their_followers, _)| *their_followers < followers)
            .flat_map(|(_, paths)| paths)
            .chain(&self.in_descendants)
    }
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
            let mut pending = children[root].clone();
            while let Some(index) = pending.pop() {
                if std::mem::replace(&mut visited[index], true) {
                    continue;
                }
                let node = &graph.nodes[index];
                if node.replaced_by_context || !built[index] {
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
                pending.extend(&children[index]);
            }
            runs
        })
        .collect()
}
