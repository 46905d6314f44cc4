//! Rules for JavaScript package managers: npm, yarn (1 and berry), pnpm, bun.
//!
//! Input: none. Output: [`RULES`]. Invariant: `node_modules`, yarn berry's project cache
//! (`.yarn/cache`, part of zero-installs) and anything a Plug'n'Play runtime reads are never
//! mounted; only global download caches that installs copy out of.

use super::{CacheCondition, CacheDir, CacheKind, CacheRule, DefeatingFlag, WipeCommand};
use crate::plan::Sharing;

pub(super) static RULES: &[&CacheRule] = &[&NPM, &NPX, &YARN, &PNPM, &BUN];

/// npm: `~/.npm` is npm's `cache` setting: `_cacache` (content-addressed tarballs and
/// metadata, safe for concurrent writers), `_npx` and `_logs`. Installs extract out of it into
/// `node_modules`. `npm cache clean --force` only empties it.
pub(super) static NPM: CacheRule = CacheRule {
    name: "npm",
    tools: &["npm"],
    subcommands: &[
        "install",
        "i",
        "ci",
        "add",
        "update",
        "up",
        "upgrade",
        "install-test",
        "it",
        "install-ci-test",
        "cit",
        "exec",
        "x",
        "rebuild",
        "dedupe",
    ],
    caches: &[CacheDir::new(
        "$npm_config_cache | $NPM_CONFIG_CACHE | $HOME/.npm",
        Sharing::Shared,
        CacheKind::Download,
    )
    .located_by("npm_config_cache")
    .competing(&["NPM_CONFIG_CACHE"])],
    wipes: &[WipeCommand {
        words: &["cache", "clean"],
        removes_directory: false,
    }],
    location_queries: &[&["config", "get", "cache"]],
    offline_arguments: &["--offline"],
    offline_env: &[("npm_config_offline", "true")],
    ..CacheRule::EMPTY
};

/// npx: runs packages it installs into npm's cache (`_npx`), so the same cache as npm.
pub(super) static NPX: CacheRule = CacheRule {
    name: "npx",
    tools: &["npx"],
    caches: NPM.caches,
    offline_arguments: &["--offline"],
    offline_env: &[("npm_config_offline", "true")],
    ..CacheRule::EMPTY
};

/// yarn: whether yarn 1 or berry runs is not known statically, so:
/// - yarn 1's global cache (`/usr/local/share/.cache/yarn` for root, `~/.cache/yarn` otherwise)
///   is mounted unless something suggests berry (`corepack`, berry-only flags such as
///   `--immutable`, berry-only `YARN_*` variables): berry would take `YARN_CACHE_FOLDER` as its
///   own cache folder, and under Plug'n'Play the image needs the packages in it. For the same
///   reason this cache is never relocated through `YARN_CACHE_FOLDER`. Locked, because
///   concurrent yarn 1 installs into one cache are known to corrupt it.
/// - berry's global cache only with `YARN_NODE_LINKER=node-modules`: under Plug'n'Play (berry's
///   default) the runtime loads packages straight from the cache zips.
pub(super) static YARN: CacheRule = CacheRule {
    name: "yarn",
    tools: &["yarn"],
    subcommands: &[
        "install",
        "add",
        "upgrade",
        "up",
        "global",
        "dlx",
        "remove",
        "workspaces",
        "import",
    ],
    bare_invocation: true,
    caches: &[
        CacheDir::new(
            "$YARN_CACHE_FOLDER | $XDG_CACHE_HOME/yarn | /usr/local/share/.cache/yarn",
            Sharing::Locked,
            CacheKind::Download,
        )
        .when(&[CacheCondition::RootOnly, CacheCondition::NotYarnBerry]),
        CacheDir::new(
            "$YARN_CACHE_FOLDER | $XDG_CACHE_HOME/yarn | $HOME/.cache/yarn",
            Sharing::Locked,
            CacheKind::Download,
        )
        .when(&[CacheCondition::NonRootOnly, CacheCondition::NotYarnBerry]),
        CacheDir::new(
            "$YARN_GLOBAL_FOLDER/cache | $XDG_DATA_HOME/yarn/berry/cache | $HOME/.yarn/berry/cache",
            Sharing::Locked,
            CacheKind::Download,
        )
        .when(&[CacheCondition::EnvEquals(
            "YARN_NODE_LINKER",
            "node-modules",
        )]),
    ],
    wipes: &[WipeCommand {
        words: &["cache", "clean"],
        removes_directory: false,
    }],
    location_queries: &[&["cache", "dir"], &["config", "get", "cacheFolder"]],
    offline_arguments: &["--offline"],
    ..CacheRule::EMPTY
};

/// pnpm: the content-addressable store, plus the metadata cache. Installs import from the
/// store by clone, hard link or copy; across the mount boundary that is a copy, so
/// `node_modules` holds real files. The store dir is pinned with `npm_config_store_dir` for the
/// RUN: left unset, pnpm notices the store is on another filesystem than the project and puts a
/// new store at the project filesystem's root instead (into the image). The global virtual
/// store would link `node_modules` into the store, so no mount with it.
pub(super) static PNPM: CacheRule = CacheRule {
    name: "pnpm",
    tools: &["pnpm", "pnpx"],
    subcommands: &[
        "install", "i", "add", "update", "up", "upgrade", "fetch", "dlx", "remove", "rm", "import",
    ],
    caches: &[
        CacheDir::new(
            "$npm_config_store_dir | $PNPM_HOME/store | $XDG_DATA_HOME/pnpm/store | $HOME/.local/share/pnpm/store",
            Sharing::Shared,
            CacheKind::Download,
        )
        // node_modules/.modules.yaml records the store path, so it stays put.
        .located_by("npm_config_store_dir")
        .pinned()
        .embedded(),
        CacheDir::new(
            "$XDG_CACHE_HOME/pnpm | $HOME/.cache/pnpm",
            Sharing::Shared,
            CacheKind::Download,
        ),
    ],
    wipes: &[WipeCommand { words: &["store", "prune"], removes_directory: false }],
    location_queries: &[&["store", "path"]],
    offline_arguments: &["--offline"],
    unsafe_arguments: &["--package-import-method=hardlink", "--package-import-method hardlink"],
    unsafe_env: &[
        ("npm_config_enable_global_virtual_store", "true"),
        ("npm_config_package_import_method", "hardlink"),
    ],
    ..CacheRule::EMPTY
};

/// bun: the install cache, which bun hard-links or copies from (copies across the mount
/// boundary). The symlink backend would point `node_modules` into it, so no mount then.
pub(super) static BUN: CacheRule = CacheRule {
    name: "bun",
    tools: &["bun", "bunx"],
    subcommands: &["install", "i", "add", "a", "update", "x", "pm"],
    caches: &[CacheDir::new(
        "$BUN_INSTALL_CACHE_DIR | $BUN_INSTALL/install/cache | $HOME/.bun/install/cache",
        Sharing::Shared,
        CacheKind::Download,
    )
    .located_by("BUN_INSTALL_CACHE_DIR")],
    wipes: &[WipeCommand {
        words: &["pm", "cache", "rm"],
        removes_directory: false,
    }],
    defeating_flags: &[DefeatingFlag {
        flag: "--no-cache",
        shortest_prefix: 0,
        replacement: None,
    }],
    offline_arguments: &["--offline"],
    unsafe_arguments: &["--backend=symlink", "--backend symlink"],
    ..CacheRule::EMPTY
};
