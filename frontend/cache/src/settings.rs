//! Build-wide settings of the cache pass, parsed from build args.
//!
//! Input: the build args map (`CACHEFRONT`, `CACHEFRONT_CACHE_ID`, `CACHEFRONT_RULES`,
//! `CACHEFRONT_DISABLE`, `BUILDKIT_CACHE_MOUNT_NS`). Output: [`Settings`], or a [`SettingsError`]
//! naming the build arg and the bad value. Invariants: absent args mean the defaults (enabled,
//! BuildKit-compatible ids, no namespace); platform and distro are not build args, lowering sets
//! them per stage with [`Settings::for_stage`].

use std::collections::{BTreeMap, BTreeSet};

use crate::distro::Distro;
use crate::extra_rules::{parse_extra_rules, ExtraRule, ExtraRuleError};

/// Build arg switching the pass on or off (`off`, `false`, `0`, `no` disable it).
pub const ARG_ENABLED: &str = "CACHEFRONT";
/// Build arg choosing the cache id mode (`default` or `scoped`).
pub const ARG_CACHE_ID: &str = "CACHEFRONT_CACHE_ID";
/// Build arg with extra rules (see [`crate::extra_rules`]).
pub const ARG_RULES: &str = "CACHEFRONT_RULES";
/// Build arg with a comma-separated list of rule names to disable, e.g. `apt,pip`.
pub const ARG_DISABLE: &str = "CACHEFRONT_DISABLE";
/// BuildKit's own cache id namespace build arg, honoured exactly as the stock frontend does.
pub const ARG_CACHE_NAMESPACE: &str = "BUILDKIT_CACHE_MOUNT_NS";

/// How cache ids are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheIdMode {
    /// Exactly the id a hand-written `--mount=type=cache,target=X` gets from the stock frontend:
    /// `<BUILDKIT_CACHE_MOUNT_NS>/<path.Clean(X)>`. Warm caches carry over both ways.
    #[default]
    BuildKit,
    /// The BuildKit id with the platform and base distro/release appended, so multi-arch and
    /// mixed-distro builds on one builder never share incompatible caches.
    Scoped,
}

/// Settings of the cache pass for one build (and, after [`Settings::for_stage`], one stage).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Whether the pass runs at all (`--build-arg CACHEFRONT=off` turns it off).
    pub enabled: bool,
    /// How cache ids are chosen.
    pub id_mode: CacheIdMode,
    /// `BUILDKIT_CACHE_MOUNT_NS`, empty when unset.
    pub cache_namespace: String,
    /// Target platform of the stage, e.g. `linux/amd64` (used by scoped ids).
    pub platform: Option<String>,
    /// Base distro of the stage, when lowering knows it (used by apt rules and scoped ids).
    pub distro: Option<Distro>,
    /// Rules added with `CACHEFRONT_RULES`.
    pub extra_rules: Vec<ExtraRule>,
    /// Rule names disabled with `CACHEFRONT_DISABLE`.
    pub disabled_rules: BTreeSet<String>,
    /// Whether the tools cachefront ships can be mounted into this stage's RUNs (lowering
    /// sets it per stage).
    pub shipped_tools: ShippedTools,
    /// Whether files this stage's RUNs leave can reach the exported image: the stage is the
    /// target or one it is built `FROM` (lowering sets it; paths other stages copy are the
    /// RUN's protected paths either way).
    pub stage_exported: bool,
    /// Whether later RUNs run on this stage's files (in the stage or a stage built `FROM` it).
    pub stage_has_later_runs: bool,
    /// Whether another stage is built `FROM` this one (directly or not).
    pub stage_has_descendants: bool,
}

/// Whether cachefront's own image (with the tools it ships) can be mounted into a RUN.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ShippedTools {
    /// Not known (planning outside a build, e.g. unit tests): nothing is said about them.
    #[default]
    Unknown,
    /// Mountable.
    Available,
    /// Not mountable, with why (reported on RUNs that would use them).
    Unavailable(String),
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            enabled: true,
            id_mode: CacheIdMode::BuildKit,
            cache_namespace: String::new(),
            platform: None,
            distro: None,
            extra_rules: Vec::new(),
            disabled_rules: BTreeSet::new(),
            shipped_tools: ShippedTools::Unknown,
            stage_exported: true,
            stage_has_later_runs: true,
            stage_has_descendants: true,
        }
    }
}

impl Settings {
    /// A copy of these settings for one stage, with its platform and base distro.
    pub fn for_stage(&self, platform: Option<&str>, distro: Option<Distro>) -> Self {
        Self {
            platform: platform.map(str::to_owned),
            distro,
            ..self.clone()
        }
    }

    /// Whether the rule with this name is enabled.
    pub fn rule_enabled(&self, rule_name: &str) -> bool {
        !self.disabled_rules.contains(rule_name)
    }
}

/// A build arg with a value the pass does not understand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// A value outside the accepted set.
    #[error("invalid value {value:?} for build arg {arg}: expected {expected}")]
    InvalidValue {
        /// The build arg name.
        arg: &'static str,
        /// The value given.
        value: String,
        /// What is accepted.
        expected: &'static str,
    },
    /// A malformed `CACHEFRONT_RULES` entry.
    #[error("invalid build arg {ARG_RULES}: {0}")]
    InvalidRule(#[from] ExtraRuleError),
}

/// Parses the cache pass settings from the build args (keys without the `build-arg:` prefix).
pub fn parse_settings(build_args: &BTreeMap<String, String>) -> Result<Settings, SettingsError> {
    let mut settings = Settings::default();
    if let Some(value) = build_args.get(ARG_ENABLED) {
        settings.enabled = parse_switch(value).ok_or_else(|| SettingsError::InvalidValue {
            arg: ARG_ENABLED,
            value: value.clone(),
            expected: "on, off, true, false, 1, 0, yes or no",
        })?;
    }
    if let Some(value) = build_args.get(ARG_CACHE_ID) {
        settings.id_mode = match value.trim().to_ascii_lowercase().as_str() {
            "" | "default" | "buildkit" => CacheIdMode::BuildKit,
            "scoped" => CacheIdMode::Scoped,
            _ => {
                return Err(SettingsError::InvalidValue {
                    arg: ARG_CACHE_ID,
                    value: value.clone(),
                    expected: "default or scoped",
                })
            }
        };
    }
    if let Some(value) = build_args.get(ARG_CACHE_NAMESPACE) {
        settings.cache_namespace = value.clone();
    }
    if let Some(value) = build_args.get(ARG_RULES) {
        settings.extra_rules = parse_extra_rules(value)?;
    }
    if let Some(value) = build_args.get(ARG_DISABLE) {
        settings.disabled_rules = value
            .split([',', ' ', ';'])
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .collect();
    }
    Ok(settings)
}

/// Parses an on/off switch; `None` when the value is not one.
fn parse_switch(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "on" | "true" | "1" | "yes" | "enabled" => Some(true),
        "off" | "false" | "0" | "no" | "disabled" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_when_no_args() {
        let settings = parse_settings(&BTreeMap::new()).unwrap();
        assert_eq!(settings, Settings::default());
        assert!(settings.enabled);
    }

    #[test]
    fn off_switch_and_namespace() {
        let settings = parse_settings(&args(&[
            ("CACHEFRONT", "off"),
            ("BUILDKIT_CACHE_MOUNT_NS", "team-a"),
            ("CACHEFRONT_CACHE_ID", "scoped"),
            ("CACHEFRONT_DISABLE", "apt, pip"),
        ]))
        .unwrap();
        assert!(!settings.enabled);
        assert_eq!(settings.cache_namespace, "team-a");
        assert_eq!(settings.id_mode, CacheIdMode::Scoped);
        assert!(!settings.rule_enabled("apt"));
        assert!(!settings.rule_enabled("pip"));
        assert!(settings.rule_enabled("npm"));
    }

    #[test]
    fn bad_values_are_errors() {
        let error = parse_settings(&args(&[("CACHEFRONT", "maybe")])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid value \"maybe\" for build arg CACHEFRONT: expected on, off, true, false, 1, 0, yes or no"
        );
        assert!(parse_settings(&args(&[("CACHEFRONT_CACHE_ID", "x")])).is_err());
        assert!(parse_settings(&args(&[("CACHEFRONT_RULES", "=/x")])).is_err());
    }
}
