//! Caches carried between builders (`docs/ci-caches.md`), the parts seeding and exporting share,
//! in: the lowered build's state and where cachefront's own image is; out: the caches that can be
//! carried, each with its directory name, and exec ops of the cache tool (`cachefront cache ...`
//! run from cachefront's own image). Invariants: a carried cache is mounted exactly as the build's
//! RUN mounts it (same id, sharing and initial content), so the tool sees the RUN's cache; the
//! tool's ops never read the build's own filesystem and are never taken from BuildKit's cache:
//! they carry the build's own `run_id` in their environment, so their digests are new each build.
//! (`ignore_cache` would not do: BuildKit prunes every cache an exec with `ignore_cache` mounts,
//! before the solve: `detectPrunedCacheID` in `solver/llbsolver`.)

use cachefront_cache::cache_dir::cache_directory_name;
use cachefront_llb::{
    cache_mounts, Exec, ExecResult, FoundCache, Mount, Network, OpMetadata, OpOptions, Platform,
    Source, State,
};

/// The named build context a seed is passed as: `--build-context cachefront-cache=<dir|image>`.
pub const SEED_CONTEXT: &str = "cachefront-cache";

/// Where the binary is in cachefront's image.
const TOOL_PATH: &str = "/bin/cachefront";

/// Where the tool's exec mounts the caches: `/caches/<n>`.
const CACHES_DIRECTORY: &str = "/caches";

/// Where the cache tool runs: cachefront's own image (the `source` frontend option), on the
/// platform the build runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheTool {
    pub image: String,
    pub platform: Platform,
    /// Unique to this build (e.g. the time in nanoseconds and the process id).
    pub run_id: String,
}

/// A cache of the build that can be carried: one that starts from nothing but directories.
#[derive(Debug, Clone)]
pub(crate) struct CarriedCache {
    pub found: FoundCache,
    /// Its directory in a seed or an export.
    pub directory: String,
}

/// The carried caches of the build `state`, in the order the build uses them.
pub(crate) fn carried_caches(state: &State) -> Vec<CarriedCache> {
    cache_mounts(state)
        .into_iter()
        .filter(|found| found.starts_empty)
        .map(|found| CarriedCache {
            directory: cache_directory_name(&found.id),
            found,
        })
        .collect()
}

impl CacheTool {
    /// Runs `cachefront cache <arguments>` with the caches mounted at `/caches/<n>` as the
    /// build mounts them, plus `extra_mounts`; no network, never from BuildKit's cache.
    pub(crate) fn run(
        &self,
        arguments: Vec<String>,
        caches: &[&CarriedCache],
        extra_mounts: Vec<Mount>,
        name: String,
    ) -> ExecResult {
        let root = Source::image(&self.image).build(OpOptions {
            platform: Some(self.platform.clone()),
            metadata: OpMetadata::named(format!("[cachefront] load the cache tool {}", self.image)),
            location: None,
        });
        let mut mounts = extra_mounts;
        for (index, cache) in caches.iter().enumerate() {
            // Writable even where a RUN mounts the cache read-only: the seed writes into it
            // (the key BuildKit finds a cache by is its id and initial content alone).
            mounts.push(Mount {
                destination: cache_mount_path(index),
                readonly: false,
                ..cache.found.mount.clone()
            });
        }
        let mut args = vec![TOOL_PATH.to_owned(), "cache".to_owned()];
        args.extend(arguments);
        Exec {
            args,
            env: vec![
                "PATH=/bin".to_owned(),
                format!("CACHEFRONT_RUN={}", self.run_id),
            ],
            cwd: "/".to_owned(),
            network: Network::None,
            mounts,
            ..Exec::default()
        }
        .build(
            root,
            OpOptions {
                platform: Some(self.platform.clone()),
                metadata: OpMetadata::named(name),
                location: None,
            },
        )
    }
}

/// Where the tool's exec mounts the `index`th cache.
pub(crate) fn cache_mount_path(index: usize) -> String {
    format!("{CACHES_DIRECTORY}/{index}")
}

/// `<directory>=<mount path>` for each cache, as the tool takes them.
pub(crate) fn cache_arguments(caches: &[&CarriedCache]) -> Vec<String> {
    caches
        .iter()
        .enumerate()
        .map(|(index, cache)| format!("{}={}", cache.directory, cache_mount_path(index)))
        .collect()
}
