//! One build for BuildKit, in: the gateway and the client's options; out: the returned result
//! (one ref and image config per platform) or a located error. Invariant: exactly one `Return`.

use std::collections::HashMap;
use std::sync::Arc;

use cachefront_convert::{convert, ConvertOptions, NoCache};
use cachefront_dockerfile::instructions::Dockerfile;
use cachefront_dockerfile::parse::Ast;
use cachefront_gateway::{
    BuildResult, FrontendError, FrontendOptions, Gateway, NetworkMode, PlatformImage, Reference,
    SolveOptions,
};
use cachefront_llb::{marshal, Platform, SourceFile, State};
use cachefront_proto::pb;
use tracing::Instrument as _;

use crate::definition::read_definition;
use crate::failure::{from_gateway, DockerfileSource};
use crate::resolver::GatewayResolver;

/// Connects to BuildKit, builds, and returns the result or the error.
pub async fn serve() -> anyhow::Result<()> {
    let mut gateway = Gateway::connect_stdio().await?;
    let outcome = match FrontendOptions::from_env() {
        Ok(options) => build(&mut gateway, &options).await,
        Err(error) => Err(FrontendError::new(error.to_string())),
    };
    match outcome {
        Ok(result) => gateway.return_result(result).await?,
        Err(error) => {
            tracing::info!(message = %error.message, "returning an error to BuildKit");
            gateway.return_error(error).await?
        }
    }
    Ok(())
}

async fn build(
    gateway: &mut Gateway,
    options: &FrontendOptions,
) -> Result<BuildResult, FrontendError> {
    match options.request_id.as_deref() {
        Some(crate::lint::LINT_REQUEST) => {
            return crate::check_request::answer(gateway, options).await
        }
        // Other subrequests (--call=outline|targets, ...) are answered by BuildKit's own
        // Dockerfile frontend.
        Some(_) => return crate::fallback::forward_to_builtin(gateway, options).await,
        None => {}
    }
    // The named contexts' `.dockerignore` files do not depend on the Dockerfile: load them at
    // the same time.
    let (definition, context_excludes) = tokio::join!(
        read_definition(gateway, options).instrument(tracing::debug_span!("read_definition")),
        crate::named_contexts::local_context_excludes(gateway, options)
            .instrument(tracing::debug_span!("named_contexts")),
    );
    let (source, ignore_patterns) = definition.map_err(|error| from_gateway(&error))?;
    let check_config = crate::checks::config(&source, options).map_err(FrontendError::new)?;
    let (ast, dockerfile) = tracing::debug_span!("parse")
        .in_scope(|| cachefront_dockerfile::parse_and_type(&source.data))
        .map_err(|error| source.error_at(error.to_string(), error.span()))?;
    let source_file = Arc::new(SourceFile {
        filename: source.filename.clone(),
        data: source.data.clone(),
        language: "Dockerfile".to_owned(),
    });
    let (platforms, build_platforms) = platforms(gateway, options);
    let llb_caps: Vec<String> = gateway.llb_caps().iter().cloned().collect();
    let mut images = Vec::new();
    let mut answers = HashMap::new();
    let mut check_config = Some(check_config);
    for platform in platforms {
        let mut convert_options = convert_options(
            options,
            &platform,
            build_platforms.clone(),
            &ignore_patterns,
            llb_caps.clone(),
        );
        convert_options.named_context_excludes = context_excludes.clone();
        let mut resolver = GatewayResolver {
            gateway: &mut *gateway,
            resolve_mode: options.image_resolve_mode.as_str(),
            session_id: options.session_id.clone(),
            answers: std::mem::take(&mut answers),
        };
        let converted = convert(
            &dockerfile,
            Arc::clone(&source_file),
            ast.directives.escape,
            &convert_options,
            &mut resolver,
        )
        .instrument(tracing::debug_span!("convert"))
        .await;
        // Checks run once, with the first platform's base images, before anything is solved.
        let unsupported = matches!(&converted, Err(error) if error.unsupported);
        if let Some(config) = check_config.take().filter(|_| !unsupported) {
            let inputs = crate::checks::CheckInputs {
                config,
                options,
                all_stages: false,
                dockerignore: &ignore_patterns,
                target_platform: &platform,
                build_platform: build_platforms.first().unwrap_or(&platform),
            };
            let parsed = (&ast, &dockerfile, &source);
            report_checks(parsed, inputs, &mut resolver, converted.is_ok()).await?;
        }
        answers = std::mem::take(&mut resolver.answers);
        let converted = match converted {
            Ok(converted) => converted,
            Err(error) if error.unsupported => {
                let reason = match error.span {
                    Some(span) => format!("line {}: {}", span.start, error.message),
                    None => error.message.clone(),
                };
                return crate::fallback::fall_back(gateway, options, &reason).await;
            }
            Err(error) => return Err(source.error_at(error.message.clone(), error.span)),
        };
        let converted =
            crate::ci_cache::apply(gateway, options, &convert_options, converted).await?;
        let reference = solve_state(gateway, options, &converted.state).await?;
        let config = serde_json::to_vec(&converted.image)
            .map_err(|error| FrontendError::new(error.to_string()))?;
        images.push(PlatformImage {
            platform: platform.to_proto(),
            reference,
            config,
            epoch: converted.epoch,
        });
    }
    Ok(BuildResult::from_platform_images(
        images,
        options.multi_platform,
    ))
}

/// Runs the build checks, sends their findings as warnings and fails the build when the check
/// configuration says `error=true` and lowering succeeded (`lowered`).
async fn report_checks(
    (ast, dockerfile, source): (&Ast, &Dockerfile, &DockerfileSource),
    inputs: crate::checks::CheckInputs<'_>,
    resolver: &mut GatewayResolver<'_>,
    lowered: bool,
) -> Result<(), FrontendError> {
    let report = crate::checks::evaluate(ast, dockerfile, inputs, resolver)
        .instrument(tracing::debug_span!("checks"))
        .await;
    crate::checks::send_warnings(resolver.gateway, source, &report).await?;
    match crate::checks::failure(&report) {
        Some(failure) if lowered => Err(failure),
        _ => Ok(()),
    }
}

/// Solves a lowered state (an empty definition needs no solve: `FROM scratch` with nothing on it).
async fn solve_state(
    gateway: &mut Gateway,
    options: &FrontendOptions,
    state: &State,
) -> Result<Reference, FrontendError> {
    let definition = tracing::debug_span!("marshal").in_scope(|| marshal(state));
    if definition.def.is_empty() {
        return Ok(Reference::empty());
    }
    let solve = SolveOptions {
        cache_imports: options.cache_imports.clone(),
        ..SolveOptions::default()
    };
    gateway
        .solve(definition, solve)
        .await
        .map_err(|error| from_gateway(&error))
}

pub fn convert_options(
    options: &FrontendOptions,
    platform: &Platform,
    build_platforms: Vec<Platform>,
    ignore_patterns: &[String],
    llb_caps: Vec<String>,
) -> ConvertOptions {
    let mut convert_options = ConvertOptions::for_platform(platform.clone());
    convert_options.target = options.target.clone();
    convert_options.build_args = options.build_args.clone();
    convert_options.labels = options.labels.clone();
    convert_options.explicit_target_platform = !options.platforms.is_empty();
    convert_options.multi_platform = options.multi_platform;
    convert_options.build_platforms = build_platforms;
    convert_options.no_cache = NoCache::from_option(options.no_cache.as_deref());
    convert_options.session_id = options.session_id.clone();
    convert_options.dockerignore = ignore_patterns.to_vec();
    convert_options.image_resolve_mode = Some(options.image_resolve_mode.as_str().to_owned());
    convert_options.hostname = options.hostname.clone();
    convert_options.extra_hosts = options
        .add_hosts
        .iter()
        .map(|host| (host.host.clone(), host.ip.clone()))
        .collect();
    convert_options.force_network_mode = match options.force_network_mode {
        NetworkMode::Sandbox => None,
        NetworkMode::Host => Some("host".to_owned()),
        NetworkMode::None => Some("none".to_owned()),
    };
    convert_options.cgroup_parent = options.cgroup_parent.clone();
    convert_options.shm_size = (options.shm_size > 0).then_some(options.shm_size);
    convert_options.llb_caps = llb_caps;
    convert_options.ulimits = options.ulimits.clone();
    convert_options.named_contexts = options.contexts.clone();
    convert_options.tool_image = frontend_image(options);
    convert_options
}

/// cachefront's own image, as BuildKit names it to the frontend (the `source` option of a
/// `# syntax=` or `BUILDKIT_SYNTAX` build); `None` when run some other way.
fn frontend_image(options: &FrontendOptions) -> Option<String> {
    options
        .raw
        .get("source")
        .filter(|source| !source.is_empty())
        .cloned()
}

/// The platforms to build for (the requested ones, else the build platform) and the platforms
/// builds can run on (the workers', else the build platform).
pub fn platforms(gateway: &Gateway, options: &FrontendOptions) -> (Vec<Platform>, Vec<Platform>) {
    let mut targets: Vec<Platform> = options
        .target_platforms()
        .iter()
        .map(platform_from_proto)
        .collect();
    if targets.is_empty() {
        targets.push(platform_from_proto(&options.build_platform()));
    }
    let mut workers: Vec<Platform> = gateway
        .worker_platforms()
        .iter()
        .map(platform_from_proto)
        .collect();
    if workers.is_empty() {
        workers.push(platform_from_proto(&options.build_platform()));
    }
    (targets, workers)
}

fn platform_from_proto(platform: &pb::Platform) -> Platform {
    Platform {
        os: platform.os.clone(),
        architecture: platform.architecture.clone(),
        variant: platform.variant.clone(),
    }
}
