//! The three ways a case is built: input = a `Case` and a `Frontend`, output = the Dockerfile text
//! and build args for that way plus a ready `BuildRequest` (`PreparedBuild`). Invariants: every
//! way writes its Dockerfile as `<temp dir>/Dockerfile`, so BuildKit names it `Dockerfile` in
//! every log; the directive way only prepends one `# syntax=` line, so its line numbers are the
//! case's plus one; the build context is always the case directory; SSH agent keys are made
//! fresh for each build, in its temp dir.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;

use anyhow::{Context, Result};
use tempfile::TempDir;

use crate::case::Case;
use crate::docker::{frontend_image, unique_tag, BuildRequest};
use crate::ssh_keys::ssh_flags;

/// How the Dockerfile frontend is chosen for a build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Frontend {
    /// BuildKit's builtin Dockerfile frontend: the Dockerfile as is.
    Stock,
    /// cachefront chosen by a `# syntax=cachefront:dev` first line (see `frontend_image`).
    CachefrontDirective,
    /// cachefront chosen by `--build-arg BUILDKIT_SYNTAX=cachefront:dev`.
    CachefrontBuildArg,
}

impl Frontend {
    /// The cachefront ways, compared against `Stock`.
    pub const CACHEFRONT: [Frontend; 2] =
        [Frontend::CachefrontDirective, Frontend::CachefrontBuildArg];

    /// Name used in diffs and reports.
    pub fn label(self) -> &'static str {
        match self {
            Frontend::Stock => "stock",
            Frontend::CachefrontDirective => "cachefront(#syntax)",
            Frontend::CachefrontBuildArg => "cachefront(BUILDKIT_SYNTAX)",
        }
    }

    /// Name used in image tags.
    pub fn slug(self) -> &'static str {
        match self {
            Frontend::Stock => "stock",
            Frontend::CachefrontDirective => "directive",
            Frontend::CachefrontBuildArg => "buildarg",
        }
    }

    /// How many lines this way adds before the case's first Dockerfile line.
    pub fn line_offset(self) -> usize {
        match self {
            Frontend::CachefrontDirective => 1,
            Frontend::Stock | Frontend::CachefrontBuildArg => 0,
        }
    }

    /// The Dockerfile text this way builds.
    pub fn dockerfile_text(self, original: &str) -> String {
        match self {
            Frontend::CachefrontDirective => {
                format!("# syntax={}\n{original}", frontend_image())
            }
            Frontend::Stock | Frontend::CachefrontBuildArg => original.to_string(),
        }
    }

    /// The build args this way passes.
    pub fn build_args(self, case_args: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        let mut arguments = case_args.clone();
        if self == Frontend::CachefrontBuildArg {
            arguments.insert("BUILDKIT_SYNTAX".into(), frontend_image());
        }
        arguments
    }

    /// Whether this way needs the `cachefront:dev` image.
    pub fn is_cachefront(self) -> bool {
        self != Frontend::Stock
    }
}

impl fmt::Display for Frontend {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.label())
    }
}

/// A build request whose Dockerfile (and, for cases that forward SSH agents, throwaway keys)
/// live in a temporary directory owned by this value.
#[derive(Debug)]
pub struct PreparedBuild {
    pub frontend: Frontend,
    /// The request; callers may adjust it (e.g. `no_cache`) before building.
    pub request: BuildRequest,
    /// Keeps the Dockerfile and keys alive until the build is done.
    _dockerfile_dir: TempDir,
}

impl PreparedBuild {
    /// Writes the Dockerfile for `frontend`, makes a fresh key for each SSH agent id of the case,
    /// and assembles the request with a unique tag.
    pub fn new(case: &Case, frontend: Frontend) -> Result<PreparedBuild> {
        let dockerfile_dir = tempfile::Builder::new()
            .prefix("cachefront-e2e-")
            .tempdir()
            .context("creating a temporary directory for the Dockerfile")?;
        let dockerfile = dockerfile_dir.path().join("Dockerfile");
        fs::write(&dockerfile, frontend.dockerfile_text(&case.dockerfile))
            .with_context(|| format!("writing {}", dockerfile.display()))?;
        // `<Dockerfile>.dockerignore` is read next to the Dockerfile, so it moves with it.
        let own_ignore = case.context_dir.join("Dockerfile.dockerignore");
        if own_ignore.is_file() {
            fs::copy(
                &own_ignore,
                dockerfile_dir.path().join("Dockerfile.dockerignore"),
            )
            .with_context(|| format!("copying {}", own_ignore.display()))?;
        }
        let mut flags = case.flags.clone();
        flags.extend(ssh_flags(
            &case.ssh_ids,
            &dockerfile_dir.path().join("ssh-keys"),
        )?);
        let request = BuildRequest {
            context_dir: case.context_dir.clone(),
            dockerfile,
            build_args: frontend.build_args(&case.build_args),
            target: case.target.clone(),
            network_host: case.network_host,
            no_cache: false,
            flags,
            tag: unique_tag(&format!("{}-{}", case.name, frontend.slug())),
        };
        Ok(PreparedBuild {
            frontend,
            request,
            _dockerfile_dir: dockerfile_dir,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_way_prepends_one_line() {
        let text = Frontend::CachefrontDirective.dockerfile_text("FROM scratch\n");
        assert_eq!(
            text,
            format!("# syntax={}\nFROM scratch\n", frontend_image())
        );
        assert_eq!(
            Frontend::Stock.dockerfile_text("FROM scratch\n"),
            "FROM scratch\n"
        );
        assert_eq!(Frontend::CachefrontDirective.line_offset(), 1);
    }

    #[test]
    fn build_arg_way_adds_buildkit_syntax() {
        let case_args = BTreeMap::from([("A".to_string(), "1".to_string())]);
        let arguments = Frontend::CachefrontBuildArg.build_args(&case_args);
        assert_eq!(arguments.get("BUILDKIT_SYNTAX"), Some(&frontend_image()));
        assert_eq!(Frontend::Stock.build_args(&case_args), case_args);
    }
}
