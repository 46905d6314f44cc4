//! The differential check: input = a case, output = a `Verdict` saying, for each cachefront way
//! of building it, whether the result matches the stock frontend's (image equality, or the same
//! failure marked at the right line). Invariants: Docker and `cachefront:dev` are checked first
//! and their absence is an error, never a skip; the stock build must behave as the case says
//! (else the fixture is wrong and that is an error); harness images (built images and the
//! base images a case builds first) are removed after use.

use std::fmt;
use std::path::Path;
use std::thread;

use anyhow::{anyhow, bail, Context, Result};

use crate::base_images::BaseImages;
use crate::case::{Case, Expectation};
use crate::compare::{compare_images, Comparison};
use crate::docker::{self, CommandOutput};
use crate::engine_differences::{self, EngineDifference};
use crate::error_check::check_error_log;
use crate::frontend::{Frontend, PreparedBuild};
use crate::http_server::StaticServer;
use crate::ignore::IgnorePatterns;
use crate::image::ImageSnapshot;

/// How many trailing log lines a verdict shows for a failed build.
const LOG_TAIL_LINES: usize = 60;

/// One build of a case: its log, and the image snapshot when it succeeded.
#[derive(Debug, Clone)]
pub struct BuiltImage {
    pub frontend: Frontend,
    pub output: CommandOutput,
    pub snapshot: Option<ImageSnapshot>,
}

/// What happened to one cachefront way of building the case.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Both images were built and compared.
    Compared(Comparison),
    /// cachefront failed where the stock frontend succeeded.
    BuildFailed { command: String, log: String },
    /// The case expects a failure and cachefront reported it at the right line.
    ErrorMarked,
    /// The case expects a failure; cachefront failed but did not point at the line.
    ErrorNotMarked { problems: Vec<String>, log: String },
    /// The case expects a failure and cachefront built an image.
    UnexpectedSuccess,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        match self {
            Outcome::Compared(comparison) => comparison.is_equal(),
            Outcome::ErrorMarked => true,
            Outcome::BuildFailed { .. }
            | Outcome::ErrorNotMarked { .. }
            | Outcome::UnexpectedSuccess => false,
        }
    }
}

/// The verdict for one case: one outcome per cachefront way.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub case: String,
    pub outcomes: Vec<(Frontend, Outcome)>,
    /// The cachefront ways whose log shows the fallback to the stock frontend.
    pub fell_back: Vec<Frontend>,
}

/// What cachefront's progress output says when it hands a build to the stock frontend.
pub const FALLBACK_MARKER: &str = "cachefront: falling back to the stock frontend";

impl Verdict {
    /// Whether every cachefront way matched the stock frontend.
    pub fn passed(&self) -> bool {
        self.outcomes.iter().all(|(_, outcome)| outcome.passed())
    }
}

/// Loads the case in `case_dir` and runs the differential check on it.
pub fn differential(case_dir: &Path) -> Result<Verdict> {
    let case = Case::load(case_dir)?;
    differential_case(&case)
}

/// Builds `case` the stock way and both cachefront ways (in parallel) and judges the results.
pub fn differential_case(case: &Case) -> Result<Verdict> {
    docker::require_frontend()?;
    let (_services, served_case) = start_case_services(case)?;
    let case = served_case.as_ref().unwrap_or(case);
    let ways @ [stock_way, directive_way, build_arg_way] = [
        Frontend::Stock,
        Frontend::CachefrontDirective,
        Frontend::CachefrontBuildArg,
    ];
    // Failing cases build one at a time. Observed: when a stock build and a cachefront build
    // run the same failing op concurrently, cachefront's log often lacks the `>>>` snippet
    // (stock's never does); that race is reported separately, this check is for one build.
    // Cases that say `sequential` build one at a time too (see the README).
    let [stock, directive, build_arg] = match case.expect {
        Expectation::Equal if !case.sequential => build_images(case, ways)?,
        Expectation::Equal | Expectation::Error(_) => [
            build_image(case, stock_way)?,
            build_image(case, directive_way)?,
            build_image(case, build_arg_way)?,
        ],
    };
    let fell_back = [&directive, &build_arg]
        .into_iter()
        .filter(|built| built.output.log.contains(FALLBACK_MARKER))
        .map(|built| built.frontend)
        .collect();
    let outcomes = match &case.expect {
        Expectation::Equal => {
            let applying =
                engine_differences::applying(&case.engine_differences, docker::engine()?);
            if let Some(rejection) = engine_differences::stock_rejection(&applying) {
                judge_stock_rejection(case, &stock, rejection, directive, build_arg)?
            } else {
                ensure_stock_as_expected(case, &stock)?;
                let Some(stock_snapshot) = &stock.snapshot else {
                    bail!("case {}: the stock build has no image", case.name);
                };
                [directive, build_arg]
                    .into_iter()
                    .map(|built| {
                        let outcome = judge_equal(
                            case,
                            (stock_snapshot, Frontend::Stock),
                            built.clone(),
                            &applying,
                        );
                        (built.frontend, outcome)
                    })
                    .collect()
            }
        }
        Expectation::Error(_)
            if engine_differences::stock_rejection(&engine_differences::applying(
                &case.engine_differences,
                docker::engine()?,
            ))
            .is_some() =>
        {
            // On this engine the newest frontend builds what the case expects it to reject
            // elsewhere (a named difference): judged as a build case whose stock build fails.
            let applying =
                engine_differences::applying(&case.engine_differences, docker::engine()?);
            let rejection = engine_differences::stock_rejection(&applying)
                .context("the stock rejection vanished")?;
            judge_stock_rejection(case, &stock, rejection, directive, build_arg)?
        }
        Expectation::Error(error) => {
            ensure_stock_as_expected(case, &stock)?;
            let line_text = case.dockerfile_line(error.line).unwrap_or_default();
            [directive, build_arg]
                .into_iter()
                .map(|built| {
                    let line = error.line + built.frontend.line_offset();
                    let outcome = match built.snapshot {
                        Some(_) => Outcome::UnexpectedSuccess,
                        None => {
                            let problems = check_error_log(
                                &built.output.log,
                                line,
                                line_text,
                                &error.contains,
                            );
                            if problems.is_empty() {
                                Outcome::ErrorMarked
                            } else {
                                Outcome::ErrorNotMarked {
                                    problems,
                                    log: built.output.log,
                                }
                            }
                        }
                    };
                    (built.frontend, outcome)
                })
                .collect()
        }
    };
    Ok(Verdict {
        case: case.name.clone(),
        outcomes,
        fell_back,
    })
}

/// Builds `case` with the stock frontend only and checks that it behaves as the case says
/// (builds an image, or fails at the expected line): validates fixtures without cachefront.
pub fn check_stock(case: &Case) -> Result<BuiltImage> {
    let (_services, served_case) = start_case_services(case)?;
    let case = served_case.as_ref().unwrap_or(case);
    let stock = build_image(case, Frontend::Stock)?;
    let applying = engine_differences::applying(&case.engine_differences, docker::engine()?);
    match engine_differences::stock_rejection(&applying) {
        Some(rejection) => ensure_stock_rejects(case, &stock, rejection)?,
        None => ensure_stock_as_expected(case, &stock)?,
    }
    Ok(stock)
}

/// What runs around a case's builds: its loopback server and its base images. Dropping it stops
/// the server and removes the base images.
#[derive(Debug, Default)]
pub struct CaseServices {
    pub server: Option<StaticServer>,
    pub base_images: Option<BaseImages>,
}

/// Starts what a case's builds need: the loopback server of a case that serves files or git
/// repositories, and the base images of a case that has them. Returns the services (keep them alive while building) and the case with its `SERVER`
/// build arg, `{server}` flags and base image build args filled in; `None` when the case needs
/// nothing or has it already (so calling this again on the returned case starts nothing).
pub fn start_case_services(case: &Case) -> Result<(CaseServices, Option<Case>)> {
    let needs_server = !case.build_args.contains_key("SERVER")
        && (case.serve.is_some() || !case.git_repositories.is_empty());
    let needs_base_images = !case.base_images.is_empty();
    if !needs_server && !needs_base_images {
        return Ok((CaseServices::default(), None));
    }
    let mut services = CaseServices::default();
    let mut prepared_case = case.clone();
    if needs_server {
        let server = StaticServer::start(case.serve.as_deref(), &case.git_repositories)?;
        prepared_case
            .build_args
            .insert("SERVER".into(), server.base_url.clone());
        for flag in &mut prepared_case.flags {
            *flag = flag.replace("{server}", &server.base_url);
        }
        services.server = Some(server);
    }
    if needs_base_images {
        let (images, arguments) = BaseImages::build(&case.name, &case.base_images)?;
        prepared_case.build_args.extend(arguments);
        prepared_case.base_images.clear();
        services.base_images = Some(images);
    }
    Ok((services, Some(prepared_case)))
}

/// Fails when the stock build contradicts the case's expectation: then the fixture is wrong.
fn ensure_stock_as_expected(case: &Case, stock: &BuiltImage) -> Result<()> {
    let problems = match (&case.expect, &stock.snapshot) {
        (Expectation::Equal, Some(_)) => Vec::new(),
        (Expectation::Equal, None) => vec!["the build failed".to_string()],
        (Expectation::Error(_), Some(_)) => vec!["the build succeeded".to_string()],
        (Expectation::Error(error), None) => {
            let line_text = case.dockerfile_line(error.line).unwrap_or_default();
            check_error_log(&stock.output.log, error.line, line_text, &error.contains)
        }
    };
    if !problems.is_empty() {
        bail!(
            "case {}: the stock frontend does not behave as the fixture expects, so the fixture \
             is wrong ({}):\n{}",
            case.name,
            problems.join("; "),
            log_tail(&stock.output.log)
        );
    }
    Ok(())
}

/// Compares one cachefront build with the reference image (stock's, or the other cachefront
/// way's when stock cannot build the case); the known engine differences that apply account
/// for what they allow.
fn judge_equal(
    case: &Case,
    (reference, reference_way): (&ImageSnapshot, Frontend),
    built: BuiltImage,
    applying: &[&'static EngineDifference],
) -> Outcome {
    match built.snapshot {
        Some(snapshot) => {
            let mut comparison = compare_images(
                reference,
                &snapshot,
                &case.ignore,
                reference_way.label(),
                built.frontend.label(),
            );
            engine_differences::account(&mut comparison, applying);
            Outcome::Compared(comparison)
        }
        None => Outcome::BuildFailed {
            command: built.output.command,
            log: built.output.log,
        },
    }
}

/// Fails unless the stock build failed with the text of the named difference that says this
/// engine's stock frontend rejects the case.
fn ensure_stock_rejects(
    case: &Case,
    stock: &BuiltImage,
    (name, text): (&'static str, &'static str),
) -> Result<()> {
    if stock.snapshot.is_some() || !stock.output.log.contains(text) {
        bail!(
            "case {}: known engine difference `{name}` says this engine's stock frontend rejects \
             the Dockerfile with {text:?}, but it did not:\n{}",
            case.name,
            log_tail(&stock.output.log)
        );
    }
    Ok(())
}

/// A case whose stock build this engine rejects (a named known difference) while the newest
/// frontend builds it: stock must fail with the named text, and the two cachefront images must
/// equal each other.
fn judge_stock_rejection(
    case: &Case,
    stock: &BuiltImage,
    (name, text): (&'static str, &'static str),
    directive: BuiltImage,
    build_arg: BuiltImage,
) -> Result<Vec<(Frontend, Outcome)>> {
    ensure_stock_rejects(case, stock, (name, text))?;
    let Some(reference) = directive.snapshot.clone() else {
        let outcome = Outcome::BuildFailed {
            command: directive.output.command,
            log: directive.output.log,
        };
        return Ok(vec![(directive.frontend, outcome)]);
    };
    let outcome = judge_equal(
        case,
        (&reference, directive.frontend),
        build_arg.clone(),
        &[],
    );
    Ok(vec![(build_arg.frontend, outcome)])
}

/// Builds `case` several ways at once; each result is independent of the others.
pub fn build_images<const WAYS: usize>(
    case: &Case,
    frontends: [Frontend; WAYS],
) -> Result<[BuiltImage; WAYS]> {
    let results: Vec<Result<BuiltImage>> = thread::scope(|scope| {
        let handles: Vec<_> = frontends
            .iter()
            .map(|frontend| scope.spawn(move || build_image(case, *frontend)))
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .map_err(|_| anyhow!("a build thread panicked"))
                    .and_then(|result| result)
            })
            .collect()
    });
    let built: Vec<BuiltImage> = results.into_iter().collect::<Result<_>>()?;
    built
        .try_into()
        .map_err(|_| anyhow!("expected {WAYS} build results"))
}

/// Builds `case` one way; on success snapshots the image and removes it from the daemon.
/// Cache-mount tests use this directly to get cachefront's log and image.
pub fn build_image(case: &Case, frontend: Frontend) -> Result<BuiltImage> {
    let prepared = PreparedBuild::new(case, frontend)?;
    build_prepared(&prepared)
        .with_context(|| format!("building case {} with {frontend}", case.name))
}

/// Runs a prepared build (whose request the caller may have adjusted); on success snapshots the
/// image and removes it from the daemon.
pub fn build_prepared(prepared: &PreparedBuild) -> Result<BuiltImage> {
    let frontend = prepared.frontend;
    if frontend.is_cachefront() {
        docker::require_frontend()?;
    } else {
        docker::require_daemon()?;
    }
    let output = docker::build(&prepared.request)?;
    let snapshot = if output.succeeded {
        let tag = &prepared.request.tag;
        let snapshot = snapshot_image(tag);
        let removed = docker::remove_image(tag);
        let snapshot = snapshot.with_context(|| format!("snapshot of {tag} ({frontend})"))?;
        removed?;
        Some(snapshot)
    } else {
        None
    };
    Ok(BuiltImage {
        frontend,
        output,
        snapshot,
    })
}

/// `docker save`s `tag` to a temporary file and reads it.
pub fn snapshot_image(tag: &str) -> Result<ImageSnapshot> {
    let directory = tempfile::Builder::new()
        .prefix("cachefront-e2e-save-")
        .tempdir()?;
    let archive = directory.path().join("image.tar");
    docker::save_image(tag, &archive)?;
    ImageSnapshot::from_saved_archive_file(&archive)
}

/// Builds two cases (each its own way) and compares the images; for checking the harness itself
/// and for ad-hoc comparisons. Both builds must succeed.
pub fn compare_builds(
    expected: (&Case, Frontend),
    actual: (&Case, Frontend),
    ignore: &IgnorePatterns,
) -> Result<Comparison> {
    let snapshot_of = |(case, frontend): (&Case, Frontend)| -> Result<ImageSnapshot> {
        let built = build_image(case, frontend)?;
        built.snapshot.with_context(|| {
            format!(
                "building case {} with {frontend} failed:\n{}",
                case.name,
                log_tail(&built.output.log)
            )
        })
    };
    let (expected_snapshot, actual_snapshot) = thread::scope(|scope| {
        let expected_handle = scope.spawn(|| snapshot_of(expected));
        let actual_snapshot = snapshot_of(actual);
        let expected_snapshot = expected_handle
            .join()
            .map_err(|_| anyhow!("a build thread panicked"))
            .and_then(|result| result);
        (expected_snapshot, actual_snapshot)
    });
    let expected_label = format!("{}({})", expected.0.name, expected.1.slug());
    let actual_label = format!("{}({})", actual.0.name, actual.1.slug());
    Ok(compare_images(
        &expected_snapshot?,
        &actual_snapshot?,
        ignore,
        &expected_label,
        &actual_label,
    ))
}

/// The last lines of a build log.
pub fn log_tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    let start = lines.len().saturating_sub(LOG_TAIL_LINES);
    let mut tail = lines[start..].join("\n");
    if start > 0 {
        tail = format!("[... {start} earlier lines ...]\n{tail}");
    }
    tail
}

impl fmt::Display for Verdict {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = if self.passed() { "PASSED" } else { "FAILED" };
        writeln!(formatter, "case {}: {status}", self.case)?;
        for (frontend, outcome) in &self.outcomes {
            match outcome {
                Outcome::Compared(comparison) => write!(formatter, "{comparison}")?,
                Outcome::BuildFailed { command, log } => writeln!(
                    formatter,
                    "{frontend}: build FAILED where stock succeeded\n  command: {command}\n{}",
                    indent(&log_tail(log))
                )?,
                Outcome::ErrorMarked => writeln!(
                    formatter,
                    "{frontend}: failed as expected, at the right line"
                )?,
                Outcome::ErrorNotMarked { problems, log } => writeln!(
                    formatter,
                    "{frontend}: failed, but the error report is wrong: {}\n{}",
                    problems.join("; "),
                    indent(&log_tail(log))
                )?,
                Outcome::UnexpectedSuccess => writeln!(
                    formatter,
                    "{frontend}: built an image, but the stock frontend fails on this case"
                )?,
            }
        }
        Ok(())
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("  | {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_report_shows_every_outcome() {
        let equal = compare_images(
            &ImageSnapshot::default(),
            &ImageSnapshot::default(),
            &IgnorePatterns::default(),
            "stock",
            "cachefront(#syntax)",
        );
        let verdict = Verdict {
            case: "sample".into(),
            fell_back: Vec::new(),
            outcomes: vec![
                (Frontend::CachefrontDirective, Outcome::Compared(equal)),
                (
                    Frontend::CachefrontBuildArg,
                    Outcome::BuildFailed {
                        command: "docker buildx build ...".into(),
                        log: "#1 ERROR: boom\nERROR: failed to solve: boom".into(),
                    },
                ),
                (
                    Frontend::CachefrontDirective,
                    Outcome::ErrorNotMarked {
                        problems: vec!["no `Dockerfile:4` location in the output".into()],
                        log: "ERROR: failed to solve".into(),
                    },
                ),
                (Frontend::CachefrontBuildArg, Outcome::ErrorMarked),
                (Frontend::CachefrontBuildArg, Outcome::UnexpectedSuccess),
            ],
        };
        assert!(!verdict.passed());
        insta::assert_snapshot!(verdict.to_string());
    }

    #[test]
    fn log_tail_keeps_the_end() {
        let log: String = (1..=100).map(|number| format!("line {number}\n")).collect();
        let tail = log_tail(&log);
        assert!(tail.starts_with("[... 40 earlier lines ...]\nline 41\n"));
        assert!(tail.ends_with("line 100"));
        assert_eq!(log_tail("short"), "short");
    }
}
