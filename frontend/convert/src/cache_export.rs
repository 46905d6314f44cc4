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
/// Caches to leave out, comma-separated: ids, directory names or paths they are mounted at.
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

    fn excludes(&self, cache: &CarriedCache) -> bool {
        self.exclude.iter().any(|entry| {
            *entry == cache.found.id
                || *entry == cache.directory
                || cache
                    .found
                    .destinations
                    .iter()
                    .any(|destination| destination == entry.trim_end_matches('/'))
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
