//! Frontend options, in: the process environment (`BUILDKIT_FRONTEND_OPT_<i>=key=value`,
//! `BUILDKIT_SESSION_ID`, `BUILDKIT_WORKERS`, `BUILDKIT_EXPORTEDPRODUCT`) or plain key/value
//! pairs; out: a typed `FrontendOptions` plus the raw map of every option.
//! Invariant: keys, defaults and overrides follow upstream's `dockerui` config (e.g.
//! `build-arg:BUILDKIT_SANDBOX_HOSTNAME` overrides `hostname`); no input makes it panic.

mod values;
mod workers;

use std::collections::BTreeMap;
use std::ffi::OsString;

use cachefront_proto::pb;

use crate::platform::{host_platform, parse_platform};
pub use values::{CacheImport, ImageResolveMode, NetworkMode, OptionsError};
pub use workers::{parse_workers, WorkerInfo};

/// Prefix of the environment variables that carry one option each.
pub const OPTION_VARIABLE_PREFIX: &str = "BUILDKIT_FRONTEND_OPT_";
/// Environment variable with the client session id (for `local://` sources).
pub const SESSION_ID_VARIABLE: &str = "BUILDKIT_SESSION_ID";
/// Environment variable with the JSON list of workers.
pub const WORKERS_VARIABLE: &str = "BUILDKIT_WORKERS";
/// Environment variable naming the product that runs the frontend.
pub const EXPORTED_PRODUCT_VARIABLE: &str = "BUILDKIT_EXPORTEDPRODUCT";
/// The Dockerfile name when `filename` is absent.
pub const DEFAULT_DOCKERFILE_NAME: &str = "Dockerfile";

/// The build's options, typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontendOptions {
    /// `filename`: the Dockerfile's path in the `dockerfile` local (default `Dockerfile`).
    pub filename: String,
    /// `target`: the stage to build; `None` builds the last one.
    pub target: Option<String>,
    /// `build-arg:<name>` values.
    pub build_args: BTreeMap<String, String>,
    /// `label:<name>` values.
    pub labels: BTreeMap<String, String>,
    /// `platform`: requested target platforms, normalized; empty means the default.
    pub platforms: Vec<pb::Platform>,
    /// Whether to return per-platform refs (more than one platform, or `multi-platform` /
    /// `build-arg:BUILDKIT_MULTI_PLATFORM` set to true).
    pub multi_platform: bool,
    /// `no-cache` as sent (`--no-cache`: empty; `--no-cache-filter`: stage names); lowering
    /// reads it with `cachefront_convert::NoCache::from_option`.
    pub no_cache: Option<String>,
    /// `context:<name>` values (named build contexts).
    pub contexts: BTreeMap<String, String>,
    /// `image-resolve-mode`.
    pub image_resolve_mode: ImageResolveMode,
    /// `add-hosts`.
    pub add_hosts: Vec<pb::HostIp>,
    /// `shm-size` in bytes (0 when unset).
    pub shm_size: i64,
    /// `ulimit`.
    pub ulimits: Vec<pb::Ulimit>,
    /// `hostname`, or `build-arg:BUILDKIT_SANDBOX_HOSTNAME` when that is non-empty.
    pub hostname: Option<String>,
    /// `force-network-mode`.
    pub force_network_mode: NetworkMode,
    /// `cgroup-parent`.
    pub cgroup_parent: Option<String>,
    /// `cache-imports` (JSON) followed by `cache-from` (registry refs); pass them on solves.
    pub cache_imports: Vec<CacheImport>,
    /// `requestid`: a subrequest such as `frontend.outline` (`--print`, `--call`).
    pub request_id: Option<String>,
    /// `BUILDKIT_SESSION_ID`.
    pub session_id: String,
    /// `BUILDKIT_WORKERS`.
    pub workers: Vec<WorkerInfo>,
    /// `BUILDKIT_EXPORTEDPRODUCT`.
    pub exported_product: Option<String>,
    /// Every option as received, later duplicates winning.
    pub raw: BTreeMap<String, String>,
}

impl FrontendOptions {
    /// Reads the options from this process's environment.
    pub fn from_env() -> Result<FrontendOptions, OptionsError> {
        FrontendOptions::from_environment(
            std::env::vars_os().map(|(name, value)| (lossy(name), lossy(value))),
        )
    }

    /// Reads the options from environment variables given as `(name, value)` pairs.
    pub fn from_environment<I, N, V>(variables: I) -> Result<FrontendOptions, OptionsError>
    where
        I: IntoIterator<Item = (N, V)>,
        N: AsRef<str>,
        V: AsRef<str>,
    {
        let mut numbered_options: Vec<(u64, String, String, String)> = Vec::new();
        let mut session_id = String::new();
        let mut workers = Vec::new();
        let mut exported_product = None;
        for (name, value) in variables {
            let (name, value) = (name.as_ref(), value.as_ref());
            if let Some(index_text) = name.strip_prefix(OPTION_VARIABLE_PREFIX) {
                let (key, option_value) = value.split_once('=').unwrap_or((value, ""));
                let index = index_text.parse().unwrap_or(u64::MAX);
                numbered_options.push((
                    index,
                    index_text.to_owned(),
                    key.to_owned(),
                    option_value.to_owned(),
                ));
            } else if name == SESSION_ID_VARIABLE {
                session_id = value.to_owned();
            } else if name == WORKERS_VARIABLE {
                workers = parse_workers(value);
            } else if name == EXPORTED_PRODUCT_VARIABLE && !value.is_empty() {
                exported_product = Some(value.to_owned());
            }
        }
        numbered_options.sort_by(|left, right| (left.0, &left.1).cmp(&(right.0, &right.1)));
        let mut options = FrontendOptions::from_pairs(
            numbered_options
                .into_iter()
                .map(|(_, _, key, value)| (key, value)),
        )?;
        options.session_id = session_id;
        options.workers = workers;
        options.exported_product = exported_product;
        Ok(options)
    }

    /// Builds the typed view from option key/value pairs alone (no session or workers).
    pub fn from_pairs<I, K, V>(pairs: I) -> Result<FrontendOptions, OptionsError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let raw: BTreeMap<String, String> = pairs
            .into_iter()
            .map(|(key, value)| (key.into(), value.into()))
            .collect();
        let text = |key: &str| raw.get(key).map(String::as_str).unwrap_or("");
        let non_empty = |key: &str| raw.get(key).filter(|value| !value.is_empty()).cloned();

        let platforms = match non_empty("platform") {
            Some(list) => list
                .split(',')
                .map(|entry| {
                    parse_platform(entry)
                        .map_err(|error| OptionsError::new("platform", &list, error.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        let multi_platform = multi_platform(&raw, platforms.len())?;
        let hostname =
            non_empty("build-arg:BUILDKIT_SANDBOX_HOSTNAME").or_else(|| non_empty("hostname"));
        let mut cache_imports =
            values::parse_cache_imports("cache-imports", text("cache-imports"))?;
        cache_imports.extend(values::parse_cache_from(text("cache-from")));

        Ok(FrontendOptions {
            filename: non_empty("filename").unwrap_or_else(|| DEFAULT_DOCKERFILE_NAME.to_owned()),
            target: non_empty("target"),
            build_args: with_prefix(&raw, "build-arg:"),
            labels: with_prefix(&raw, "label:"),
            platforms,
            multi_platform,
            no_cache: raw.get("no-cache").cloned(),
            contexts: with_prefix(&raw, "context:"),
            image_resolve_mode: ImageResolveMode::parse(
                "image-resolve-mode",
                text("image-resolve-mode"),
            )?,
            add_hosts: values::parse_extra_hosts("add-hosts", text("add-hosts"))?,
            shm_size: values::parse_shm_size("shm-size", text("shm-size"))?,
            ulimits: values::parse_ulimits("ulimit", text("ulimit"))?,
            hostname,
            force_network_mode: NetworkMode::parse(
                "force-network-mode",
                text("force-network-mode"),
            )?,
            cgroup_parent: non_empty("cgroup-parent"),
            cache_imports,
            request_id: non_empty("requestid"),
            session_id: String::new(),
            workers: Vec::new(),
            exported_product: None,
            raw,
        })
    }

    /// The platform builds run on: the first worker's first platform, else this host's.
    pub fn build_platform(&self) -> pb::Platform {
        self.workers
            .iter()
            .find_map(|worker| worker.platforms.first().cloned())
            .unwrap_or_else(host_platform)
    }

    /// The platforms to build for: the requested ones, else the build platform.
    pub fn target_platforms(&self) -> Vec<pb::Platform> {
        if self.platforms.is_empty() {
            vec![self.build_platform()]
        } else {
            self.platforms.clone()
        }
    }
}

/// Upstream's rule: several platforms imply multi-platform; an explicit boolean may confirm it
/// or turn it on, but turning it off with several platforms is a conflict.
fn multi_platform(
    raw: &BTreeMap<String, String>,
    platform_count: usize,
) -> Result<bool, OptionsError> {
    let several = platform_count > 1;
    let explicit = ["build-arg:BUILDKIT_MULTI_PLATFORM", "multi-platform"]
        .iter()
        .find_map(|key| {
            raw.get(*key)
                .filter(|value| !value.is_empty())
                .map(|value| (*key, value))
        });
    let Some((key, value)) = explicit else {
        return Ok(several);
    };
    let requested = values::parse_go_bool(key, value)?;
    if !requested && several {
        return Err(OptionsError::new(
            key,
            value,
            "conflicting config: returning multiple target platforms is not allowed",
        ));
    }
    Ok(requested)
}

fn with_prefix(raw: &BTreeMap<String, String>, prefix: &str) -> BTreeMap<String, String> {
    raw.iter()
        .filter_map(|(key, value)| {
            key.strip_prefix(prefix)
                .map(|name| (name.to_owned(), value.clone()))
        })
        .collect()
}

fn lossy(text: OsString) -> String {
    text.into_string()
        .unwrap_or_else(|raw| raw.to_string_lossy().into_owned())
}
