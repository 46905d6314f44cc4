//! Rules for compiled languages: go, cargo, and the ccache/sccache compiler caches.
//!
//! Input: none. Output: [`RULES`]. Invariant: build output directories (`target/`, `bin/`,
//! `$GOPATH/bin`, `$CARGO_HOME/bin`) are never mounted, only download and compiler caches.

use super::{CacheDir, CacheKind, CacheRule, ShippedLauncher, WipeCommand};
use crate::plan::Sharing;

pub(super) static RULES: &[&CacheRule] = &[&GO, &CARGO, &CCACHE, &SCCACHE];

/// go: the module cache (read-only extracted modules plus `cache/download`, verified against
/// go.sum) and the build cache (content-addressed, safe for concurrent use). Module source
/// paths end up in binaries built without `-trimpath`, so the module cache always sits at its
/// natural path. `GOPROXY=off` means "only what is on disk", which must then come from the image.
pub(super) static GO: CacheRule = CacheRule {
    name: "go",
    tools: &["go"],
    subcommands: &[
        "build", "install", "test", "run", "get", "mod", "vet", "generate", "list", "work", "tool",
    ],
    caches: &[
        CacheDir::new(
            "$GOMODCACHE | ${GOPATH%%:*}/pkg/mod | $HOME/go/pkg/mod",
            Sharing::Shared,
            CacheKind::Download,
        )
        .embedded(),
        CacheDir::new(
            "$GOCACHE | $XDG_CACHE_HOME/go-build | $HOME/.cache/go-build",
            Sharing::Shared,
            CacheKind::Derived,
        )
        .located_by("GOCACHE"),
    ],
    // `go clean -modcache` deletes the module cache directory itself, which fails on a mount
    // point: it must become a no-op, or the module cache is not mounted.
    wipes: &[
        WipeCommand {
            words: &["clean", "-modcache"],
            removes_directory: true,
        },
        WipeCommand {
            words: &["clean", "-cache"],
            removes_directory: true,
        },
    ],
    location_queries: &[
        &["env", "GOMODCACHE"],
        &["env", "GOCACHE"],
        &["env", "GOPATH"],
    ],
    offline_env: &[("GOPROXY", "off"), ("GOFLAGS", "-mod=vendor")],
    ..CacheRule::EMPTY
};

/// cargo: the registry (index, crate archives, extracted sources) and git checkouts under
/// `CARGO_HOME`; never `CARGO_HOME/bin` (installed binaries) nor `target/`. Extracted source
/// paths appear in panic messages and debug info, so these sit at their natural paths.
pub(super) static CARGO: CacheRule = CacheRule {
    name: "cargo",
    tools: &["cargo"],
    caches: &[
        CacheDir::new(
            "$CARGO_HOME/registry | $HOME/.cargo/registry",
            Sharing::Shared,
            CacheKind::Download,
        )
        .embedded(),
        CacheDir::new(
            "$CARGO_HOME/git | $HOME/.cargo/git",
            Sharing::Shared,
            CacheKind::Download,
        )
        .embedded(),
    ],
    offline_arguments: &["--offline", "--frozen"],
    offline_env: &[("CARGO_NET_OFFLINE", "true")],
    ..CacheRule::EMPTY
};

/// ccache: only when the build already uses it; its directory is a pure compiler-output cache.
pub(super) static CCACHE: CacheRule = CacheRule {
    name: "ccache",
    tools: &["ccache"],
    caches: &[CacheDir::new(
        "$CCACHE_DIR | $XDG_CACHE_HOME/ccache | $HOME/.cache/ccache",
        Sharing::Shared,
        CacheKind::Derived,
    )
    .located_by("CCACHE_DIR")],
    wipes: &[
        WipeCommand {
            words: &["-C"],
            removes_directory: false,
        },
        WipeCommand {
            words: &["--clear"],
            removes_directory: false,
        },
    ],
    unsafe_env: &[("CCACHE_DISABLE", "1"), ("CCACHE_DISABLE", "true")],
    launcher: Some("ccache"),
    ..CacheRule::EMPTY
};

/// sccache: when the build already uses it, and, with the sccache cachefront ships, for cargo
/// runs that compile (also through `cargo auditable`, `cargo zigbuild`, `cargo chef cook`) and
/// CMake configures that name no launcher. Its local disk cache is pure compiler output; a
/// cache hit restores exactly what rustc or the C compiler wrote for the same inputs at the
/// same paths. Incremental compilations (cargo's debug profile for workspace members) are run
/// uncached by sccache itself, so nothing about incremental builds needs changing.
pub(super) static SCCACHE: CacheRule = CacheRule {
    name: "sccache",
    tools: &["sccache"],
    caches: &[CacheDir::new(
        "$SCCACHE_DIR | $XDG_CACHE_HOME/sccache | $HOME/.cache/sccache",
        Sharing::Shared,
        CacheKind::Derived,
    )
    .located_by("SCCACHE_DIR")],
    launcher: Some("sccache"),
    ships: Some(ShippedLauncher {
        cargo_subcommands: &[
            "build", "b", "install", "test", "t", "bench", "run", "r", "rustc", "zigbuild",
        ],
        cmake: true,
    }),
    ..CacheRule::EMPTY
};
