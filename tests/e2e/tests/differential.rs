//! Runs the differential check on every fixture case: input = `tests/fixtures/e2e/<case>/`,
//! output = one test per case that fails with the verdict's diff when cachefront's image (or
//! error report) differs from the stock frontend's. Invariants: a missing Docker daemon or
//! `cachefront:dev` image fails every case test (never skips); every case directory is listed.

use std::collections::BTreeSet;

use cachefront_e2e::{case_names, differential, fixtures_root};

/// Runs one case and fails with the full verdict on any difference.
fn run_case(name: &str) {
    match differential(&fixtures_root().join(name)) {
        Ok(verdict) => assert!(verdict.passed(), "{verdict}"),
        Err(error) => panic!("case {name}: {error:#}"),
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
    add_local,
    arg_before_from,
    arg_overrides,
    cmd_entrypoint_exec,
    cmd_entrypoint_shell,
    config_misc,
    copy_context,
    copy_from_stage,
    dockerignore,
    entrypoint_resets_cmd,
    env_forms,
    error_failing_run,
    error_unknown_instruction,
    from_scratch,
    label_expose,
    multi_stage_target,
    network_host,
    run_forms,
    shell,
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
