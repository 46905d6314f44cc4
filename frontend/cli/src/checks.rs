//! Build checks during a build, in: the loaded Dockerfile (bytes and the op that loaded it), its
//! parse, the client's options, the `.dockerignore` patterns and the base images lowering
//! resolved; out: the check report, each finding shown as a BuildKit warning (as the stock
//! frontend sends them), and the `error=true` failure. Invariant: the check configuration is read
//! before the Dockerfile is parsed (its error wins, as upstream); warnings are sent once per
//! build, before anything is solved; a base image that cannot be resolved only leaves its stage
//! without facts.

use std::collections::BTreeMap;

use cachefront_convert::Resolver;
use cachefront_dockerfile::checks::{
    image_bases, run, BaseImage, CheckConfig, CheckOptions, DockerIgnore, Finding,
    Platform as CheckPlatform, Report, CHECK_BUILD_ARG,
};
use cachefront_dockerfile::instructions::Dockerfile;
use cachefront_dockerfile::parse::Ast;
use cachefront_gateway::{FrontendError, FrontendOptions, Gateway, Warning};
use cachefront_llb::{digest_of, Platform};
use cachefront_proto::pb;

use crate::failure::{from_gateway, DockerfileSource};

/// The build's check configuration: `BUILDKIT_DOCKERFILE_CHECK`, else the `# check=` directive;
/// the error is the message the build fails with (no location, as upstream).
pub fn config(source: &DockerfileSource, options: &FrontendOptions) -> Result<CheckConfig, String> {
    let build_arg = options.build_args.get(CHECK_BUILD_ARG).map(String::as_str);
    CheckConfig::for_build(&source.data, build_arg).map_err(|error| error.to_string())
}

/// What the checks are run with, besides the Dockerfile.
pub struct CheckInputs<'a> {
    pub config: CheckConfig,
    pub options: &'a FrontendOptions,
    /// `--call=check` without `--target` checks every stage.
    pub all_stages: bool,
    pub dockerignore: &'a [String],
    pub target_platform: &'a Platform,
    pub build_platform: &'a Platform,
}

/// Runs the checks, resolving the base images the rules need facts about through `resolver`
/// (which answers from what lowering already resolved).
pub async fn evaluate<R: Resolver>(
    ast: &Ast,
    dockerfile: &Dockerfile,
    inputs: CheckInputs<'_>,
    resolver: &mut R,
) -> Report {
    let mut options = CheckOptions {
        config: inputs.config,
        all_stages: inputs.all_stages,
        target: inputs.options.target.clone(),
        build_args: inputs.options.build_args.clone(),
        build_platform: check_platform(inputs.build_platform),
        target_platform: check_platform(inputs.target_platform),
        base_images: BTreeMap::new(),
        dockerignore: DockerIgnore::new(inputs.dockerignore, cachefront_cache::paths::clean_path),
    };
    for base in image_bases(ast, dockerfile, &options) {
        let platform = match &base.platform {
            Some(text) => match Platform::parse(text) {
                Some(platform) => platform,
                None => continue,
            },
            None => inputs.target_platform.clone(),
        };
        let reference = cachefront_llb::normalize_image_reference(&base.name);
        if let Ok(resolved) = resolver.resolve_image_config(&reference, &platform).await {
            let facts = BaseImage::from_config_json(&resolved.config);
            options.base_images.insert(base.stage, facts);
        }
    }
    run(ast, dockerfile, &options)
}

fn check_platform(platform: &Platform) -> CheckPlatform {
    CheckPlatform {
        os: platform.os.clone(),
        architecture: platform.architecture.clone(),
        variant: platform.variant.clone(),
    }
}

/// The digest of the op that loaded the Dockerfile (the definition's last op is its output).
pub fn loader_digest(definition: &pb::Definition) -> String {
    let count = definition.def.len();
    count
        .checked_sub(2)
        .and_then(|index| definition.def.get(index))
        .map(|bytes| digest_of(bytes))
        .unwrap_or_default()
}

/// The Dockerfile as a warning or `--call=check` source.
pub fn source_info(source: &DockerfileSource) -> pb::SourceInfo {
    pb::SourceInfo {
        filename: source.filename.clone(),
        data: source.data.clone(),
        definition: Some(source.definition.clone()),
        language: "Dockerfile".to_owned(),
    }
}

/// A finding's lines as BuildKit ranges (line numbers only).
pub fn ranges(finding: &Finding) -> Vec<pb::Range> {
    let position = |line: usize| pb::Position {
        line: i32::try_from(line).unwrap_or(i32::MAX),
        character: 0,
    };
    finding
        .spans
        .iter()
        .map(|span| pb::Range {
            start: Some(position(span.start)),
            end: Some(position(span.end)),
        })
        .collect()
}

/// The warning the stock frontend sends for a finding.
pub fn warning(finding: &Finding, digest: &str, info: &pb::SourceInfo) -> Warning {
    Warning {
        digest: digest.to_owned(),
        level: 1,
        short: finding.short(),
        detail: vec![finding.rule.description.as_bytes().to_vec()],
        url: finding.rule.url.to_owned(),
        source: Some((info.clone(), ranges(finding))),
    }
}

/// Shows every finding as a warning on the op that loaded the Dockerfile.
pub async fn send_warnings(
    gateway: &Gateway,
    source: &DockerfileSource,
    report: &Report,
) -> Result<(), FrontendError> {
    let digest = loader_digest(&source.definition);
    let info = source_info(source);
    for finding in &report.findings {
        gateway
            .send_warning(warning(finding, &digest, &info))
            .await
            .map_err(|error| from_gateway(&error))?;
    }
    Ok(())
}

/// The build's failure under `error=true` (no location, as upstream).
pub fn failure(report: &Report) -> Option<FrontendError> {
    report.error.as_ref().map(FrontendError::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cachefront_dockerfile::parse_and_type;

    fn source(text: &str) -> DockerfileSource {
        DockerfileSource {
            filename: "Dockerfile".to_owned(),
            data: text.as_bytes().to_vec(),
            definition: pb::Definition {
                def: vec![b"source".to_vec(), b"output".to_vec()],
                ..pb::Definition::default()
            },
        }
    }

    fn report(text: &str) -> Report {
        let (ast, dockerfile) = parse_and_type(text.as_bytes()).expect("parses");
        let config = CheckConfig::for_build(text.as_bytes(), None).expect("config");
        run(
            &ast,
            &dockerfile,
            &CheckOptions {
                config,
                ..CheckOptions::default()
            },
        )
    }

    #[test]
    fn warnings_carry_what_the_stock_frontend_sends() {
        let text = "# syntax=org/cachefront\nFROM scratch as base\nCOPY <<EOT /x\nhello\nEOT\n";
        let report = report(text);
        let finding = report.findings.first().expect("a finding");
        let source = source(text);
        let warning = warning(
            finding,
            &loader_digest(&source.definition),
            &source_info(&source),
        );
        assert_eq!(warning.digest, digest_of(b"source"));
        assert_eq!(warning.level, 1);
        assert_eq!(
            warning.short,
            "FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 2)"
        );
        assert_eq!(
            warning.detail,
            vec![b"The 'as' keyword should match the case of the 'from' keyword".to_vec()]
        );
        assert_eq!(
            warning.url,
            "https://docs.docker.com/go/dockerfile/rule/from-as-casing/"
        );
        let (info, ranges) = warning.source.expect("source");
        assert_eq!(info.filename, "Dockerfile");
        assert_eq!(info.language, "Dockerfile");
        assert_eq!(info.data, text.as_bytes());
        let lines: Vec<(i32, i32)> = ranges
            .iter()
            .map(|range| {
                let line = |position: &Option<pb::Position>| position.map_or(0, |p| p.line);
                (line(&range.start), line(&range.end))
            })
            .collect();
        assert_eq!(lines, vec![(2, 2)]);
    }

    #[test]
    fn error_true_fails_with_the_rules_found() {
        let text = "# check=error=true\nFROM scratch as base\nENV a b\n";
        let failure = failure(&report(text)).expect("fails");
        assert_eq!(
            failure.message,
            "lint violation found for rules: FromAsCasing, LegacyKeyValueFormat"
        );
        assert!(failure.location.is_none());
        assert!(super::failure(&report("FROM scratch\n")).is_none());
    }
}
