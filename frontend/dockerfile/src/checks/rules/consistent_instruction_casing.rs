//! ConsistentInstructionCasing, in: every stage's FROM and commands (meta ARGs are not counted);
//! out: a finding for each keyword that is mixed case or does not match the majority casing
//! (lowercase only when strictly more keywords are lowercase than uppercase).

use super::super::engine::{Emitter, Rule};
use crate::checks::view::{keyword_as_written, View};
use crate::parse::Node;

pub(crate) const RULE: Rule = Rule {
    name: "ConsistentInstructionCasing",
    description:
        "All commands within the Dockerfile should use the same casing (either upper or lower)",
    url: "https://docs.docker.com/go/dockerfile/rule/consistent-instruction-casing/",
    experimental: false,
};

pub(in crate::checks) fn check(view: &View, emitter: &mut Emitter) {
    let nodes = || {
        view.stages.iter().flat_map(|stage| {
            std::iter::once(stage.node).chain(stage.commands.iter().map(|command| command.node))
        })
    };
    let (mut lower, mut upper) = (0usize, 0usize);
    for node in nodes() {
        let keyword = keyword_as_written(node);
        if keyword == keyword.to_lowercase() {
            lower += 1;
        } else if keyword == keyword.to_uppercase() {
            upper += 1;
        }
    }
    let majority_lower = lower > upper;
    for node in nodes() {
        check_node(node, majority_lower, emitter);
    }
}

fn check_node(node: &Node, majority_lower: bool, emitter: &mut Emitter) {
    let keyword = keyword_as_written(node);
    let casing = if majority_lower && keyword != keyword.to_lowercase() {
        "lowercase"
    } else if !majority_lower && keyword != keyword.to_uppercase() {
        "uppercase"
    } else {
        return;
    };
    emitter.emit_at(
        &RULE,
        node.span,
        format!("Command '{keyword}' should match the case of the command majority ({casing})"),
    );
}
