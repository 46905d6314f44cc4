//! `--call=check` (subrequest `frontend.lint`), in: the gateway and the client's options; out: the
//! lint answer the stock frontend gives: the findings of every stage (or of the `--target`'s),
//! or the error that stops the checks as the answer's `buildError`. Invariant: nothing is
//! solved but the Dockerfile's load; base images are resolved only for their config.

use std::collections::HashMap;
use std::sync::Arc;

use cachefront_convert::convert;
use cachefront_llb::SourceFile;

use cachefront_gateway::{BuildResult, FrontendError, FrontendOptions, Gateway};

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
    let (platforms, build_platforms) = crate::build::platforms(gateway, options);
    let Some(target_platform) = platforms.first().cloned() else {
        return Ok(crate::lint::answer(&source, &empty, None));
    };
    let build_platform = build_platforms
        .first()
        .cloned()
        .unwrap_or_else(|| target_platform.clone());
    let llb_caps: Vec<String> = gateway.llb_caps().iter().cloned().collect();
    let mut resolver = GatewayResolver {
        gateway: &mut *gateway,
        resolve_mode: options.image_resolve_mode.as_str(),
        session_id: options.session_id.clone(),
        answers: HashMap::new(),
    };
    // Lowering (nothing is solved) finds the errors that stop a build, as upstream's dispatch.
    let convert_options = crate::build::convert_options(
        options,
        &target_platform,
        build_platforms.clone(),
        &ignore_patterns,
        llb_caps,
    );
    let source_file = Arc::new(SourceFile {
        filename: source.filename.clone(),
        data: source.data.clone(),
        language: "Dockerfile".to_owned(),
    });
    let escape = ast.directives.escape;
    let converted = convert(
        &dockerfile,
        source_file,
        escape,
        &convert_options,
        &mut resolver,
    )
    .await;
    let inputs = CheckInputs {
        config,
        options,
        all_stages: options.target.is_none(),
        dockerignore: &ignore_patterns,
        target_platform: &target_platform,
        build_platform: &build_platform,
    };
    let report = evaluate(&ast, &dockerfile, inputs, &mut resolver).await;
    let error = match converted {
        Err(error) if !error.unsupported => Some((error.message, error.span)),
        _ => report.error.clone().map(|message| (message, None)),
    };
    Ok(crate::lint::answer(&source, &report, error))
}
