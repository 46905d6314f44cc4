//! StageNameCasing, in: a FROM node; out: a finding when the name after AS is not all lowercase
//! (the name as written is quoted).

use super::super::engine::{Emitter, Rule};
use crate::parse::Node;

pub(crate) const RULE: Rule = Rule {
    name: "StageNameCasing",
    description: "Stage names should be lowercase",
    url: "https://docs.docker.com/go/dockerfile/rule/stage-name-casing/",
    experimental: false,
};

pub(in crate::checks) fn check(node: &Node, emitter: &mut Emitter) {
    if let [_, _, name] = node.args.as_slice() {
        if *name != name.to_lowercase() {
            emitter.emit_at(
                &RULE,
                node.span,
                format!("Stage name '{name}' should be lowercase"),
            );
        }
    }
}
