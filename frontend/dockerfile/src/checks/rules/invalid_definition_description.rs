//! InvalidDefinitionDescription (experimental), in: a FROM with a stage name or an ARG, its
//! defined names and the comment lines right above it; out: a finding when the last comment line
//! does not start with one of the defined names followed by a space.

use super::super::engine::{Emitter, Rule};
use crate::parse::Node;

pub(crate) const RULE: Rule = Rule {
    name: "InvalidDefinitionDescription",
    description: "Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment.",
    url: "https://docs.docker.com/go/dockerfile/rule/invalid-definition-description/",
    experimental: true,
};

/// `instruction` is `FROM` or `ARG`; `names` are the stage name or the ARG names.
pub(in crate::checks) fn check(
    instruction: &str,
    names: &[&str],
    node: &Node,
    emitter: &mut Emitter,
) {
    let (Some(comment), Some(first_name)) = (node.comments.last(), names.first()) else {
        return;
    };
    let first_word = comment.split(' ').next().unwrap_or_default();
    if names.contains(&first_word) {
        return;
    }
    let example = if names.len() > 1 {
        "<arg_key>"
    } else {
        first_name
    };
    emitter.emit_at(
        &RULE,
        node.span,
        format!("Comment for {instruction} should follow the format: `# {example} <description>`"),
    );
}
