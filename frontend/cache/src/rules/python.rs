//! Rules for Python package managers: pip, uv, poetry, pdm, pipenv, conda/mamba.
//!
//! Input: none. Output: [`RULES`]. Invariant: only HTTP/wheel/download caches are mounted;
//! site-packages, virtualenvs (poetry keeps them under its cache dir by default!), pdm's
//! install cache and uv's Python installs are never mounted, since the image needs them.

use super::{CacheDir, CacheKind, CacheRule, DefeatingFlag, WipeCommand};
use crate::plan::Sharing;

pub(super) static RULES: &[&CacheRule] = &[&PIP, &UV, &POETRY, &PDM, &PIPENV, &CONDA];

/// pip: the cache holds HTTP responses and locally built wheels keyed by the source
/// distribution's URL and hash; pip copies out of it, so nothing in the image points into it.
/// `--no-cache-dir` and `PIP_NO_CACHE_DIR` only disable this cache, so dropping them for the
/// RUN changes nothing else (pip accepts any unambiguous abbreviation, hence the prefix).
pub(super) static PIP: CacheRule = CacheRule {
    name: "pip",
    tools: &["pip"],
    subcommands: &["install", "download", "wheel"],
    caches: &[CacheDir::new(
        "$PIP_CACHE_DIR | $XDG_CACHE_HOME/pip | $HOME/.cache/pip",
        Sharing::Shared,
        CacheKind::Download,
    )
    .located_by("PIP_CACHE_DIR")],
    wipes: &[
        WipeCommand {
            words: &["cache", "purge"],
            removes_directory: false,
        },
        WipeCommand {
            words: &["cache", "remove"],
            removes_directory: false,
        },
    ],
    location_queries: &[&["cache", "dir"]],
    defeating_flags: &[DefeatingFlag {
        flag: "--no-cache-dir",
        shortest_prefix: "--no-cache".len(),
        replacement: None,
    }],
    defeating_env: &["PIP_NO_CACHE_DIR"],
    ..CacheRule::EMPTY
};

/// uv: a content-addressed cache that uv hard-links or copies from; across the mount boundary
/// hard links fail and uv copies, so the environment holds real files. With
/// `--link-mode=symlink` the environment would point into the cache, so no mount then.
/// `--offline` reads only the cache, which must then come from the image.
pub(super) static UV: CacheRule = CacheRule {
    name: "uv",
    tools: &["uv", "uvx"],
    caches: &[CacheDir::new(
        "$UV_CACHE_DIR | $XDG_CACHE_HOME/uv | $HOME/.cache/uv",
        Sharing::Shared,
        CacheKind::Download,
    )
    .located_by("UV_CACHE_DIR")],
    wipes: &[
        WipeCommand {
            words: &["cache", "clean"],
            removes_directory: false,
        },
        WipeCommand {
            words: &["cache", "prune"],
            removes_directory: false,
        },
    ],
    location_queries: &[&["cache", "dir"]],
    defeating_flags: &[
        DefeatingFlag {
            flag: "--no-cache",
            shortest_prefix: 0,
            replacement: None,
        },
        DefeatingFlag {
            flag: "-n",
            shortest_prefix: 0,
            replacement: None,
        },
    ],
    defeating_env: &["UV_NO_CACHE"],
    offline_arguments: &["--offline"],
    offline_env: &[("UV_OFFLINE", "1"), ("UV_OFFLINE", "true")],
    unsafe_arguments: &["--link-mode=symlink", "--link-mode symlink"],
    unsafe_env: &[("UV_LINK_MODE", "symlink")],
    ..CacheRule::EMPTY
};

/// poetry: only `cache/` (HTTP/repository cache) and `artifacts/` (downloaded distributions) of
/// the cache dir. Not the cache dir itself: poetry creates virtualenvs in `<cache>/virtualenvs`
/// by default, and those must stay in the image.
pub(super) static POETRY: CacheRule = CacheRule {
    name: "poetry",
    tools: &["poetry"],
    subcommands: &["install", "add", "update", "lock", "sync", "remove"],
    caches: &[
        CacheDir::new(
            "$POETRY_CACHE_DIR/cache | $XDG_CACHE_HOME/pypoetry/cache | $HOME/.cache/pypoetry/cache",
            Sharing::Locked,
            CacheKind::Download,
        ),
        CacheDir::new(
            "$POETRY_CACHE_DIR/artifacts | $XDG_CACHE_HOME/pypoetry/artifacts | $HOME/.cache/pypoetry/artifacts",
            Sharing::Locked,
            CacheKind::Download,
        ),
    ],
    wipes: &[WipeCommand { words: &["cache", "clear"], removes_directory: false }],
    defeating_flags: &[DefeatingFlag { flag: "--no-cache", shortest_prefix: 0, replacement: None }],
    ..CacheRule::EMPTY
};

/// pdm: only `http/` and `wheels/`. Not `packages/`: with `install.cache` on, pdm links
/// installed files from there into the environment.
pub(super) static PDM: CacheRule = CacheRule {
    name: "pdm",
    tools: &["pdm"],
    subcommands: &["install", "add", "sync", "lock", "update", "remove"],
    caches: &[
        CacheDir::new(
            "$PDM_CACHE_DIR/http | $XDG_CACHE_HOME/pdm/http | $HOME/.cache/pdm/http",
            Sharing::Locked,
            CacheKind::Download,
        ),
        CacheDir::new(
            "$PDM_CACHE_DIR/wheels | $XDG_CACHE_HOME/pdm/wheels | $HOME/.cache/pdm/wheels",
            Sharing::Locked,
            CacheKind::Download,
        ),
    ],
    wipes: &[WipeCommand {
        words: &["cache", "clear"],
        removes_directory: false,
    }],
    ..CacheRule::EMPTY
};

/// pipenv: its own cache plus pip's (it installs through pip). Virtualenvs live in
/// `~/.local/share/virtualenvs` or the project, never under these.
pub(super) static PIPENV: CacheRule = CacheRule {
    name: "pipenv",
    tools: &["pipenv"],
    subcommands: &["install", "sync", "lock", "update", "upgrade"],
    caches: &[
        CacheDir::new(
            "$PIPENV_CACHE_DIR | $XDG_CACHE_HOME/pipenv | $HOME/.cache/pipenv",
            Sharing::Shared,
            CacheKind::Download,
        )
        .located_by("PIPENV_CACHE_DIR"),
        CacheDir::new(
            "$PIP_CACHE_DIR | $XDG_CACHE_HOME/pip | $HOME/.cache/pip",
            Sharing::Shared,
            CacheKind::Download,
        )
        .located_by("PIP_CACHE_DIR"),
    ],
    defeating_env: &["PIP_NO_CACHE_DIR"],
    ..CacheRule::EMPTY
};

/// conda/mamba/micromamba: the package cache (`pkgs`) holds tarballs and extracted packages
/// that are hard-linked into environments; across the mount boundary conda falls back to
/// copying, so environments hold real files. The root prefix must be known (from
/// `CONDA_PKGS_DIRS`, `MAMBA_ROOT_PREFIX`, `CONDA_DIR` or an absolute tool path).
pub(super) static CONDA: CacheRule = CacheRule {
    name: "conda",
    tools: &["conda", "mamba", "micromamba"],
    subcommands: &["install", "create", "update", "upgrade", "env"],
    caches: &[CacheDir::new(
        "${CONDA_PKGS_DIRS%%,*} | $MAMBA_ROOT_PREFIX/pkgs | $CONDA_DIR/pkgs | $CACHEFRONT_TOOL_PREFIX/pkgs",
        Sharing::Locked,
        CacheKind::Download,
    )],
    wipes: &[WipeCommand { words: &["clean"], removes_directory: false }],
    offline_arguments: &["--offline"],
    offline_env: &[("CONDA_OFFLINE", "true"), ("CONDA_OFFLINE", "1")],
    // Soft links from environments into `pkgs` would point into the mount.
    unsafe_arguments: &["--always-softlink"],
    unsafe_env: &[("CONDA_ALWAYS_SOFTLINK", "true"), ("MAMBA_ALWAYS_SOFTLINK", "true")],
    ..CacheRule::EMPTY
};
