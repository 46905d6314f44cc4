//! FromAsCasing, in: a FROM node; out: a finding when `FROM` is all upper (lower) case and `AS`
//! is not. A mixed-case `From` is left to ConsistentInstructionCasing.

use super::super::engine::{Emitter, Rule};
use crate::checks::view::keyword_as_written;
use crate::parse::Node;

pub(crate) const RULE: Rule = Rule {
    name: "FromAsCasing",
    description: "The 'as' keyword should match the case of the 'from' keyword",
    url: "https://docs.docker.com/go/dockerfile/rule/from-as-casing/",
    experimental: false,
};

pub(in crate::checks) fn check(node: &Node, emitter: &mut Emitter) {
    let [_, as_word, _] = node.args.as_slice() else {
        return;
    };
    let from = keyword_as_written(node);
    let matches = if from == from.to_lowercase() {
        *as_word == as_word.to_lowercase()
    } else if from == from.to_uppercase() {
        *as_word == as_word.to_uppercase()
    } else {
        true
    };
    if !matches {
        emitter.emit_at(
            &RULE,
            node.span,
            format!("'{as_word}' and '{from}' keywords' casing do not match"),
        );
    }
}
