//! Exporting caches (`docs/ci-caches.md`), in: the lowered build, the export build args and the
//! cache tool; out: the state whose files are the contents of the caches the target's RUNs
//! mount, one directory per cache, and the image config that goes with it. Invariants: the
//! export depends on the caches alone (never on the build's own filesystem), so exporting right
//! after a build rebuilds nothing; it always runs (never from BuildKit's cache); excluded caches
//! are not mounted at all.

use std::collections::BTreeMap;

use cachefront_llb::{Mount, State};

use crate::cache_seed::count;
use crate::ci_cache::{cache_arguments, carried_caches, CacheTool, CarriedCache};
use crate::error::{ConvertError, ConvertResult};

/// The switch: `1` or `true` makes the build's result the caches' contents.
pub const EXPORT_ARGUMENT: &str = "CACHEFRONT_EXPORT_CACHES";
/// Caches to leave out, comma-separated: ids, directory names, cache paths (`/var/cache/apt`) or
/// paths RUNs mount them at.
pub const EXCLUDE_ARGUMENT: &str = "CACHEFRONT_EXPORT_EXCLUDE";
/// Cap on the exported bytes: a number with an optional `K`, `M`, `G` or `T` (powers of 1024).
pub const MAX_SIZE_ARGUMENT: &str = "CACHEFRONT_EXPORT_MAX_SIZE";

/// Where the export is written in the tool's exec.
const OUT_MOUNT: &str = "/out";

/// The export build args, typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSettings {
    pub enabled: bool,
    pub exclude: Vec<String>,
    pub max_bytes: Option<u64>,
}

impl ExportSettings {
    /// Reads the export build args; a value that means nothing is an error.
    pub fn from_build_args(args: &BTreeMap<String, String>) -> ConvertResult<ExportSettings> {
        let enabled = match args.get(EXPORT_ARGUMENT).map(|value| value.trim()) {
            None | Some("" | "0" | "false" | "no") => false,
            Some("1" | "true" | "yes") => true,
            Some(other) => {
                return Err(ConvertError::new(format!(
                    "{EXPORT_ARGUMENT}={other}: expected 1 or 0"
                )))
            }
        };
        let exclude = args
            .get(EXCLUDE_ARGUMENT)
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|entry| !entry.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let max_bytes = match args.get(MAX_SIZE_ARGUMENT).map(|value| value.trim()) {
            None | Some("") => None,
            Some(text) => Some(parse_size(text).ok_or_else(|| {
                ConvertError::new(format!(
                    "{MAX_SIZE_ARGUMENT}={text}: expected a size such as 500M or 2G"
                ))
            })?),
        };
        Ok(ExportSettings {
            enabled,
            exclude,
            max_bytes,
        })
    }

    /// Whether an entry names the cache: its id, its directory name, its path (the id without
    /// namespace and scope), or a path a RUN mounts it at.
    fn excludes(&self, cache: &CarriedCache) -> bool {
        let id = &cache.found.id;
        let path = id.split_once('/').map_or(id.as_str(), |(_, path)| path);
        let path = match path.rsplit_once('@') {
            Some((path, scope)) if scope.contains('/') => path,
            _ => path,
        };
        self.exclude.iter().any(|entry| {
            let entry = entry.trim_end_matches('/');
            entry == id
                || entry == cache.directory
                || entry == path
                || cache.found.destinations.iter().any(|dest| dest == entry)
        })
    }
}

/// `500M`, `2G`, `1.5G`, `1048576`, `10MiB`: bytes, in powers of 1024.
fn parse_size(text: &str) -> Option<u64> {
    let upper = text.to_ascii_uppercase();
    let digits_end = upper
        .find(|character: char| !(character.is_ascii_digit() || character == '.'))
        .unwrap_or(upper.len());
    let (number, unit) = upper.split_at(digits_end);
    let number: f64 = number.parse().ok()?;
    let shift = match unit.trim().trim_end_matches("IB").trim_end_matches('B') {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return None,
    };
    let bytes = number * (1_u64 << shift) as f64;
    // Saturates at u64::MAX; NaN never gets here (the digits parsed).
    let bytes = bytes as u64;
    Some(bytes)
}

/// The state holding the contents of the caches `build` mounts, one directory per cache.
pub fn export_state(build: &State, tool: &CacheTool, settings: &ExportSettings) -> State {
    let all = carried_caches(build);
    let (excluded, caches): (Vec<&CarriedCache>, Vec<&CarriedCache>) =
        all.iter().partition(|cache| settings.excludes(cache));
    let mut arguments = vec!["export".to_owned(), "--to".to_owned(), OUT_MOUNT.to_owned()];
    if let Some(max) = settings.max_bytes {
        arguments.extend(["--max-bytes".to_owned(), max.to_string()]);
    }
    arguments.extend(cache_arguments(&caches));
    let mut name = format!("[cachefront] export {}", count(caches.len()));
    if !excluded.is_empty() {
        let names: Vec<&str> = excluded
            .iter()
            .map(|cache| cache.directory.as_str())
            .collect();
        name.push_str(&format!(" (excluded: {})", names.join(", ")));
    }
    let out = Mount {
        readonly: false,
        has_output: true,
        ..Mount::bind(OUT_MOUNT, State::scratch(), "")
    };
    let result = tool.run(arguments, &caches, vec![out], name);
    result.mount(OUT_MOUNT).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cachefront_llb::{dump, marshal, CacheSharing, Exec, OpOptions, Platform, Source};

    /// A build with two RUNs: apt's cache, a non-root user's pip cache (owned), and a cache
    /// that starts from a stage (`from=`), which cannot be carried.
    fn build() -> State {
        let base = Source::image("debian").build(OpOptions::default());
        let mut pip = Mount::cache(
            "/home/app/.cache/pip",
            "//home/app/.cache/pip",
            CacheSharing::Shared,
        );
        pip.source = crate::run_mount_lower::cache_permissions(State::scratch(), 1001, 1001, 0o755);
        pip.selector = "/cache".to_owned();
        let mut from_stage = Mount::cache("/x", "//x", CacheSharing::Shared);
        from_stage.source = base.clone();
        let apt = Mount::cache("/var/cache/apt", "//var/cache/apt", CacheSharing::Locked);
        let run = |root: State, mounts: Vec<Mount>, word: &str| {
            Exec {
                args: vec![word.to_owned()],
                mounts,
                ..Exec::default()
            }
            .build(root, OpOptions::default())
            .root()
        };
        let first = run(base, vec![apt], "apt-get-install");
        run(first, vec![pip, from_stage], "pip-install")
    }

    fn tool() -> CacheTool {
        CacheTool {
            image: "cachefront:test".to_owned(),
            platform: Platform {
                os: "linux".to_owned(),
                architecture: "amd64".to_owned(),
                variant: String::new(),
            },
            run_id: "1".to_owned(),
        }
    }

    #[test]
    fn exports_the_caches_alone() {
        let settings = ExportSettings {
            enabled: true,
            exclude: vec!["/var/cache/apt".to_owned()],
            max_bytes: Some(1 << 20),
        };
        let text = dump(&marshal(&export_state(&build(), &tool(), &settings)));
        assert!(text.contains("--max-bytes"), "{text}");
        assert!(text.contains("++home+app+.cache+pip=/caches/0"), "{text}");
        assert!(text.contains("excluded: ++var+cache+apt"), "{text}");
        assert!(!text.contains("++x"), "{text}");
        // Nothing of the build itself: neither RUN nor its base image.
        assert!(
            !text.contains("pip-install") && !text.contains("debian"),
            "{text}"
        );
        assert!(text.contains("CACHE id=//home/app/.cache/pip"), "{text}");
        assert!(text.contains("mkdir /cache"), "{text}");
    }

    #[test]
    fn seeds_the_caches_from_the_context() {
        let seed =
            crate::cache_seed::seed_source("local:cachefront-cache", "session", &tool().platform)
                .unwrap();
        let text = dump(&marshal(
            &crate::cache_seed::seed_state(&build(), seed, &tool()).unwrap(),
        ));
        assert!(text.contains("++var+cache+apt=/caches/0"), "{text}");
        assert!(text.contains("++home+app+.cache+pip=/caches/1"), "{text}");
        assert!(text.contains("local://cachefront-cache"), "{text}");
        assert!(!text.contains("pip-install"), "{text}");
        assert!(
            crate::cache_seed::seed_state(&State::scratch(), State::scratch(), &tool()).is_none()
        );
        assert!(crate::cache_seed::seed_source("git://x", "s", &tool().platform).is_err());
        let layout =
            crate::cache_seed::seed_source("oci-layout://store@sha256:ab", "s", &tool().platform)
                .unwrap();
        let text = dump(&marshal(&layout));
        assert!(
            text.contains("oci-layout://docker.io/library/cachefront-cache@sha256:ab"),
            "{text}"
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1048576"), Some(1 << 20));
        assert_eq!(parse_size("500M"), Some(500 << 20));
        assert_eq!(parse_size("2g"), Some(2 << 30));
        assert_eq!(parse_size("10MiB"), Some(10 << 20));
        assert_eq!(parse_size("1.5K"), Some(1536));
        assert_eq!(parse_size("12Q"), None);
        assert_eq!(parse_size("M"), None);
    }

    #[test]
    fn settings_from_build_args() {
        let args = BTreeMap::from([
            (EXPORT_ARGUMENT.to_owned(), "1".to_owned()),
            (
                EXCLUDE_ARGUMENT.to_owned(),
                "//var/cache/apt, /root/.npm,".to_owned(),
            ),
            (MAX_SIZE_ARGUMENT.to_owned(), "1G".to_owned()),
        ]);
        assert_eq!(
            ExportSettings::from_build_args(&args),
            Ok(ExportSettings {
                enabled: true,
                exclude: vec!["//var/cache/apt".to_owned(), "/root/.npm".to_owned()],
                max_bytes: Some(1 << 30),
            })
        );
        let wrong = BTreeMap::from([(EXPORT_ARGUMENT.to_owned(), "maybe".to_owned())]);
        assert!(ExportSettings::from_build_args(&wrong).is_err());
        assert_eq!(
            ExportSettings::from_build_args(&BTreeMap::new()),
            Ok(ExportSettings::default())
        );
    }
}
