//! Cargo target directories kept in a cache: when a RUN gets one, and what it copies back.
//!
//! Input: cargo RUN scripts planned in a build stage (not exported, nothing built on it, no later
//! RUN) or with one of those facts changed, with the paths later steps copy. Output: assertions
//! on the cache mounts, the command prefix and the skip reasons. Invariant: a target directory
//! anything later could read (other than the copied files) is never cached.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use cachefront_cache::shipped::BUILD_DIR_RULE;
use cachefront_cache::{Plan, RunUser, Settings, ShippedTools};
use common::Case;

fn build_stage() -> Settings {
    Settings {
        shipped_tools: ShippedTools::Available,
        stage_exported: false,
        stage_has_later_runs: false,
        stage_has_descendants: false,
        ..Settings::default()
    }
}

fn plan(script: &str, settings: Settings, protected: &[&str]) -> Plan {
    Case {
        settings,
        protected: protected.iter().map(|path| (*path).to_owned()).collect(),
        ..Case::default()
    }
    .script(script)
}

fn build_dir_mounts(plan: &Plan) -> Vec<(&str, &str, &str)> {
    plan.cache_mounts
        .iter()
        .filter(|mount| mount.rule == BUILD_DIR_RULE)
        .map(|mount| {
            (
                mount.cache_path.as_str(),
                mount.target.as_str(),
                mount.id.as_str(),
            )
        })
        .collect()
}

#[test]
fn a_build_stage_whose_binary_is_copied_out_caches_its_target() {
    let plan = plan(
        "cargo build --release --locked",
        build_stage(),
        &["/app/target/release/app"],
    );
    assert_eq!(
        build_dir_mounts(&plan),
        vec![("/app/target", "/.cachefront/cargo-target/0", "//app/target")],
        "{plan:?}"
    );
    let mount = plan
        .cache_mounts
        .iter()
        .find(|mount| mount.rule == BUILD_DIR_RULE)
        .unwrap();
    assert_eq!(mount.sharing, cachefront_cache::Sharing::Locked);
    assert_eq!(plan.command_prefix[..2], ["/bin/sh", "-c"]);
    assert!(plan.command_prefix[2]
        .contains("cachefront_unlink '/app/target' '/.cachefront/cargo-target/0' 'release/app'"));
    // The target directory is cached instead of compiled through sccache.
    assert!(plan.env.iter().all(|(name, _)| name != "RUSTC_WRAPPER"));
    assert!(plan.tool_mounts.is_empty());
    assert!(plan.rewrites_command());
}

#[test]
fn a_target_removed_by_the_run_is_cached_even_in_the_image_stage() {
    let settings = Settings {
        stage_exported: true,
        ..build_stage()
    };
    let plan = plan(
        "cargo install --path . --root /usr/local && rm -rf target",
        settings,
        &[],
    );
    assert_eq!(build_dir_mounts(&plan).len(), 1, "{plan:?}");
    assert!(plan.command_prefix[2]
        .contains("cachefront_unlink '/app/target' '/.cachefront/cargo-target/0'; "));
}

#[test]
fn targets_later_steps_can_read_are_not_cached() {
    let cases: Vec<(Settings, Vec<&str>, &str)> = vec![
        (
            Settings {
                stage_exported: true,
                ..build_stage()
            },
            vec![],
            "a later RUN, a stage built on this one or the image",
        ),
        (
            Settings {
                stage_has_later_runs: true,
                ..build_stage()
            },
            vec![],
            "a later RUN",
        ),
        (
            Settings {
                stage_has_descendants: true,
                ..build_stage()
            },
            vec![],
            "a stage built on this one",
        ),
        (build_stage(), vec!["/app"], "which holds /app/target"),
        (
            build_stage(),
            vec!["/app/target/release"],
            "artifacts of earlier builds",
        ),
        (
            build_stage(),
            vec!["/app/target/release/deps/libfoo.so"],
            "artifacts of earlier builds",
        ),
    ];
    for (settings, protected, reason) in cases {
        let plan = plan("cargo build --release", settings, &protected);
        assert!(
            build_dir_mounts(&plan).is_empty(),
            "{protected:?}: {plan:?}"
        );
        assert!(plan.command_prefix.is_empty());
        assert!(
            plan.skipped
                .iter()
                .any(|line| line.starts_with("cargo target directory not cached")
                    && line.contains(reason)),
            "{reason}: {:?}",
            plan.skipped
        );
    }
}

#[test]
fn unknown_or_mounted_targets_and_exec_form_are_not_cached() {
    for script in [
        "cargo build --target-dir \"$(cat dir)\"",
        "cargo build --target-dir \"$UNSET\"",
    ] {
        let dynamic = plan(script, build_stage(), &[]);
        assert!(
            build_dir_mounts(&dynamic).is_empty(),
            "{script}: {dynamic:?}"
        );
    }
    let mounted = Case {
        settings: build_stage(),
        mounts: vec!["/app/target".to_owned()],
        ..Case::default()
    }
    .script("cargo build");
    assert!(build_dir_mounts(&mounted).is_empty());
    assert!(mounted.command_prefix.is_empty());
    let exec = Case {
        settings: build_stage(),
        ..Case::default()
    }
    .exec(&["cargo", "build", "--release"]);
    assert!(build_dir_mounts(&exec).is_empty());
    let fetched = plan("cargo install ripgrep", build_stage(), &[]);
    assert!(build_dir_mounts(&fetched).is_empty());
    // A command that would see the symlink instead of the directory.
    for script in [
        "cargo build && find target -name '*.so' -exec cp {} /out \\;",
        "cargo build && cp -r target /out",
        "cargo build && tar cf /out.tar ./target",
    ] {
        let plan = plan(script, build_stage(), &[]);
        assert!(build_dir_mounts(&plan).is_empty(), "{script}: {plan:?}");
        assert!(
            plan.skipped
                .iter()
                .any(|line| line.contains("would see a symlink")),
            "{script}: {:?}",
            plan.skipped
        );
    }
    // Paths through the directory, and `target/`, resolve the symlink.
    for script in [
        "cargo build && cp target/release/app /usr/local/bin/ && find target/ -name x",
        "cargo build && ls target && test -d target && cd target && ls",
    ] {
        let plan = plan(script, build_stage(), &[]);
        assert_eq!(build_dir_mounts(&plan).len(), 1, "{script}: {plan:?}");
    }
}

#[test]
fn every_target_directory_of_the_run_is_cached() {
    let plan = plan(
        "cargo build --release && cargo build --release --manifest-path tools/Cargo.toml \
         && CARGO_TARGET_DIR=/build cargo test",
        build_stage(),
        &[],
    );
    let natural: Vec<&str> = build_dir_mounts(&plan)
        .iter()
        .map(|mount| mount.0)
        .collect();
    assert_eq!(natural, vec!["/app/target", "/app/tools/target", "/build"]);
}

#[test]
fn a_non_root_user_owns_the_cache_and_disabling_sccache_disables_it() {
    let plan = Case {
        settings: build_stage(),
        user: RunUser {
            uid: 1000,
            gid: 1000,
            home: "/home/rust".to_owned(),
        },
        ..Case::default()
    }
    .script("cargo build");
    let mount = plan
        .cache_mounts
        .iter()
        .find(|mount| mount.rule == BUILD_DIR_RULE)
        .unwrap();
    assert_eq!((mount.uid, mount.gid), (Some(1000), Some(1000)));
    let unknown = Case {
        settings: build_stage(),
        user: RunUser {
            uid: u32::MAX,
            gid: u32::MAX,
            home: "/".to_owned(),
        },
        ..Case::default()
    }
    .script("cargo build");
    assert!(build_dir_mounts(&unknown).is_empty(), "{unknown:?}");
    let mut settings = build_stage();
    settings.disabled_rules.insert("sccache".to_owned());
    let disabled = plan_with(settings);
    assert!(build_dir_mounts(&disabled).is_empty());
    assert!(disabled.command_prefix.is_empty());
}

fn plan_with(settings: Settings) -> Plan {
    plan("cargo build", settings, &[])
}
