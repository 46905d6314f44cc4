//! Paths whose differences the contract allows (package-manager caches): input = glob patterns
//! such as `/root/.cache/pip` or `/var/cache/apt/archives/*.deb`, output = a matcher over
//! normalized absolute paths. Invariants: a pattern covers the paths it matches and everything
//! below them; `*` and `?` match within one path component, `**` matches any number of
//! components; matching never panics and is linear-ish in practice.

use anyhow::{bail, Result};

use crate::tree::normalize_path;

/// A set of ignore patterns; empty means nothing is ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IgnorePatterns {
    /// Each pattern split into its path components.
    patterns: Vec<Vec<String>>,
    /// The patterns as written, for reports.
    sources: Vec<String>,
}

impl IgnorePatterns {
    /// Parses patterns; each must be absolute.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<IgnorePatterns> {
        let mut ignore = IgnorePatterns::default();
        for pattern in patterns {
            let pattern = pattern.as_ref();
            if !pattern.starts_with('/') {
                bail!("ignore path {pattern:?} must be absolute (start with \"/\")");
            }
            let normalized = normalize_path(pattern)?;
            ignore.patterns.push(
                normalized
                    .split('/')
                    .filter(|component| !component.is_empty())
                    .map(str::to_string)
                    .collect(),
            );
            ignore.sources.push(pattern.to_string());
        }
        Ok(ignore)
    }

    /// The patterns as written.
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether `path` (normalized, absolute) is covered by any pattern.
    pub fn matches(&self, path: &str) -> bool {
        let components: Vec<&str> = path.split('/').filter(|part| !part.is_empty()).collect();
        self.patterns
            .iter()
            .any(|pattern| covers(pattern, &components))
    }
}

/// Whether `pattern` matches `path` or one of its ancestors.
fn covers(pattern: &[String], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => true,
        Some((first, rest)) if first == "**" => {
            (0..=path.len()).any(|skipped| covers(rest, &path[skipped..]))
        }
        Some((first, rest)) => match path.split_first() {
            Some((component, remaining)) => {
                component_matches(first.as_bytes(), component.as_bytes()) && covers(rest, remaining)
            }
            None => false,
        },
    }
}

/// Glob match of one component: `*` any run of bytes, `?` one byte, anything else literally.
fn component_matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut pattern_index, mut text_index) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while text_index < text.len() {
        match pattern.get(pattern_index) {
            Some(b'*') => {
                backtrack = Some((pattern_index, text_index));
                pattern_index += 1;
            }
            Some(&expected) if expected == b'?' || expected == text[text_index] => {
                pattern_index += 1;
                text_index += 1;
            }
            _ => match backtrack {
                Some((star_index, star_text_index)) => {
                    pattern_index = star_index + 1;
                    text_index = star_text_index + 1;
                    backtrack = Some((star_index, star_text_index + 1));
                }
                None => return false,
            },
        }
    }
    pattern[pattern_index..].iter().all(|&byte| byte == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns(list: &[&str]) -> IgnorePatterns {
        let parsed = IgnorePatterns::new(list);
        assert!(parsed.is_ok(), "{parsed:?}");
        parsed.unwrap_or_default()
    }

    #[test]
    fn prefix_patterns_cover_subtrees() {
        let ignore = patterns(&["/root/.cache/pip"]);
        assert!(ignore.matches("/root/.cache/pip"));
        assert!(ignore.matches("/root/.cache/pip/http/x"));
        assert!(!ignore.matches("/root/.cache"));
        assert!(!ignore.matches("/root/.cache/pipx"));
    }

    #[test]
    fn wildcards_stay_within_components() {
        let ignore = patterns(&["/var/cache/apt/archives/*.deb", "/var/lib/apt/lists/?ock"]);
        assert!(ignore.matches("/var/cache/apt/archives/curl_8.0_amd64.deb"));
        assert!(!ignore.matches("/var/cache/apt/archives/partial"));
        assert!(ignore.matches("/var/lib/apt/lists/lock"));
        assert!(!ignore.matches("/var/lib/apt/lists/clock"));
    }

    #[test]
    fn double_star_spans_components() {
        let ignore = patterns(&["/**/__pycache__"]);
        assert!(ignore.matches("/usr/lib/python3/__pycache__/x.pyc"));
        assert!(ignore.matches("/__pycache__"));
        assert!(!ignore.matches("/usr/lib/python3"));
    }

    #[test]
    fn relative_patterns_are_rejected() {
        assert!(IgnorePatterns::new(&["root/.cache"]).is_err());
        assert!(IgnorePatterns::new(&["/a/../b"]).is_err());
    }

    #[test]
    fn component_glob_edge_cases() {
        assert!(component_matches(b"*", b""));
        assert!(component_matches(b"a*b*c", b"aXXbYYc"));
        assert!(!component_matches(b"a*b", b"aXXc"));
        assert!(component_matches(b"**", b"x"));
    }
}
