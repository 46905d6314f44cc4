//! Cache seeds from an OCI layout and from an image (`docs/ci-caches.md`): input = a one-RUN
//! Dockerfile whose cache mount has an id unique to this run; output = one test on the second
//! daemon (containerd image store: the main daemon's docker driver refuses OCI layout contexts)
//! that builds, exports the caches as an OCI layout and as an image, and after each
//! `docker builder prune -af` builds again seeded from one of them, asserting the RUN finds the
//! token the first build wrote. Invariants: every build runs on the second daemon, one after the
//! other; a missing daemon or frontend image fails the test (never skips).

// A test harness: failing loudly on a broken fixture or daemon is its job.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{ensure, Result};
use cachefront_e2e::docker::frontend_image;
use cachefront_e2e::multiplatform_daemon::{
    copy_frontend_image, require_multiplatform_daemon, run_on_multiplatform_daemon,
};
use cachefront_e2e::CommandOutput;

const TIMEOUT: Duration = Duration::from_secs(300);

/// Writes the token into an empty cache, or prints what a seeded cache holds.
const DOCKERFILE: &str = r#"FROM debian:bookworm
ARG TOKEN
RUN --mount=type=cache,target=/var/cache/seeded,id=seed-$TOKEN \
    if [ -f /var/cache/seeded/token ]; then echo "seeded with $(cat /var/cache/seeded/token)"; \
    else echo "$TOKEN" > /var/cache/seeded/token && echo "empty cache"; fi
"#;

fn build(context: &Path, token: &str, extra: &[&str]) -> Result<CommandOutput> {
    let image = frontend_image();
    let syntax = format!("BUILDKIT_SYNTAX={image}");
    let token_arg = format!("TOKEN={token}");
    let context = context.to_string_lossy();
    let mut arguments = vec![
        "buildx",
        "build",
        "--progress=plain",
        "--build-arg",
        &syntax,
        "--build-arg",
        &token_arg,
    ];
    arguments.extend_from_slice(extra);
    arguments.push(&context);
    let output = run_on_multiplatform_daemon(&arguments, TIMEOUT)?;
    ensure!(
        output.succeeded,
        "{} failed:\n{}",
        output.command,
        output.log
    );
    Ok(output)
}

fn wipe_builder() -> Result<()> {
    let output = run_on_multiplatform_daemon(&["builder", "prune", "-af"], TIMEOUT)?;
    ensure!(output.succeeded, "prune failed:\n{}", output.log);
    Ok(())
}

#[test]
fn seeds_from_an_oci_layout_and_an_image() -> Result<()> {
    require_multiplatform_daemon()?;
    copy_frontend_image(&frontend_image())?;
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
    let token = format!("{}-{nanos}", std::process::id());
    let directory = tempfile::Builder::new()
        .prefix("cachefront-e2e-seed-")
        .tempdir()?;
    let context = directory.path().join("context");
    std::fs::create_dir_all(&context)?;
    std::fs::write(context.join("Dockerfile"), DOCKERFILE)?;
    let layout = directory.path().join("layout");
    let image = format!("cachefront-e2e-seed:{token}");

    let first = build(&context, &token, &[])?;
    ensure!(
        first.log.contains("empty cache"),
        "first build:\n{}",
        first.log
    );
    let oci_output = format!("type=oci,dest={},tar=false", layout.to_string_lossy());
    let image_output = format!("type=image,name={image}");
    for output in [&oci_output, &image_output] {
        let export = build(
            &context,
            &token,
            &[
                "--build-arg",
                "CACHEFRONT_EXPORT_CACHES=1",
                "--output",
                output,
            ],
        )?;
        ensure!(
            export.log.contains("exported") && export.log.contains("in 1 file"),
            "export to {output}:\n{}",
            export.log
        );
    }

    let seeds = [
        format!("oci-layout://{}:latest", layout.to_string_lossy()),
        format!("docker-image://{image}"),
    ];
    for seed in &seeds {
        wipe_builder()?;
        let context_flag = format!("cachefront-cache={seed}");
        let seeded = build(&context, &token, &["--build-context", &context_flag])?;
        ensure!(
            seeded.log.contains(&format!("seeded with {token}")),
            "the build seeded from {seed} did not find the first build's token:\n{}",
            seeded.log
        );
    }
    run_on_multiplatform_daemon(&["image", "rm", &image], TIMEOUT)?;
    Ok(())
}
