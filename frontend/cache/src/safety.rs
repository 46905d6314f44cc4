//! Safety checks: mount points that would change the image or break the RUN.
//!
//! Input: candidate mount points, the RUN input and the analysed commands. Output: a reason to
//! skip a candidate, or the edits that keep the RUN's deletions away from it. Invariants: never
//! a mount on `/`, a top-level or kernel directory, HOME, the working directory or its
//! ancestors, `node_modules`/`site-packages`/`dist-packages`/`.venv`/`vendor`/`target`, a path
//! another step reads from the image, or over/under a mount the user wrote; never a mount that a
//! `rm`/`find -delete` in the RUN would try to delete (that fails with "device or resource busy").

use std::collections::BTreeSet;

use crate::input::RunInput;
use crate::paths::{clean_path, is_strictly_inside, overlaps, resolve_against};
use crate::shell::{Analysis, Place};

/// Path components whose contents the image needs.
const NEEDED_COMPONENTS: &[&str] = &[
    "node_modules",
    "site-packages",
    "dist-packages",
    ".venv",
    "vendor",
    "target",
];

/// Top-level directories of a Linux filesystem that hold more than caches.
const SYSTEM_DIRECTORIES: &[&str] = &[
    "bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "media", "mnt", "opt",
    "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var",
];

/// Why `target` may never be a mount point, if it may not.
pub(crate) fn forbidden_reason(target: &str, home: &str, workdir: &str) -> Option<String> {
    let components: Vec<&str> = target.split('/').filter(|part| !part.is_empty()).collect();
    if components.is_empty() {
        return Some("/ is the root directory".to_owned());
    }
    if let [only] = components.as_slice() {
        if SYSTEM_DIRECTORIES.contains(only) {
            return Some(format!("{target} is a system directory"));
        }
    }
    if matches!(components.first(), Some(&("proc" | "sys" | "dev"))) {
        return Some(format!("{target} is on a kernel filesystem"));
    }
    if target == clean_path(home) {
        return Some(format!("{target} is the home directory"));
    }
    let workdir = clean_path(workdir);
    if target == workdir || is_strictly_inside(&workdir, target) {
        return Some(format!("{target} contains the working directory {workdir}"));
    }
    if let Some(component) = components
        .iter()
        .find(|part| NEEDED_COMPONENTS.contains(part))
    {
        return Some(format!(
            "{target} is inside {component}, which the image needs"
        ));
    }
    None
}

/// Why a mount at `mount_target` for a cache at `natural_target` would collide with the user's
/// mounts or with paths other steps read from the image (`COPY --from`, offline RUNs).
pub(crate) fn collision_reason(
    natural_target: &str,
    mount_target: &str,
    input: &RunInput,
) -> Option<String> {
    for protected in input.protected_paths {
        let protected = resolve_against(input.workdir, protected);
        if overlaps(natural_target, &protected) || overlaps(mount_target, &protected) {
            return Some(format!("another step reads {protected} from the image"));
        }
    }
    for user_target in input.user_mount_targets {
        let user_target = resolve_against(input.workdir, user_target);
        if overlaps(mount_target, &user_target) || overlaps(natural_target, &user_target) {
            return Some(format!(
                "the RUN already mounts {user_target} (your mounts win)"
            ));
        }
    }
    None
}

/// A deletion in the RUN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Removal {
    /// The path (clean, absolute), possibly a glob.
    pub path: String,
    /// Whether `path` contains glob characters.
    pub glob: bool,
    /// Whether it is `find PATH ... -delete` (deletes PATH itself too, cannot be edited).
    pub find: bool,
    /// The command's index and the operand's index in its args.
    pub operand: (usize, usize),
    /// Where the operand sits, when editable.
    pub place: Option<Place>,
}

/// All deletions of the RUN, and whether some delete a path only known at run time.
pub(crate) fn scan_removals(analysis: &Analysis) -> (Vec<Removal>, bool) {
    let mut removals = Vec::new();
    let mut dynamic = false;
    for (index, invocation) in analysis.invocations.iter().enumerate() {
        let program = invocation.program();
        let is_find = program == Some("find");
        if program != Some("rm") && !is_find {
            continue;
        }
        if is_find {
            let deletes = invocation.args.iter().enumerate().any(|(position, arg)| {
                arg.text() == Some("-delete")
                    || (matches!(arg.text(), Some("-exec" | "-execdir"))
                        && invocation
                            .args
                            .get(position + 1)
                            .and_then(|next| next.text())
                            .is_some_and(|next| next.rsplit('/').next() == Some("rm")))
            });
            if !deletes {
                continue;
            }
        }
        let mut options_done = false;
        for (position, arg) in invocation.args.iter().enumerate().skip(1) {
            let Some(text) = arg.text() else {
                dynamic = true;
                continue;
            };
            if is_find && (text.starts_with('-') || text == "(" || text == "!") {
                break;
            }
            if !options_done && text == "--" {
                options_done = true;
                continue;
            }
            if !options_done && text.starts_with('-') && text.len() > 1 {
                continue;
            }
            let path = match (text.starts_with('/'), invocation.cwd.as_deref()) {
                (true, _) => clean_path(text),
                (false, Some(cwd)) => resolve_against(cwd, text),
                (false, None) => {
                    dynamic = true;
                    continue;
                }
            };
            let glob = match &arg.value {
                crate::shell::words::WordValue::Static { glob, .. } => *glob,
                crate::shell::words::WordValue::Dynamic => false,
            };
            removals.push(Removal {
                path,
                glob,
                find: is_find,
                operand: (index, position),
                place: arg.place.clone(),
            });
        }
    }
    (removals, dynamic)
}

/// What the RUN's deletions mean for a mount at `target`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RemovalVerdict {
    /// Why the mount must not be made, if it must not.
    pub conflict: Option<String>,
    /// Operands to drop (they only delete cache contents, or the mount point itself).
    pub dropped_operands: BTreeSet<(usize, usize)>,
    /// Deletions of cache contents that could not be dropped.
    pub wipes: Vec<String>,
}

/// Checks every deletion against a mount at `target`.
pub(crate) fn check_removals(target: &str, removals: &[Removal]) -> RemovalVerdict {
    let mut verdict = RemovalVerdict::default();
    for removal in removals {
        let shown = if removal.find {
            format!("find {} -delete", removal.path)
        } else {
            format!("rm {}", removal.path)
        };
        let (directory, pattern) = if removal.glob {
            glob_directory(&removal.path)
        } else {
            (removal.path.clone(), None)
        };
        let hits_mount_point = match &pattern {
            None => target == directory || is_strictly_inside(target, &directory),
            Some((first, _)) if is_strictly_inside(target, &directory) => {
                let below = &target[directory.len()..].trim_start_matches('/');
                let child = below.split('/').next().unwrap_or("");
                glob_matches(first, child)
            }
            Some(_) => false,
        };
        let inside_cache = directory == target || is_strictly_inside(&directory, target);
        if hits_mount_point && !(removal.glob && directory == target) {
            let droppable = !removal.find && removal.place.is_some() && directory == target;
            if droppable {
                verdict.dropped_operands.insert(removal.operand);
            } else {
                verdict.conflict = Some(format!("`{shown}` would delete the mount point {target}"));
            }
        } else if inside_cache {
            if !removal.find && removal.place.is_some() {
                verdict.dropped_operands.insert(removal.operand);
            } else {
                verdict.wipes.push(shown);
            }
        }
    }
    verdict
}

/// Splits a glob path into the directory before its first glob component, and that component
/// plus whether more components follow.
fn glob_directory(path: &str) -> (String, Option<(String, bool)>) {
    let components: Vec<&str> = path.split('/').filter(|part| !part.is_empty()).collect();
    let first_glob = components
        .iter()
        .position(|part| part.contains(['*', '?', '[']))
        .unwrap_or(components.len());
    let before_glob = components.get(..first_glob).unwrap_or_default();
    let directory = format!("/{}", before_glob.join("/"));
    let pattern = components
        .get(first_glob)
        .map(|part| ((*part).to_owned(), first_glob + 1 < components.len()));
    (clean_path(&directory), pattern)
}

/// Shell glob match of one path component (`*`, `?`; `[...]` matches any one character).
fn glob_matches(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    if name.first() == Some(&'.') && pattern.first() != Some(&'.') {
        return false;
    }
    matches_from(&pattern, &name)
}

/// One element of a glob component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GlobToken {
    /// `*`: any run of characters.
    Star,
    /// `?` or a `[...]` class: any one character.
    AnyOne,
    /// A character matching itself (also a `[` with no closing `]`).
    Literal(char),
}

fn glob_tokens(pattern: &[char]) -> Vec<GlobToken> {
    let mut tokens = Vec::new();
    let mut rest = pattern;
    while let Some((&character, after)) = rest.split_first() {
        rest = after;
        tokens.push(match character {
            '*' => GlobToken::Star,
            '?' => GlobToken::AnyOne,
            '[' => match after.iter().position(|character| *character == ']') {
                Some(end) => {
                    rest = after.get(end + 1..).unwrap_or_default();
                    GlobToken::AnyOne
                }
                None => GlobToken::Literal('['),
            },
            other => GlobToken::Literal(other),
        });
    }
    tokens
}

/// Matches in time proportional to `pattern.len() * name.len()`: on a mismatch, only the latest `*`
/// is retried one character further (earlier stars never need to take more).
fn matches_from(pattern: &[char], name: &[char]) -> bool {
    let tokens = glob_tokens(pattern);
    let (mut token, mut position) = (0, 0);
    let mut last_star: Option<(usize, usize)> = None;
    while position < name.len() {
        let current = name.get(position);
        match tokens.get(token) {
            Some(GlobToken::Star) => {
                last_star = Some((token, position));
                token += 1;
                continue;
            }
            Some(GlobToken::AnyOne) => {
                token += 1;
                position += 1;
                continue;
            }
            Some(GlobToken::Literal(wanted)) if current == Some(wanted) => {
                token += 1;
                position += 1;
                continue;
            }
            _ => {}
        }
        match last_star {
            Some((star, from)) => {
                last_star = Some((star, from + 1));
                token = star + 1;
                position = from + 1;
            }
            None => return false,
        }
    }
    tokens
        .get(token..)
        .unwrap_or_default()
        .iter()
        .all(|token| *token == GlobToken::Star)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn removal(path: &str, glob: bool) -> Removal {
        Removal {
            path: path.to_owned(),
            glob,
            find: false,
            operand: (0, 1),
            place: Some(Place::Argv { index: 1 }),
        }
    }

    #[test]
    fn forbidden_targets() {
        assert!(forbidden_reason("/usr", "/root", "/app").is_some());
        assert!(forbidden_reason("/", "/root", "/app").is_some());
        assert!(forbidden_reason("/ccache", "/root", "/app").is_none());
        assert!(forbidden_reason("/root", "/root", "/app").is_some());
        assert!(forbidden_reason("/app", "/root", "/app/sub").is_some());
        assert!(forbidden_reason("/app/node_modules/.cache", "/root", "/").is_some());
        assert!(forbidden_reason("/proc/x", "/root", "/").is_some());
        assert!(forbidden_reason("/root/.cache/pip", "/root", "/app").is_none());
    }

    #[test]
    fn removals_against_a_mount() {
        let target = "/root/.cache/pip";
        let wipe = check_removals(target, &[removal("/root/.cache/pip/*", true)]);
        assert!(wipe.conflict.is_none());
        assert_eq!(wipe.dropped_operands.len(), 1);
        let exact = check_removals(target, &[removal("/root/.cache/pip", false)]);
        assert!(exact.conflict.is_none());
        assert_eq!(exact.dropped_operands.len(), 1);
        let parent = check_removals(target, &[removal("/root/.cache", false)]);
        assert!(parent.conflict.is_some());
        let parent_glob = check_removals(target, &[removal("/root/.cache/*", true)]);
        assert!(parent_glob.conflict.is_some());
        let other_glob = check_removals(target, &[removal("/root/.cache/*.log", true)]);
        assert_eq!(other_glob, RemovalVerdict::default());
        let unrelated = check_removals(target, &[removal("/var/lib/apt/lists/*", true)]);
        assert_eq!(unrelated, RemovalVerdict::default());
    }

    #[test]
    fn glob_matching() {
        assert!(glob_matches("*", "pip"));
        assert!(!glob_matches("*", ".cache"));
        assert!(glob_matches(".*", ".cache"));
        assert!(glob_matches("p?p", "pip"));
        assert!(glob_matches("[abc]x", "bx"));
        assert!(!glob_matches("*.log", "pip"));
        assert!(glob_matches("*a*b", "xaxab"));
        assert!(!glob_matches("*a*b", "xaxa"));
        assert!(glob_matches("p*", "p"));
        assert!(glob_matches("**", ""));
        assert!(!glob_matches("?", ""));
        assert!(glob_matches("[x", "[x"));
        assert!(!glob_matches("[x", "ax"));
        assert!(glob_matches("a[bc]d*", "axdee"));
    }

    #[test]
    fn many_stars_match_in_linear_time() {
        let pattern = "*a".repeat(5_000) + "b";
        let name = "a".repeat(5_000);
        let started = std::time::Instant::now();
        assert!(!glob_matches(&pattern, &name));
        assert!(glob_matches(&"*a".repeat(5_000), &name));
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
