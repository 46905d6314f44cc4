//! MultipleInstructionsDisallowed, in: a CMD, ENTRYPOINT or HEALTHCHECK and where the previous one
//! of the same kind in the stage was; out: a finding at the previous one (the one that is ignored).

use super::super::engine::{Emitter, Rule};
use crate::parse::Span;

pub(crate) const RULE: Rule = Rule {
    name: "MultipleInstructionsDisallowed",
    description: "Multiple instructions of the same type should not be used in the same stage",
    url: "https://docs.docker.com/go/dockerfile/rule/multiple-instructions-disallowed/",
    experimental: false,
};

/// `previous` is updated to `span`.
pub(in crate::checks) fn check(
    keyword: &str,
    previous: &mut Option<Span>,
    span: Span,
    emitter: &mut Emitter,
) {
    if let Some(earlier) = previous.replace(span) {
        emitter.emit_at(
            &RULE,
            earlier,
            format!("Multiple {keyword} instructions should not be used in the same stage because only the last one will be used"),
        );
    }
}
