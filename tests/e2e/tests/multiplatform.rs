//! The multi-platform differential test: input = `tests/fixtures/multiplatform/<case>/`, built for
//! linux/amd64 and linux/386 at once as OCI output on the second daemon (scripts/setup-env starts
//! it), output = assertions that each cachefront way's output holds both platforms and that per
//! platform its file tree, config and history equal the stock frontend's, with no fallback.
//! Invariants: a missing second daemon, frontend image or static busybox fails the test with a
//! message naming scripts/setup-env (never skips); the stock images are checked to really differ
//! per platform, so equality cannot come from a build that ignored the platforms.

// A test harness: failing loudly on a broken fixture or daemon is its job.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;

use cachefront_e2e::multiplatform::{
    multiplatform_differential, multiplatform_fixtures_root, MultiPlatformVerdict, TARGET_PLATFORMS,
};
use cachefront_e2e::{case_names, compare_images, Case, FileEntry, IgnorePatterns, ImageSnapshot};
use serde_json::json;

/// The case directories that have a test below.
const LISTED_CASES: &[&str] = &["platform_lowering"];

fn run_case(name: &str) -> MultiPlatformVerdict {
    let case = match Case::load(&multiplatform_fixtures_root().join(name)) {
        Ok(case) => case,
        Err(error) => panic!("multi-platform case {name}: {error:#}"),
    };
    match multiplatform_differential(&case, &TARGET_PLATFORMS) {
        Ok(verdict) => {
            println!("{verdict}");
            assert!(verdict.passed(), "{verdict}");
            verdict
        }
        Err(error) => panic!("multi-platform case {name}: {error:#}"),
    }
}

fn platform_image<'a>(verdict: &'a MultiPlatformVerdict, platform: &str) -> &'a ImageSnapshot {
    match verdict.stock_images.get(platform) {
        Some(image) => image,
        None => panic!("the stock output has no {platform} image: {verdict}"),
    }
}

/// Asserts that `path` is a root-owned 0644 file holding exactly `content`.
fn expect_file(image: &ImageSnapshot, path: &str, content: &str) {
    assert_eq!(
        image.files.get(path),
        Some(&FileEntry::file(0o644, 0, 0, content.as_bytes())),
        "{path}"
    );
}

#[test]
fn platform_lowering() {
    let verdict = run_case("platform_lowering");
    let amd64 = platform_image(&verdict, "linux/amd64");
    let i386 = platform_image(&verdict, "linux/386");

    // The fixture really builds different images per platform (checked on stock's, which every
    // cachefront way equals): platform config fields, per-platform ARG expansion in ENV, LABEL,
    // paths, FROM stage choice, RUN on each target platform, and the build stage on the build
    // platform seeing each target platform.
    for (image, architecture, note) in [
        (amd64, "amd64", "sixty-four bit"),
        (i386, "386", "thirty-two bit"),
    ] {
        assert_eq!(
            image.config.fields.get("architecture"),
            Some(&json!(architecture))
        );
        assert_eq!(image.config.fields.get("os"), Some(&json!("linux")));
        assert_eq!(
            image.config.fields.get("Labels"),
            Some(&json!({"org.example.architecture": architecture, "org.example.os": "linux"}))
        );
        expect_file(image, "/note", &format!("{note}\n"));
        expect_file(
            image,
            &format!("/run-{architecture}.txt"),
            &format!(
                "ran for linux/{architecture} (linux/{architecture} []), built on linux/amd64\n"
            ),
        );
        expect_file(
            image,
            &format!("/build-platforms-{architecture}"),
            &format!(
                "linux/amd64 linux amd64 [] -> linux/{architecture} linux {architecture} []\n"
            ),
        );
        expect_file(
            image,
            &format!("/etc/platform-{architecture}"),
            &format!("target=linux/{architecture}\nos=linux\n"),
        );
    }
    let across_platforms = compare_images(amd64, i386, &IgnorePatterns::default(), "amd64", "386");
    assert!(
        across_platforms.differences.len() >= 10,
        "the two platforms' images should differ in many ways:\n{across_platforms}"
    );
}

#[test]
fn every_case_directory_is_listed() {
    let on_disk: BTreeSet<String> = match case_names(&multiplatform_fixtures_root()) {
        Ok(names) => names.into_iter().collect(),
        Err(error) => panic!("listing multi-platform cases: {error:#}"),
    };
    let listed: BTreeSet<String> = LISTED_CASES.iter().map(|name| name.to_string()).collect();
    assert_eq!(
        on_disk, listed,
        "every directory of tests/fixtures/multiplatform needs a test in tests/multiplatform.rs"
    );
}
