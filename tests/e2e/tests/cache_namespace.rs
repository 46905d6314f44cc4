//! `BUILDKIT_CACHE_MOUNT_NS` parity: input = a fresh random namespace and marker, output =
//! assertions that the caches a stock build fills under that namespace are the caches
//! cachefront's builds (`# syntax=` and `BUILDKIT_SYNTAX` ways) mount, both for a hand-written
//! cache mount and for the pip cache cachefront injects, and that under another fresh namespace
//! they see nothing. Invariants: namespaces, markers and nonces are random per run, so no cache
//! of an earlier run can answer; every reading RUN is forced to run (a random build arg is part
//! of its cache key); needs Docker, `cachefront:dev` and `cachefront-test/python` (fails, never
//! skips, without them); nothing reads the network.

// A test harness: failing loudly on a broken fixture or daemon is its job.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::io::Read;

use anyhow::{bail, Context, Result};
use cachefront_e2e::differential::log_tail;
use cachefront_e2e::docker::require_image;
use cachefront_e2e::{build_image, Case, FileTree, Frontend, ImageSnapshot};
use sha2::{Digest, Sha256};

const BASE_IMAGE: &str = "cachefront-test/python";

/// Fills a hand-written cache mount and the pip cache (as a user would mount it by hand) with
/// the marker.
const WRITER_DOCKERFILE: &str = "FROM cachefront-test/python
ARG MARKER
RUN --mount=type=cache,target=/var/cache/cfns echo \"$MARKER\" > /var/cache/cfns/marker
RUN --mount=type=cache,target=/root/.cache/pip echo \"$MARKER\" > /root/.cache/pip/cfns-marker
";

/// Copies what the caches hold into the image: the hand-written mount's marker, and the marker in
/// the pip cache cachefront mounts for the offline `pip install` (relocated via
/// `PIP_CACHE_DIR`). `absent` when a cache does not hold it.
const READER_DOCKERFILE: &str = "FROM cachefront-test/python
ARG NONCE
RUN --mount=type=cache,target=/var/cache/cfns cat /var/cache/cfns/marker > /seen-hand 2>/dev/null || echo absent > /seen-hand
RUN pip install --no-index pip > /dev/null && { cat \"${PIP_CACHE_DIR:-/root/.cache/pip}/cfns-marker\" > /seen-pip 2>/dev/null || echo absent > /seen-pip; }
";

/// What cachefront's progress output shows for the injected pip cache.
const PIP_INJECTION_MARK: &str = "[cachefront: pip /root/.cache/pip]";

const ABSENT: &str = "absent";

/// 16 random hex digits.
fn random_hex() -> Result<String> {
    let mut bytes = [0_u8; 8];
    fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut bytes))
        .context("reading /dev/urandom")?;
    Ok(hex::encode(bytes))
}

/// A case named `name` whose Dockerfile is `dockerfile`, in a temporary directory.
fn inline_case(
    root: &tempfile::TempDir,
    name: &str,
    dockerfile: &str,
    build_args: &[(&str, &str)],
) -> Result<Case> {
    let directory = root.path().join(name);
    fs::create_dir(&directory)?;
    fs::write(directory.join("Dockerfile"), dockerfile)?;
    let mut case = Case::load(&directory)?;
    for (name, value) in build_args {
        case.build_args.insert((*name).into(), (*value).into());
    }
    Ok(case)
}

/// Builds `case` one way and returns the image snapshot and the build log.
fn build(case: &Case, frontend: Frontend) -> Result<(ImageSnapshot, String)> {
    let built = build_image(case, frontend)?;
    match built.snapshot {
        Some(snapshot) => Ok((snapshot, built.output.log)),
        None => bail!(
            "building {} with {frontend} failed\n  command: {}\n{}",
            case.name,
            built.output.command,
            log_tail(&built.output.log)
        ),
    }
}

/// What one line file in the image holds: the expected text, `absent`, or a description.
fn seen(files: &FileTree, path: &str, marker: &str) -> String {
    let digest_of = |text: &str| hex::encode(Sha256::digest(format!("{text}\n").as_bytes()));
    match files.get(path).and_then(|entry| entry.sha256.clone()) {
        None => format!("no file {path}"),
        Some(digest) if digest == digest_of(marker) => marker.to_string(),
        Some(digest) if digest == digest_of(ABSENT) => ABSENT.to_string(),
        Some(digest) => format!("other content (sha256 {digest})"),
    }
}

/// Builds the reader with cachefront (both ways) under `namespace` and returns, per way, what
/// the hand-written and the injected cache held.
fn read_with_cachefront(
    root: &tempfile::TempDir,
    namespace: &str,
    marker: &str,
) -> Result<Vec<(Frontend, String, String)>> {
    let mut results = Vec::new();
    for frontend in Frontend::CACHEFRONT {
        let nonce = random_hex()?;
        let reader = inline_case(
            root,
            &format!("cache_namespace_reader_{}_{nonce}", frontend.slug()),
            READER_DOCKERFILE,
            &[("BUILDKIT_CACHE_MOUNT_NS", namespace), ("NONCE", &nonce)],
        )?;
        let (snapshot, log) = build(&reader, frontend)?;
        if !log.contains(PIP_INJECTION_MARK) {
            bail!(
                "{frontend} did not inject the pip cache (no {PIP_INJECTION_MARK:?} in the \
                 log), so the injected half proves nothing:\n{}",
                log_tail(&log)
            );
        }
        results.push((
            frontend,
            seen(&snapshot.files, "/seen-hand", marker),
            seen(&snapshot.files, "/seen-pip", marker),
        ));
    }
    Ok(results)
}

fn namespace_parity() -> Result<()> {
    require_image(BASE_IMAGE, "scripts/setup-env")?;
    let root = tempfile::Builder::new()
        .prefix("cachefront-e2e-namespace-")
        .tempdir()?;
    let namespace = format!("cachefront-e2e-{}", random_hex()?);
    let other_namespace = format!("cachefront-e2e-{}", random_hex()?);
    let marker = format!("marker-{}", random_hex()?);

    let writer = inline_case(
        &root,
        "cache_namespace_writer",
        WRITER_DOCKERFILE,
        &[("BUILDKIT_CACHE_MOUNT_NS", &namespace), ("MARKER", &marker)],
    )?;
    build(&writer, Frontend::Stock)?;

    // Control: the stock frontend itself reads the hand-written cache back under the namespace,
    // so the writer really filled it.
    let stock_reader = inline_case(
        &root,
        "cache_namespace_reader_stock",
        READER_DOCKERFILE,
        &[
            ("BUILDKIT_CACHE_MOUNT_NS", &namespace),
            ("NONCE", &random_hex()?),
        ],
    )?;
    let (stock_snapshot, _) = build(&stock_reader, Frontend::Stock)?;
    let stock_seen = seen(&stock_snapshot.files, "/seen-hand", &marker);
    if stock_seen != marker {
        bail!("the stock reader saw {stock_seen:?} in the hand-written cache, not the marker");
    }

    let mut problems = Vec::new();
    for (frontend, hand, injected) in read_with_cachefront(&root, &namespace, &marker)? {
        if hand != marker || injected != marker {
            problems.push(format!(
                "{frontend} under the writer's namespace saw hand-written cache: {hand}, \
                 injected pip cache: {injected} (expected the marker in both)"
            ));
        }
    }
    for (frontend, hand, injected) in read_with_cachefront(&root, &other_namespace, &marker)? {
        if hand != ABSENT || injected != ABSENT {
            problems.push(format!(
                "{frontend} under another namespace saw hand-written cache: {hand}, injected \
                 pip cache: {injected} (expected both absent)"
            ));
        }
    }
    if !problems.is_empty() {
        bail!(
            "namespace {namespace}, other namespace {other_namespace}, marker {marker}:\n{}",
            problems.join("\n")
        );
    }
    Ok(())
}

#[test]
fn cachefront_uses_the_stock_cache_ids_under_a_namespace() {
    if let Err(error) = namespace_parity() {
        panic!("{error:#}");
    }
}
