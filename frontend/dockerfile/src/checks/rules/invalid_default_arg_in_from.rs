//! InvalidDefaultArgInFrom, in: each stage's base name expanded with the meta ARG defaults only
//! (no build arguments); out: a finding for every stage whose result is not a valid image
//! reference. An expansion error ends the rule for the whole Dockerfile, as upstream.

use super::super::engine::{Emitter, Rule};
use crate::checks::reference::is_valid_reference;
use crate::checks::view::View;
use crate::expand::{Lexer, Lookup};

pub(crate) const RULE: Rule = Rule {
    name: "InvalidDefaultArgInFrom",
    description: "Default value for global ARG results in an empty or invalid base image name",
    url: "https://docs.docker.com/go/dockerfile/rule/invalid-default-arg-in-from/",
    experimental: false,
};

pub(in crate::checks) fn check(
    view: &View,
    lexer: &Lexer,
    default_env: &dyn Lookup,
    emitter: &mut Emitter,
) {
    for stage in &view.stages {
        let Ok(name) = lexer.expand_word(&stage.stage.base_name, default_env) else {
            return;
        };
        if !is_valid_reference(&name) {
            emitter.emit_at(
                &RULE,
                stage.stage.span,
                format!(
                    "Default value for ARG {} results in empty or invalid base image name",
                    stage.stage.base_name
                ),
            );
        }
    }
}
