//! CopyIgnoredFile, in: one COPY/ADD source from the build context (after expansion) and the
//! context's `.dockerignore` patterns; out: a finding when the patterns exclude the source or a
//! parent (`Attempting to <Copy|Add> file "<source>" that is excluded by .dockerignore`, the
//! source cleaned). Not experimental since 1.26 (1.19 ran it only with `experimental=`). As 1.26:
//! no finding when the patterns hold a `!` exception, and `.` or `/` only when a pattern is `*`,
//! `**` or `**/*`.

use super::super::engine::{Emitter, Rule};
use super::super::DockerIgnore;
use crate::parse::Span;

pub(crate) const RULE: Rule = Rule {
    name: "CopyIgnoredFile",
    description: "Attempting to Copy file that is excluded by .dockerignore",
    url: "https://docs.docker.com/go/dockerfile/rule/copy-ignored-file/",
    experimental: false,
};

pub(in crate::checks) fn check(
    ignore: &DockerIgnore,
    is_add: bool,
    source: &str,
    span: Span,
    emitter: &mut Emitter,
) {
    let matcher = &ignore.matcher;
    if matcher.has_exclusions() {
        return;
    }
    let source = (ignore.clean_path)(source);
    if (source == "." || source == "/") && !matcher.ignores_root() {
        return;
    }
    if matcher.matches_or_parent_matches(&source) {
        let command = if is_add { "Add" } else { "Copy" };
        let message = format!(
            "Attempting to {command} file {} that is excluded by .dockerignore",
            crate::go_quote(&source)
        );
        emitter.emit_at(&RULE, span, message);
    }
}
