//! Lowering options, in: what the client asked for (target, build args, platforms, ...); out: the
//! settings every stage reads. Invariant: plain data, no I/O.

use std::collections::BTreeMap;

use cachefront_llb::Platform;

/// Everything lowering needs to know besides the Dockerfile.
#[derive(Debug, Clone)]
pub struct ConvertOptions {
    /// The stage to build; the last one when `None`.
    pub target: Option<String>,
    pub build_args: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    /// The platform this conversion builds for.
    pub target_platform: Platform,
    /// Whether the client asked for the platform (as opposed to defaulting to the worker's).
    pub explicit_target_platform: bool,
    /// Whether several platforms are built at once (progress names then carry the platform).
    pub multi_platform: bool,
    /// The worker's platforms, the first being the build platform.
    pub build_platforms: Vec<Platform>,
    pub no_cache: NoCache,
    /// The client session that serves local sources.
    pub session_id: String,
    /// Patterns from `.dockerignore`, applied to the build context.
    pub dockerignore: Vec<String>,
    /// `image-resolve-mode`: `default`, `pull` or `local`.
    pub image_resolve_mode: Option<String>,
    pub hostname: Option<String>,
    /// `(host, ip)` pairs from `--add-host`.
    pub extra_hosts: Vec<(String, String)>,
    /// `force-network-mode`: `none` or `host`.
    pub force_network_mode: Option<String>,
    pub cgroup_parent: Option<String>,
    /// `--shm-size` in bytes.
    pub shm_size: Option<i64>,
    /// The LLB capabilities the daemon supports, from Ping.
    pub llb_caps: Vec<String>,
    /// `--ulimit` values for every RUN.
    pub ulimits: Vec<cachefront_proto::pb::Ulimit>,
    /// Named contexts (`context:<name>` options): name to value, e.g. `docker-image://debian`
    /// or `local:<name>`.
    pub named_contexts: BTreeMap<String, String>,
    /// `.dockerignore` patterns of named local contexts, by local directory name.
    pub named_context_excludes: BTreeMap<String, Vec<String>>,
    /// cachefront's own image (the frontend's `source` option): RUNs mount the tools it ships
    /// (sccache) from it; `None` mounts none.
    pub tool_image: Option<String>,
}

/// Which stages ignore the build cache (`--no-cache`, `--no-cache-filter`): the one home of that
/// rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum NoCache {
    /// Use the cache everywhere (no `no-cache` option).
    #[default]
    None,
    /// `no-cache` with an empty value: every stage.
    All,
    /// `no-cache=a,b`: these stages (names compare case-insensitively).
    Stages(Vec<String>),
}

impl NoCache {
    /// Reads the `no-cache` frontend option as BuildKit does: absent is `None`, empty is `All`,
    /// otherwise the comma-separated stage names.
    pub fn from_option(value: Option<&str>) -> NoCache {
        match value {
            None => NoCache::None,
            Some("") => NoCache::All,
            Some(names) => NoCache::Stages(names.split(',').map(str::to_owned).collect()),
        }
    }

    /// Whether the stage named `name` ignores the cache.
    pub fn applies_to(&self, name: Option<&str>) -> bool {
        match self {
            NoCache::None => false,
            NoCache::All => true,
            NoCache::Stages(stages) => {
                name.is_some_and(|name| stages.iter().any(|stage| stage.eq_ignore_ascii_case(name)))
            }
        }
    }
}

impl ConvertOptions {
    /// Options for building `platform` with nothing else set.
    pub fn for_platform(platform: Platform) -> ConvertOptions {
        ConvertOptions {
            target: None,
            build_args: BTreeMap::new(),
            labels: BTreeMap::new(),
            build_platforms: vec![platform.clone()],
            target_platform: platform,
            explicit_target_platform: false,
            multi_platform: false,
            no_cache: NoCache::None,
            session_id: String::new(),
            dockerignore: Vec::new(),
            image_resolve_mode: None,
            hostname: None,
            extra_hosts: Vec::new(),
            force_network_mode: None,
            cgroup_parent: None,
            shm_size: None,
            llb_caps: Vec::new(),
            ulimits: Vec::new(),
            named_contexts: BTreeMap::new(),
            named_context_excludes: BTreeMap::new(),
            tool_image: None,
        }
    }

    /// The platform of the machine the build runs on.
    pub fn build_platform(&self) -> &Platform {
        self.build_platforms
            .first()
            .unwrap_or(&self.target_platform)
    }

    pub fn has_llb_cap(&self, cap: &str) -> bool {
        self.llb_caps.iter().any(|known| known == cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_cache_option_matches_stage_names_case_insensitively() {
        assert!(NoCache::from_option(Some("")).applies_to(Some("anything")));
        assert!(NoCache::from_option(Some("")).applies_to(None));
        let stages = NoCache::from_option(Some("Build,test"));
        assert!(stages.applies_to(Some("build")));
        assert!(stages.applies_to(Some("TEST")));
        assert!(!stages.applies_to(Some("final")));
        assert!(!stages.applies_to(None));
        assert!(!NoCache::from_option(None).applies_to(Some("build")));
    }
}
