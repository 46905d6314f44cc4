//! The fallback, in: the gateway, the client's options and why lowering gave up (or a subrequest
//! such as `--print`/`--call`); out: the stock Dockerfile frontend's result for the whole build.
//! Invariant: on a fallback the user is told, in the progress output (a named op) and as a
//! BuildKit warning, before the build is handed on.

use cachefront_gateway::{BuildResult, FrontendError, FrontendOptions, Gateway, SolveOptions};
use cachefront_llb::{digest_of, marshal, FileAction, FileOperation, OpMetadata, OpOptions, State};

use crate::failure::from_gateway;

/// The start of the progress line a fallback shows (the e2e suite counts it).
pub const FALLBACK_NOTICE: &str = "cachefront: falling back to the stock frontend";

/// Tells the user why, then forwards the build to BuildKit's builtin `dockerfile.v0`.
pub async fn fall_back(
    gateway: &mut Gateway,
    options: &FrontendOptions,
    reason: &str,
) -> Result<BuildResult, FrontendError> {
    tracing::warn!(%reason, "falling back to the stock frontend");
    let notice = format!("{FALLBACK_NOTICE}: {reason}");
    if let Err(error) = announce(gateway, &notice).await {
        tracing::warn!(%error, "could not show the fallback notice");
    }
    forward_to_builtin(gateway, options).await
}

/// Hands the whole request to BuildKit's builtin Dockerfile frontend. `cmdline` stays in the
/// options, which keeps that frontend from forwarding back to us through `# syntax=`.
pub async fn forward_to_builtin(
    gateway: &mut Gateway,
    options: &FrontendOptions,
) -> Result<BuildResult, FrontendError> {
    let mut frontend_options = options.raw.clone();
    frontend_options.remove("build-arg:BUILDKIT_SYNTAX");
    frontend_options
        .entry("cmdline".to_owned())
        .or_insert_with(|| "cachefront".to_owned());
    let mut solve = SolveOptions::forward_to("dockerfile.v0", frontend_options);
    solve.frontend_inputs = gateway
        .inputs()
        .await
        .map_err(|error| from_gateway(&error))?;
    solve.cache_imports = options.cache_imports.clone();
    gateway
        .solve_frontend(solve)
        .await
        .map_err(|error| from_gateway(&error))
}

/// Solves a tiny op named after the notice (so the progress shows it) and warns with its digest.
async fn announce(gateway: &mut Gateway, notice: &str) -> Result<(), FrontendError> {
    let state = FileOperation::on(State::scratch())
        .then(FileAction::Mkdir {
            path: "/cachefront-fallback".to_owned(),
            mode: 0o755,
            make_parents: false,
            owner: None,
            timestamp: None,
        })
        .build(OpOptions {
            metadata: OpMetadata::named(notice.to_owned()),
            ..OpOptions::default()
        });
    let definition = marshal(&state);
    let digest = definition
        .def
        .len()
        .checked_sub(2)
        .and_then(|index| definition.def.get(index))
        .map(|bytes| digest_of(bytes));
    gateway
        .solve(definition, SolveOptions::default())
        .await
        .map_err(|error| from_gateway(&error))?;
    if let Some(digest) = digest {
        gateway
            .warn(&digest, 1, notice, Vec::new(), None)
            .await
            .map_err(|error| from_gateway(&error))?;
    }
    Ok(())
}
