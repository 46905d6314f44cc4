//! Caches that survive ephemeral CI runners (`docs/ci-caches.md`): input = the apt, pip (as root
//! with scoped cache ids, and as a non-root USER) and npm examples; output = one test that, per
//! example, plays a CI pipeline on a fresh runner: wipe the builder, build with the recipe's flags (empty seed),
//! export the caches to a directory, wipe the builder (`docker builder prune -af`), apply the
//! example's change (one dependency added), build again seeded from the export; then asserts the
//! rebuild downloaded only the new dependency (index access log, apt's byte total, npm's fetch
//! log) and its image equals the stock image up to the pure caches. Invariants: every build of
//! this binary is sequential (one test function), because the wipe empties the whole builder;
//! do not run this binary next to other e2e binaries (`cargo test` runs binaries one at a time).

// A test harness: failing loudly on a broken fixture or daemon is its job.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use anyhow::{ensure, Context, Result};
use cachefront_e2e::ci_runner::{
    apt_fetched_bytes, ci_build, ci_export, exported_caches, instruction_steps_run, wipe_builder,
};
use cachefront_e2e::compare::compare_images;
use cachefront_e2e::differential::{build_image, Outcome, Verdict};
use cachefront_e2e::download_log::{
    apt_downloads, npm_tarball_downloads, pip_cache_hits, repeated, step_output,
};
use cachefront_e2e::example_project::{ExampleCopy, ExampleSetup};
use cachefront_e2e::example_verdict::judge_example;
use cachefront_e2e::package_index::{index_downloads, PackageIndex};
use cachefront_e2e::{docker, engine_differences, CommandOutput, Frontend};

/// Every wheel the Python examples install, before and after their change.
const PYTHON_PACKAGES: &[&str] = &[
    "python-dateutil==2.9.0.post0",
    "idna==3.10",
    "attrs==24.2.0",
];

/// npm logs each request only at `loglevel=http`.
const NPMRC: &str = "audit=false\nfund=false\nupdate-notifier=false\nloglevel=http\n";

/// One example's CI pipeline, played twice (before and after its change) on fresh builders.
struct Pipeline {
    setup: ExampleSetup,
    extra_files: Vec<(&'static str, &'static str)>,
    /// The export directory must hold a cache whose name contains each of these.
    expected_caches: Vec<&'static str>,
}

/// The logs of the pipeline's first build and of its seeded rebuild.
struct Played {
    first: CommandOutput,
    rebuild: CommandOutput,
}

impl Pipeline {
    /// Builds (empty seed), exports, wipes the builder, applies the change and rebuilds seeded
    /// from the export; checks the export and that the rebuild's image equals stock's.
    fn play(&self, between: impl FnOnce() -> Result<()>) -> Result<Played> {
        let name = self.setup.name;
        let original = ExampleCopy::new(&self.setup, &self.extra_files)?;
        let changed = ExampleCopy::new(&self.setup, &self.extra_files)?;
        changed.apply_change()?;
        let stock = build_image(&changed.case()?, Frontend::Stock)?;
        let stock_snapshot = stock
            .snapshot
            .with_context(|| format!("stock build of {name} failed:\n{}", stock.output.log))?;

        let runner = tempfile::Builder::new()
            .prefix("cachefront-ci-runner-")
            .tempdir()?;
        let (seed, export) = (runner.path().join("seed"), runner.path().join("export"));
        std::fs::create_dir_all(&seed)?;
        // A fresh runner's builder is empty.
        wipe_builder()?;
        let (first, _) = ci_build(&original.case()?, &seed)?;
        ensure!(
            first.log.contains("nothing in the seed"),
            "{name}: the first build did not report its empty seed:\n{}",
            first.log
        );
        let export_log = ci_export(&original.case()?, &seed, &export)?;
        let rerun = instruction_steps_run(&export_log.log);
        ensure!(
            rerun.is_empty(),
            "{name}: the export ran Dockerfile steps {rerun:?}:\n{}",
            export_log.log
        );
        let caches = exported_caches(&export)?;
        println!("{name}: exported {caches:?}");
        for expected in &self.expected_caches {
            ensure!(
                caches
                    .iter()
                    .any(|(cache, bytes)| cache.contains(expected) && *bytes > 0),
                "{name}: no non-empty cache named like {expected} in {caches:?}:\n{}",
                export_log.log
            );
        }
        ensure!(
            export_log.log.contains(" in all"),
            "{name}: the export printed no sizes:\n{}",
            export_log.log
        );

        let wipe_started = std::time::Instant::now();
        wipe_builder()?;
        let wipe = wipe_started.elapsed();
        between()?;
        let (rebuild, snapshot) = ci_build(&changed.case()?, &export)?;
        println!(
            "{name}: stock build {:.1?}, first CI build {:.1?}, export {:.1?}, wipe {wipe:.1?}, \
             seeded rebuild {:.1?}",
            stock.output.duration, first.duration, export_log.duration, rebuild.duration
        );
        let mut comparison = compare_images(
            &stock_snapshot,
            &snapshot,
            &changed.case()?.ignore,
            "stock",
            "cachefront seeded",
        );
        let declared = changed.case()?.engine_differences;
        let applying = engine_differences::applying(&declared, docker::engine()?);
        engine_differences::account(&mut comparison, &applying);
        let verdict = Verdict {
            case: format!("ci_{name}"),
            outcomes: vec![(Frontend::CachefrontBuildArg, Outcome::Compared(comparison))],
            fell_back: Vec::new(),
        };
        let judgement = judge_example(&verdict);
        println!("{name}: {}", judgement.report);
        ensure!(judgement.passed, "{name}: {}", judgement.report);
        Ok(Played { first, rebuild })
    }
}

fn python_setup(
    name: &'static str,
    index: &PackageIndex,
    ignore: &'static str,
    extra_args: &[(&str, &str)],
) -> ExampleSetup {
    let mut build_args = BTreeMap::from([
        ("PIP_INDEX_URL".to_owned(), index.index_url()),
        ("PIP_TRUSTED_HOST".to_owned(), "127.0.0.1".to_owned()),
    ]);
    for (key, value) in extra_args {
        build_args.insert((*key).to_owned(), (*value).to_owned());
    }
    ExampleSetup {
        name,
        build_args,
        network_host: true,
        ignore_paths: vec![ignore],
        // The Dockerfiles declare the index as `ARG PIP_INDEX_URL` with no default.
        engine_differences: vec!["arg-history-without-value"],
    }
}

/// Bytes of the package files the index served in `log` (its access log lines end in the
/// status and the size).
fn served_bytes(log: &str) -> u64 {
    log.lines()
        .filter(|line| line.contains("\"GET /packages/"))
        .filter_map(|line| line.split_whitespace().last()?.parse::<u64>().ok())
        .sum()
}

/// A pip pipeline: the rebuild fetched only the added `attrs` from the index, pip used its
/// cache for the other three wheels.
fn check_pip(pipeline: &Pipeline, index: &PackageIndex) -> Result<()> {
    let name = pipeline.setup.name;
    let mut marks = (0, 0);
    let played = pipeline.play(|| {
        marks.0 = index.access_log()?.len();
        Ok(())
    })?;
    marks.1 = index.access_log()?.len();
    let log = index.access_log()?;
    let rebuild_log = log.get(marks.0..marks.1).unwrap_or_default();
    let served = index_downloads(rebuild_log);
    let earlier_total = served_bytes(log.get(..marks.0).unwrap_or_default());
    let rebuild_total = served_bytes(rebuild_log);
    let hits = pip_cache_hits(&step_output(&played.rebuild.log, "pip install"));
    println!(
        "{name}: the seeded rebuild fetched {served:?} ({rebuild_total} bytes; the stock and \
         first builds before it {earlier_total} bytes); pip used its cache for {hits:?}"
    );
    ensure!(
        served.len() == 1 && served[0].starts_with("attrs-"),
        "{name}: the seeded rebuild fetched more than the added attrs: {served:?}\n{}",
        played.rebuild.log
    );
    ensure!(hits.len() == 3, "{name}: pip's cache hits: {hits:?}");
    Ok(())
}

fn check_apt(pipeline: &Pipeline) -> Result<()> {
    let played = pipeline.play(|| Ok(()))?;
    let first = step_output(&played.first.log, "apt-get install");
    let second = step_output(&played.rebuild.log, "apt-get install");
    let (first_items, second_items) = (apt_downloads(&first), apt_downloads(&second));
    println!(
        "apt: first build fetched {} files ({:?} bytes), the seeded rebuild {second_items:?} \
         ({:?} bytes)",
        first_items.len(),
        apt_fetched_bytes(&first),
        apt_fetched_bytes(&second)
    );
    ensure!(
        second_items.iter().any(|item| item.contains(" curl ")),
        "the seeded rebuild did not fetch curl: {second_items:?}"
    );
    // The machine's mirror proxy sends no validators: `InRelease` is fetched again (see the
    // examples' apt check); every index and `.deb` must come from the seeded caches.
    let rest: Vec<String> = second_items
        .iter()
        .filter(|item| !item.ends_with(" InRelease"))
        .cloned()
        .collect();
    let again = repeated(&first_items, &rest);
    ensure!(
        again.is_empty(),
        "the seeded rebuild fetched again: {again:?}"
    );
    Ok(())
}

fn check_npm(pipeline: &Pipeline) -> Result<()> {
    let played = pipeline.play(|| Ok(()))?;
    let first = npm_tarball_downloads(&step_output(&played.first.log, "npm ci"));
    let second = npm_tarball_downloads(&step_output(&played.rebuild.log, "npm ci"));
    println!("npm: first build fetched {first:?}; the seeded rebuild {second:?}");
    ensure!(
        second.len() == 1 && second[0].ends_with("/picocolors-1.1.1.tgz"),
        "the seeded rebuild fetched more than the added picocolors: {second:?}"
    );
    Ok(())
}

#[test]
fn fresh_runner_rebuild_downloads_only_the_new_dependency() -> Result<()> {
    let index = PackageIndex::start(PYTHON_PACKAGES)?;
    check_apt(&Pipeline {
        setup: ExampleSetup {
            name: "apt",
            ignore_paths: vec![
                "/var/cache/apt",
                "/var/cache/ldconfig/aux-cache",
                "/var/log/apt",
                "/var/log/dpkg.log",
                "/var/log/alternatives.log",
            ],
            ..ExampleSetup::default()
        },
        extra_files: Vec::new(),
        expected_caches: vec!["++var+cache+apt", "++var+lib+apt"],
    })?;
    // pip as root, with cache ids scoped by platform and distribution.
    check_pip(
        &Pipeline {
            setup: python_setup(
                "pip",
                &index,
                "/root/.cache/pip",
                &[("CACHEFRONT_CACHE_ID", "scoped")],
            ),
            extra_files: Vec::new(),
            expected_caches: vec!["++root+.cache+pip%40linux+amd64+debian-12"],
        },
        &index,
    )?;
    // pip as a non-root USER: the seeded cache must be the user's.
    check_pip(
        &Pipeline {
            setup: python_setup("nonroot", &index, "/home/app/.cache/pip", &[]),
            extra_files: Vec::new(),
            expected_caches: vec!["++home+app+.cache+pip"],
        },
        &index,
    )?;
    // npm under a cache-mount namespace.
    let mut npm = ExampleSetup {
        name: "npm",
        ignore_paths: vec!["/root/.npm"],
        ..ExampleSetup::default()
    };
    npm.build_args
        .insert("BUILDKIT_CACHE_MOUNT_NS".to_owned(), "ci".to_owned());
    check_npm(&Pipeline {
        setup: npm,
        extra_files: vec![(".npmrc", NPMRC)],
        expected_caches: vec!["ci++root+.npm"],
    })?;
    Ok(())
}
