//! MaintainerDeprecated, in: one instruction node; out: a finding for every MAINTAINER (meta,
//! stage or unreachable alike: it is reported while typing instructions).

use super::super::engine::{Emitter, Rule};
use crate::parse::Node;

pub(crate) const RULE: Rule = Rule {
    name: "MaintainerDeprecated",
    description:
        "The MAINTAINER instruction is deprecated, use a label instead to define an image author",
    url: "https://docs.docker.com/go/dockerfile/rule/maintainer-deprecated/",
    experimental: false,
};

pub(in crate::checks) fn check(node: &Node, emitter: &mut Emitter) {
    if node.keyword == "maintainer" {
        emitter.emit_at(
            &RULE,
            node.span,
            "Maintainer instruction is deprecated in favor of using label".to_owned(),
        );
    }
}
