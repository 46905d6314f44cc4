//! RedundantTargetPlatform, in: a FROM `--platform` value as written and its expansion; out: a
//! finding when the only variable it used was TARGETPLATFORM and the result is exactly its value.

use super::super::engine::{Emitter, Rule};
use crate::expand::Expansion;
use crate::parse::Span;

pub(crate) const RULE: Rule = Rule {
    name: "RedundantTargetPlatform",
    description: "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior",
    url: "https://docs.docker.com/go/dockerfile/rule/redundant-target-platform/",
    experimental: false,
};

pub(in crate::checks) fn check(
    written: &str,
    expansion: &Expansion,
    target_platform: &str,
    span: Span,
    emitter: &mut Emitter,
) {
    let only_target_platform = expansion.unmatched.is_empty()
        && expansion.matched.len() == 1
        && expansion.matched.contains("TARGETPLATFORM");
    if only_target_platform && expansion.result == target_platform {
        emitter.emit_at(
            &RULE,
            span,
            format!("Setting platform to predefined {written} in FROM is redundant as this is the default behavior"),
        );
    }
}
