//! The cache-mount proof over `examples/<ecosystem>/`: input = each example project and its
//! change in `tests/fixtures/examples/<ecosystem>/`, output = one test per example asserting
//! (1) the stock and both cachefront images are equivalent, up to the listed pure caches and
//! timestamped logs, the parents of those caches and `.pyc` headers (counts printed), and
//! (2) after a cold cachefront build, adding one dependency (or editing one source file) and
//! rebuilding downloads (or compiles) nothing the first build already did. Invariants: Docker
//! and `cachefront:dev` missing is a failure, never a skip; Python packages come from a local
//! index on loopback that sends `Cache-Control` (the registry proxy here strips it), Maven
//! artifacts from Debian's packages served on loopback, the rest from the real registries; a
//! rebuild check is repeated only when another process pruned its cache mounts mid-check.

// A test harness: failing loudly on a broken fixture or daemon is its job.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use anyhow::{ensure, Result};
use cachefront_e2e::differential_case;
use cachefront_e2e::download_log::{
    apt_downloads, cargo_downloads, ccache_hits_and_misses, go_compiled_packages, maven_downloads,
    npm_tarball_downloads, pip_cache_hits, pip_downloads, repeated, step_output,
};
use cachefront_e2e::example_project::{
    example_case, rebuild_after_change, BuildPair, CacheMountsPruned, ExampleCopy, ExampleSetup,
};
use cachefront_e2e::example_verdict::judge_example;
use cachefront_e2e::maven_repository::MavenRepository;
use cachefront_e2e::package_index::{index_downloads, PackageIndex};

/// Every wheel the Python examples install, before and after their change.
const PYTHON_PACKAGES: &[&str] = &[
    "python-dateutil==2.9.0.post0",
    "idna==3.10",
    "attrs==24.2.0",
    "uv==0.4.30",
];

/// Builds the example stock and both cachefront ways; fails on any difference outside its
/// ignored cache paths and their parent directories (see `judge_example`), printing what was
/// ignored either way.
fn assert_equivalent(setup: &ExampleSetup) -> Result<()> {
    let verdict = differential_case(&example_case(setup)?)?;
    let judgement = judge_example(&verdict);
    println!("{}: {}", setup.name, judgement.report);
    ensure!(judgement.passed, "{}", judgement.report);
    Ok(())
}

/// Attempts a rebuild check gets when another process on the daemon prunes the build cache.
const ATTEMPTS_WHEN_PRUNED: usize = 4;

/// Runs a rebuild check; runs it again (with fresh caches) only when it failed because the
/// build cache lost its cache mounts between the two builds (`CacheMountsPruned`: `docker
/// builder prune` by something else on the daemon). Any other failure fails at once.
fn with_prune_retries(check: impl Fn() -> Result<()>) -> Result<()> {
    let mut attempt = 1;
    loop {
        match check() {
            Err(error)
                if error.downcast_ref::<CacheMountsPruned>().is_some()
                    && attempt < ATTEMPTS_WHEN_PRUNED =>
            {
                println!("attempt {attempt}: {error:#}; running the rebuild check again");
                attempt += 1;
            }
            result => return result,
        }
    }
}

/// Fails unless the step whose header contains `step_text` got a cache mount from cachefront
/// in both builds.
fn assert_mounted(pair: &BuildPair, step_text: &str) -> Result<()> {
    for log in [&pair.first.log, &pair.second.log] {
        let mounted = log
            .lines()
            .any(|line| line.contains(step_text) && line.contains("[cachefront: "));
        ensure!(
            mounted,
            "no `[cachefront: <tool> <cache>]` on the step {step_text:?}:\n{log}"
        );
    }
    Ok(())
}

/// The output of the step whose header contains `step_text` in both builds, printed (a failed
/// test shows its output) and returned.
fn step_outputs(pair: &BuildPair, step_text: &str) -> (Vec<String>, Vec<String>) {
    let first = step_output(&pair.first.log, step_text);
    let second = step_output(&pair.second.log, step_text);
    println!(
        "-- {step_text:?}, first build:\n{}\n-- second build:\n{}",
        first.join("\n"),
        second.join("\n")
    );
    (first, second)
}

/// A Python example served by `index`, on the host network.
fn python_setup(
    name: &'static str,
    index: &PackageIndex,
    ignore_paths: Vec<&'static str>,
) -> ExampleSetup {
    let url = index.index_url();
    ExampleSetup {
        name,
        build_args: BTreeMap::from([
            ("PIP_INDEX_URL".to_string(), url.clone()),
            ("PIP_TRUSTED_HOST".to_string(), "127.0.0.1".to_string()),
            ("UV_INDEX_URL".to_string(), url),
        ]),
        network_host: true,
        ignore_paths,
        // The Dockerfiles declare the index as `ARG PIP_INDEX_URL` with no default.
        engine_differences: vec!["arg-history-without-value"],
    }
}

/// What the local index served during each of the two builds of a Python example, with their
/// logs.
struct PythonRebuild {
    first_served: Vec<String>,
    second_served: Vec<String>,
    pair: BuildPair,
}

/// Builds a copy of a Python example cold, applies its change, and builds again, splitting the
/// index's access log between the two builds.
fn python_rebuild(setup: &ExampleSetup, index: &PackageIndex) -> Result<PythonRebuild> {
    let copy = ExampleCopy::new(setup, &[])?;
    let start = index.access_log()?.len();
    let first = copy.build()?;
    let middle = index.access_log()?.len();
    copy.apply_change()?;
    let second = copy.build()?;
    let log = index.access_log()?;
    Ok(PythonRebuild {
        first_served: index_downloads(log.get(start..middle).unwrap_or_default()),
        second_served: index_downloads(log.get(middle..).unwrap_or_default()),
        pair: BuildPair { first, second },
    })
}

/// The rebuild check shared by the pip-installed examples: the first build fetched the three
/// pinned packages' wheels, the second fetched only the added one (`attrs`), and pip reported
/// the others as cached.
fn assert_pip_rebuild(setup: &ExampleSetup, index: &PackageIndex) -> Result<()> {
    let rebuild = python_rebuild(setup, index)?;
    let (_, second_run) = step_outputs(&rebuild.pair, "pip install");
    assert_mounted(&rebuild.pair, "pip install")?;
    println!(
        "{}: index served {:?}, then {:?}",
        setup.name, rebuild.first_served, rebuild.second_served
    );
    for wheel in ["python_dateutil-", "six-", "idna-"] {
        ensure!(
            rebuild
                .first_served
                .iter()
                .any(|file| file.starts_with(wheel)),
            "the cold build did not fetch {wheel}*: {:?}",
            rebuild.first_served
        );
    }
    ensure!(
        rebuild.second_served.len() == 1 && rebuild.second_served[0].starts_with("attrs-"),
        "the rebuild fetched more than the added attrs: {:?}",
        rebuild.second_served
    );
    let cached = pip_cache_hits(&second_run);
    let downloaded = pip_downloads(&second_run);
    println!(
        "{}: pip on the rebuild: downloaded {downloaded:?}, used cached {cached:?}",
        setup.name
    );
    ensure!(
        cached.len() == 3 && downloaded.iter().all(|file| file.starts_with("attrs-")),
        "pip's own report on the rebuild: downloaded {downloaded:?}, cached {cached:?}"
    );
    ensure!(
        !rebuild.pair.second.log.contains("cache has been disabled"),
        "pip disabled its cache:\n{}",
        rebuild.pair.second.log
    );
    Ok(())
}

#[test]
fn pip() -> Result<()> {
    let index = PackageIndex::start(PYTHON_PACKAGES)?;
    let setup = python_setup("pip", &index, vec!["/root/.cache/pip"]);
    assert_equivalent(&setup)?;
    with_prune_retries(|| assert_pip_rebuild(&setup, &index))
}

/// The non-root example: pip runs as `app` (uid 1001); the cache mount must be writable by it
/// (else pip disables its cache and the rebuild re-fetches), and the image must match stock's
/// everywhere but the pip cache itself, so no root-owned stub is left in `/home/app` or `/`.
#[test]
fn nonroot() -> Result<()> {
    let index = PackageIndex::start(PYTHON_PACKAGES)?;
    let setup = python_setup("nonroot", &index, vec!["/home/app/.cache/pip"]);
    assert_equivalent(&setup)?;
    with_prune_retries(|| assert_pip_rebuild(&setup, &index))
}

#[test]
fn uv() -> Result<()> {
    let index = PackageIndex::start(PYTHON_PACKAGES)?;
    let setup = python_setup("uv", &index, vec!["/root/.cache/pip", "/root/.cache/uv"]);
    assert_equivalent(&setup)?;
    with_prune_retries(|| {
        let rebuild = python_rebuild(&setup, &index)?;
        assert_mounted(&rebuild.pair, "uv pip install")?;
        step_outputs(&rebuild.pair, "uv pip install");
        println!(
            "uv: index served {:?}, then {:?}",
            rebuild.first_served, rebuild.second_served
        );
        ensure!(
            rebuild
                .first_served
                .iter()
                .any(|file| file.starts_with("idna-")),
            "the cold build did not fetch idna: {:?}",
            rebuild.first_served
        );
        // uv requested each wheel twice from this index (observed: the access log lists every
        // file two times), so compare which files were served, not how often.
        ensure!(
            !rebuild.second_served.is_empty()
                && rebuild
                    .second_served
                    .iter()
                    .all(|file| file.starts_with("attrs-")),
            "the rebuild fetched more than the added attrs: {:?}",
            rebuild.second_served
        );
        let again = repeated(&rebuild.first_served, &rebuild.second_served);
        ensure!(again.is_empty(), "the rebuild fetched again: {again:?}");
        Ok(())
    })
}

#[test]
fn apt() -> Result<()> {
    let setup = ExampleSetup {
        name: "apt",
        // apt's own cache directory (the lock and `partial/` apt leaves there), ldconfig's
        // cache of library inode data, and the logs apt, dpkg and update-alternatives stamp
        // with the time of the build.
        ignore_paths: vec![
            "/var/cache/apt",
            "/var/cache/ldconfig/aux-cache",
            "/var/log/apt",
            "/var/log/dpkg.log",
            "/var/log/alternatives.log",
        ],
        ..ExampleSetup::default()
    };
    assert_equivalent(&setup)?;
    with_prune_retries(|| {
        let pair = rebuild_after_change(&setup, &[])?;
        assert_mounted(&pair, "apt-get install")?;
        let (first_run, second_run) = step_outputs(&pair, "apt-get install");
        let first = apt_downloads(&first_run);
        let second = apt_downloads(&second_run);
        println!(
            "apt: cold build fetched {} files; the rebuild fetched {second:?}",
            first.len()
        );
        ensure!(
            first.iter().any(|item| item.contains(" gcc-12 ")),
            "the cold build fetched no gcc-12: {first:?}"
        );
        ensure!(
            second.iter().any(|item| item.contains(" curl ")),
            "the rebuild did not fetch curl: {second:?}"
        );
        // The mirror proxy of this machine sends no Last-Modified or ETag, so `apt-get update`
        // cannot revalidate the small signed `InRelease` files and fetches them again; the
        // package indexes and every `.deb` must come from the cache.
        let (release_files, second_rest): (Vec<String>, Vec<String>) = second
            .iter()
            .cloned()
            .partition(|item| item.ends_with(" InRelease"));
        println!("apt: InRelease files fetched again (not revalidatable here): {release_files:?}");
        let again = repeated(&first, &second_rest);
        ensure!(again.is_empty(), "the rebuild fetched again: {again:?}");
        Ok(())
    })
}

#[test]
fn npm() -> Result<()> {
    let setup = ExampleSetup {
        name: "npm",
        ignore_paths: vec!["/root/.npm"],
        ..ExampleSetup::default()
    };
    assert_equivalent(&setup)?;
    with_prune_retries(|| {
        // npm logs each request only at `loglevel=http`; the copy's .npmrc says so.
        let npmrc = "audit=false\nfund=false\nupdate-notifier=false\nloglevel=http\n";
        let pair = rebuild_after_change(&setup, &[(".npmrc", npmrc)])?;
        assert_mounted(&pair, "npm ci")?;
        let (first_run, second_run) = step_outputs(&pair, "npm ci");
        let first = npm_tarball_downloads(&first_run);
        let second = npm_tarball_downloads(&second_run);
        println!("npm: cold build fetched {first:?}; the rebuild fetched {second:?}");
        ensure!(
            first.iter().any(|url| url.ends_with("/ms-2.1.3.tgz"))
                && first
                    .iter()
                    .any(|url| url.ends_with("/escape-html-1.0.3.tgz")),
            "the cold build did not fetch ms and escape-html: {first:?}"
        );
        ensure!(
            second.len() == 1 && second[0].ends_with("/picocolors-1.1.1.tgz"),
            "the rebuild fetched more than the added picocolors: {second:?}"
        );
        Ok(())
    })
}

#[test]
fn go() -> Result<()> {
    let setup = ExampleSetup {
        name: "go",
        ignore_paths: vec!["/root/.cache/go-build"],
        ..ExampleSetup::default()
    };
    assert_equivalent(&setup)?;
    with_prune_retries(|| {
        let pair = rebuild_after_change(&setup, &[])?;
        assert_mounted(&pair, "go build")?;
        let (first_run, second_run) = step_outputs(&pair, "go build");
        let first = go_compiled_packages(&first_run);
        let second = go_compiled_packages(&second_run);
        println!("go: cold build compiled {first:?}; the rebuild compiled {second:?}");
        ensure!(
            first.contains(&"example.com/greet/greeting".to_string()),
            "the cold build did not compile the greeting package: {first:?}"
        );
        ensure!(
            second == ["example.com/greet"],
            "the rebuild compiled more than the edited main package: {second:?}"
        );
        Ok(())
    })
}

#[test]
fn cargo() -> Result<()> {
    let setup = ExampleSetup {
        name: "cargo",
        // The registry cache; cargo's tracker of that cache's use (SQLite, with timestamps); and
        // cargo's cache of `rustc -vV` output, a hash map written in random order.
        ignore_paths: vec![
            "/usr/local/cargo/registry",
            "/usr/local/cargo/.global-cache",
            "/app/target/.rustc_info.json",
        ],
        ..ExampleSetup::default()
    };
    assert_equivalent(&setup)?;
    with_prune_retries(|| {
        let pair = rebuild_after_change(&setup, &[])?;
        assert_mounted(&pair, "cargo build")?;
        let (first_run, second_run) = step_outputs(&pair, "cargo build");
        let first = cargo_downloads(&first_run);
        let second = cargo_downloads(&second_run);
        println!("cargo: cold build downloaded {first:?}; the rebuild downloaded {second:?}");
        ensure!(
            first == ["itoa v1.0.11"],
            "the cold build did not download exactly itoa: {first:?}"
        );
        ensure!(
            second == ["ryu v1.0.18"],
            "the rebuild downloaded more than the added ryu: {second:?}"
        );
        Ok(())
    })
}

#[test]
fn ccache() -> Result<()> {
    let setup = ExampleSetup {
        name: "ccache",
        ignore_paths: vec!["/root/.ccache"],
        ..ExampleSetup::default()
    };
    assert_equivalent(&setup)?;
    with_prune_retries(|| {
        let pair = rebuild_after_change(&setup, &[])?;
        assert_mounted(&pair, "make CC=")?;
        let (first_run, second_run) = step_outputs(&pair, "make CC=");
        let first = ccache_hits_and_misses(&first_run);
        let second = ccache_hits_and_misses(&second_run);
        println!("ccache: (hits, misses) cold {first:?}, after editing report.c {second:?}");
        ensure!(first == Some((0, 3)), "cold build: {first:?}");
        ensure!(
            second == Some((2, 1)),
            "the rebuild did not hit the cache for the two unchanged files: {second:?}"
        );
        Ok(())
    })
}

/// Maven, against Debian's packaged artifacts served on loopback; the copy's `.mvn/` points
/// Maven at that mirror (as a project behind a corporate mirror would).
#[test]
fn maven() -> Result<()> {
    let repository = MavenRepository::start()?;
    let setup = ExampleSetup {
        name: "maven",
        network_host: true,
        ignore_paths: vec!["/root/.m2/repository"],
        ..ExampleSetup::default()
    };
    let settings = repository.settings_xml();
    let mirror_files = [
        (".mvn/maven.config", "--settings .mvn/settings.xml\n"),
        (".mvn/settings.xml", settings.as_str()),
    ];
    let equivalence_copy = ExampleCopy::new(&setup, &mirror_files)?;
    let verdict = differential_case(&equivalence_copy.case()?)?;
    let judgement = judge_example(&verdict);
    println!("maven: {}", judgement.report);
    ensure!(judgement.passed, "{}", judgement.report);

    with_prune_retries(|| {
        let copy = ExampleCopy::new(&setup, &mirror_files)?;
        let first_log = copy.build()?;
        copy.apply_change()?;
        let pair = BuildPair {
            first: first_log,
            second: copy.build()?,
        };
        assert_mounted(&pair, "mvn -B package")?;
        let (first_run, second_run) = step_outputs(&pair, "mvn -B package");
        let first = maven_downloads(&first_run);
        let second = maven_downloads(&second_run);
        println!(
            "maven: cold build downloaded {} files; the rebuild downloaded {second:?}",
            first.len()
        );
        ensure!(
            first
                .iter()
                .any(|path| path.ends_with("/commons-lang3-3.12.0.jar")),
            "the cold build did not download commons-lang3: {first:?}"
        );
        ensure!(
            !second.is_empty() && second.iter().all(|path| path.starts_with("org/jsoup/")),
            "the rebuild downloaded more than the added jsoup: {second:?}"
        );
        Ok(())
    })
}
