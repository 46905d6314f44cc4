//! Caches carried between builders (`docs/ci-caches.md`), the build-side hook, in: the lowered
//! build and the client's options (the `cachefront-cache` named context, the export build args,
//! `tool_image`: cachefront's own image); out: the build to solve (unchanged, or
//! the caches' contents when exporting), after the empty caches were filled from the seed.
//! Invariants: the seed is solved, and finished, before the build is; without a seed and with
//! no export asked for, nothing here touches the build.

use cachefront_convert::{
    export_state, seed_source, seed_state, CacheTool, ConvertOptions, Converted, ExportSettings,
    Image, SEED_CONTEXT,
};
use cachefront_gateway::{FrontendError, FrontendOptions, Gateway, SolveOptions};
use cachefront_llb::marshal;

use crate::failure::from_gateway;

/// Seeds the build's caches when a seed is given, then returns what to solve: the build, or its
/// caches' contents when the export switch is on.
pub async fn apply(
    gateway: &Gateway,
    options: &FrontendOptions,
    convert_options: &ConvertOptions,
    mut converted: Converted,
) -> Result<Converted, FrontendError> {
    let export = ExportSettings::from_build_args(&options.build_args)
        .map_err(|error| FrontendError::new(error.message))?;
    let seed = options.contexts.get(SEED_CONTEXT);
    if seed.is_none() && !export.enabled {
        return Ok(converted);
    }
    let tool = cache_tool(convert_options).ok_or_else(|| {
        FrontendError::new(format!(
            "the {SEED_CONTEXT} context and CACHEFRONT_EXPORT_CACHES need cachefront to run as a \
             frontend image (# syntax= or BUILDKIT_SYNTAX): BuildKit did not say which image it \
             runs (no `source` option)"
        ))
    })?;
    if let Some(value) = seed {
        let seed = seed_source(value, &options.session_id, &tool.platform)
            .map_err(|error| FrontendError::new(error.message))?;
        if let Some(state) = seed_state(&converted.state, seed, &tool) {
            gateway
                .solve(marshal(&state), SolveOptions::default().evaluated())
                .await
                .map_err(|error| from_gateway(&error))?;
        }
    }
    if export.enabled {
        converted.state = export_state(&converted.state, &tool, &export);
        converted.image = Image::empty(&convert_options.target_platform);
    }
    Ok(converted)
}

/// cachefront's own image (`tool_image`, from the `source` frontend option), run on the platform
/// the build runs on; `None` when BuildKit did not say which image it runs.
fn cache_tool(convert_options: &ConvertOptions) -> Option<CacheTool> {
    let image = convert_options.tool_image.clone()?;
    tracing::debug!(image, "the cache tool image");
    let platform = convert_options
        .build_platforms
        .first()
        .cloned()
        .unwrap_or_else(|| convert_options.target_platform.clone());
    let nanoseconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    Some(CacheTool {
        image,
        platform,
        run_id: format!("{nanoseconds}-{}", std::process::id()),
    })
}
