//! LegacyKeyValueFormat, in: an ENV or LABEL node; out: one finding per pair written as
//! `key value` (without `=`), naming the keyword as written.

use super::super::engine::{Emitter, Rule};
use crate::checks::view::keyword_as_written;
use crate::parse::Node;

pub(crate) const RULE: Rule = Rule {
    name: "LegacyKeyValueFormat",
    description: "Legacy key/value format with whitespace separator should not be used",
    url: "https://docs.docker.com/go/dockerfile/rule/legacy-key-value-format/",
    experimental: false,
};

/// Whether the pair at `index` was written without `=` (the node holds key, value, separator).
pub(in crate::checks) fn is_legacy_pair(node: &Node, index: usize) -> bool {
    node.args
        .get(index * 3 + 2)
        .is_some_and(|separator| separator.is_empty())
}

pub(in crate::checks) fn check(node: &Node, index: usize, emitter: &mut Emitter) {
    if is_legacy_pair(node, index) {
        let keyword = keyword_as_written(node);
        emitter.emit_at(
            &RULE,
            node.span,
            format!("\"{keyword} key=value\" should be used instead of legacy \"{keyword} key value\" format"),
        );
    }
}
