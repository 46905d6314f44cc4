//! Build-check findings from real engines, in: a build-check fixture
//! (`tests/fixtures/checks/<case>/`: Dockerfile, optional `.dockerignore` and `check.json`), an
//! engine and a frontend (stock or a cachefront image); out: the findings (rule, first line) a
//! normal `docker buildx build` prints after `N warnings found`, and those `--call=check,
//! format=json` answers. Invariants: both engines are reached explicitly, whatever the caller's
//! environment: Docker 28.5 through its own client (`/opt/cachefront-current-engine/client-bin/
//! docker`, `DOCKER_CONFIG=/opt/cachefront-current-engine/client-config`) on
//! `/var/run/cachefront-current-engine/docker.sock`, Docker 26 through the system `docker`
//! (buildx 0.13) on `/var/run/docker.sock`; `--call=check` needs buildx >= 0.15, so on Docker 26
//! it runs with the 28.5 client against the Docker 26 socket. Builds export nothing
//! (`type=cacheonly`). A case's known difference from Docker 28.5's builtin frontend (1.19) is
//! declared by name in its check.json with the findings it adds or removes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

pub use crate::engine_differences::Engine;
use crate::engine_differences::{self, Allowance};

/// One finding as a client shows it: the rule and the first line it points at.
pub type Finding = (String, u32);

const CURRENT_CLIENT: &str = "/opt/cachefront-current-engine/client-bin/docker";
const CURRENT_CONFIG: &str = "/opt/cachefront-current-engine/client-config";
const CURRENT_SOCKET: &str = "unix:///var/run/cachefront-current-engine/docker.sock";
const MAIN_SOCKET: &str = "unix:///var/run/docker.sock";

/// How a build is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A normal build: the warnings buildx lists after `N warnings found`.
    Build,
    /// `--call=check,format=json`.
    Check,
}

/// Which frontend builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Stock,
    /// cachefront through `BUILDKIT_SYNTAX=<image>`.
    BuildArg(String),
    /// cachefront through a `# syntax=<image>` first line added to the Dockerfile (every line
    /// then moves down by one).
    Directive(String),
}

/// A named difference of Docker 28.5's builtin frontend (1.19) from 1.26 for one case: the name
/// is an entry of `engine_differences::ENGINE_DIFFERENCES` (which gives its reason) that allows
/// check findings; the findings are this case's.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownDifference {
    pub name: String,
    /// Findings only stock 28.5 reports.
    #[serde(default)]
    pub only_stock: Vec<Finding>,
    /// Findings only cachefront (1.26) reports.
    #[serde(default)]
    pub only_cachefront: Vec<Finding>,
}

/// A fixture's check.json.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CaseFile {
    #[serde(default)]
    pub engine_differences: Vec<KnownDifference>,
}

/// One build-check fixture.
#[derive(Debug, Clone)]
pub struct CheckCase {
    pub name: String,
    pub directory: PathBuf,
    pub file: CaseFile,
}

impl CheckCase {
    pub fn load(name: &str) -> Result<CheckCase> {
        let directory = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/checks")
            .join(name);
        if !directory.join("Dockerfile").is_file() {
            bail!("no fixture {}", directory.display());
        }
        let file: CaseFile = match std::fs::read(directory.join("check.json")) {
            Ok(bytes) => serde_json::from_slice(&bytes).context("check.json")?,
            Err(_) => CaseFile::default(),
        };
        for difference in &file.engine_differences {
            let listed = engine_differences::find(&difference.name).is_some_and(|entry| {
                matches!(entry.allowance, Allowance::CheckFindings)
                    && entry.engines.contains(&Engine::Docker28)
            });
            if !listed {
                bail!(
                    "{name}/check.json: {:?} is not a Docker 28.5 check-findings entry of \
                     tests/e2e/src/engine_differences.rs",
                    difference.name
                );
            }
        }
        Ok(CheckCase {
            name: name.to_owned(),
            directory,
            file,
        })
    }

    /// What stock 28.5 should report, given cachefront's findings and the named differences.
    pub fn stock_expectation(&self, cachefront: &BTreeSet<Finding>) -> BTreeSet<Finding> {
        let mut expected = cachefront.clone();
        for difference in &self.file.engine_differences {
            for finding in &difference.only_cachefront {
                expected.remove(finding);
            }
            expected.extend(difference.only_stock.iter().cloned());
        }
        expected
    }
}

/// The findings of one build of `case` on `engine` by `via`, in `mode`.
pub fn findings(case: &CheckCase, engine: Engine, via: &Via, mode: Mode) -> Result<Vec<Finding>> {
    let scratch = tempfile::tempdir()?;
    let (context, dockerfile) = match via {
        Via::Directive(image) => {
            let original = std::fs::read_to_string(case.directory.join("Dockerfile"))?;
            let path = scratch.path().join("Dockerfile");
            std::fs::write(&path, format!("# syntax={image}\n{original}"))?;
            (case.directory.clone(), path)
        }
        _ => (case.directory.clone(), case.directory.join("Dockerfile")),
    };
    let mut arguments: Vec<String> = vec!["buildx".into(), "build".into()];
    arguments.extend(["--progress=plain".into(), "-f".into()]);
    arguments.push(dockerfile.display().to_string());
    if let Via::BuildArg(image) = via {
        arguments.push(format!("--build-arg=BUILDKIT_SYNTAX={image}"));
    }
    match mode {
        Mode::Build => arguments.push("--output=type=cacheonly".into()),
        Mode::Check => arguments.push("--call=check,format=json".into()),
    }
    arguments.push(context.display().to_string());
    let (client, config, host) = match (engine, mode) {
        (Engine::Docker26, Mode::Build) => ("docker", None, MAIN_SOCKET),
        (Engine::Docker26, Mode::Check) => (CURRENT_CLIENT, Some(CURRENT_CONFIG), MAIN_SOCKET),
        (Engine::Docker28, _) => (CURRENT_CLIENT, Some(CURRENT_CONFIG), CURRENT_SOCKET),
    };
    let mut command = Command::new(client);
    command.args(&arguments).env("DOCKER_HOST", host);
    match config {
        Some(config) => command.env("DOCKER_CONFIG", config),
        None => command.env_remove("DOCKER_CONFIG"),
    };
    let output = command
        .output()
        .with_context(|| format!("running {client} {}", arguments.join(" ")))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    match mode {
        Mode::Build => parse_build_warnings(&stderr)
            .with_context(|| format!("{} on {engine:?} by {via:?}:\n{stderr}", case.name)),
        Mode::Check => parse_check_json(&stdout).with_context(|| {
            format!(
                "{} on {engine:?} by {via:?}:\n{stdout}\n{stderr}",
                case.name
            )
        }),
    }
}

/// The ` - Rule: message (line N)` lines after `N warnings found`, checked against the count.
pub fn parse_build_warnings(log: &str) -> Result<Vec<Finding>> {
    let clean = strip_ansi(log);
    let mut lines = clean.lines();
    let Some(header) = lines.by_ref().find(|line| line.contains(" found (use ")) else {
        return Ok(Vec::new());
    };
    let count: usize = header
        .split_whitespace()
        .next()
        .and_then(|word| word.parse().ok())
        .with_context(|| format!("count in {header:?}"))?;
    let found: Vec<Finding> = lines
        .take_while(|line| line.starts_with(" - "))
        .map(|line| {
            let text = line.trim_start_matches(" - ");
            let rule = text.split(':').next().unwrap_or_default().to_owned();
            let number = text
                .rsplit_once("(line ")
                .and_then(|(_, rest)| rest.trim_end_matches(')').parse().ok())
                .unwrap_or(0);
            (rule, number)
        })
        .collect();
    if found.len() != count {
        bail!("{count} warnings announced, {} listed", found.len());
    }
    Ok(found)
}

/// The warnings of a `--call=check,format=json` answer.
pub fn parse_check_json(stdout: &str) -> Result<Vec<Finding>> {
    let start = stdout.find('{').context("no JSON answer")?;
    let value: serde_json::Value =
        serde_json::from_str(stdout.get(start..).unwrap_or_default()).context("answer")?;
    let warnings = value["warnings"].as_array().cloned().unwrap_or_default();
    Ok(warnings
        .iter()
        .map(|warning| {
            let rule = warning["ruleName"].as_str().unwrap_or_default().to_owned();
            let line = warning["location"]["ranges"][0]["start"]["line"]
                .as_u64()
                .unwrap_or(0);
            (rule, u32::try_from(line).unwrap_or(0))
        })
        .collect())
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for next in chars.by_ref() {
                if next.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_warning_summary() {
        let log = "#1 DONE\n\n \u{1b}[33m2 warnings found (use docker --debug to expand):\n\u{1b}[0m - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 2)\n - UndefinedVar: Usage of undefined variable '$a' (did you mean $b?) (line 10)\nERROR: x\n";
        assert_eq!(
            parse_build_warnings(log).unwrap(),
            vec![
                ("FromAsCasing".to_owned(), 2),
                ("UndefinedVar".to_owned(), 10)
            ]
        );
        assert!(parse_build_warnings("no warnings").unwrap().is_empty());
    }
}
