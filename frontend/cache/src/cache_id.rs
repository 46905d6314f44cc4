//! Cache ids, computed exactly as the stock Dockerfile frontend computes them.
//!
//! Input: the settings (namespace, id mode, platform, distro) and the path the cache belongs
//! to. Output: the id string. Invariant: in the default mode the id equals what BuildKit's
//! dockerfile2llb gives `--mount=type=cache,target=X` without `id=`: the id defaults to
//! `path.Clean(X)` and is prefixed with `BUILDKIT_CACHE_MOUNT_NS + "/"` (so an absolute target
//! without a namespace yields an id starting with `//`). Teams' warm caches therefore carry over.

use crate::paths::clean_path;
use crate::settings::{CacheIdMode, Settings};

/// The id the stock frontend gives a cache mount at `target` without an explicit `id=`.
pub fn buildkit_cache_id(namespace: &str, target: &str) -> String {
    mount_cache_id(namespace, None, target)
}

/// The id the stock frontend gives `--mount=type=cache,target=<target>[,id=<id>]`: the namespace,
/// `/`, then the id when one is given (not empty), else the target as written, cleaned.
pub fn mount_cache_id(namespace: &str, id: Option<&str>, target: &str) -> String {
    match id.filter(|id| !id.is_empty()) {
        Some(id) => format!("{namespace}/{id}"),
        None => format!("{namespace}/{}", clean_path(target)),
    }
}

/// The id for a cache that belongs at `natural_target`, under the configured id mode.
pub fn cache_id(settings: &Settings, natural_target: &str) -> String {
    let id = buildkit_cache_id(&settings.cache_namespace, natural_target);
    match settings.id_mode {
        CacheIdMode::BuildKit => id,
        CacheIdMode::Scoped => {
            let platform = settings.platform.as_deref().unwrap_or("unknown-platform");
            let distro = settings.distro.as_ref().map_or_else(
                || "unknown-distro".to_owned(),
                |distro| distro.scope_label(),
            );
            format!("{id}@{platform}/{distro}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distro::Distro;

    #[test]
    fn default_ids_match_the_stock_frontend() {
        assert_eq!(
            buildkit_cache_id("", "/root/.cache/pip"),
            "//root/.cache/pip"
        );
        assert_eq!(buildkit_cache_id("", "/var/cache/apt/"), "//var/cache/apt");
        assert_eq!(buildkit_cache_id("team", "/go/pkg/mod"), "team//go/pkg/mod");
        assert_eq!(buildkit_cache_id("", "cache"), "/cache");
        assert_eq!(mount_cache_id("", None, "/var/cache/x/"), "//var/cache/x");
        assert_eq!(mount_cache_id("ns", Some("pip"), "/x/"), "ns/pip");
        assert_eq!(mount_cache_id("", Some(""), "/x/"), "//x");
        assert_eq!(mount_cache_id("", Some("a//b/"), "/x"), "/a//b/");
    }

    #[test]
    fn scoped_ids_add_platform_and_distro() {
        let settings = Settings {
            id_mode: CacheIdMode::Scoped,
            ..Settings::default()
        }
        .for_stage(Some("linux/arm64"), Some(Distro::new("debian", "12")));
        assert_eq!(
            cache_id(&settings, "/var/cache/apt"),
            "//var/cache/apt@linux/arm64/debian-12"
        );
        let unknown = Settings {
            id_mode: CacheIdMode::Scoped,
            ..Settings::default()
        };
        assert_eq!(
            cache_id(&unknown, "/x"),
            "//x@unknown-platform/unknown-distro"
        );
    }
}
