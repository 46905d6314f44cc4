//! Cargo's target directory kept in a cache between builds, where nothing after the RUN reads it.
//!
//! Input: the cargo steps of one RUN (their target directories), the RUN's removals, its
//! protected paths and the stage's facts. Output: the [`BuildDir`]s to cache, or why none is,
//! and the `/bin/sh` prologue that runs the RUN with each target directory pointing into its
//! cache. Invariants: a target directory is cached only when no file of it can reach the image
//! or a later step, except the files later steps copy out of it (`COPY --from` of a binary),
//! which the wrapper copies back to their own path after the RUN; every cached fingerprint's
//! dep-info (and every file a build script generated, dated the same) is made older than any
//! source before cargo runs, so cargo rebuilds every path package, build script included, and
//! reuses only registry and git dependencies, which it keys by version and revision: the
//! binaries equal a build from an empty target directory.

use crate::input::RunInput;
use crate::paths::{is_same_or_inside, is_strictly_inside, overlaps, resolve_against};
use crate::safety::Removal;
use crate::shell::Analysis;
use crate::tools::identify;

use super::removed_later;

/// Where cached target directories are mounted: one numbered directory per target directory.
pub const BUILD_DIR_ROOT: &str = "/.cachefront/cargo-target";

/// Profile-level directories of a target directory whose contents mix builds (stale artifacts
/// of earlier builds live there), so copying them back would leave files stock never has.
const MIXED_DIRECTORIES: &[&str] = &["deps", "build", ".fingerprint", "incremental", "examples"];

/// Commands that treat a symlink to a directory, named as an operand, as the directory itself
/// (or only test it); any other command naming the target directory itself (`find target`,
/// `cp -r target`, `tar c target`, `mv target`) would see the symlink instead.
const SYMLINK_SAFE_COMMANDS: &[&str] = &["cargo", "rm", "test", "[", "ls", "cd", "mkdir"];

/// A target directory to keep in a cache for this RUN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildDir {
    /// The target directory as cargo sees it (absolute, clean).
    pub dir: String,
    /// Where its cache is mounted.
    pub cache: String,
    /// Paths inside `dir` that later steps copy out, relative to `dir`; copied back after the RUN.
    pub keep: Vec<String>,
}

/// The target directories of one RUN's cargo steps (`None`: only known at run time, `Some`
/// with the step's position), checked together: all of them are cached, or none.
pub(crate) fn build_dirs(
    steps: &[(usize, Option<String>)],
    analysis: &Analysis,
    input: &RunInput,
    removals: &[Removal],
) -> Result<Vec<BuildDir>, String> {
    if !matches!(input.command, crate::input::RunCommand::Shell { .. }) {
        return Err(
            "the RUN is in exec form (the target directory cache needs /bin/sh)".to_owned(),
        );
    }
    if input.user.uid == u32::MAX || input.user.gid == u32::MAX {
        // Lowering's value for a user or group it could not look up in the image.
        return Err("the RUN's user is not known (its cache could not be given to it)".to_owned());
    }
    let mut dirs: Vec<BuildDir> = Vec::new();
    for (index, target_dir) in steps {
        let Some(dir) = target_dir else {
            return Err("cargo's target directory is only known at run time".to_owned());
        };
        if dirs.iter().any(|known| &known.dir == dir) {
            continue;
        }
        if input
            .user_mount_targets
            .iter()
            .any(|target| overlaps(dir, &resolve_against(input.workdir, target)))
        {
            return Err(format!("the RUN mounts {dir} itself"));
        }
        if let Some(command) = names_directory_itself(dir, analysis) {
            return Err(format!(
                "`{command}` would see a symlink (the directory is in a cache during the RUN)"
            ));
        }
        let keep = if removed_later(dir, *index, removals) {
            Vec::new()
        } else {
            kept_paths(dir, input)?
        };
        dirs.push(BuildDir {
            dir: dir.clone(),
            cache: format!("{BUILD_DIR_ROOT}/{}", dirs.len()),
            keep,
        });
    }
    Ok(dirs)
}

/// The first command of the RUN, other than those that follow or only test a symlink, that
/// names `dir` itself as an argument (`find target`; `target/` resolves the symlink, so it is fine).
fn names_directory_itself(dir: &str, analysis: &Analysis) -> Option<String> {
    analysis.invocations.iter().find_map(|invocation| {
        let program = invocation.program()?;
        let cargo = identify(invocation).is_some_and(|call| call.tool == "cargo");
        if cargo || SYMLINK_SAFE_COMMANDS.contains(&program) {
            return None;
        }
        let cwd = invocation.cwd.as_deref()?;
        invocation.args.iter().skip(1).find_map(|arg| {
            let text = arg.text()?;
            let names_it = !text.ends_with('/') && resolve_against(cwd, text) == dir;
            names_it.then(|| format!("{program} {text}"))
        })
    })
}

/// The paths inside `dir` later steps read, or why the directory may not be cached.
fn kept_paths(dir: &str, input: &RunInput) -> Result<Vec<String>, String> {
    let settings = input.settings;
    if settings.stage_exported || settings.stage_has_descendants || settings.stage_has_later_runs {
        return Err(format!(
            "{dir} stays in the stage, and a later RUN, a stage built on this one or the image \
             sees it"
        ));
    }
    let mut keep = Vec::new();
    for path in input.protected_paths {
        let path = resolve_against(input.workdir, path);
        if is_same_or_inside(dir, &path) {
            return Err(format!("a later step copies {path}, which holds {dir}"));
        }
        let Some(relative) = path
            .strip_prefix(dir)
            .filter(|_| is_strictly_inside(&path, dir))
            .map(|rest| rest.trim_start_matches('/'))
        else {
            continue;
        };
        let components: Vec<&str> = relative.split('/').collect();
        let mixed = components.len() < 2
            || components
                .iter()
                .any(|component| MIXED_DIRECTORIES.contains(component));
        if mixed {
            return Err(format!(
                "a later step copies {path}, a directory that would hold artifacts of earlier builds"
            ));
        }
        if !keep.iter().any(|known: &String| known == relative) {
            keep.push(relative.to_owned());
        }
    }
    Ok(keep)
}

/// The argv to put in front of the RUN's own: `/bin/sh -c <prologue> cachefront-cargo-target`,
/// after which the RUN's argv runs as `"$@"`.
///
/// For each directory, before the RUN: unless something already exists at its path (a target
/// directory copied from the build context is used as it is), the cached fingerprints' dep-info
/// files and the files build scripts generated get an mtime of 2 January 1970 (so every path
/// package is rebuilt, and a registry crate's generated file is not newer than its dep-info) and
/// the path becomes a
/// symlink into the cache; when that cannot be done (no `find`, a file it cannot touch) the RUN
/// runs uncached. After the RUN, if the symlink is still there, it is removed and the
/// kept paths are copied back from the cache; the RUN's exit status is kept.
pub fn wrapper_args(dirs: &[BuildDir]) -> Vec<String> {
    let mut script = String::from(
        "cachefront_link() { \
         if [ -e \"$1\" ] || [ -L \"$1\" ] || [ ! -d \"${1%/*}\" ]; then return 0; fi; \
         if ! find \"$2\" \\( -path '*/.fingerprint/*/dep-*' -o -path '*/build/*/out/*' \\) -type f \
         -exec touch -c -t 197001020000 {} + 2>/dev/null; then return 0; fi; \
         ln -s \"$2\" \"$1\"; }; \
         cachefront_unlink() { \
         d=$1; c=$2; shift 2; \
         if [ ! -L \"$d\" ] || [ ! \"$d\" -ef \"$c\" ]; then return 0; fi; \
         rm -f \"$d\"; \
         for k in \"$@\"; do \
         if [ -e \"$c/$k\" ] || [ -L \"$c/$k\" ]; then \
         mkdir -p \"$d/${k%/*}\" && cp -a \"$c/$k\" \"$d/$k\"; fi; done; }; ",
    );
    for dir in dirs {
        script.push_str(&format!(
            "cachefront_link {} {}; ",
            sh_quote(&dir.dir),
            sh_quote(&dir.cache)
        ));
    }
    script.push_str("\"$@\"; cachefront_status=$?; ");
    for dir in dirs {
        script.push_str(&format!(
            "cachefront_unlink {} {}",
            sh_quote(&dir.dir),
            sh_quote(&dir.cache)
        ));
        for kept in &dir.keep {
            script.push(' ');
            script.push_str(&sh_quote(kept));
        }
        script.push_str("; ");
    }
    script.push_str("exit $cachefront_status");
    vec![
        "/bin/sh".to_owned(),
        "-c".to_owned(),
        script,
        "cachefront-cargo-target".to_owned(),
    ]
}

/// `text` as one single-quoted POSIX shell word.
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_single_quotes() {
        assert_eq!(sh_quote("/a b/it's"), "'/a b/it'\\''s'");
    }

    #[test]
    fn wrapper_links_runs_and_copies_back() {
        let args = wrapper_args(&[BuildDir {
            dir: "/app/target".to_owned(),
            cache: format!("{BUILD_DIR_ROOT}/0"),
            keep: vec!["release/app".to_owned()],
        }]);
        assert_eq!(args.len(), 4);
        let script = &args[2];
        assert!(script.contains("cachefront_link '/app/target' '/.cachefront/cargo-target/0'; "));
        assert!(script.contains(
            "cachefront_unlink '/app/target' '/.cachefront/cargo-target/0' 'release/app'; "
        ));
        assert!(script.ends_with("exit $cachefront_status"));
    }
}
