//! The compiler caches cachefront ships: a static sccache from cachefront's own image, mounted
//! read-only at [`SCCACHE_PATH`] for compile steps that name no launcher of their own, and
//! cargo's target directory kept in a cache where nothing later reads it ([`build_dir`]).
//!
//! Input: the detections of the `sccache` rule, the analysed RUN and its input. Output: which
//! compile steps may use them ([`admit`]) and the RUN-scoped tool mount, private tmpfs, env,
//! target-directory caches and command prefix that make them use them ([`add_extras`]). Invariants: nothing is injected when a file that
//! records the launcher (cargo's `target/.rustc_info.json`, CMake's build tree) could reach the
//! image, or when the build names a launcher itself (the user's wins); the sccache server
//! listens on a socket in a tmpfs private to the RUN, so no other RUN (even with host
//! networking) ever talks to it, and it ends with the RUN's process tree.

mod build_dir;
mod steps;

pub use build_dir::{wrapper_args, BuildDir, BUILD_DIR_ROOT};
pub(crate) use steps::{compile_step, CompileStep};

use crate::assemble::RulePlan;
use crate::candidate::Candidate;
use crate::detect::{launcher_in_use, Detection};
use crate::input::RunInput;
use crate::paths::{is_same_or_inside, is_strictly_inside, resolve_against};
use crate::plan::{Sharing, ToolMount};
use crate::rules::{CacheKind, ShippedLauncher};
use crate::safety::Removal;
use crate::settings::ShippedTools;
use crate::shell::Analysis;
use crate::tools::identify;

/// Where the shipped sccache is mounted (a read-only one-file bind mount).
pub const SCCACHE_PATH: &str = "/.cachefront/bin/sccache";
/// The rule name shown for cached cargo target directories.
pub const BUILD_DIR_RULE: &str = "cargo-target";
/// A tmpfs private to the RUN, holding the sccache server's socket.
pub const RUNTIME_DIR: &str = "/.cachefront/run";
/// The sccache server's socket.
const SERVER_SOCKET: &str = "/.cachefront/run/sccache.sock";

/// Generated files in a CMake build tree that record the compiler launcher.
const CMAKE_RECORDS: &[&str] = &["CMakeCache.txt", "CMakeFiles", "Makefile", "build.ninja"];

/// Which languages of the RUN get the shipped sccache, and which cargo target directories are
/// kept in a cache instead (Rust then needs no sccache).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ShippedUses {
    pub rust: bool,
    pub cmake: bool,
    pub build_dirs: Vec<BuildDir>,
}

impl ShippedUses {
    fn any(&self) -> bool {
        self.rust || self.cmake
    }
}

/// The detections to plan (those of a launcher the build already uses, and the shipped ones
/// that are safe) and which languages get the shipped sccache; says why for each one refused.
pub(crate) fn admit<'d, 'a>(
    launcher: &ShippedLauncher,
    detections: &[&'d Detection<'a>],
    analysis: &Analysis,
    input: &RunInput,
    removals: &[Removal],
    skipped: &mut Vec<String>,
) -> (Vec<&'d Detection<'a>>, ShippedUses) {
    let step_of = |index: usize| {
        let invocation = analysis.invocations.get(index)?;
        let call = identify(invocation)?;
        compile_step(launcher, &call, invocation, input.env)
    };
    let mut wanted = ShippedUses::default();
    for detection in detections {
        match step_of(detection.invocation) {
            Some(CompileStep::Cargo { .. }) => wanted.rust = true,
            Some(CompileStep::CMakeConfigure { .. }) => wanted.cmake = true,
            _ => {}
        }
    }
    let mut uses = wanted.clone();
    if wanted.rust {
        match cargo_build_dirs(launcher, analysis, input, removals) {
            Ok(dirs) => {
                uses.build_dirs = dirs;
                uses.rust = false;
            }
            Err(reason) => skipped.push(format!("cargo target directory not cached: {reason}")),
        }
    }
    match &input.settings.shipped_tools {
        ShippedTools::Available => {}
        ShippedTools::Unknown => (uses.rust, uses.cmake) = (false, false),
        ShippedTools::Unavailable(reason) => {
            if uses.any() {
                skipped.push(format!("sccache: not injected: {reason}"));
            }
            (uses.rust, uses.cmake) = (false, false);
        }
    }
    let mut refusals: Vec<String> = Vec::new();
    for index in 0..analysis.invocations.len() {
        let refusal = match step_of(index) {
            Some(CompileStep::Cargo {
                temporary: true, ..
            }) => None,
            Some(
                CompileStep::Cargo { target_dir, .. } | CompileStep::OtherCargo { target_dir },
            ) if uses.rust => rust_refusal(target_dir.as_deref(), index, input, removals),
            Some(CompileStep::CMakeConfigure { build_dir }) if uses.cmake => {
                cmake_refusal(build_dir.as_deref(), index, input, removals)
            }
            _ => None,
        };
        if let Some((rust, reason)) = refusal {
            if rust {
                uses.rust = false;
            } else {
                uses.cmake = false;
            }
            if !refusals.contains(&reason) {
                refusals.push(reason);
            }
        }
    }
    skipped.extend(
        refusals
            .into_iter()
            .map(|reason| format!("sccache: not injected: {reason}")),
    );
    let kept = detections
        .iter()
        .copied()
        .filter(|detection| {
            let launched = analysis
                .invocations
                .get(detection.invocation)
                .is_some_and(|invocation| launcher_in_use("sccache", invocation, input.env));
            launched
                || match step_of(detection.invocation) {
                    Some(CompileStep::Cargo { .. }) => uses.rust,
                    Some(CompileStep::CMakeConfigure { .. }) => uses.cmake,
                    _ => true,
                }
        })
        .collect();
    (kept, uses)
}

/// The target directories of every cargo command of the RUN, to cache (see [`build_dir`]); why
/// not, when one of them may not be cached or cargo installs a fetched crate.
fn cargo_build_dirs(
    launcher: &ShippedLauncher,
    analysis: &Analysis,
    input: &RunInput,
    removals: &[Removal],
) -> Result<Vec<BuildDir>, String> {
    let mut steps = Vec::new();
    for (index, invocation) in analysis.invocations.iter().enumerate() {
        let Some(call) = identify(invocation) else {
            continue;
        };
        match compile_step(launcher, &call, invocation, input.env) {
            Some(CompileStep::Cargo {
                temporary: true, ..
            }) => return Err("cargo installs a fetched crate in a directory of its own".to_owned()),
            Some(
                CompileStep::Cargo { target_dir, .. } | CompileStep::OtherCargo { target_dir },
            ) => steps.push((index, target_dir)),
            _ => {}
        }
    }
    build_dir::build_dirs(&steps, analysis, input, removals)
}

/// Why cargo's `target/.rustc_info.json` (which records the wrapper) could reach the image.
fn rust_refusal(
    target_dir: Option<&str>,
    index: usize,
    input: &RunInput,
    removals: &[Removal],
) -> Option<(bool, String)> {
    let Some(target_dir) = target_dir else {
        return Some((
            true,
            "cargo's target directory is only known at run time".to_owned(),
        ));
    };
    let user_mounted = input
        .user_mount_targets
        .iter()
        .any(|target| is_same_or_inside(target_dir, &resolve_against(input.workdir, target)));
    if user_mounted || removed_later(target_dir, index, removals) {
        return None;
    }
    let record = format!("{target_dir}/.rustc_info.json");
    let copied = input.protected_paths.iter().any(|path| {
        let path = resolve_against(input.workdir, path);
        is_same_or_inside(&record, &path)
    });
    if input.settings.stage_exported || copied {
        return Some((
            true,
            format!(
                "cargo records its rustc wrapper in {record}, which would reach the image (it \
                 does not in a multi-stage build that copies out only the binaries, or with a \
                 cache mount on {target_dir})"
            ),
        ));
    }
    None
}

/// Why a CMake build tree (which records the launcher) could reach the image or a later step.
fn cmake_refusal(
    build_dir: Option<&str>,
    index: usize,
    input: &RunInput,
    removals: &[Removal],
) -> Option<(bool, String)> {
    let Some(build_dir) = build_dir else {
        return Some((
            false,
            "the CMake build directory is only known at run time".to_owned(),
        ));
    };
    if removed_later(build_dir, index, removals) {
        return None;
    }
    let copied = input.protected_paths.iter().any(|path| {
        let path = resolve_against(input.workdir, path);
        is_same_or_inside(build_dir, &path)
            || (is_strictly_inside(&path, build_dir)
                && path
                    .split('/')
                    .any(|component| CMAKE_RECORDS.contains(&component)))
    });
    if input.settings.stage_exported || input.settings.stage_has_later_runs || copied {
        return Some((
            false,
            format!(
                "CMake records the compiler launcher in {build_dir}/CMakeCache.txt and its build \
                 files, which would reach the image or a later step (it does not when the RUN \
                 deletes {build_dir}, or in a build stage whose binaries are copied out)"
            ),
        ));
    }
    None
}

/// Whether a command after invocation `index` deletes `directory` (or a directory holding it).
fn removed_later(directory: &str, index: usize, removals: &[Removal]) -> bool {
    removals.iter().any(|removal| {
        removal.operand.0 > index && !removal.glob && is_same_or_inside(directory, &removal.path)
    })
}

/// Adds the tool mount, the server's private tmpfs and the RUN-scoped env for `uses`.
pub(crate) fn add_extras(rule_plan: &mut RulePlan, uses: &ShippedUses, input: &RunInput) {
    add_sccache(rule_plan, uses);
    add_build_dirs(rule_plan, &uses.build_dirs, input);
}

/// The rule plan of a RUN whose only compile steps are cargo runs with cached target
/// directories (no sccache cache to mount); `None` when there are none.
pub(crate) fn build_dirs_only(
    name: &str,
    uses: &ShippedUses,
    input: &RunInput,
) -> Option<RulePlan> {
    if uses.build_dirs.is_empty() {
        return None;
    }
    let mut rule_plan = RulePlan {
        name: name.to_owned(),
        ..RulePlan::default()
    };
    add_build_dirs(&mut rule_plan, &uses.build_dirs, input);
    Some(rule_plan)
}

/// The cache mount and the wrapper that keep each target directory in its cache.
fn add_build_dirs(rule_plan: &mut RulePlan, dirs: &[BuildDir], input: &RunInput) {
    if dirs.is_empty() {
        return;
    }
    let owner = (!input.user.is_root()).then_some((input.user.uid, input.user.gid));
    for dir in dirs {
        rule_plan.candidates.push(Candidate {
            rule: BUILD_DIR_RULE.to_owned(),
            natural_target: dir.dir.clone(),
            mount_target: dir.cache.clone(),
            sharing: Sharing::Locked,
            kind: CacheKind::Derived,
            owner,
            env: Vec::new(),
        });
        let kept = if dir.keep.is_empty() {
            "nothing".to_owned()
        } else {
            dir.keep.join(", ")
        };
        rule_plan.file_explanation.push(format!(
            "{} is a symlink into its cache during this RUN (cargo rebuilds every path package: \
             their fingerprints are made older than any source); after the RUN it is removed and \
             {kept} copied back from the cache",
            dir.dir
        ));
    }
    rule_plan.command_prefix = wrapper_args(dirs);
}

/// Adds sccache's tool mount, server tmpfs and env for `uses`.
fn add_sccache(rule_plan: &mut RulePlan, uses: &ShippedUses) {
    if !uses.any() {
        return;
    }
    let Some(cache_dir) = rule_plan
        .candidates
        .first()
        .map(|candidate| candidate.mount_target.clone())
    else {
        return;
    };
    rule_plan.tool_mounts.push(ToolMount {
        target: SCCACHE_PATH.to_owned(),
        tool: "sccache".to_owned(),
        rule: rule_plan.name.clone(),
    });
    rule_plan.scratch_mounts.push(RUNTIME_DIR.to_owned());
    let mut env: Vec<(String, String)> = Vec::new();
    if uses.rust {
        env.push(("RUSTC_WRAPPER".to_owned(), SCCACHE_PATH.to_owned()));
    }
    if uses.cmake {
        for language in ["C", "CXX"] {
            env.push((
                format!("CMAKE_{language}_COMPILER_LAUNCHER"),
                SCCACHE_PATH.to_owned(),
            ));
        }
    }
    env.push(("SCCACHE_DIR".to_owned(), cache_dir));
    env.push(("SCCACHE_SERVER_UDS".to_owned(), SERVER_SOCKET.to_owned()));
    let shown: Vec<String> = env
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    rule_plan.file_explanation.push(format!(
        "sccache from cachefront's image at {SCCACHE_PATH} (read-only, this RUN only), its server \
         on a private tmpfs at {RUNTIME_DIR} (it ends with the RUN); env {} for this RUN",
        shown.join(" ")
    ));
    rule_plan.extra_env.extend(env);
}
