//! ReservedStageName, in: a stage name; out: a finding when it is `scratch` or `context`.

use super::super::engine::{Emitter, Rule};
use crate::parse::Span;

pub(crate) const RULE: Rule = Rule {
    name: "ReservedStageName",
    description: "Reserved words should not be used as stage names",
    url: "https://docs.docker.com/go/dockerfile/rule/reserved-stage-name/",
    experimental: false,
};

pub(in crate::checks) fn check(name: &str, span: Span, emitter: &mut Emitter) {
    if matches!(name, "context" | "scratch") {
        emitter.emit_at(
            &RULE,
            span,
            format!(
                "Stage name should not use the same name as reserved stage {}",
                crate::go_quote(name)
            ),
        );
    }
}
