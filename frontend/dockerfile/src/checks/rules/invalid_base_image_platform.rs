//! InvalidBaseImagePlatform, in: a base image, the platform the stage asked for and the platform
//! the resolved image config declares; out: a finding when OS or architecture differ. Only lowering
//! knows the resolved config, so lowering calls `check` (through `checks::base_image_platform`).

use super::super::engine::{Emitter, Rule};
use crate::checks::platform::Platform;
use crate::parse::Span;

pub(crate) const RULE: Rule = Rule {
    name: "InvalidBaseImagePlatform",
    description: "Base image platform does not match expected target platform",
    url: "",
    experimental: false,
};

pub(in crate::checks) fn check(
    image: &str,
    expected: &Platform,
    actual: &Platform,
    span: Span,
    emitter: &mut Emitter,
) {
    if expected.os != actual.os || expected.architecture != actual.architecture {
        emitter.emit_at(
            &RULE,
            span,
            format!(
                "Base image {image} was pulled with platform {}, expected {} for current build",
                crate::go_quote(&actual.format()),
                crate::go_quote(&expected.format())
            ),
        );
    }
}
