//! Cache imports reach cachefront's own Solve: input = `tests/fixtures/cache_import/` (one RUN,
//! a fresh NONCE per run) built on the second daemon, whose docker driver with the containerd
//! image store can export and import local caches (the main daemon's cannot); output = assertions
//! that, for the stock frontend and both cachefront ways, a build after the daemon's build cache
//! was emptied reuses the RUN when given `--cache-from` of its earlier `--cache-to` export, and
//! runs it again when not. Invariants: a missing second daemon fails the test (never skips); the
//! stock frontend must behave so too, else the setup, not cachefront, is reported wrong.

// A test harness: failing loudly on a broken fixture or daemon is its job.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use anyhow::{bail, Context, Result};
use cachefront_e2e::differential::{log_tail, FALLBACK_MARKER};
use cachefront_e2e::docker::{require_frontend, BUILD_TIMEOUT, COMMAND_TIMEOUT};
use cachefront_e2e::multiplatform_daemon::{
    copy_frontend_image, require_multiplatform_daemon, run_on_multiplatform_daemon,
};
use cachefront_e2e::multiplatform_tools::ToolsContext;
use cachefront_e2e::{frontend_image, Case, CommandOutput, Frontend, PreparedBuild};

fn fixture() -> Result<Case> {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/cache_import");
    Case::load(&directory)
}

/// Builds `case` one way on the second daemon with extra output and cache flags.
fn build(
    case: &Case,
    frontend: Frontend,
    tools: &ToolsContext,
    cache_flags: &[String],
) -> Result<CommandOutput> {
    let prepared = PreparedBuild::new(case, frontend)?;
    let scratch = tempfile::tempdir().context("creating a directory for the output")?;
    let mut output = vec![
        "--output".to_owned(),
        format!(
            "type=oci,dest={}",
            scratch.path().join("image.tar").display()
        ),
    ];
    output.extend(cache_flags.iter().cloned());
    let arguments = prepared
        .request
        .arguments_with_output(&output, &tools.flags());
    let built = run_on_multiplatform_daemon(&arguments, BUILD_TIMEOUT)
        .with_context(|| format!("building the cache_import fixture with {frontend}"))?;
    if !built.succeeded {
        bail!("the {frontend} build failed:\n{}", log_tail(&built.log));
    }
    if built.log.contains(FALLBACK_MARKER) {
        bail!(
            "the {frontend} build fell back to the stock frontend:\n{}",
            log_tail(&built.log)
        );
    }
    Ok(built)
}

fn empty_build_cache() -> Result<()> {
    let pruned = run_on_multiplatform_daemon(&["builder", "prune", "-af"], COMMAND_TIMEOUT)?;
    if !pruned.succeeded {
        bail!(
            "docker builder prune on the second daemon failed:\n{}",
            pruned.log
        );
    }
    Ok(())
}

/// Whether the build ran the fixture's RUN (its output line is in the log) rather than reusing it.
fn ran_the_run(log: &str, nonce: &str) -> bool {
    log.lines()
        .any(|line| line.trim_end().ends_with(&format!("ran {nonce}")))
}

/// For one way: empty the cache, export, empty it, import (the RUN must be reused), empty, build without
/// import (the RUN must run). Returns what went wrong, if anything.
fn check_way(
    case: &Case,
    frontend: Frontend,
    tools: &ToolsContext,
    nonce: &str,
) -> Result<Vec<String>> {
    let cache = tempfile::tempdir().context("creating a directory for the cache export")?;
    let cache_directory = cache.path().join(frontend.slug());
    let mut problems = Vec::new();
    // The ways lower this RUN to the same op, so the previous way's build would answer it.
    empty_build_cache()?;
    let first = build(
        case,
        frontend,
        tools,
        &[
            "--cache-to".to_owned(),
            format!("type=local,mode=max,dest={}", cache_directory.display()),
        ],
    )?;
    if !ran_the_run(&first.log, nonce) {
        problems.push(format!(
            "{frontend}: the first build did not run the RUN:\n{}",
            log_tail(&first.log)
        ));
    }
    empty_build_cache()?;
    let imported = build(
        case,
        frontend,
        tools,
        &[
            "--cache-from".to_owned(),
            format!("type=local,src={}", cache_directory.display()),
        ],
    )?;
    if ran_the_run(&imported.log, nonce) || !imported.log.contains("CACHED") {
        problems.push(format!(
            "{frontend}: with --cache-from the RUN ran again instead of coming from the imported cache:\n{}",
            log_tail(&imported.log)
        ));
    }
    empty_build_cache()?;
    let without = build(case, frontend, tools, &[])?;
    if !ran_the_run(&without.log, nonce) {
        problems.push(format!(
            "{frontend}: without --cache-from the RUN did not run, so the emptied cache proves nothing:\n{}",
            log_tail(&without.log)
        ));
    }
    Ok(problems)
}

#[test]
fn cache_imports_reach_the_solve() {
    let prepared = (|| -> Result<(Case, ToolsContext, String)> {
        require_frontend()?;
        require_multiplatform_daemon()?;
        copy_frontend_image(&frontend_image())?;
        let mut case = fixture()?;
        let nonce = format!("{:x}", fresh_nonce());
        case.build_args.insert("NONCE".to_owned(), nonce.clone());
        Ok((case, ToolsContext::prepare()?, nonce))
    })();
    let (case, tools, nonce) = match prepared {
        Ok(prepared) => prepared,
        Err(error) => panic!("{error:#}"),
    };
    let mut problems = Vec::new();
    for frontend in [
        Frontend::Stock,
        Frontend::CachefrontDirective,
        Frontend::CachefrontBuildArg,
    ] {
        match check_way(&case, frontend, &tools, &nonce) {
            Ok(found) if frontend == Frontend::Stock && !found.is_empty() => {
                panic!("the stock frontend does not reuse imported caches here, so the setup is wrong:\n{}", found.join("\n"))
            }
            Ok(found) => problems.extend(found),
            Err(error) => problems.push(format!("{frontend}: {error:#}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// A value no earlier run used: the time in nanoseconds mixed with the process id.
fn fresh_nonce() -> u128 {
    let nanoseconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    nanoseconds ^ (u128::from(std::process::id()) << 64)
}
