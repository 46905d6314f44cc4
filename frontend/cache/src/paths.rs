//! Lexical path helpers shared by the rules, the safety checks and cache ids.
//!
//! Input: slash-separated paths as strings. Output: cleaned paths and containment answers.
//! Invariants: purely lexical (no filesystem access, symlinks are not followed); `clean_path`
//! follows Go's `path.Clean`, which is what the stock frontend applies to a cache target to
//! derive its default id.

/// Go's `path.Clean`: collapses `//`, `.` and `..`; `""` becomes `"."`.
pub fn clean_path(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// `clean_path` for absolute paths; `None` for relative ones.
pub fn clean_absolute_path(path: &str) -> Option<String> {
    path.starts_with('/').then(|| clean_path(path))
}

/// Resolves `path` against `directory` (when relative) and cleans it.
pub fn resolve_against(directory: &str, path: &str) -> String {
    if path.starts_with('/') {
        clean_path(path)
    } else {
        clean_path(&format!("{directory}/{path}"))
    }
}

/// Whether `path` equals `directory` or lies below it (both clean and absolute).
pub fn is_same_or_inside(path: &str, directory: &str) -> bool {
    path == directory || is_strictly_inside(path, directory)
}

/// Whether `path` lies strictly below `directory` (both clean and absolute).
pub fn is_strictly_inside(path: &str, directory: &str) -> bool {
    if directory == "/" {
        return path != "/";
    }
    path.strip_prefix(directory)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// Whether the two paths overlap: one equals or contains the other.
pub fn overlaps(first: &str, second: &str) -> bool {
    is_same_or_inside(first, second) || is_same_or_inside(second, first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_go_path_clean() {
        assert_eq!(clean_path("/root/.cache/pip/"), "/root/.cache/pip");
        assert_eq!(clean_path("//var//cache/./apt"), "/var/cache/apt");
        assert_eq!(clean_path("/../a/b/../c"), "/a/c");
        assert_eq!(clean_path("a/../../b"), "../b");
        assert_eq!(clean_path(""), ".");
        assert_eq!(clean_path("cache/"), "cache");
        assert_eq!(clean_path("/"), "/");
    }

    #[test]
    fn containment() {
        assert!(is_same_or_inside("/root/.cache/pip", "/root/.cache"));
        assert!(is_strictly_inside("/root/.cache/pip", "/"));
        assert!(!is_same_or_inside("/root/.cache-other", "/root/.cache"));
        assert!(overlaps("/app", "/app/node_modules"));
        assert!(!overlaps("/app/a", "/app/b"));
        assert_eq!(resolve_against("/app", "../x/./y"), "/x/y");
    }
}
