//! UndefinedVar, in: the variables one expanded word referred to that had no value, the ARG names
//! the stage declared and the environment's names; out: a finding for each variable that is not a
//! declared ARG (nor an SBOM switch), with a "did you mean $X" hint. Only evaluated where the whole
//! environment is known (see `dispatch`).

use std::collections::BTreeSet;

use super::super::engine::{Emitter, Rule};
use crate::checks::suggestion::closest;
use crate::parse::Span;

pub(crate) const RULE: Rule = Rule {
    name: "UndefinedVar",
    description: "Variables should be defined before their use",
    url: "https://docs.docker.com/go/dockerfile/rule/undefined-var/",
    experimental: false,
};

/// ARGs that never become environment variables.
pub(in crate::checks) const NON_ENV_ARGS: &[&str] =
    &["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

pub(in crate::checks) fn check(
    unmatched: &BTreeSet<String>,
    declared: &[String],
    environment_names: &[String],
    span: Span,
    emitter: &mut Emitter,
) {
    for name in unmatched {
        if declared.contains(name) || NON_ENV_ARGS.contains(&name.as_str()) {
            continue;
        }
        let mut message = format!("Usage of undefined variable '${name}'");
        if let Some(option) = closest(name, environment_names) {
            message.push_str(&format!(" (did you mean ${option}?)"));
        }
        emitter.emit_at(&RULE, span, message);
    }
}
