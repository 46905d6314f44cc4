//! Differential end-to-end checks of cachefront against BuildKit's stock Dockerfile frontend:
//! input = fixture cases (`tests/fixtures/e2e/<case>/`), output = verdicts with readable diffs of
//! the images (file tree, config, history) built by `docker buildx build` on the real daemon.
//! Invariants: a missing Docker daemon or `cachefront:dev` image is an error (tests fail, never
//! skip); allowed differences (package-manager caches) are reported separately, never hidden.
//!
//! Entry point: [`differential`]. Pieces for other tests: [`build_image`] (one build, its log and
//! snapshot), [`snapshot_image`], [`compare_images`], [`Case`], [`Frontend`].

// A test harness: failing loudly on a broken fixture or daemon is its job.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod base_images;
pub mod case;
pub mod ci_commands;
pub mod ci_runner;
pub mod compare;
mod compare_report;
pub mod config;
pub mod differential;
pub mod docker;
pub mod download_log;
pub mod engine_differences;
pub mod error_check;
pub mod example_project;
pub mod example_verdict;
pub mod frontend;
pub mod history_rules;
pub mod http_server;
pub mod ignore;
pub mod image;
pub mod layers;
pub mod maven_repository;
pub mod multiplatform;
pub mod multiplatform_daemon;
pub mod multiplatform_tools;
pub mod oci_layout;
pub mod package_index;
pub mod sequence;
pub mod ssh_keys;
#[cfg(test)]
mod test_tar;
pub mod tree;
pub mod warnings;

pub use case::{case_names, fixtures_root, Case, ErrorExpectation, Expectation};
pub use compare::{compare_images, Comparison, Difference};
pub use config::{ConfigSnapshot, HistoryEntry};
pub use differential::{
    build_image, build_images, build_prepared, check_stock, compare_builds, differential,
    differential_case, snapshot_image, start_case_services, BuiltImage, Outcome, Verdict,
};
pub use docker::{frontend_image, BuildRequest, CommandOutput, FRONTEND_IMAGE};
pub use frontend::{Frontend, PreparedBuild};
pub use ignore::IgnorePatterns;
pub use image::ImageSnapshot;
pub use tree::{FileEntry, FileKind, FileTree};
