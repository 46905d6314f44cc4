//! Rules for composer, bundler/gem and dotnet/nuget.
//!
//! Input: none. Output: [`RULES`]. Invariant: `vendor/`, installed gems and NuGet tool
//! installs are never mounted, only download caches.

use super::{CacheDir, CacheKind, CacheRule, DefeatingFlag, WipeCommand};
use crate::plan::Sharing;

pub(super) static RULES: &[&CacheRule] = &[&COMPOSER, &BUNDLER, &GEM, &DOTNET];

/// composer: the download cache (`COMPOSER_CACHE_DIR`, else `$COMPOSER_HOME/cache`, else the
/// XDG or `~/.composer` location). Installs extract into `vendor/`.
pub(super) static COMPOSER: CacheRule = CacheRule {
    name: "composer",
    tools: &["composer"],
    subcommands: &["install", "update", "require", "create-project", "remove", "reinstall"],
    caches: &[CacheDir::new(
        "$COMPOSER_CACHE_DIR | $COMPOSER_HOME/cache | $XDG_CACHE_HOME/composer | $HOME/.composer/cache",
        Sharing::Locked,
        CacheKind::Download,
    )
    .located_by("COMPOSER_CACHE_DIR")],
    wipes: &[
        WipeCommand { words: &["clear-cache"], removes_directory: false },
        WipeCommand { words: &["clearcache"], removes_directory: false },
        WipeCommand { words: &["cc"], removes_directory: false },
    ],
    location_queries: &[&["config", "cache-dir"]],
    defeating_flags: &[DefeatingFlag { flag: "--no-cache", shortest_prefix: 0, replacement: None }],
    ..CacheRule::EMPTY
};

/// bundler: bundler's own cache (compact index) and the `.gem` archives in `$GEM_HOME/cache`
/// (installed gems live next to it in `gems/` and `specifications/`, which stay in the image).
/// `--local`, `bundle cache` and `bundle package` read the archives already on disk.
pub(super) static BUNDLER: CacheRule = CacheRule {
    name: "bundler",
    tools: &["bundle"],
    subcommands: &["install", "update", "add", "lock"],
    bare_invocation: true,
    caches: &[
        CacheDir::new(
            "$BUNDLE_USER_CACHE | $BUNDLE_USER_HOME/cache | $HOME/.bundle/cache",
            Sharing::Locked,
            CacheKind::Download,
        )
        .located_by("BUNDLE_USER_CACHE"),
        CacheDir::new("$GEM_HOME/cache", Sharing::Locked, CacheKind::Download)
            .when(&[super::CacheCondition::IfResolved]),
    ],
    offline_arguments: &["--local", "cache", "package"],
    ..CacheRule::EMPTY
};

/// gem: the `.gem` archives in `$GEM_HOME/cache` (only when `GEM_HOME` says where that is).
pub(super) static GEM: CacheRule = CacheRule {
    name: "gem",
    tools: &["gem"],
    subcommands: &["install", "update"],
    caches: &[
        CacheDir::new("$GEM_HOME/cache", Sharing::Locked, CacheKind::Download)
            .when(&[super::CacheCondition::IfResolved]),
    ],
    offline_arguments: &["--local", "-l"],
    ..CacheRule::EMPTY
};

/// dotnet/nuget: the global packages folder and the HTTP cache. `dotnet publish`/`build`
/// copy package assemblies into the output. `--no-restore` builds from the packages already
/// on disk, which must then come from the image.
pub(super) static DOTNET: CacheRule = CacheRule {
    name: "dotnet",
    tools: &["dotnet", "nuget"],
    subcommands: &[
        "restore", "build", "publish", "test", "pack", "run", "tool", "add", "workload",
    ],
    caches: &[
        // restore writes this path into obj/project.assets.json and obj/*.nuget.g.props.
        CacheDir::new(
            "$NUGET_PACKAGES | $HOME/.nuget/packages",
            Sharing::Locked,
            CacheKind::Download,
        )
        .located_by("NUGET_PACKAGES")
        .embedded(),
        CacheDir::new(
            "$NUGET_HTTP_CACHE_PATH | $HOME/.local/share/NuGet/http-cache",
            Sharing::Locked,
            CacheKind::Download,
        )
        .located_by("NUGET_HTTP_CACHE_PATH"),
    ],
    wipes: &[WipeCommand {
        words: &["nuget", "locals", "all", "--clear"],
        removes_directory: false,
    }],
    offline_arguments: &["--no-restore"],
    ..CacheRule::EMPTY
};
