//! UndefinedArgInFrom, in: the variables a FROM's base name or `--platform` referred to that had no
//! value, and every name a meta ARG declares or the global scope holds; out: a finding for each
//! variable that is neither, with a "did you mean" hint one edit away.

use std::collections::BTreeSet;

use super::super::engine::{Emitter, Rule};
use crate::checks::suggestion::closest;
use crate::parse::Span;

pub(crate) const RULE: Rule = Rule {
    name: "UndefinedArgInFrom",
    description: "FROM command must use declared ARGs",
    url: "https://docs.docker.com/go/dockerfile/rule/undefined-arg-in-from/",
    experimental: false,
};

pub(in crate::checks) fn check(
    unmatched: &BTreeSet<String>,
    known: &[String],
    span: Span,
    emitter: &mut Emitter,
) {
    for name in unmatched {
        if known.contains(name) {
            continue;
        }
        let mut message = format!("FROM argument '{name}' is not declared");
        if let Some(option) = closest(name, known) {
            message.push_str(&format!(" (did you mean {option}?)"));
        }
        emitter.emit_at(&RULE, span, message);
    }
}
