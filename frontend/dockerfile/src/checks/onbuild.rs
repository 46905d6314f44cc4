//! ONBUILD triggers of a base stage, in: the stage a stage is built FROM and the child's FROM
//! lines; out: each trigger parsed and typed as a command located at the child's FROM, as BuildKit
//! runs them before the child's own commands. Invariant: a trigger that does not parse or type is
//! left out (BuildKit fails the build there).

use super::view::StageView;
use crate::instructions::{parse_dockerfile, Command, CommandKind};
use crate::parse::{parse, Node, Span};

/// The base stage's ONBUILD triggers as commands with their nodes, relocated to `span`.
pub(super) fn triggers(base: &StageView, span: Span) -> Vec<(Command, Node)> {
    base.commands
        .iter()
        .filter_map(|command| match &command.command.kind {
            CommandKind::Onbuild(expression) => trigger(expression, span),
            _ => None,
        })
        .collect()
}

fn trigger(expression: &str, span: Span) -> Option<(Command, Node)> {
    let source = format!("FROM scratch\n{expression}\n");
    let ast = parse(source.as_bytes()).ok()?;
    let dockerfile = parse_dockerfile(&ast).ok()?;
    let mut command = dockerfile.stages.first()?.commands.first()?.clone();
    let mut node = ast.nodes.get(1)?.clone();
    command.span = span;
    node.span = span;
    Some((command, node))
}
