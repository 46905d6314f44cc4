//! An ephemeral CI runner, simulated on the local daemon for the CI-cache proof: input = a case
//! (an example project) and the directories CI restores and saves; output = the logs of the
//! recipe's two builds (`ci_commands`), the exported caches with their sizes, and a wiped builder.
//! Invariants: the builds pass exactly the recipe's flags plus image delivery (`--load --tag`);
//! wiping runs `docker builder prune -af`, which empties the whole builder, so callers keep every
//! build of their process sequential and no other e2e binary may run at the same time.

use std::fs;
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::case::Case;
use crate::ci_commands::{build_step, export_step};
use crate::differential::{log_tail, snapshot_image};
use crate::docker::{self, frontend_image, run_docker, CommandOutput, BUILD_TIMEOUT};
use crate::frontend::{Frontend, PreparedBuild};
use crate::image::ImageSnapshot;

/// The recipe's build of `case`, seeded from `seed`; returns its log and the image.
pub fn ci_build(case: &Case, seed: &Path) -> Result<(CommandOutput, ImageSnapshot)> {
    docker::require_frontend()?;
    let prepared = PreparedBuild::new(case, Frontend::Stock)?;
    let step = build_step().resolved(seed, Path::new(""), &frontend_image());
    let tag = prepared.request.tag.clone();
    let output = ["--load".to_owned(), "--tag".to_owned(), tag.clone()];
    let arguments = prepared
        .request
        .arguments_with_output(&output, &step.flags());
    let log = run_checked_build(&arguments, case)?;
    let snapshot = snapshot_image(&tag);
    docker::remove_image(&tag)?;
    Ok((log, snapshot?))
}

/// The recipe's export of `case`'s caches into `export` (seeded from `seed`, as CI runs it).
pub fn ci_export(case: &Case, seed: &Path, export: &Path) -> Result<CommandOutput> {
    let prepared = PreparedBuild::new(case, Frontend::Stock)?;
    let step = export_step().resolved(seed, export, &frontend_image());
    let arguments = prepared.request.arguments_with_output(&[], &step.flags());
    run_checked_build(&arguments, case)
}

fn run_checked_build(arguments: &[String], case: &Case) -> Result<CommandOutput> {
    let output = run_docker(arguments, BUILD_TIMEOUT)?;
    if !output.succeeded {
        bail!(
            "CI build of {} failed\n  command: {}\n{}",
            case.name,
            output.command,
            log_tail(&output.log)
        );
    }
    Ok(output)
}

/// Empties the builder, as a fresh CI runner's is: every layer and every cache mount.
pub fn wipe_builder() -> Result<()> {
    let output = run_docker(&["builder", "prune", "-af"], BUILD_TIMEOUT)?;
    if !output.succeeded {
        bail!("docker builder prune -af failed:\n{}", output.log);
    }
    Ok(())
}

/// The caches in an export directory: each subdirectory with the bytes of its files.
pub fn exported_caches(export: &Path) -> Result<Vec<(String, u64)>> {
    let mut caches = Vec::new();
    for entry in fs::read_dir(export).with_context(|| format!("listing {}", export.display()))? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            caches.push((
                entry.file_name().to_string_lossy().into_owned(),
                tree_bytes(&entry.path())?,
            ));
        }
    }
    caches.sort();
    Ok(caches)
}

fn tree_bytes(root: &Path) -> Result<u64> {
    let mut total = 0;
    let mut pending = vec![root.to_path_buf()];
    while let Some(directory) = pending.pop() {
        for entry in fs::read_dir(&directory)? {
            let entry = entry?;
            let metadata = fs::symlink_metadata(entry.path())?;
            if metadata.is_dir() {
                pending.push(entry.path());
            } else if metadata.is_file() {
                total += metadata.len();
            }
        }
    }
    Ok(total)
}

/// The step headers of a build log that ran a Dockerfile instruction (`#<n> [<i>/<k>] RUN ...`)
/// rather than taking it from the build cache (`#<n> CACHED`). Lowering may solve the stages
/// before a RUN to read files (`/etc/passwd`, `/etc/os-release`); those show as cached steps.
pub fn instruction_steps_run(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|line| line.starts_with('#'))
        .filter(|line| {
            ["] RUN ", "] COPY ", "] ADD "]
                .iter()
                .any(|marker| line.contains(marker))
        })
        .filter(|header| {
            let id = header.split_whitespace().next().unwrap_or_default();
            let cached = format!("{id} CACHED");
            !log.lines().any(|line| line == cached)
        })
        .collect()
}

/// apt's `Fetched <n> <unit> in ...` total, in bytes (`Fetched 1,234 kB in 1s (...)`).
pub fn apt_fetched_bytes(lines: &[String]) -> Option<u64> {
    let line = lines
        .iter()
        .rev()
        .find(|line| line.starts_with("Fetched "))?;
    let mut words = line.split_whitespace().skip(1);
    let number: f64 = words.next()?.replace(',', "").parse().ok()?;
    let scale = match words.next()? {
        "B" => 1.0,
        "kB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        _ => return None,
    };
    Some((number * scale) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_apt_totals_and_instruction_steps() {
        let lines = vec![
            "Get:1 http://deb.debian.org/debian bookworm/main amd64 curl 7.88 [315 kB]".to_owned(),
            "Fetched 1,234 kB in 1s (1,000 kB/s)".to_owned(),
        ];
        assert_eq!(apt_fetched_bytes(&lines), Some(1_234_000));
        assert_eq!(apt_fetched_bytes(&[]), None);
        let log = "#5 [2/3] RUN apt-get update\n#5 0.1 hi\n#6 [cachefront] export 2 caches\n\
                   #7 [1/3] COPY a .\n#7 CACHED\n";
        assert_eq!(instruction_steps_run(log), ["#5 [2/3] RUN apt-get update"]);
    }
}
