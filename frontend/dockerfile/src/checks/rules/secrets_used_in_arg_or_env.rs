//! SecretsUsedInArgOrEnv, in: an ARG or ENV name (after expansion); out: a finding when one of its
//! `_`-separated parts is a secret word (apikey, auth, credential(s), key, password, pword,
//! passwd, secret, token; any case) and none is an allowed word (`public`, and since 1.26 `file`
//! and `version`: `TOKEN_FILE`, `KEY_VERSION`).

use super::super::engine::{Emitter, Rule};
use crate::parse::Span;

pub(crate) const RULE: Rule = Rule {
    name: "SecretsUsedInArgOrEnv",
    description: "Sensitive data should not be used in the ARG or ENV commands",
    url: "https://docs.docker.com/go/dockerfile/rule/secrets-used-in-arg-or-env/",
    experimental: false,
};

const SECRET_WORDS: &[&str] = &[
    "apikey",
    "auth",
    "credential",
    "credentials",
    "key",
    "password",
    "pword",
    "passwd",
    "secret",
    "token",
];

const ALLOWED_WORDS: &[&str] = &["public", "file", "version"];

fn has_part(name: &str, words: &[&str]) -> bool {
    name.split('_')
        .any(|part| words.iter().any(|word| part.eq_ignore_ascii_case(word)))
}

pub(in crate::checks) fn check(instruction: &str, name: &str, span: Span, emitter: &mut Emitter) {
    if has_part(name, SECRET_WORDS) && !has_part(name, ALLOWED_WORDS) {
        emitter.emit_at(
            &RULE,
            span,
            format!(
                "Do not use ARG or ENV instructions for sensitive data ({instruction} {})",
                crate::go_quote(name)
            ),
        );
    }
}
