//! FromPlatformFlagConstDisallowed, in: a FROM `--platform` expansion and the stage name; out: a
//! finding when no variable was used, the value parses as a platform and the stage name mentions
//! neither its OS nor its architecture.

use super::super::engine::{Emitter, Rule};
use crate::checks::platform::parse_platform;
use crate::expand::Expansion;
use crate::parse::Span;

pub(crate) const RULE: Rule = Rule {
    name: "FromPlatformFlagConstDisallowed",
    description: "FROM --platform flag should not use a constant value",
    url: "https://docs.docker.com/go/dockerfile/rule/from-platform-flag-const-disallowed/",
    experimental: false,
};

pub(in crate::checks) fn check(
    stage_name: &str,
    expansion: &Expansion,
    span: Span,
    emitter: &mut Emitter,
) {
    if !expansion.matched.is_empty() || !expansion.unmatched.is_empty() {
        return;
    }
    let Some(platform) = parse_platform(&expansion.result) else {
        return;
    };
    if stage_name.contains(&platform.os) || stage_name.contains(&platform.architecture) {
        return;
    }
    emitter.emit_at(
        &RULE,
        span,
        format!(
            "FROM --platform flag should not use constant value {}",
            crate::go_quote(&expansion.result)
        ),
    );
}
