//! The multi-platform differential check: input = a case under
//! `tests/fixtures/multiplatform/<case>/` (loaded like an e2e case) and the target platforms,
//! output = a `MultiPlatformVerdict`: for each cachefront way, the platforms its OCI output holds
//! and, per platform, the comparison with the stock frontend's image of that platform.
//! Invariants: the builds run on the second daemon (containerd image store), one at a time, with
//! `--platform <all targets> --output type=oci` and the `tools` named context; the stock output
//! must hold exactly the target platforms (else the fixture or the harness is wrong: an error);
//! a cachefront way passes only when it holds the same platforms, each equal to stock's, its log
//! shows the cachefront image being resolved, and it did not fall back to the stock frontend.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::case::{Case, Expectation};
use crate::compare::{compare_images, Comparison};
use crate::differential::{log_tail, FALLBACK_MARKER};
use crate::docker::{frontend_image, require_frontend, CommandOutput, BUILD_TIMEOUT};
use crate::engine_differences::{self, Engine, EngineDifference};
use crate::frontend::{Frontend, PreparedBuild};
use crate::ignore::IgnorePatterns;
use crate::image::ImageSnapshot;
use crate::multiplatform_daemon::{
    copy_frontend_image, require_multiplatform_daemon, run_on_multiplatform_daemon,
};
use crate::multiplatform_tools::ToolsContext;
use crate::oci_layout::read_oci_archive_file;

/// The platforms every multi-platform case is built for.
pub const TARGET_PLATFORMS: [&str; 2] = ["linux/amd64", "linux/386"];

/// What BuildKit prints when it loads a gateway frontend image (`# syntax=` or `BUILDKIT_SYNTAX`).
const FRONTEND_RESOLVE_LINE: &str = "resolve image config for docker-image://";

/// `tests/fixtures/multiplatform` of this workspace.
pub fn multiplatform_fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/multiplatform")
}

/// One multi-platform build: its log and, when it succeeded, one snapshot per platform.
#[derive(Debug, Clone)]
pub struct PlatformBuild {
    pub frontend: Frontend,
    pub output: CommandOutput,
    pub images: Option<BTreeMap<String, ImageSnapshot>>,
}

/// What happened to one cachefront way.
#[derive(Debug, Clone)]
pub enum PlatformOutcome {
    /// The output holds the target platforms; one comparison per platform.
    Compared(Vec<(String, Comparison)>),
    /// The output's platforms differ from the stock output's.
    WrongPlatforms {
        expected: Vec<String>,
        found: Vec<String>,
    },
    /// cachefront failed where the stock frontend succeeded.
    BuildFailed { command: String, log: String },
}

impl PlatformOutcome {
    pub fn passed(&self) -> bool {
        match self {
            PlatformOutcome::Compared(comparisons) => comparisons
                .iter()
                .all(|(_, comparison)| comparison.is_equal()),
            PlatformOutcome::WrongPlatforms { .. } | PlatformOutcome::BuildFailed { .. } => false,
        }
    }
}

/// The verdict for one multi-platform case.
#[derive(Debug, Clone)]
pub struct MultiPlatformVerdict {
    pub case: String,
    /// The stock frontend's images, by platform (the reference).
    pub stock_images: BTreeMap<String, ImageSnapshot>,
    pub outcomes: Vec<(Frontend, PlatformOutcome)>,
    /// The cachefront ways whose log shows the fallback to the stock frontend.
    pub fell_back: Vec<Frontend>,
    /// The cachefront ways whose log does not show the frontend image being resolved.
    pub frontend_not_loaded: Vec<Frontend>,
}

impl MultiPlatformVerdict {
    /// Every way equal to stock on every platform, no fallback, the frontend image really used.
    pub fn passed(&self) -> bool {
        self.outcomes.iter().all(|(_, outcome)| outcome.passed())
            && self.fell_back.is_empty()
            && self.frontend_not_loaded.is_empty()
    }
}

/// The `docker buildx build` arguments of one multi-platform build writing `destination`.
pub fn oci_build_arguments(
    prepared: &PreparedBuild,
    platforms: &[&str],
    tools: &ToolsContext,
    destination: &Path,
) -> Vec<String> {
    let output = [
        "--platform".to_owned(),
        platforms.join(","),
        "--output".to_owned(),
        format!("type=oci,dest={}", destination.display()),
    ];
    prepared
        .request
        .arguments_with_output(&output, &tools.flags())
}

/// Builds `case` one way on the second daemon and reads the OCI output when the build succeeded.
pub fn build_platforms(
    case: &Case,
    frontend: Frontend,
    platforms: &[&str],
    tools: &ToolsContext,
) -> Result<PlatformBuild> {
    let prepared = PreparedBuild::new(case, frontend)?;
    let output_directory = tempfile::Builder::new()
        .prefix("cachefront-e2e-oci-")
        .tempdir()
        .context("creating a directory for the OCI output")?;
    let destination = output_directory.path().join("image.tar");
    let arguments = oci_build_arguments(&prepared, platforms, tools, &destination);
    let output = run_on_multiplatform_daemon(&arguments, BUILD_TIMEOUT)
        .with_context(|| format!("building case {} with {frontend}", case.name))?;
    let images = if output.succeeded {
        Some(
            read_oci_archive_file(&destination)
                .with_context(|| format!("the OCI output of case {} ({frontend})", case.name))?,
        )
    } else {
        None
    };
    Ok(PlatformBuild {
        frontend,
        output,
        images,
    })
}

/// Builds `case` for `platforms` the stock way and both cachefront ways and judges the results.
pub fn multiplatform_differential(case: &Case, platforms: &[&str]) -> Result<MultiPlatformVerdict> {
    if case.expect != Expectation::Equal {
        bail!(
            "case {}: multi-platform cases must expect equal images",
            case.name
        );
    }
    require_frontend()?;
    require_multiplatform_daemon()?;
    copy_frontend_image(&frontend_image())?;
    let tools = ToolsContext::prepare()?;
    let stock = build_platforms(case, Frontend::Stock, platforms, &tools)?;
    let Some(stock_images) = stock.images else {
        bail!(
            "case {}: the stock build failed, so the fixture or the setup is wrong:\n{}",
            case.name,
            log_tail(&stock.output.log)
        );
    };
    let mut expected_platforms: Vec<String> = platforms
        .iter()
        .map(|platform| platform.to_string())
        .collect();
    expected_platforms.sort();
    let stock_platforms: Vec<String> = stock_images.keys().cloned().collect();
    if stock_platforms != expected_platforms {
        bail!(
            "case {}: the stock output holds platforms {stock_platforms:?}, not {expected_platforms:?}",
            case.name
        );
    }
    // The multi-platform daemon runs the Docker 26 engine (scripts/lib/multiplatform-daemon.sh).
    let applying = engine_differences::applying(&case.engine_differences, Some(Engine::Docker26));
    let mut outcomes = Vec::new();
    let mut fell_back = Vec::new();
    let mut frontend_not_loaded = Vec::new();
    for frontend in Frontend::CACHEFRONT {
        let built = build_platforms(case, frontend, platforms, &tools)?;
        if built.output.log.contains(FALLBACK_MARKER) {
            fell_back.push(frontend);
        }
        if !loaded_frontend_image(&built.output.log, &frontend_image()) {
            frontend_not_loaded.push(frontend);
        }
        outcomes.push((
            frontend,
            judge(&case.ignore, &stock_images, built, &applying),
        ));
    }
    Ok(MultiPlatformVerdict {
        case: case.name.clone(),
        stock_images,
        outcomes,
        fell_back,
        frontend_not_loaded,
    })
}

/// Whether a build log shows BuildKit resolving `image` as the frontend.
pub fn loaded_frontend_image(log: &str, image: &str) -> bool {
    log.lines()
        .any(|line| line.contains(FRONTEND_RESOLVE_LINE) && line.contains(image))
}

/// Compares one cachefront way's images with stock's, platform by platform; the known engine
/// differences that apply account for what they allow.
pub fn judge(
    ignore: &IgnorePatterns,
    stock_images: &BTreeMap<String, ImageSnapshot>,
    built: PlatformBuild,
    applying: &[&'static EngineDifference],
) -> PlatformOutcome {
    let Some(images) = built.images else {
        return PlatformOutcome::BuildFailed {
            command: built.output.command,
            log: built.output.log,
        };
    };
    let expected: Vec<String> = stock_images.keys().cloned().collect();
    let found: Vec<String> = images.keys().cloned().collect();
    if expected != found {
        return PlatformOutcome::WrongPlatforms { expected, found };
    }
    let comparisons = stock_images
        .iter()
        .filter_map(|(platform, stock_image)| {
            let image = images.get(platform)?;
            let stock_label = format!("{} {platform}", Frontend::Stock.label());
            let actual_label = format!("{} {platform}", built.frontend.label());
            let mut comparison =
                compare_images(stock_image, image, ignore, &stock_label, &actual_label);
            engine_differences::account(&mut comparison, applying);
            Some((platform.clone(), comparison))
        })
        .collect();
    PlatformOutcome::Compared(comparisons)
}

impl fmt::Display for MultiPlatformVerdict {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = if self.passed() { "PASSED" } else { "FAILED" };
        let platforms: Vec<&String> = self.stock_images.keys().collect();
        writeln!(
            formatter,
            "multi-platform case {}: {status} (stock platforms {platforms:?})",
            self.case
        )?;
        for (frontend, outcome) in &self.outcomes {
            match outcome {
                PlatformOutcome::Compared(comparisons) => {
                    for (_, comparison) in comparisons {
                        write!(formatter, "{comparison}")?;
                    }
                }
                PlatformOutcome::WrongPlatforms { expected, found } => writeln!(
                    formatter,
                    "{frontend}: output holds platforms {found:?}, stock's holds {expected:?}"
                )?,
                PlatformOutcome::BuildFailed { command, log } => writeln!(
                    formatter,
                    "{frontend}: build FAILED where stock succeeded\n  command: {command}\n{}",
                    log_tail(log)
                )?,
            }
        }
        for frontend in &self.fell_back {
            writeln!(
                formatter,
                "{frontend}: fell back to the stock frontend ({FALLBACK_MARKER})"
            )?;
        }
        for frontend in &self.frontend_not_loaded {
            writeln!(
                formatter,
                "{frontend}: the log does not show {} being loaded as the frontend",
                frontend_image()
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::tree::FileEntry;

    fn image(architecture: &str) -> ImageSnapshot {
        let mut snapshot = ImageSnapshot::default();
        snapshot.files.insert(
            "/arch".into(),
            FileEntry::file(0o644, 0, 0, architecture.as_bytes()),
        );
        snapshot
            .config
            .fields
            .insert("architecture".into(), json!(architecture));
        snapshot
    }

    fn images(architectures: &[&str]) -> BTreeMap<String, ImageSnapshot> {
        architectures
            .iter()
            .map(|architecture| (format!("linux/{architecture}"), image(architecture)))
            .collect()
    }

    fn built(images: Option<BTreeMap<String, ImageSnapshot>>) -> PlatformBuild {
        PlatformBuild {
            frontend: Frontend::CachefrontDirective,
            output: CommandOutput {
                command: "docker buildx build".into(),
                succeeded: images.is_some(),
                log: "log".into(),
                duration: std::time::Duration::ZERO,
            },
            images,
        }
    }

    #[test]
    fn equal_platforms_pass_and_a_swapped_platform_fails() {
        let stock = images(&["amd64", "386"]);
        assert!(judge(
            &IgnorePatterns::default(),
            &stock,
            built(Some(images(&["amd64", "386"]))),
            &[]
        )
        .passed());
        let mut swapped = images(&["amd64", "386"]);
        swapped.insert("linux/386".into(), image("amd64"));
        let outcome = judge(
            &IgnorePatterns::default(),
            &stock,
            built(Some(swapped)),
            &[],
        );
        assert!(!outcome.passed());
        let PlatformOutcome::Compared(comparisons) = outcome else {
            panic!("{outcome:?}");
        };
        let unequal: Vec<&String> = comparisons
            .iter()
            .filter(|(_, comparison)| !comparison.is_equal())
            .map(|(platform, _)| platform)
            .collect();
        assert_eq!(unequal, ["linux/386"]);
    }

    #[test]
    fn a_missing_platform_or_a_failed_build_fails() {
        let stock = images(&["amd64", "386"]);
        let outcome = judge(
            &IgnorePatterns::default(),
            &stock,
            built(Some(images(&["amd64"]))),
            &[],
        );
        assert!(
            matches!(outcome, PlatformOutcome::WrongPlatforms { .. }),
            "{outcome:?}"
        );
        assert!(!judge(&IgnorePatterns::default(), &stock, built(None), &[]).passed());
    }

    #[test]
    fn fallback_or_an_unused_frontend_fails_the_verdict() {
        let passing = MultiPlatformVerdict {
            case: "sample".into(),
            stock_images: images(&["amd64"]),
            outcomes: vec![(
                Frontend::CachefrontDirective,
                PlatformOutcome::Compared(Vec::new()),
            )],
            fell_back: Vec::new(),
            frontend_not_loaded: Vec::new(),
        };
        assert!(passing.passed());
        let fell_back = MultiPlatformVerdict {
            fell_back: vec![Frontend::CachefrontBuildArg],
            ..passing.clone()
        };
        assert!(!fell_back.passed());
        let not_loaded = MultiPlatformVerdict {
            frontend_not_loaded: vec![Frontend::CachefrontDirective],
            ..passing
        };
        assert!(!not_loaded.passed());
    }

    #[test]
    fn recognizes_the_frontend_resolve_line() {
        let log = "#2 resolve image config for docker-image://docker.io/library/cachefront:dev\n";
        assert!(loaded_frontend_image(log, "cachefront:dev"));
        assert!(!loaded_frontend_image(log, "other:dev"));
        assert!(!loaded_frontend_image(
            "#1 [internal] load build definition\n",
            "cachefront:dev"
        ));
    }
}
