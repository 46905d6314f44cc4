//! `--call=check` (subrequest `frontend.lint`), in: the gateway and the client's options; out: the
//! lint answer the stock frontend gives: the findings of every stage (or of the `--target`'s),
//! or the error that stops the checks as the answer's `buildError`. Invariant: nothing is
//! solved but the Dockerfile's load; base images are resolved only for their config.

use std::collections::HashMap;

use cachefront_gateway::{BuildResult, FrontendError, FrontendOptions, Gateway};
use cachefront_llb::Platform;

use crate::checks::{evaluate, CheckInputs};
use crate::definition::read_definition;
use crate::failure::from_gateway;
use crate::resolver::GatewayResolver;

/// Answers `frontend.lint`.
pub async fn answer(
    gateway: &mut Gateway,
    options: &FrontendOptions,
) -> Result<BuildResult, FrontendError> {
    let (source, ignore_patterns) = read_definition(gateway, options)
        .await
        .map_err(|error| from_gateway(&error))?;
    let empty = cachefront_dockerfile::checks::Report::default();
    let config = match crate::checks::config(&source, options) {
        Ok(config) => config,
        Err(error) => return Ok(crate::lint::answer(&source, &empty, Some((error, None)))),
    };
    let (ast, dockerfile) = match cachefront_dockerfile::parse_and_type(&source.data) {
        Ok(parsed) => parsed,
        Err(error) => {
            let failure = Some((error.to_string(), error.span()));
            return Ok(crate::lint::answer(&source, &empty, failure));
        }
    };
    let to_platform = |platform: &cachefront_proto::pb::Platform| Platform {
        os: platform.os.clone(),
        architecture: platform.architecture.clone(),
        variant: platform.variant.clone(),
    };
    let build_platform = to_platform(&options.build_platform());
    let target_platform = options
        .target_platforms()
        .first()
        .map_or_else(|| build_platform.clone(), to_platform);
    let mut resolver = GatewayResolver {
        gateway: &mut *gateway,
        resolve_mode: options.image_resolve_mode.as_str(),
        session_id: options.session_id.clone(),
        answers: HashMap::new(),
    };
    let inputs = CheckInputs {
        config,
        options,
        all_stages: options.target.is_none(),
        dockerignore: &ignore_patterns,
        target_platform: &target_platform,
        build_platform: &build_platform,
    };
    let report = evaluate(&ast, &dockerfile, inputs, &mut resolver).await;
    Ok(crate::lint::answer(&source, &report, None))
}
