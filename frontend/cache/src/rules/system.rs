//! Rules for system package managers: apt, apk, dnf, microdnf, yum, zypper.
//!
//! Input: none. Output: [`RULES`]. Invariant: only directories that hold downloads or indexes
//! apt/apk/rpm re-create on demand are mounted; package databases (`/var/lib/dpkg`,
//! `/var/lib/rpm`, `/lib/apk/db`) and apt's `extended_states` are never mounted, since the image
//! needs them. All use `sharing=locked`: these tools guard their state with lock files that do
//! not protect against a second container writing the same directory.

use super::{CacheDir, CacheKind, CacheRule, DistroRequirement, Freshness, WipeCommand};
use crate::plan::Sharing;

pub(super) static RULES: &[&CacheRule] = &[&APT, &APK, &DNF, &MICRODNF, &YUM, &ZYPPER];

/// apt: `/var/cache/apt` holds downloaded `.deb` archives and `pkgcache.bin`, all re-created on
/// demand; stock images (with `docker-clean`) keep nothing in it, and whatever apt would leave
/// there is exactly the cache the contract keeps out of the image. `/var/lib/apt/lists` is not in
/// this table: mounting it is only safe when the RUN refreshes and deletes the lists itself,
/// which the apt-specific planning checks (see `crate::apt`). `docker-clean` and
/// `Keep-Downloaded-Packages` are neutralised there too.
pub(super) static APT: CacheRule = CacheRule {
    name: "apt",
    tools: &["apt-get", "apt", "aptitude"],
    subcommands: &[
        "install",
        "upgrade",
        "dist-upgrade",
        "full-upgrade",
        "build-dep",
        "update",
        "reinstall",
        "safe-upgrade",
    ],
    caches: &[CacheDir::new(
        "/var/cache/apt",
        Sharing::Locked,
        CacheKind::Download,
    )],
    // `apt-get clean` empties /var/cache/apt/archives and the binary caches: with the mount it
    // would only wipe the cache, so it becomes a no-op for the RUN.
    wipes: &[
        WipeCommand {
            words: &["clean"],
            removes_directory: false,
        },
        WipeCommand {
            words: &["autoclean"],
            removes_directory: false,
        },
    ],
    offline_arguments: &["--no-download"],
    distro: DistroRequirement::DebianFamily,
    ..CacheRule::EMPTY
};

/// apk: with `/etc/apk/cache` present, apk keeps downloaded packages and indexes there. Mounted
/// only when the RUN refreshes the index itself (`--no-cache`, `-U`, or `apk update` first):
/// with the cache dir present apk reads indexes from it, so a cold mount without a refresh
/// would fail where the stock build reads `/var/cache/apk` from the image. `--no-cache` becomes
/// `--update-cache` (same index refresh, but through the cache); apk writes nothing else
/// differently, so the image is the same.
pub(super) static APK: CacheRule = CacheRule {
    name: "apk",
    tools: &["apk"],
    subcommands: &["add", "upgrade", "fix", "fetch"],
    caches: &[CacheDir::new(
        "/etc/apk/cache",
        Sharing::Locked,
        CacheKind::Download,
    )],
    wipes: &[
        WipeCommand {
            words: &["cache", "clean"],
            removes_directory: false,
        },
        WipeCommand {
            words: &["cache", "purge"],
            removes_directory: false,
        },
    ],
    defeating_flags: &[super::DefeatingFlag {
        flag: "--no-cache",
        shortest_prefix: 0,
        replacement: Some("--update-cache"),
    }],
    distro: DistroRequirement::Alpine,
    freshness: Freshness::RequireRefresh {
        flags: &["--no-cache", "-U", "--update-cache"],
        subcommand: "update",
    },
    ..CacheRule::EMPTY
};

/// dnf (4 and 5): `/var/cache/dnf` and `/var/cache/libdnf5` hold repo metadata and, with
/// keepcache, packages; the rpm database lives in /var/lib/rpm and is untouched. `--refresh` is
/// added so metadata is revalidated like in a fresh stock build (cached metadata younger than
/// `metadata_expire` would otherwise be used and could pick older package versions).
pub(super) static DNF: CacheRule = CacheRule {
    name: "dnf",
    tools: &["dnf", "dnf5", "dnf-3", "tdnf"],
    subcommands: &[
        "install",
        "upgrade",
        "update",
        "reinstall",
        "downgrade",
        "distro-sync",
        "groupinstall",
        "group",
        "builddep",
        "makecache",
        "module",
        "swap",
    ],
    caches: &[
        CacheDir::new("/var/cache/dnf", Sharing::Locked, CacheKind::Download),
        CacheDir::new("/var/cache/libdnf5", Sharing::Locked, CacheKind::Download),
    ],
    wipes: &[
        WipeCommand {
            words: &["clean", "all"],
            removes_directory: false,
        },
        WipeCommand {
            words: &["clean", "packages"],
            removes_directory: false,
        },
        WipeCommand {
            words: &["clean", "metadata"],
            removes_directory: false,
        },
        WipeCommand {
            words: &["clean", "dbcache"],
            removes_directory: false,
        },
    ],
    offline_arguments: &["-C", "--cacheonly"],
    freshness: Freshness::InsertFlag("--refresh"),
    ..CacheRule::EMPTY
};

/// microdnf: metadata in `/var/cache/yum` (libdnf 4) or `/var/cache/libdnf5`; same reasoning
/// as dnf.
pub(super) static MICRODNF: CacheRule = CacheRule {
    name: "microdnf",
    tools: &["microdnf"],
    subcommands: &[
        "install",
        "upgrade",
        "update",
        "reinstall",
        "makecache",
        "module",
    ],
    caches: &[
        CacheDir::new("/var/cache/yum", Sharing::Locked, CacheKind::Download),
        CacheDir::new("/var/cache/libdnf5", Sharing::Locked, CacheKind::Download),
    ],
    wipes: &[WipeCommand {
        words: &["clean", "all"],
        removes_directory: false,
    }],
    freshness: Freshness::InsertFlag("--refresh"),
    ..CacheRule::EMPTY
};

/// yum: only the dnf-based yum (EL8+, Fedora, Amazon Linux 2023), which accepts `--refresh`;
/// EL7's yum has no way to force a metadata check per command, so it is left alone.
pub(super) static YUM: CacheRule = CacheRule {
    name: "yum",
    tools: &["yum"],
    subcommands: &[
        "install",
        "upgrade",
        "update",
        "reinstall",
        "downgrade",
        "groupinstall",
        "makecache",
    ],
    caches: &[
        CacheDir::new("/var/cache/yum", Sharing::Locked, CacheKind::Download),
        CacheDir::new("/var/cache/dnf", Sharing::Locked, CacheKind::Download),
    ],
    wipes: &[
        WipeCommand {
            words: &["clean", "all"],
            removes_directory: false,
        },
        WipeCommand {
            words: &["clean", "packages"],
            removes_directory: false,
        },
        WipeCommand {
            words: &["clean", "metadata"],
            removes_directory: false,
        },
    ],
    offline_arguments: &["-C", "--cacheonly"],
    distro: DistroRequirement::DnfBased,
    freshness: Freshness::InsertFlag("--refresh"),
    ..CacheRule::EMPTY
};

/// zypper: `/var/cache/zypp` holds raw and solv metadata and packages. Repos with autorefresh
/// (the default in openSUSE images) are revalidated when older than `repo.refresh.delay`
/// (10 minutes), the same window any two stock builds differ by.
pub(super) static ZYPPER: CacheRule = CacheRule {
    name: "zypper",
    tools: &["zypper"],
    subcommands: &[
        "install",
        "in",
        "update",
        "up",
        "dist-upgrade",
        "dup",
        "refresh",
        "ref",
        "source-install",
        "si",
        "patch",
    ],
    caches: &[CacheDir::new(
        "/var/cache/zypp",
        Sharing::Locked,
        CacheKind::Download,
    )],
    wipes: &[
        WipeCommand {
            words: &["clean"],
            removes_directory: false,
        },
        WipeCommand {
            words: &["cc"],
            removes_directory: false,
        },
    ],
    offline_arguments: &["--no-refresh"],
    ..CacheRule::EMPTY
};
