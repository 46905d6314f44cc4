//! The Dockerfile as the checks see it, in: the parsed `Ast` and the typed `Dockerfile` built from
//! it; out: each typed stage and command next to its AST node, and which stages a build dispatches.
//! Invariant: nodes and typed instructions are paired in order and only while their spans agree,
//! so a mismatched pair is never checked.

use crate::instructions::{Command, CommandKind, Dockerfile, Stage};
use crate::parse::{Ast, Node};

/// A typed command with its node.
pub(super) struct CommandView<'a> {
    pub(super) command: &'a Command,
    pub(super) node: &'a Node,
}

/// A stage with its FROM node and its commands.
pub(super) struct StageView<'a> {
    pub(super) stage: &'a Stage,
    pub(super) node: &'a Node,
    pub(super) commands: Vec<CommandView<'a>>,
}

/// The whole Dockerfile, paired.
pub(super) struct View<'a> {
    pub(super) meta_args: Vec<CommandView<'a>>,
    pub(super) stages: Vec<StageView<'a>>,
}

impl<'a> View<'a> {
    pub(super) fn new(ast: &'a Ast, dockerfile: &'a Dockerfile) -> View<'a> {
        let mut view = View {
            meta_args: Vec::new(),
            stages: Vec::new(),
        };
        let mut meta_args = dockerfile.meta_args.iter();
        let mut stages = dockerfile.stages.iter();
        let mut commands: std::slice::Iter<'a, Command> = [].iter();
        for node in &ast.nodes {
            if node.keyword == "from" {
                let Some(stage) = stages.next().filter(|stage| stage.span == node.span) else {
                    break;
                };
                commands = stage.commands.iter();
                view.stages.push(StageView {
                    stage,
                    node,
                    commands: Vec::new(),
                });
                continue;
            }
            let (source, target) = match view.stages.last_mut() {
                Some(stage) => (&mut commands, &mut stage.commands),
                None => (&mut meta_args, &mut view.meta_args),
            };
            let Some(command) = source.next().filter(|command| command.span == node.span) else {
                break;
            };
            target.push(CommandView { command, node });
        }
        view
    }

    /// The index of the stage named `name` (stage names are lowercase), or of the stage with that
    /// index when `name` is a number.
    pub(super) fn stage_index(&self, name: &str) -> Option<usize> {
        let lowered = name.to_lowercase();
        self.stages
            .iter()
            .position(|stage| stage.stage.name.as_deref() == Some(lowered.as_str()))
            .or_else(|| {
                name.parse::<usize>()
                    .ok()
                    .filter(|index| *index < self.stages.len())
            })
    }

    /// Which stages a build dispatches: every stage, or those the target (the last stage when
    /// `target` is `None`) depends on through FROM, `COPY --from` and `RUN --mount from=`.
    /// An unknown target dispatches nothing (BuildKit fails the build there).
    pub(super) fn dispatched_stages(&self, all: bool, target: Option<&str>) -> Vec<bool> {
        let count = self.stages.len();
        if all {
            return vec![true; count];
        }
        let mut reached = vec![false; count];
        let start = match target {
            Some(name) => self.stage_index(name),
            None => count.checked_sub(1),
        };
        let mut pending: Vec<usize> = start.into_iter().collect();
        while let Some(index) = pending.pop() {
            match reached.get_mut(index) {
                Some(seen) if !*seen => *seen = true,
                _ => continue,
            }
            pending.extend(self.dependencies(index));
        }
        reached
    }

    fn dependencies(&self, index: usize) -> Vec<usize> {
        let Some(stage) = self.stages.get(index) else {
            return Vec::new();
        };
        let mut names: Vec<&str> = vec![stage.stage.base_name.as_str()];
        for command in &stage.commands {
            match &command.command.kind {
                CommandKind::Copy(copy) => names.extend(copy.from.as_deref()),
                CommandKind::Run(_) => names.extend(mount_sources(command.node)),
                _ => {}
            }
        }
        names
            .into_iter()
            .filter_map(|name| self.stage_index(name))
            .filter(|dependency| *dependency < index)
            .collect()
    }
}

/// The `from=` values of a RUN's `--mount` flags, as written.
fn mount_sources(node: &Node) -> Vec<&str> {
    node.flags
        .iter()
        .filter_map(|flag| flag.strip_prefix("--mount="))
        .flat_map(|mount| mount.split(','))
        .filter_map(|field| {
            let (key, value) = field.split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case("from")
                .then_some(value.trim())
        })
        .collect()
}

/// The instruction keyword as written (BuildKit's `Node.Value`), e.g. `Run` for `Run echo`.
pub(super) fn keyword_as_written(node: &Node) -> &str {
    node.original
        .split_whitespace()
        .next()
        .unwrap_or(node.keyword.as_str())
}
