//! JSONArgsRecommended, in: a CMD or ENTRYPOINT and whether the image has a SHELL set; out: a
//! finding for the shell form when no SHELL is set.

use super::super::engine::{Emitter, Rule};
use crate::parse::Span;

pub(crate) const RULE: Rule = Rule {
    name: "JSONArgsRecommended",
    description: "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals",
    url: "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/",
    experimental: false,
};

pub(in crate::checks) fn check(
    keyword: &str,
    shell_form: bool,
    shell_set: bool,
    span: Span,
    emitter: &mut Emitter,
) {
    if shell_form && !shell_set {
        emitter.emit_at(
            &RULE,
            span,
            format!("JSON arguments recommended for {keyword} to prevent unintended behavior related to OS signals"),
        );
    }
}
