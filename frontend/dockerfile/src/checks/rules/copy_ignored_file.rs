//! CopyIgnoredFile (experimental in 1.19), data only: the rule needs the build context's
//! `.dockerignore` patterns, which the Dockerfile does not hold; lowering evaluates it where it
//! reads them (see docs/build-checks.md). The message is
//! `Attempting to <Copy|Add> file "<source>" that is excluded by .dockerignore`.

use super::super::engine::Rule;

pub(crate) const RULE: Rule = Rule {
    name: "CopyIgnoredFile",
    description: "Attempting to Copy file that is excluded by .dockerignore",
    url: "https://docs.docker.com/go/dockerfile/rule/copy-ignored-file/",
    experimental: true,
};
