//! The `examples/<ecosystem>/` projects as e2e cases: input = an example's name, build args and
//! the paths its caches may leave in the stock image; output = a differential `Case` for it, and
//! the logs of two cachefront builds of a copy of it, before and after applying its change
//! (`tests/fixtures/examples/<ecosystem>/`: the files that differ after adding one dependency
//! or editing one source file). Invariants: the examples are never modified (builds use a
//! temporary copy); both builds of a pair use a fresh `BUILDKIT_CACHE_MOUNT_NS` and an extra host
//! naming it (so no RUN comes from the layer cache of an earlier run): the first starts from
//! empty cache mounts and the second sees exactly what the first left there.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};

use crate::case::Case;
use crate::differential::log_tail;
use crate::docker::{self, run_docker, CommandOutput, COMMAND_TIMEOUT};
use crate::engine_differences;
use crate::frontend::{Frontend, PreparedBuild};
use crate::ignore::IgnorePatterns;

/// How an example is built in the checks.
#[derive(Debug, Clone, Default)]
pub struct ExampleSetup {
    /// The directory name under `examples/`.
    pub name: &'static str,
    /// Build args (e.g. a local index URL); the Dockerfile declares them as a user would.
    pub build_args: BTreeMap<String, String>,
    /// `--network host`, so RUN steps reach a server on loopback.
    pub network_host: bool,
    /// Paths the stock image may have and cachefront's not: pure caches and timestamped logs.
    pub ignore_paths: Vec<&'static str>,
    /// Known engine differences the example shows, by name (`engine_differences.rs`), as a
    /// fixture case declares them in its case.json.
    pub engine_differences: Vec<&'static str>,
}

/// The logs of the two cachefront builds of [`rebuild_after_change`].
#[derive(Debug, Clone)]
pub struct BuildPair {
    pub first: CommandOutput,
    pub second: CommandOutput,
}

/// `examples/` of this workspace.
pub fn examples_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// `tests/fixtures/examples/` of this workspace: per example, the files of its change.
pub fn example_changes_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/examples")
}

/// The differential case for the example as it is in `examples/`.
pub fn example_case(setup: &ExampleSetup) -> Result<Case> {
    case_in(&examples_root().join(setup.name), setup)
}

/// The daemon lost a copy's cache mounts between its builds: something else on it ran `docker
/// builder prune`, so a rebuild check says nothing about cachefront. Callers may retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheMountsPruned {
    pub namespace: String,
}

impl fmt::Display for CacheMountsPruned {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "the cache mounts of namespace {} were pruned from the build cache between the \
             builds (by something else on this daemon)",
            self.namespace
        )
    }
}

impl std::error::Error for CacheMountsPruned {}

/// A temporary copy of an example, built with cachefront under one fresh cache namespace.
#[derive(Debug)]
pub struct ExampleCopy {
    setup: ExampleSetup,
    namespace: String,
    directory: tempfile::TempDir,
    builds: Cell<u32>,
}

impl ExampleCopy {
    /// Copies the example and writes `extra_files` (relative path, content) into the copy, e.g.
    /// a log-level setting the checks read.
    pub fn new(setup: &ExampleSetup, extra_files: &[(&str, &str)]) -> Result<ExampleCopy> {
        let directory = tempfile::Builder::new()
            .prefix(&format!("cachefront-example-{}-", setup.name))
            .tempdir()?;
        copy_tree(&examples_root().join(setup.name), directory.path())?;
        for (relative, content) in extra_files {
            let path = directory.path().join(relative);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::write(&path, content)
                .with_context(|| format!("writing {relative} into the copy of {}", setup.name))?;
        }
        Ok(ExampleCopy {
            setup: setup.clone(),
            namespace: unique_namespace(setup.name),
            directory,
            builds: Cell::new(0),
        })
    }

    /// The differential case for the copy as it is now.
    pub fn case(&self) -> Result<Case> {
        case_in(self.directory.path(), &self.setup)
    }

    /// Builds the copy as it is now with cachefront; fails with the log's tail on failure. From
    /// the second build on, fails with [`CacheMountsPruned`] when the build cache lost the
    /// namespace's cache mounts before the build, or no mount of the build was a reused one.
    pub fn build(&self) -> Result<CommandOutput> {
        let case = case_in(self.directory.path(), &self.setup)?;
        let earlier_builds = self.builds.get();
        self.builds.set(earlier_builds + 1);
        let pruned = || CacheMountsPruned {
            namespace: self.namespace.clone(),
        };
        if earlier_builds > 0 && cache_mount_uses(&self.namespace)?.is_empty() {
            return Err(pruned().into());
        }
        let output = cachefront_build(&case, &self.namespace)?;
        if earlier_builds > 0 {
            let uses = cache_mount_uses(&self.namespace)?;
            // A RUN that ran again reuses its mounts (count 2 or more); after a prune every
            // record is new. RUNs served from the layer cache leave their counts alone.
            if uses.iter().all(|count| *count <= 1) {
                return Err(pruned().into());
            }
        }
        Ok(output)
    }

    /// Applies the example's change (`tests/fixtures/examples/<name>/`) to the copy.
    pub fn apply_change(&self) -> Result<()> {
        copy_tree(
            &example_changes_root().join(self.setup.name),
            self.directory.path(),
        )
    }
}

/// Builds a copy of the example with cachefront from cold caches, applies its change, builds
/// again (warm), and returns both logs.
pub fn rebuild_after_change(
    setup: &ExampleSetup,
    extra_files: &[(&str, &str)],
) -> Result<BuildPair> {
    let copy = ExampleCopy::new(setup, extra_files)?;
    let first = copy.build()?;
    copy.apply_change()?;
    let second = copy.build()?;
    Ok(BuildPair { first, second })
}

fn case_in(directory: &Path, setup: &ExampleSetup) -> Result<Case> {
    let mut case = Case::load(directory)?;
    case.name = format!("example_{}", setup.name);
    case.build_args = setup.build_args.clone();
    case.network_host = setup.network_host;
    case.ignore = IgnorePatterns::new(&setup.ignore_paths)?;
    case.engine_differences = setup
        .engine_differences
        .iter()
        .map(|name| {
            engine_differences::find(name)
                .with_context(|| format!("{name:?} is not in tests/e2e/src/engine_differences.rs"))
        })
        .collect::<Result<_>>()?;
    Ok(case)
}

/// One cachefront build (`BUILDKIT_SYNTAX` way) with the cache-mount namespace `namespace`; the
/// image is removed afterwards.
///
/// BuildKit's layer cache ignores cache-mount ids and proxy args, so a fresh namespace alone
/// would let a RUN built by an earlier test run come from the layer cache without running. An
/// extra host named after the namespace (`--add-host`, part of every RUN's cache key, visible
/// only in the RUN's `/etc/hosts`) makes every RUN of the pair run. `--no-cache` would not do:
/// it also gives each RUN fresh cache mounts, so a warm second build could not be tested.
fn cachefront_build(case: &Case, namespace: &str) -> Result<CommandOutput> {
    docker::require_frontend()?;
    let mut prepared = PreparedBuild::new(case, Frontend::CachefrontBuildArg)?;
    prepared
        .request
        .build_args
        .insert("BUILDKIT_CACHE_MOUNT_NS".into(), namespace.into());
    prepared
        .request
        .flags
        .extend(["--add-host".to_string(), format!("{namespace}:127.0.0.1")]);
    let output = docker::build(&prepared.request)?;
    if !output.succeeded {
        bail!(
            "cachefront build of {} failed\n  command: {}\n{}",
            case.name,
            output.command,
            log_tail(&output.log)
        );
    }
    docker::remove_image(&prepared.request.tag)?;
    Ok(output)
}

/// The usage counts of the build cache's cache-mount records whose id is in `namespace`, from
/// `docker builder du --verbose` (`Description: cached mount ... with id "<namespace>/..."`).
fn cache_mount_uses(namespace: &str) -> Result<Vec<u64>> {
    let output = run_docker(&["builder", "du", "--verbose"], COMMAND_TIMEOUT)?;
    if !output.succeeded {
        bail!("docker builder du failed:\n{}", output.log);
    }
    Ok(cache_mount_uses_in(&output.log, namespace))
}

fn cache_mount_uses_in(listing: &str, namespace: &str) -> Vec<u64> {
    let marker = format!("with id \"{namespace}/");
    listing
        .split("\n\n")
        .filter(|record| record.contains(&marker))
        .map(|record| {
            record
                .lines()
                .find_map(|line| line.strip_prefix("Usage count:"))
                .and_then(|count| count.trim().parse().ok())
                .unwrap_or(0)
        })
        .collect()
}

/// A cache-mount namespace no earlier build used.
fn unique_namespace(name: &str) -> String {
    let nanoseconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    format!("cachefront-e2e-{name}-{}-{nanoseconds}", std::process::id())
}

/// Copies the files under `source` into `destination` (overwriting), keeping relative paths.
fn copy_tree(source: &Path, destination: &Path) -> Result<()> {
    fs::create_dir_all(destination)?;
    for entry in fs::read_dir(source).with_context(|| format!("listing {}", source.display()))? {
        let entry = entry?;
        let target = destination.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target).with_context(|| {
                format!("copying {} to {}", entry.path().display(), target.display())
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_with_a_change_exists() {
        let listed = fs::read_dir(example_changes_root());
        let Ok(listed) = listed else {
            panic!("{listed:?}");
        };
        for entry in listed.flatten() {
            let example = examples_root().join(entry.file_name()).join("Dockerfile");
            assert!(
                example.is_file(),
                "{} has no example",
                entry.path().display()
            );
        }
        assert_ne!(unique_namespace("a"), unique_namespace("a"));
    }

    #[test]
    fn reads_cache_mount_usage_from_builder_du() {
        let listing = "ID:\t\ta\nDescription:\tcached mount /x from exec /bin/sh -c go build with id \"ns-1//root/.cache/go-build\"\nUsage count:\t2\nType:\t\texec.cachemount\n\n\
                       ID:\t\tb\nDescription:\tcached mount /y from exec sh with id \"ns-10//y\"\nUsage count:\t1\n\n\
                       ID:\t\tc\nDescription:\tmount / from exec /bin/sh -c true\nUsage count:\t5\n";
        assert_eq!(cache_mount_uses_in(listing, "ns-1"), [2]);
        assert!(cache_mount_uses_in(listing, "ns-2").is_empty());
    }
}
