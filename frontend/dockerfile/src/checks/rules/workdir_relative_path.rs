//! WorkdirRelativePath, in: a WORKDIR path after expansion and whether a WORKDIR of this
//! Dockerfile already ran in the stage (or its base stages); out: a finding for the first WORKDIR
//! when it is relative. A base image's working directory does not count.

use super::super::engine::{Emitter, Rule};
use crate::parse::Span;

pub(crate) const RULE: Rule = Rule {
    name: "WorkdirRelativePath",
    description: "Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes",
    url: "https://docs.docker.com/go/dockerfile/rule/workdir-relative-path/",
    experimental: false,
};

/// `windows` selects Windows path rules (`C:\x`, `\x` and `/x` are absolute there).
pub(in crate::checks) fn check(
    path: &str,
    workdir_set: bool,
    windows: bool,
    span: Span,
    emitter: &mut Emitter,
) {
    if workdir_set || is_absolute(path, windows) {
        return;
    }
    emitter.emit_at(
        &RULE,
        span,
        format!(
            "Relative workdir {} can have unexpected results if the base image changes",
            crate::go_quote(path)
        ),
    );
}

fn is_absolute(path: &str, windows: bool) -> bool {
    if !windows {
        return path.starts_with('/');
    }
    let bytes = path.as_bytes();
    let drive = bytes.get(1) == Some(&b':') && bytes.first().is_some_and(u8::is_ascii_alphabetic);
    let rest = if drive {
        bytes.get(2..).unwrap_or_default()
    } else {
        bytes
    };
    rest.first()
        .is_some_and(|first| matches!(first, b'/' | b'\\'))
}
