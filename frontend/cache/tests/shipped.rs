//! The sccache cachefront ships: which compile steps get it, and why the others do not.
//!
//! Input: RUN scripts planned with shipped tools available in a build stage (not exported, no
//! later RUN) or in the exported stage. Output: assertions on the plan's tool mounts, env and
//! skip reasons. Invariant: a launcher the Dockerfile names always wins.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use cachefront_cache::{Plan, Settings, ShippedTools};
use common::Case;

fn settings(exported: bool) -> Settings {
    Settings {
        shipped_tools: ShippedTools::Available,
        stage_exported: exported,
        stage_has_later_runs: false,
        ..Settings::default()
    }
}

fn plan_in(script: &str, exported: bool, env: &[(&str, &str)]) -> Plan {
    Case {
        env,
        settings: settings(exported),
        ..Case::default()
    }
    .script(script)
}

fn env_of<'p>(plan: &'p Plan, name: &str) -> Option<&'p str> {
    plan.env
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

#[test]
fn cargo_in_a_build_stage_gets_the_wrapper() {
    for script in [
        "cargo build --release",
        "cargo auditable build --release",
        "cargo zigbuild --release",
        "cargo chef cook --release",
        "cargo +nightly test",
    ] {
        let plan = plan_in(script, false, &[]);
        assert_eq!(
            env_of(&plan, "RUSTC_WRAPPER"),
            Some("/.cachefront/bin/sccache"),
            "{script}: {plan:?}"
        );
        assert_eq!(plan.tool_mounts.len(), 1, "{script}");
        assert_eq!(plan.scratch_mounts, vec!["/.cachefront/run".to_owned()]);
        assert_eq!(
            env_of(&plan, "SCCACHE_SERVER_UDS"),
            Some("/.cachefront/run/sccache.sock")
        );
        let cache = plan
            .cache_mounts
            .iter()
            .find(|mount| mount.rule == "sccache")
            .unwrap();
        assert_eq!(env_of(&plan, "SCCACHE_DIR"), Some(cache.target.as_str()));
    }
}

#[test]
fn cargo_whose_target_reaches_the_image_gets_nothing() {
    let plan = plan_in("cargo build --release", true, &[]);
    assert!(plan.tool_mounts.is_empty());
    assert!(env_of(&plan, "RUSTC_WRAPPER").is_none());
    assert!(
        plan.skipped
            .iter()
            .any(|line| line.contains("/app/target/.rustc_info.json")),
        "{:?}",
        plan.skipped
    );
    // A registry install builds in a temporary directory.
    let install = plan_in("cargo install ripgrep", true, &[]);
    assert_eq!(install.tool_mounts.len(), 1, "{:?}", install.skipped);
    // A target the RUN deletes is gone too: it is kept in a cache instead (see build_dir.rs).
    for script in [
        "cargo build --release && cp target/release/x /x && rm -rf target",
        "cargo build --target-dir /tmp/t && rm -rf /tmp/t",
    ] {
        let plan = plan_in(script, true, &[]);
        assert!(plan.tool_mounts.is_empty(), "{script}: {plan:?}");
        assert!(!plan.command_prefix.is_empty(), "{script}: {plan:?}");
    }
    // One unsafe cargo command in the RUN keeps the wrapper away from all of them.
    let mixed = plan_in("cargo install ripgrep && cargo build", true, &[]);
    assert!(mixed.tool_mounts.is_empty());
}

#[test]
fn a_wrapper_the_dockerfile_sets_wins() {
    for (script, env) in [
        ("cargo build", &[("RUSTC_WRAPPER", "/usr/bin/other")][..]),
        ("cargo build", &[("CARGO_BUILD_RUSTC_WRAPPER", "")][..]),
        ("RUSTC_WRAPPER= cargo build", &[][..]),
        ("cargo --config build.rustc-wrapper='x' build", &[][..]),
    ] {
        let plan = plan_in(script, false, env);
        assert!(plan.tool_mounts.is_empty(), "{script}");
        assert!(env_of(&plan, "RUSTC_WRAPPER").is_none(), "{script}");
    }
}

#[test]
fn cmake_gets_the_launcher_only_where_its_build_tree_stays_out() {
    let build = "cmake -S . -B build && cmake --build build";
    let plan = plan_in(build, false, &[]);
    assert_eq!(
        env_of(&plan, "CMAKE_C_COMPILER_LAUNCHER"),
        Some("/.cachefront/bin/sccache")
    );
    assert_eq!(
        env_of(&plan, "CMAKE_CXX_COMPILER_LAUNCHER"),
        Some("/.cachefront/bin/sccache")
    );
    assert!(env_of(&plan, "CC").is_none() && env_of(&plan, "RUSTC_WRAPPER").is_none());
    let exported = plan_in(build, true, &[]);
    assert!(exported.tool_mounts.is_empty());
    assert!(exported
        .skipped
        .iter()
        .any(|line| line.contains("/app/build/CMakeCache.txt")));
    let deleted = plan_in(
        &format!("{build} && cmake --install build && rm -rf build"),
        true,
        &[],
    );
    assert_eq!(deleted.tool_mounts.len(), 1, "{:?}", deleted.skipped);
    let own = plan_in(
        "cmake -B b -DCMAKE_C_COMPILER_LAUNCHER=ccache && make -C b",
        false,
        &[],
    );
    assert!(own.tool_mounts.is_empty());
}

#[test]
fn disabled_or_unknown_tools_inject_nothing() {
    let mut disabled = settings(false);
    disabled.disabled_rules.insert("sccache".to_owned());
    let plan = Case {
        settings: disabled,
        ..Case::default()
    }
    .script("cargo build");
    assert!(plan.tool_mounts.is_empty());
    let unknown = Case::default().script("cargo build");
    assert!(unknown.tool_mounts.is_empty());
    assert!(
        unknown
            .skipped
            .iter()
            .all(|line| !line.starts_with("sccache")),
        "{:?}",
        unknown.skipped
    );
    let unavailable = Case {
        settings: Settings {
            shipped_tools: ShippedTools::Unavailable("no image".to_owned()),
            ..settings(false)
        },
        ..Case::default()
    }
    .script("cargo build");
    assert!(unavailable.tool_mounts.is_empty());
    let sccache_lines: Vec<&String> = unavailable
        .skipped
        .iter()
        .filter(|line| line.starts_with("sccache"))
        .collect();
    assert_eq!(sccache_lines, vec!["sccache: not injected: no image"]);
}
