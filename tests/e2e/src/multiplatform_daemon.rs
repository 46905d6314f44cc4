//! The second Docker daemon that multi-platform tests build on: input = `docker` commands for it
//! and the main daemon's frontend image, output = command results on that daemon, and the
//! frontend image present there. Invariants: the daemon must answer and use the containerd image
//! store (the main daemon's classic store refuses multi-platform builds and the OCI exporter), or
//! the test fails with a message naming scripts/setup-env, never skips; the frontend image is
//! copied from the main daemon whenever the copy there is not the main daemon's current image.

use std::sync::Mutex;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::docker::{run_docker, CommandOutput, COMMAND_TIMEOUT};

/// Where scripts/lib/multiplatform-daemon.sh makes the second daemon listen.
pub const MULTIPLATFORM_DOCKER_HOST: &str = "unix:///var/run/cachefront-multiplatform/docker.sock";

/// The repository of the tag that records which main-daemon image a copied frontend image is:
/// `<repository>:<hex of the main daemon's image ID>` (the same tag the setup script writes).
pub const FRONTEND_SOURCE_REPOSITORY: &str = "cachefront-multiplatform-source";

/// What the driver status of a daemon with the containerd image store names.
const CONTAINERD_SNAPSHOTTER: &str = "io.containerd.snapshotter";

const SETUP_HINT: &str = "start it with scripts/setup-env (scripts/lib/multiplatform-daemon.sh)";

/// Runs `docker --host <second daemon> <arguments>` with a time limit.
pub fn run_on_multiplatform_daemon<S: AsRef<str>>(
    arguments: &[S],
    timeout: Duration,
) -> Result<CommandOutput> {
    let mut full_arguments: Vec<&str> = vec!["--host", MULTIPLATFORM_DOCKER_HOST];
    full_arguments.extend(arguments.iter().map(AsRef::as_ref));
    run_docker(&full_arguments, timeout)
}

/// Fails with a clear message unless the second daemon answers with the containerd image store.
pub fn require_multiplatform_daemon() -> Result<()> {
    let output = run_on_multiplatform_daemon(
        &["info", "--format", "{{json .DriverStatus}}"],
        COMMAND_TIMEOUT,
    )
    .with_context(|| format!("the multi-platform Docker daemon is required; {SETUP_HINT}"))?;
    if !output.succeeded {
        bail!(
            "the multi-platform Docker daemon at {MULTIPLATFORM_DOCKER_HOST} does not answer; \
             {SETUP_HINT}:\n{}",
            output.log.trim_end()
        );
    }
    if !output.log.contains(CONTAINERD_SNAPSHOTTER) {
        bail!(
            "the Docker daemon at {MULTIPLATFORM_DOCKER_HOST} does not use the containerd image \
             store (driver status {}); stop it and rerun scripts/setup-env",
            output.log.trim()
        );
    }
    Ok(())
}

/// The image ID of `reference` on the main daemon (`docker`) or on the second one.
fn image_id(reference: &str, on_multiplatform_daemon: bool) -> Result<Option<String>> {
    let arguments = ["image", "inspect", "--format", "{{.Id}}", reference];
    let output = if on_multiplatform_daemon {
        run_on_multiplatform_daemon(&arguments, COMMAND_TIMEOUT)?
    } else {
        run_docker(&arguments, COMMAND_TIMEOUT)?
    };
    Ok(output
        .succeeded
        .then(|| output.log.trim().to_string())
        .filter(|id| !id.is_empty()))
}

/// The tag recording that an image in the second daemon is the main daemon's `main_id`.
pub fn source_tag(main_id: &str) -> String {
    let hex = main_id.strip_prefix("sha256:").unwrap_or(main_id);
    format!("{FRONTEND_SOURCE_REPOSITORY}:{hex}")
}

fn require_success(output: CommandOutput) -> Result<CommandOutput> {
    if !output.succeeded {
        bail!("`{}` failed:\n{}", output.command, output.log.trim_end());
    }
    Ok(output)
}

/// Makes the second daemon's `image` the main daemon's current `image`: `docker save` on the
/// main daemon, `docker load` and the source tag on the second (dropping older source tags),
/// unless the source tag already names the image that `image` names there. Calls are
/// serialized within the process.
pub fn copy_frontend_image(image: &str) -> Result<()> {
    static COPYING: Mutex<()> = Mutex::new(());
    let _guard = COPYING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let Some(main_id) = image_id(image, false)? else {
        bail!("image {image} is missing in the main Docker daemon; build it with scripts/build-frontend");
    };
    let tag = source_tag(&main_id);
    let copied_id = image_id(image, true)?;
    if copied_id.is_some() && copied_id == image_id(&tag, true)? {
        return Ok(());
    }
    let directory = tempfile::Builder::new()
        .prefix("cachefront-e2e-frontend-")
        .tempdir()
        .context("creating a temporary directory for the frontend image")?;
    let archive = directory.path().join("frontend.tar");
    let archive_path = archive.to_string_lossy();
    require_success(run_docker(
        &["save", "--output", &archive_path, image],
        COMMAND_TIMEOUT,
    )?)?;
    require_success(run_on_multiplatform_daemon(
        &["load", "--input", &archive_path],
        COMMAND_TIMEOUT,
    )?)?;
    require_success(run_on_multiplatform_daemon(
        &["tag", image, &tag],
        COMMAND_TIMEOUT,
    )?)?;
    remove_other_source_tags(&tag)
}

/// Removes the source tags of earlier copies, and with them the earlier frontend images, which
/// would otherwise pile up (scripts/test rebuilds the frontend on every run).
fn remove_other_source_tags(current_tag: &str) -> Result<()> {
    let listing = require_success(run_on_multiplatform_daemon(
        &[
            "image",
            "ls",
            "--format",
            "{{.Repository}}:{{.Tag}}",
            FRONTEND_SOURCE_REPOSITORY,
        ],
        COMMAND_TIMEOUT,
    )?)?;
    for stale_tag in listing
        .log
        .lines()
        .map(str::trim)
        .filter(|tag| !tag.is_empty() && *tag != current_tag)
    {
        require_success(run_on_multiplatform_daemon(
            &["image", "rm", stale_tag],
            COMMAND_TIMEOUT,
        )?)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_tags_hold_the_hex_of_the_main_image_id() {
        let hex = "b6dc0fea3d878a93c5c3b536fe6ccdca367e28cee125be60de9313075f699025";
        assert_eq!(
            source_tag(&format!("sha256:{hex}")),
            format!("cachefront-multiplatform-source:{hex}")
        );
    }
}
