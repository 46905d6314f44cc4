//! The rules table: which tools use which caches, and what defeats those caches.
//!
//! Input: none (static data). Output: [`all_rules`], one [`CacheRule`] per package manager or
//! compiler cache. Invariants: every template parses (checked by a test); every cache directory
//! is one the tool only ever uses as a re-creatable cache, with the reasoning written next to it;
//! anything whose contents the image or a later step needs is not in this table.

mod compiled;
mod javascript;
mod jvm;
mod other;
mod python;
mod system;

use crate::plan::Sharing;

/// What a cache directory holds, which decides when mounting it is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheKind {
    /// Downloads (packages, modules, indexes) that an offline step would read instead of the
    /// network: never mounted when the RUN or a later reader is offline.
    Download,
    /// Outputs derived from inputs (compiler caches): always re-creatable.
    Derived,
}

/// When a cache directory applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheCondition {
    /// When the template resolves; silently skipped otherwise (e.g. `$GEM_HOME/cache`).
    IfResolved,
    /// Only when the tool runs as root.
    RootOnly,
    /// Only when the tool runs as a non-root user.
    NonRootOnly,
    /// Only when this environment variable has this value.
    EnvEquals(&'static str, &'static str),
    /// Only when the command was invoked under this name (e.g. `mvnw`).
    ProgramIs(&'static str),
    /// Only when nothing suggests yarn berry (see `crate::targets::yarn_berry_signal`).
    NotYarnBerry,
}

/// One cache directory of a tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheDir {
    /// Where it lives (see [`crate::template`]).
    pub template: &'static str,
    /// How concurrent builds share it.
    pub sharing: Sharing,
    /// What it holds.
    pub kind: CacheKind,
    /// When it applies: all of these hold.
    pub conditions: &'static [CacheCondition],
    /// An env var that relocates only this cache (used to move it out of a non-root user's home
    /// when BuildKit would otherwise create root-owned parent directories there).
    pub location_env: Option<&'static str>,
    /// Other variables that also set this location and might win over `location_env`; when one
    /// is set, the cache is not relocated.
    pub competing_env: &'static [&'static str],
    /// Set `location_env` to the mount point for the RUN even when it is unset (pnpm: an
    /// explicit store dir stops pnpm from moving its store next to the project).
    pub pin_location: bool,
    /// Paths inside end up in build outputs (source paths in binaries), so the cache must sit
    /// at its natural path and is never relocated.
    pub embedded_in_outputs: bool,
    /// An argument prefix that overrides the path (e.g. `-Dmaven.repo.local=`).
    pub argument_override: Option<&'static str>,
}

impl CacheDir {
    /// A cache directory with the common defaults (always, not relocatable, no override).
    pub const fn new(template: &'static str, sharing: Sharing, kind: CacheKind) -> Self {
        Self {
            template,
            sharing,
            kind,
            conditions: &[],
            location_env: None,
            competing_env: &[],
            pin_location: false,
            embedded_in_outputs: false,
            argument_override: None,
        }
    }

    /// With conditions (all must hold).
    pub const fn when(mut self, conditions: &'static [CacheCondition]) -> Self {
        self.conditions = conditions;
        self
    }

    /// Relocatable through this env var.
    pub const fn located_by(mut self, variable: &'static str) -> Self {
        self.location_env = Some(variable);
        self
    }

    /// With variables that compete with the location variable.
    pub const fn competing(mut self, variables: &'static [&'static str]) -> Self {
        self.competing_env = variables;
        self
    }

    /// Pinned through its location env var.
    pub const fn pinned(mut self) -> Self {
        self.pin_location = true;
        self
    }

    /// Paths inside end up in outputs.
    pub const fn embedded(mut self) -> Self {
        self.embedded_in_outputs = true;
        self
    }

    /// Overridable by an argument prefix.
    pub const fn overridden_by(mut self, prefix: &'static str) -> Self {
        self.argument_override = Some(prefix);
        self
    }
}

/// A command that only wipes the tool's cache (`apt-get clean`, `npm cache clean --force`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WipeCommand {
    /// The words after the tool: its operands must be exactly the non-option words here, the
    /// option words here must be present, other options are allowed.
    pub words: &'static [&'static str],
    /// Whether it deletes the cache directory itself (which fails on a mount point).
    pub removes_directory: bool,
}

/// A flag that disables the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefeatingFlag {
    /// The flag.
    pub flag: &'static str,
    /// Shortest accepted abbreviation (optparse-style tools such as pip); 0 for exact.
    pub shortest_prefix: usize,
    /// A word to put in its place, or `None` to drop it.
    pub replacement: Option<&'static str>,
}

/// Which distributions a system package manager rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistroRequirement {
    /// Any (or unknown).
    Any,
    /// Debian/Ubuntu family, or unknown.
    DebianFamily,
    /// Alpine, or unknown.
    Alpine,
    /// A dnf-based RHEL-family release (RHEL/CentOS/Rocky/Alma 8+, Fedora, Amazon Linux 2023);
    /// unknown is not enough.
    DnfBased,
}

/// How to make sure the package index is refreshed in this RUN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Nothing needed.
    NotNeeded,
    /// Insert this flag after the tool word unless present (dnf `--refresh`): cached metadata
    /// younger than the expiry would otherwise be used, unlike a fresh stock build.
    InsertFlag(&'static str),
    /// The RUN must refresh the index itself: one of these flags on the command, or an earlier
    /// invocation of this subcommand in the same RUN (apk reads indexes from its cache dir).
    RequireRefresh {
        /// Flags that refresh the index.
        flags: &'static [&'static str],
        /// A subcommand that refreshes it.
        subcommand: &'static str,
    },
}

/// Everything the planner knows about one tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheRule {
    /// Rule name, shown in explanations and accepted by `CACHEFRONT_DISABLE`.
    pub name: &'static str,
    /// Normalised tool names (see [`crate::tools`]).
    pub tools: &'static [&'static str],
    /// Subcommands that use the cache (any operand matching); empty means any invocation.
    pub subcommands: &'static [&'static str],
    /// Whether the tool without operands uses the cache (`yarn`, `bundle`).
    pub bare_invocation: bool,
    /// The cache directories.
    pub caches: &'static [CacheDir],
    /// Commands that only wipe the cache.
    pub wipes: &'static [WipeCommand],
    /// Commands that print the cache location (a `rm -rf "$(pip cache dir)"` would hit the mount).
    pub location_queries: &'static [&'static [&'static str]],
    /// Flags that disable the cache.
    pub defeating_flags: &'static [DefeatingFlag],
    /// Env vars that disable the cache (any value the tool accepts).
    pub defeating_env: &'static [&'static str],
    /// Arguments meaning the tool works offline from what is already on disk.
    pub offline_arguments: &'static [&'static str],
    /// Env values meaning the tool works offline.
    pub offline_env: &'static [(&'static str, &'static str)],
    /// Arguments or env values under which mounting would change the installed files (e.g. uv
    /// `--link-mode=symlink` links the environment into the cache).
    pub unsafe_arguments: &'static [&'static str],
    /// Env values with the same effect as `unsafe_arguments`.
    pub unsafe_env: &'static [(&'static str, &'static str)],
    /// Which distros it applies to.
    pub distro: DistroRequirement,
    /// How the package index is kept as fresh as in a stock build.
    pub freshness: Freshness,
    /// A compiler launcher (`ccache`, `sccache`): the rule also applies when a build tool runs
    /// and the build already uses the launcher (its `<NAME>_DIR` is set, `CC`/`CXX`/
    /// `RUSTC_WRAPPER`/`CMAKE_*_COMPILER_LAUNCHER` name it, or a word of the command does).
    pub launcher: Option<&'static str>,
    /// cachefront ships this launcher and mounts it into compile steps that use none (see
    /// [`crate::shipped`]).
    pub ships: Option<ShippedLauncher>,
}

/// A compiler launcher cachefront ships in its own image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShippedLauncher {
    /// cargo subcommands that compile (first or second operand: `build`, `auditable build`,
    /// `zigbuild`; `chef cook` too).
    pub cargo_subcommands: &'static [&'static str],
    /// Whether CMake configures get it through `CMAKE_<LANG>_COMPILER_LAUNCHER`.
    pub cmake: bool,
}

impl CacheRule {
    /// A rule with no caches and no extras, to fill in with struct update syntax.
    pub const EMPTY: Self = Self {
        name: "",
        tools: &[],
        subcommands: &[],
        bare_invocation: false,
        caches: &[],
        wipes: &[],
        location_queries: &[],
        defeating_flags: &[],
        defeating_env: &[],
        offline_arguments: &[],
        offline_env: &[],
        unsafe_arguments: &[],
        unsafe_env: &[],
        distro: DistroRequirement::Any,
        freshness: Freshness::NotNeeded,
        launcher: None,
        ships: None,
    };
}

/// Every built-in rule, in the order the planner applies them.
pub fn all_rules() -> Vec<&'static CacheRule> {
    let mut rules: Vec<&'static CacheRule> = Vec::new();
    rules.extend(system::RULES);
    rules.extend(python::RULES);
    rules.extend(javascript::RULES);
    rules.extend(compiled::RULES);
    rules.extend(jvm::RULES);
    rules.extend(other::RULES);
    rules
}

/// The rule with this name.
pub fn rule_named(name: &str) -> Option<&'static CacheRule> {
    all_rules().into_iter().find(|rule| rule.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Template;

    #[test]
    fn every_template_parses_and_names_are_unique() {
        let rules = all_rules();
        let mut names: Vec<&str> = rules.iter().map(|rule| rule.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), rules.len());
        for rule in rules {
            assert!(!rule.tools.is_empty(), "{}", rule.name);
            for cache in rule.caches {
                assert!(
                    Template::parse(cache.template).is_ok(),
                    "{}",
                    cache.template
                );
            }
        }
    }
}
