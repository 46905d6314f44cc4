//! Runs the `docker` CLI: input = build requests and image tags, output = build logs (stdout and
//! stderr interleaved, as the user would see them), saved image archives, and clear errors when
//! Docker or the frontend image is missing. Invariants: every command has a time limit and is
//! killed (by its own pid) when it overruns; builds use the default `docker` driver, `--load`,
//! `--progress=plain` and no attestations; a failed build is a result, not an error.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Once, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::engine_differences::Engine;

/// The frontend image under test by default, built by `scripts/build-frontend`.
pub const FRONTEND_IMAGE: &str = "cachefront:dev";

/// Environment variable naming another frontend image to test instead of `FRONTEND_IMAGE`.
pub const FRONTEND_IMAGE_VARIABLE: &str = "CACHEFRONT_E2E_IMAGE";

/// The frontend image under test: `$CACHEFRONT_E2E_IMAGE` if set and not empty, else
/// `cachefront:dev`.
pub fn frontend_image() -> String {
    std::env::var(FRONTEND_IMAGE_VARIABLE)
        .ok()
        .filter(|image| !image.is_empty())
        .unwrap_or_else(|| FRONTEND_IMAGE.to_string())
}

/// The repository every harness-built image is tagged into.
pub const TEST_REPOSITORY: &str = "cachefront-e2e";

/// Limit for one `docker buildx build`.
pub const BUILD_TIMEOUT: Duration = Duration::from_secs(300);

/// Limit for short commands (`info`, `inspect`, `save`, `rmi`).
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// One `docker buildx build` invocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildRequest {
    pub context_dir: PathBuf,
    pub dockerfile: PathBuf,
    pub build_args: BTreeMap<String, String>,
    pub target: Option<String>,
    pub network_host: bool,
    /// Pass `--no-cache`: rebuild every step.
    pub no_cache: bool,
    /// Extra flags passed as they are, before the context directory.
    pub flags: Vec<String>,
    /// Tag of the loaded image.
    pub tag: String,
}

/// What a command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutput {
    /// The command line, for reports.
    pub command: String,
    pub succeeded: bool,
    /// stdout and stderr, interleaved.
    pub log: String,
    pub duration: Duration,
}

impl BuildRequest {
    /// The arguments after `docker`: the build loaded into the daemon under `tag`.
    pub fn arguments(&self) -> Vec<String> {
        self.arguments_with_output(
            &["--load".to_owned(), "--tag".to_owned(), self.tag.clone()],
            &[],
        )
    }

    /// The arguments after `docker`, with `output` (how the result leaves BuildKit) in place of
    /// `--load --tag <tag>`, and `extra_flags` after the case's flags.
    pub fn arguments_with_output(&self, output: &[String], extra_flags: &[String]) -> Vec<String> {
        let mut arguments: Vec<String> = [
            "buildx",
            "build",
            "--builder",
            "default",
            "--progress=plain",
            "--provenance=false",
        ]
        .iter()
        .map(|argument| (*argument).to_string())
        .collect();
        arguments.extend(output.iter().cloned());
        arguments.push("--file".into());
        arguments.push(self.dockerfile.to_string_lossy().into_owned());
        for (name, value) in &self.build_args {
            arguments.push("--build-arg".into());
            arguments.push(format!("{name}={value}"));
        }
        if let Some(target) = &self.target {
            arguments.push("--target".into());
            arguments.push(target.clone());
        }
        if self.network_host {
            arguments.push("--network=host".into());
        }
        if self.no_cache {
            arguments.push("--no-cache".into());
        }
        arguments.extend(self.flags.iter().cloned());
        arguments.extend(extra_flags.iter().cloned());
        arguments.push(self.context_dir.to_string_lossy().into_owned());
        arguments
    }
}

/// Runs the build; `Err` only when `docker` could not be run at all or timed out.
pub fn build(request: &BuildRequest) -> Result<CommandOutput> {
    run_docker(&request.arguments(), BUILD_TIMEOUT)
}

/// Runs `docker <arguments>` with a time limit, capturing stdout and stderr interleaved.
pub fn run_docker<S: AsRef<str>>(arguments: &[S], timeout: Duration) -> Result<CommandOutput> {
    let arguments: Vec<&str> = arguments.iter().map(AsRef::as_ref).collect();
    let command_line = format!("docker {}", arguments.join(" "));
    let log_dir = tempfile::tempdir().context("creating a temporary directory for a log")?;
    let log_path = log_dir.path().join("log");
    let log_file = File::create(&log_path)?;
    let started = Instant::now();
    let mut child = Command::new("docker")
        .args(&arguments)
        .env_remove("BUILDX_BUILDER")
        .stdin(Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file)
        .spawn()
        .with_context(|| format!("cannot run `{command_line}`: is the docker CLI installed?"))?;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > timeout {
            // Only our own child, by its pid.
            let _ = child.kill();
            let _ = child.wait();
            let log = fs::read_to_string(&log_path).unwrap_or_default();
            bail!("`{command_line}` did not finish within {timeout:?}; output so far:\n{log}");
        }
        thread::sleep(POLL_INTERVAL);
    };
    let log = String::from_utf8_lossy(&fs::read(&log_path)?).into_owned();
    Ok(CommandOutput {
        command: command_line,
        succeeded: status.success(),
        log,
        duration: started.elapsed(),
    })
}

/// Runs a short command and fails with its output when it fails.
fn run_checked(arguments: &[&str]) -> Result<CommandOutput> {
    let output = run_docker(arguments, COMMAND_TIMEOUT)?;
    if !output.succeeded {
        bail!("`{}` failed:\n{}", output.command, output.log.trim_end());
    }
    Ok(output)
}

/// Fails with a clear message unless the Docker daemon answers. The first answer in a process
/// is reported once (see [`report_engine`]).
pub fn require_daemon() -> Result<()> {
    let output = run_docker(&["info", "--format", "{{.ServerVersion}}"], COMMAND_TIMEOUT)
        .context("Docker is required for the e2e tests (install it with scripts/setup-env)")?;
    if !output.succeeded {
        bail!(
            "the Docker daemon does not answer; the e2e tests need it (start it, or run \
             scripts/setup-env):\n{}",
            output.log.trim_end()
        );
    }
    static ENGINE_REPORTED: Once = Once::new();
    ENGINE_REPORTED.call_once(|| report_engine(output.log.trim()));
    Ok(())
}

/// The engine the run uses, told by the server's version (asked once per process); `None` for a
/// version the known-differences list was never measured on.
pub fn engine() -> Result<Option<Engine>> {
    static VERSION: OnceLock<String> = OnceLock::new();
    if let Some(version) = VERSION.get() {
        return Ok(Engine::from_server_version(version));
    }
    let output = run_checked(&["info", "--format", "{{.ServerVersion}}"])?;
    let version = VERSION.get_or_init(|| output.log.trim().to_owned());
    Ok(Engine::from_server_version(version))
}

/// Writes which engine the run uses (`scripts/engine 26|28` chooses it) to stderr, as
/// `cachefront-e2e: Docker engine <server version> at <DOCKER_HOST>`. Written to the stderr
/// handle itself: libtest captures only `print!`/`eprint!`, so the line shows in every run.
fn report_engine(server_version: &str) {
    let host = std::env::var("DOCKER_HOST")
        .ok()
        .filter(|host| !host.is_empty())
        .unwrap_or_else(|| "the default socket".to_owned());
    let line = format!("cachefront-e2e: Docker engine {server_version} at {host}\n");
    // Best effort: the line is a report, not a check.
    let _ = std::io::stderr().write_all(line.as_bytes());
}

/// Fails with a clear message unless `reference` is a local image.
pub fn require_image(reference: &str, how_to_build: &str) -> Result<()> {
    let output = run_docker(
        &["image", "inspect", "--format", "{{.Id}}", reference],
        COMMAND_TIMEOUT,
    )?;
    if !output.succeeded {
        bail!(
            "image {reference} is missing; build it with {how_to_build}:\n{}",
            output.log.trim_end()
        );
    }
    Ok(())
}

/// Checks everything a cachefront build needs: the daemon and the frontend image.
pub fn require_frontend() -> Result<()> {
    require_daemon()?;
    require_image(&frontend_image(), "scripts/build-frontend")
}

/// Writes `docker save` of `tag` to `destination`.
pub fn save_image(tag: &str, destination: &Path) -> Result<()> {
    let destination = destination.to_string_lossy();
    run_checked(&["save", "--output", &destination, tag])?;
    Ok(())
}

/// Untags (and, when unused, deletes) `tag`. Two tags of one image removed at the same time can
/// make the daemon answer "unrecognized image ID" for a tag that is gone anyway, so a failure
/// counts only while the tag still exists, after a few tries.
pub fn remove_image(tag: &str) -> Result<()> {
    const ATTEMPTS: usize = 3;
    let mut last_failure = None;
    for _ in 0..ATTEMPTS {
        let removal = run_docker(&["image", "rm", tag], COMMAND_TIMEOUT)?;
        if removal.succeeded {
            return Ok(());
        }
        let still_there = run_docker(
            &["image", "inspect", "--format", "{{.Id}}", tag],
            COMMAND_TIMEOUT,
        )?;
        if !still_there.succeeded {
            return Ok(());
        }
        last_failure = Some(removal);
        thread::sleep(Duration::from_millis(200));
    }
    let log = last_failure.map(|failure| failure.log).unwrap_or_default();
    bail!(
        "`docker image rm {tag}` failed {ATTEMPTS} times:\n{}",
        log.trim_end()
    )
}

/// A tag in `cachefront-e2e` unique to this process: `cachefront-e2e:<label>-<pid>-<n>`.
pub fn unique_tag(label: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let number = COUNTER.fetch_add(1, Ordering::Relaxed);
    let sanitized: String = label
        .chars()
        .map(|character| match character {
            'a'..='z' | '0'..='9' | '_' | '.' | '-' => character,
            'A'..='Z' => character.to_ascii_lowercase(),
            _ => '-',
        })
        .take(96)
        .collect();
    format!(
        "{TEST_REPOSITORY}:{sanitized}-{}-{number}",
        std::process::id()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_arguments_cover_every_option() {
        let request = BuildRequest {
            context_dir: PathBuf::from("/ctx"),
            dockerfile: PathBuf::from("/tmp/x/Dockerfile"),
            build_args: BTreeMap::from([("A".to_string(), "1 2".to_string())]),
            target: Some("final".into()),
            network_host: true,
            no_cache: true,
            flags: vec!["--label".into(), "a=b".into()],
            tag: "cachefront-e2e:t".into(),
        };
        insta::assert_snapshot!(request.arguments().join(" "), @"buildx build --builder default --progress=plain --provenance=false --load --tag cachefront-e2e:t --file /tmp/x/Dockerfile --build-arg A=1 2 --target final --network=host --no-cache --label a=b /ctx");
    }

    #[test]
    fn unique_tags_are_valid_and_distinct() {
        let first = unique_tag("Copy Context/stock");
        let second = unique_tag("Copy Context/stock");
        assert_ne!(first, second);
        let tag = first
            .split_once(':')
            .map(|(_, tag)| tag)
            .unwrap_or_default();
        assert!(tag.starts_with("copy-context-stock-"), "{tag}");
        assert!(tag.len() <= 128);
    }
}
