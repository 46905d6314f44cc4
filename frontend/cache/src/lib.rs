//! cachefront-cache: the cache-mount injection pass.
//!
//! Input: one RUN instruction as plain data ([`RunInput`]: the command as written, heredocs,
//! effective env, user, working directory, the user's own mount targets, paths later steps read,
//! whether the RUN is offline or opted out, and build-wide [`Settings`]). Output: a [`Plan`]:
//! the `--mount=type=cache` mounts a careful engineer would write by hand, read-only files to
//! mount for the RUN, tools from cachefront's own image to mount read-only (the sccache it ships,
//! see [`shipped`]), RUN-scoped env changes, and (rarely) the command to execute instead of the
//! written one. Invariant (the product's contract): applying the plan changes nothing in the
//! image but the package-manager caches, which never reach it.
//!
//! How: the RUN is parsed with a real shell parser (brush-parser) through `&&`/`;`/`|` chains,
//! subshells, `if`/`for`, `$(...)`, `sh -c`/`bash -c` strings, heredocs fed to shells, `eval`
//! and wrappers (`sudo`, `env`, `nice`, ...); tools are identified after normalisation
//! (`python3 -m pip`, `pip3.12`, `uv pip`, `./gradlew`, `corepack yarn`, absolute paths); the
//! rules table ([`rules`]) says where each tool keeps which cache (templates over the env and
//! HOME, see [`template`]) and what defeats it; safety checks drop any mount that could change
//! the image or break the RUN; defeaters are neutralised with mounts, RUN-scoped env, mounted
//! config files or word edits through the shell AST.
//!
//! API:
//! - [`plan_run`]`(&RunInput) -> Plan`, the pass itself;
//! - [`parse_settings`]`(&build_args) -> Result<Settings, SettingsError>` (`CACHEFRONT=off`,
//!   `CACHEFRONT_CACHE_ID=scoped`, `CACHEFRONT_RULES`, `CACHEFRONT_DISABLE`,
//!   `BUILDKIT_CACHE_MOUNT_NS`), refined per stage with [`Settings::for_stage`];
//! - [`render_plan`]`(&Plan) -> String`, one line per mount/neutralisation/skip, for
//!   `cachefront explain` and progress output;
//! - [`is_opt_out_comment`] for `# cachefront: off` above a RUN;
//! - [`offline_read_paths`] so lowering can protect caches a later offline RUN reads;
//! - [`buildkit_cache_id`], the stock frontend's default cache id for a target;
//! - [`exercise_plan`], the robustness probe shared by the fuzz target and the no-panic test.
//!
//! Lowering applies a plan as follows: each [`CacheMount`] exactly like a hand-written cache
//! mount (see its docs); each [`FileMount`] as a read-only mount of a one-file scratch state;
//! `env`/`env_unset` on the exec's env only (not the image config); `script`/`exec_args`/
//! `heredocs` as the executed command while the history keeps the RUN as written.

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod apt;
mod assemble;
pub mod cache_dir;
pub mod cache_id;
mod candidate;
mod detect;
pub mod distro;
mod error;
mod exercise;
pub mod extra_rules;
pub mod input;
mod neutralise;
mod offline;
mod opt_out;
pub mod paths;
mod placement;
pub mod plan;
mod planner;
pub mod render;
pub mod rules;
mod safety;
pub mod settings;
pub(crate) mod shell;
pub mod shipped;
mod targets;
pub mod template;
mod tools;

pub use cache_id::buildkit_cache_id;
pub use distro::{parse_os_release, Distro};
pub use exercise::exercise_plan;
pub use extra_rules::{ExtraRule, ExtraRuleError};
pub use input::{HeredocScript, RunCommand, RunInput, RunUser};
pub use offline::offline_read_paths;
pub use opt_out::is_opt_out_comment;
pub use plan::{CacheMount, FileMount, Plan, RewrittenHeredoc, Sharing, ToolMount};
pub use planner::plan_run;
pub use render::render_plan;
pub use settings::{parse_settings, CacheIdMode, Settings, SettingsError, ShippedTools};
