//! Option parsing over fixture directories, in: `fixtures/options/<case>/environment` (one
//! `NAME=VALUE` environment variable a line, `#` comments); out: an insta snapshot of the typed
//! options or of the error text.
//! Invariant: every case parses without panicking; snapshots show exactly what a build would see.

// Test code may fail loudly: the workspace lints against panics are for the frontend itself.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use cachefront_gateway::FrontendOptions;

fn environment(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (name, value) = line.split_once('=').unwrap_or((line, ""));
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

#[test]
fn options_fixtures() {
    insta::glob!("fixtures/options/*/environment", |path| {
        let text = std::fs::read_to_string(path).expect("fixture is readable");
        match FrontendOptions::from_environment(environment(&text)) {
            Ok(options) => insta::assert_debug_snapshot!(options),
            Err(error) => insta::assert_snapshot!(error.to_string()),
        }
    });
}
