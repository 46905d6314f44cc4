//! ExposeProtoCasing, in: one EXPOSE port after expansion, split into its parts; out: a finding
//! when its protocol is not lowercase.

use super::super::engine::{Emitter, Rule};
use crate::parse::Span;

pub(crate) const RULE: Rule = Rule {
    name: "ExposeProtoCasing",
    description: "Protocol in EXPOSE instruction should be lowercase",
    url: "https://docs.docker.com/go/dockerfile/rule/expose-proto-casing/",
    experimental: false,
};

pub(in crate::checks) fn check(raw_port: &str, protocol: &str, span: Span, emitter: &mut Emitter) {
    if protocol != protocol.to_lowercase() {
        emitter.emit_at(
            &RULE,
            span,
            format!("Defined protocol '{raw_port}' in EXPOSE instruction should be lowercase"),
        );
    }
}
