//! DuplicateStageName, in: a stage name and the names of the stages before it; out: a finding at
//! every later stage that repeats a name.

use super::super::engine::{Emitter, Rule};
use crate::parse::Span;

pub(crate) const RULE: Rule = Rule {
    name: "DuplicateStageName",
    description: "Stage names should be unique",
    url: "https://docs.docker.com/go/dockerfile/rule/duplicate-stage-name/",
    experimental: false,
};

pub(in crate::checks) fn check(name: &str, earlier: &[&str], span: Span, emitter: &mut Emitter) {
    if earlier.contains(&name) {
        emitter.emit_at(
            &RULE,
            span,
            format!(
                "Duplicate stage name {}, stage names should be unique",
                crate::go_quote(name)
            ),
        );
    }
}
