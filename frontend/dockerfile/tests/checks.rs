//! Build-check snapshots, in: `tests/fixtures/checks/<case>/Dockerfile`; out: insta snapshots of
//! the findings (rule, lines, message) as `--call=check` evaluates them (every stage, the
//! Dockerfile's own `# check=` directive) and, where it differs, as a build of the last stage does.
//! Also the `# check=` / BUILDKIT_DOCKERFILE_CHECK syntax and its errors.

use std::fmt::Write;

use cachefront_dockerfile::checks::{
    check_directive, run, BaseImage, CheckConfig, CheckOptions, DockerIgnore, Report, RULES,
};
use cachefront_dockerfile::instructions::parse_dockerfile;
use cachefront_dockerfile::parse::parse;

fn describe(report: &Report) -> String {
    let mut text = String::new();
    for finding in &report.findings {
        let lines: Vec<String> = finding
            .spans
            .iter()
            .map(|span| format!("{}-{}", span.start, span.end))
            .collect();
        let _ = writeln!(
            text,
            "{} [{}] {}",
            finding.rule.name,
            lines.join(","),
            finding.message
        );
    }
    if let Some(error) = &report.error {
        let _ = writeln!(text, "error: {error}");
    }
    text
}

/// The report, or the text of the check configuration error the build fails with first. Stages
/// FROM `debian:bookworm` get that image's config facts (its only ENV is PATH), as lowering
/// would pass them.
fn check(source: &[u8], dockerignore: &[String], all_stages: bool) -> Result<Report, String> {
    let ast = parse(source).map_err(|error| format!("parse: {error}"))?;
    let dockerfile = parse_dockerfile(&ast).map_err(|error| format!("typing: {error}"))?;
    let mut options = CheckOptions {
        config: CheckConfig::for_build(source, None).map_err(|error| error.to_string())?,
        all_stages,
        dockerignore: DockerIgnore::new(dockerignore, cachefront_cache::paths::clean_path),
        ..CheckOptions::default()
    };
    for (index, stage) in dockerfile.stages.iter().enumerate() {
        if stage.base_name == "debian:bookworm" {
            let path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
            let env = vec![("PATH".to_owned(), path.to_owned())];
            options
                .base_images
                .insert(index, BaseImage { env, shell: false });
        }
    }
    Ok(run(&ast, &dockerfile, &options))
}

#[test]
fn check_fixtures() {
    insta::glob!("../../../tests/fixtures", "checks/*/Dockerfile", |path| {
        let source = std::fs::read(path).expect("fixture is readable");
        let dockerignore = dockerignore_beside(path);
        let all = check(&source, &dockerignore, true);
        let text = match (all, check(&source, &dockerignore, false)) {
            (Err(error), _) | (_, Err(error)) => format!("fails before checking: {error}\n"),
            (Ok(all), Ok(build)) if build == all => describe(&all),
            (Ok(all), Ok(build)) => format!(
                "{}--- build of the last stage\n{}",
                describe(&all),
                describe(&build)
            ),
        };
        insta::assert_snapshot!(text);
    });
}

/// The patterns of a `.dockerignore` next to the fixture (comments and blank lines dropped, as
/// the CLI reads them).
fn dockerignore_beside(dockerfile: &std::path::Path) -> Vec<String> {
    let path = dockerfile.with_file_name(".dockerignore");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_rule_has_data() {
    let names: Vec<&str> = RULES.iter().map(|rule| rule.name).collect();
    assert_eq!(names.len(), 22);
    for rule in RULES {
        assert!(!rule.description.is_empty());
        if rule.name != "InvalidBaseImagePlatform" {
            let kebab = kebab(rule.name);
            assert_eq!(
                rule.url,
                format!("https://docs.docker.com/go/dockerfile/rule/{kebab}/")
            );
        }
    }
    let experimental: Vec<&str> = RULES
        .iter()
        .filter(|rule| rule.experimental)
        .map(|rule| rule.name)
        .collect();
    assert_eq!(experimental, ["InvalidDefinitionDescription"]);
}

fn kebab(name: &str) -> String {
    let mut out = String::new();
    let characters: Vec<char> = name.chars().collect();
    for (index, character) in characters.iter().enumerate() {
        let previous = index
            .checked_sub(1)
            .and_then(|before| characters.get(before));
        let previous_lower = previous.is_some_and(char::is_ascii_lowercase);
        let next_lower = characters
            .get(index + 1)
            .is_some_and(char::is_ascii_lowercase);
        let previous_upper = previous.is_some_and(char::is_ascii_uppercase);
        if character.is_ascii_uppercase()
            && index > 0
            && (previous_lower || (previous_upper && next_lower))
        {
            out.push('-');
        }
        out.push(character.to_ascii_lowercase());
    }
    out
}

#[test]
fn check_options_parse_as_upstream() {
    let config = CheckConfig::parse(" skip = A, B ;error=TRUE;experimental=all").unwrap();
    assert_eq!(config.skip, ["A", "B"]);
    assert!(config.error && config.experimental_all && !config.skip_all);
    assert_eq!(CheckConfig::parse("").unwrap(), CheckConfig::default());
    assert!(CheckConfig::parse("skip=all").unwrap().skip_all);
    // At most three parts: a fourth option stays in the third one's value.
    let config = CheckConfig::parse("skip=A;skip=B;skip=C;error=true").unwrap();
    assert_eq!(config.skip, ["C;error=true"]);
    assert!(!config.error);
}

#[test]
fn check_option_errors_are_upstreams() {
    let error = |text: &str| CheckConfig::parse(text).unwrap_err();
    assert_eq!(error("skip"), r#"invalid check option "skip""#);
    assert_eq!(error(" foo =1"), r#"invalid check option "foo""#);
    assert_eq!(
        error("error=yes"),
        r#"failed to parse check option "error=yes": strconv.ParseBool: parsing "yes": invalid syntax"#
    );
    let directive =
        CheckConfig::from_directive(b"# check=error=maybe\nFROM scratch\n").unwrap_err();
    assert_eq!(
        directive.to_string(),
        r#"failed to parse check options: failed to parse check option "error=maybe": strconv.ParseBool: parsing "maybe": invalid syntax"#
    );
    let build_arg = CheckConfig::for_build(b"FROM scratch\n", Some("nope")).unwrap_err();
    assert_eq!(
        build_arg.to_string(),
        r#"failed to parse build-arg:BUILDKIT_DOCKERFILE_CHECK: invalid check option "nope""#
    );
}

#[test]
fn build_arg_overrides_the_directive_even_when_empty() {
    let source = b"# check=skip=all\nFROM scratch as base\n";
    assert!(CheckConfig::for_build(source, None).unwrap().skip_all);
    assert_eq!(
        CheckConfig::for_build(source, Some("")).unwrap(),
        CheckConfig::default()
    );
    let config = CheckConfig::for_build(source, Some("error=1")).unwrap();
    assert!(config.error && !config.skip_all);
}

#[test]
fn directive_is_read_as_parse_directive_reads_it() {
    assert_eq!(
        check_directive(b"# check=skip=A\n").as_deref(),
        Some("skip=A")
    );
    assert_eq!(
        check_directive(b"#CHECK = skip=A  \r\n").as_deref(),
        Some("skip=A")
    );
    assert_eq!(
        check_directive(b"# syntax=x\n# check=skip=A;error=true\n").as_deref(),
        Some("skip=A;error=true")
    );
    assert_eq!(
        check_directive(b"# check=skip=A; error=true\n").as_deref(),
        Some("skip=A;")
    );
    assert_eq!(
        check_directive(b"\xEF\xBB\xBF#!/bin/x\n# check=skip=A\n").as_deref(),
        Some("skip=A")
    );
    // Not at column 0, after another comment, after a blank line, or repeated.
    assert_eq!(check_directive(b"  # check=skip=A\n"), None);
    assert_eq!(check_directive(b"# hello\n# check=skip=A\n"), None);
    assert_eq!(check_directive(b"\n# check=skip=A\n"), None);
    assert_eq!(
        check_directive(b"# check=skip=A\n# check=skip=B\n").as_deref(),
        Some("skip=A")
    );
}

#[test]
fn build_arg_configuration_applies_to_findings() {
    let source = b"FROM scratch as base\nCMD echo hi\n";
    let ast = parse(source).unwrap();
    let dockerfile = parse_dockerfile(&ast).unwrap();
    let options = CheckOptions {
        config: CheckConfig::for_build(source, Some("skip=FromAsCasing;error=true")).unwrap(),
        ..CheckOptions::default()
    };
    let report = run(&ast, &dockerfile, &options);
    assert_eq!(
        describe(&report),
        "JSONArgsRecommended [2-2] JSON arguments recommended for CMD to prevent unintended behavior related to OS signals\nerror: lint violation found for rules: JSONArgsRecommended\n"
    );
    assert_eq!(
        report.findings[0].short(),
        "JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (line 2)"
    );
}

#[test]
fn base_image_facts_enable_undefined_var() {
    let source = b"FROM debian:bookworm\nENV A=$HOME$NOPE\nCMD echo hi\n";
    let ast = parse(source).unwrap();
    let dockerfile = parse_dockerfile(&ast).unwrap();
    let unknown = run(&ast, &dockerfile, &CheckOptions::default());
    assert_eq!(unknown.findings.len(), 1, "{}", describe(&unknown));
    let mut options = CheckOptions::default();
    options.base_images.insert(
        0,
        BaseImage {
            env: vec![
                ("HOME".to_owned(), "/root".to_owned()),
                ("NOPD".to_owned(), String::new()),
            ],
            shell: true,
        },
    );
    let known = run(&ast, &dockerfile, &options);
    assert_eq!(
        describe(&known),
        "UndefinedVar [2-2] Usage of undefined variable '$NOPE' (did you mean $NOPD?)\n"
    );
}

#[test]
fn a_target_dispatches_only_the_stages_it_needs() {
    let source =
        b"FROM scratch AS unused\nCMD echo unused\nFROM scratch AS final\nCMD echo final\n";
    let ast = parse(source).unwrap();
    let dockerfile = parse_dockerfile(&ast).unwrap();
    let options = CheckOptions {
        target: Some("UNUSED".to_owned()),
        ..CheckOptions::default()
    };
    let report = run(&ast, &dockerfile, &options);
    assert_eq!(
        describe(&report),
        "JSONArgsRecommended [2-2] JSON arguments recommended for CMD to prevent unintended behavior related to OS signals\n"
    );
    let unknown = CheckOptions {
        target: Some("missing".to_owned()),
        ..CheckOptions::default()
    };
    assert_eq!(run(&ast, &dockerfile, &unknown).findings, []);
}

#[test]
fn base_image_platform_is_reported_for_lowering() {
    use cachefront_dockerfile::checks::{base_image_platform, Platform};
    use cachefront_dockerfile::parse::Span;
    let expected = Platform::default();
    let actual = Platform {
        architecture: "arm64".to_owned(),
        ..Platform::default()
    };
    let config = CheckConfig::default();
    let finding =
        base_image_platform(&config, "alpine", &expected, &actual, Span::line(3)).unwrap();
    assert_eq!(
        finding.short(),
        r#"InvalidBaseImagePlatform: Base image alpine was pulled with platform "linux/arm64", expected "linux/amd64" for current build (line 3)"#
    );
    assert!(base_image_platform(&config, "alpine", &expected, &expected, Span::line(3)).is_none());
    let skipped = CheckConfig::parse("skip=InvalidBaseImagePlatform").unwrap();
    assert!(base_image_platform(&skipped, "alpine", &expected, &actual, Span::line(3)).is_none());
}

#[test]
fn multi_line_instructions_get_one_range_per_line() {
    let source = b"FROM scratch\nENV a \\\n  b\n";
    let ast = parse(source).unwrap();
    let dockerfile = parse_dockerfile(&ast).unwrap();
    let report = run(&ast, &dockerfile, &CheckOptions::default());
    assert_eq!(
        describe(&report),
        "LegacyKeyValueFormat [2-2,3-3] \"ENV key=value\" should be used instead of legacy \"ENV key value\" format\n"
    );
    assert_eq!(report.findings[0].line(), 2);
}

/// Every parse fixture that types runs through the checks in both modes without panicking, and
/// every finding points at lines of the file.
#[test]
fn checks_run_on_every_parse_fixture() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/parse");
    let mut checked = 0;
    for entry in std::fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path().join("Dockerfile");
        let Ok(source) = std::fs::read(&path) else {
            continue;
        };
        let line_count = source.split(|byte| *byte == b'\n').count();
        for all_stages in [true, false] {
            if let Ok(report) = check(&source, &[], all_stages) {
                for finding in &report.findings {
                    for span in &finding.spans {
                        assert!(
                            span.start >= 1 && span.end <= line_count,
                            "{}: {finding:?}",
                            path.display()
                        );
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 10, "only {checked} fixtures checked");
}
