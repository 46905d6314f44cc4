//! Runs the differential check on every fixture case: input = `tests/fixtures/e2e/<case>/`,
//! output = one test per case that fails with the verdict's diff when cachefront's image (or
//! error report) differs from the stock frontend's. Invariants: a missing Docker daemon or
//! `cachefront:dev` image fails every case test (never skips); every case directory is listed.
//! Each case also appends `fallback: <case> <n>/2` to `CACHEFRONT_E2E_FALLBACK_LOG` when that is
//! set (scripts/test prints the counts after the run, as libtest hides passing tests' output).

// A test harness: failing loudly on a broken fixture or daemon is its job.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;

use cachefront_e2e::{case_names, differential_case, fixtures_root, Case};

/// Runs one case and fails with the full verdict on any difference, or when cachefront fell back
/// to the stock frontend where the case does not expect it (so every supported item counts 0).
/// Prints `fallback: <case> <n>/2` for each case (`--nocapture` shows them all).
fn run_case(name: &str) {
    let case = match Case::load(&fixtures_root().join(name)) {
        Ok(case) => case,
        Err(error) => panic!("case {name}: {error:#}"),
    };
    match differential_case(&case) {
        Ok(verdict) => {
            let line = format!("fallback: {name} {}/2", verdict.fell_back.len());
            println!("{line}");
            record_fallback(&line);
            assert!(verdict.passed(), "{verdict}");
            let expected = if case.fallback { 2 } else { 0 };
            assert_eq!(
                verdict.fell_back.len(),
                expected,
                "case {name}: cachefront fell back in {:?}",
                verdict.fell_back
            );
        }
        Err(error) => panic!("case {name}: {error:#}"),
    }
}

/// Appends one line to the file `CACHEFRONT_E2E_FALLBACK_LOG` names, if any (best effort: the
/// counts are a report, the assertions above are the test).
fn record_fallback(line: &str) {
    use std::io::Write;
    let Some(path) = std::env::var_os("CACHEFRONT_E2E_FALLBACK_LOG") else {
        return;
    };
    let appended = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| writeln!(file, "{line}"));
    if let Err(error) = appended {
        eprintln!("cannot append to {}: {error}", path.to_string_lossy());
    }
}

macro_rules! differential_cases {
    ($($name:ident),* $(,)?) => {
        /// The case directories that have a test below.
        const LISTED_CASES: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                run_case(stringify!($name));
            }
        )*
    };
}

differential_cases!(
    add_git,
    add_git_query,
    add_local,
    add_unpack,
    add_url,
    arg_before_from,
    arg_overrides,
    arg_scoping,
    build_cgroup_parent,
    build_hostname,
    build_options,
    cargo_target_cache,
    cmd_entrypoint_exec,
    cmd_entrypoint_shell,
    cmd_entrypoint_unprintable,
    config_misc,
    config_more,
    copy_chmod_symbolic,
    copy_context,
    copy_exclude,
    copy_flags,
    copy_from_stage,
    copy_heredoc,
    copy_parents,
    deep_nesting,
    dockerfile_dockerignore,
    dockerignore,
    entrypoint_resets_cmd,
    env_forms,
    error_add_checksum_digest,
    error_add_checksum_local,
    error_add_checksum_multiple,
    error_failing_run,
    error_from_pull,
    error_run_device_labs,
    error_unknown_instruction,
    expose_forms,
    fallback_forced,
    fallback_git_context,
    from_platform,
    from_scratch,
    label_expose,
    multi_stage_target,
    named_context_override,
    named_contexts,
    network_host,
    no_cache_all,
    no_cache_filter,
    onbuild_base_image,
    offline_descendant_stage,
    onbuild_stage,
    platform_386,
    proxy_args,
    run_forms,
    run_heredocs,
    run_mount_cache_id,
    run_mount_default_target,
    run_mounts,
    run_mount_ssh,
    run_network,
    run_secret_env,
    run_security,
    sccache_cargo,
    sccache_cmake,
    shell,
    source_date_epoch,
    source_date_epoch_default,
    stage_reference,
    user,
    workdir,
);

#[test]
fn every_case_directory_is_listed() {
    let on_disk: BTreeSet<String> = match case_names(&fixtures_root()) {
        Ok(names) => names.into_iter().collect(),
        Err(error) => panic!("listing fixture cases: {error:#}"),
    };
    let listed: BTreeSet<String> = LISTED_CASES.iter().map(|name| name.to_string()).collect();
    let unlisted: Vec<&String> = on_disk.difference(&listed).collect();
    let missing: Vec<&String> = listed.difference(&on_disk).collect();
    assert!(
        unlisted.is_empty() && missing.is_empty(),
        "add these case directories to differential_cases!: {unlisted:?}; \
         these listed cases have no directory: {missing:?}"
    );
}
