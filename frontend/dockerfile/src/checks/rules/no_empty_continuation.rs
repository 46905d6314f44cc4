//! NoEmptyContinuation, in: the parser's warnings; out: one finding per instruction whose
//! continuation lines include an empty one, at the line the parser reports.

use super::super::engine::{Emitter, Rule};
use crate::parse::Ast;

pub(crate) const RULE: Rule = Rule {
    name: "NoEmptyContinuation",
    description: "Empty continuation lines will become errors in a future release",
    url: "https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/",
    experimental: false,
};

pub(in crate::checks) fn check(ast: &Ast, emitter: &mut Emitter) {
    for warning in &ast.warnings {
        if warning.message.starts_with("Empty continuation line") {
            emitter.emit_at(&RULE, warning.span, "Empty continuation line".to_owned());
        }
    }
}
