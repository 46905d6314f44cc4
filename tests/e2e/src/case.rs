//! Loads a differential test case: input = a fixture directory `tests/fixtures/e2e/<case>/` with a
//! `Dockerfile`, any build-context files and an optional `case.json`, output = `Case`.
//! Invariants: the case directory is the build context; unknown `case.json` keys are errors (a
//! typo must not silently weaken a test); ignore patterns are validated at load time.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::engine_differences::{self, EngineDifference};
use crate::ignore::IgnorePatterns;

/// What a case expects from the cachefront builds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Expectation {
    /// Both cachefront images equal the stock image (up to `ignore_paths`).
    #[default]
    Equal,
    /// Every build fails, and cachefront points at the failing Dockerfile line.
    Error(ErrorExpectation),
}

/// The failure a case expects: the Dockerfile line (1-based, in the case's own Dockerfile) that
/// BuildKit's `>>>` snippet must mark, and extra text the build output must contain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorExpectation {
    pub line: usize,
    #[serde(default)]
    pub contains: Vec<String>,
}

/// The optional `case.json` of a fixture directory.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct CaseFile {
    build_args: BTreeMap<String, String>,
    target: Option<String>,
    network_host: bool,
    expect: Expectation,
    ignore_paths: Vec<String>,
    flags: Vec<String>,
    fallback: bool,
    sequential: bool,
    serve: Option<String>,
    git_repositories: BTreeMap<String, String>,
    ssh: Vec<String>,
    base_images: BTreeMap<String, String>,
    engine_differences: Vec<String>,
}

/// One differential test case.
#[derive(Debug, Clone)]
pub struct Case {
    /// The fixture directory's name.
    pub name: String,
    /// The build context (the fixture directory).
    pub context_dir: PathBuf,
    /// The Dockerfile's text, exactly as in the fixture.
    pub dockerfile: String,
    pub build_args: BTreeMap<String, String>,
    pub target: Option<String>,
    pub network_host: bool,
    pub expect: Expectation,
    /// Paths allowed to differ (package-manager caches); their differences are still reported.
    pub ignore: IgnorePatterns,
    /// Extra `docker buildx build` flags (`--secret`, `--build-context`, `--label`, ...), with
    /// `{context}` replaced by the case directory's absolute path (and `{server}` by the base
    /// URL of the case's loopback server, when it has one).
    pub flags: Vec<String>,
    /// Whether cachefront is expected to fall back to the stock frontend for this case.
    pub fallback: bool,
    /// Whether the three builds run one after the other (default: at once).
    pub sequential: bool,
    /// A case subdirectory served over HTTP on loopback during the builds (build arg `SERVER`).
    pub serve: Option<PathBuf>,
    /// Git repositories to serve (dumb HTTP): served name (e.g. `repo.git`) to the case
    /// subdirectory committed into it.
    pub git_repositories: BTreeMap<String, PathBuf>,
    /// SSH agent ids each build forwards (`--ssh <id>=<key>`), each with a throwaway key made
    /// at build time.
    pub ssh_ids: Vec<String>,
    /// Base images built (stock frontend) before the case and removed after it: build arg name
    /// to the case subdirectory holding the base's Dockerfile and context; the build arg carries
    /// the base image's tag.
    pub base_images: BTreeMap<String, PathBuf>,
    /// Known differences of some engine's builtin frontend that this case shows, by name from
    /// `engine_differences::ENGINE_DIFFERENCES`.
    pub engine_differences: Vec<&'static EngineDifference>,
}

impl Case {
    /// Loads the case in `case_dir`.
    pub fn load(case_dir: &Path) -> Result<Case> {
        let name = case_dir
            .file_name()
            .with_context(|| format!("{} has no directory name", case_dir.display()))?
            .to_string_lossy()
            .into_owned();
        let dockerfile_path = case_dir.join("Dockerfile");
        let dockerfile = fs::read_to_string(&dockerfile_path)
            .with_context(|| format!("reading {}", dockerfile_path.display()))?;
        let case_file_path = case_dir.join("case.json");
        let case_file: CaseFile = if case_file_path.exists() {
            let text = fs::read_to_string(&case_file_path)
                .with_context(|| format!("reading {}", case_file_path.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("parsing {}", case_file_path.display()))?
        } else {
            CaseFile::default()
        };
        if let Expectation::Error(error) = &case_file.expect {
            let line_count = dockerfile.lines().count();
            if error.line == 0 || error.line > line_count {
                bail!(
                    "{}: expected error line {} is outside the Dockerfile (1..={line_count})",
                    case_file_path.display(),
                    error.line
                );
            }
        }
        let ignore = IgnorePatterns::new(&case_file.ignore_paths)
            .with_context(|| format!("ignore_paths of {}", case_file_path.display()))?;
        validate_ssh_ids(&case_file.ssh)
            .with_context(|| format!("ssh of {}", case_file_path.display()))?;
        validate_base_images(&case_file.base_images, &case_file.build_args, case_dir)
            .with_context(|| format!("base_images of {}", case_file_path.display()))?;
        let engine_differences = case_file
            .engine_differences
            .iter()
            .map(|name| {
                engine_differences::find(name).with_context(|| {
                    format!(
                        "engine_differences of {}: {name:?} is not in tests/e2e/src/engine_differences.rs",
                        case_file_path.display()
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Case {
            name,
            context_dir: case_dir.to_path_buf(),
            dockerfile,
            build_args: case_file.build_args,
            target: case_file.target,
            network_host: case_file.network_host,
            expect: case_file.expect,
            ignore,
            flags: expand_flags(&case_file.flags, case_dir)?,
            fallback: case_file.fallback,
            sequential: case_file.sequential,
            serve: case_file.serve.map(|dir| case_dir.join(dir)),
            git_repositories: case_file
                .git_repositories
                .into_iter()
                .map(|(name, dir)| (name, case_dir.join(dir)))
                .collect(),
            ssh_ids: case_file.ssh,
            base_images: case_file
                .base_images
                .into_iter()
                .map(|(argument, dir)| (argument, case_dir.join(dir)))
                .collect(),
            engine_differences,
        })
    }

    /// The text of the 1-based `line` of the Dockerfile, if it exists.
    pub fn dockerfile_line(&self, line: usize) -> Option<&str> {
        self.dockerfile.lines().nth(line.checked_sub(1)?)
    }
}

/// Agent ids become `--ssh <id>=<path>` flags: each must be a plain, distinct name.
fn validate_ssh_ids(ids: &[String]) -> Result<()> {
    for (position, id) in ids.iter().enumerate() {
        let plain = !id.is_empty()
            && id
                .chars()
                .all(|character| character.is_ascii_alphanumeric() || "-_.".contains(character));
        if !plain {
            bail!("agent id {id:?} must be letters, digits, '-', '_' or '.'");
        }
        if ids[..position].contains(id) {
            bail!("agent id {id:?} is listed twice");
        }
    }
    Ok(())
}

/// Each base image needs a build arg name of its own and a subdirectory with a Dockerfile.
fn validate_base_images(
    base_images: &BTreeMap<String, String>,
    build_args: &BTreeMap<String, String>,
    case_dir: &Path,
) -> Result<()> {
    for (argument, dir) in base_images {
        let plain = argument
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || character == '_')
            && argument
                .chars()
                .next()
                .is_some_and(|first| first.is_ascii_alphabetic());
        if !plain {
            bail!("{argument:?} is not a build arg name");
        }
        if build_args.contains_key(argument) {
            bail!("{argument:?} is also set in build_args");
        }
        let dockerfile = case_dir.join(dir).join("Dockerfile");
        if !dockerfile.is_file() {
            bail!("{argument}: {} does not exist", dockerfile.display());
        }
    }
    Ok(())
}

/// Replaces `{context}` in each flag with the absolute path of `case_dir`.
fn expand_flags(flags: &[String], case_dir: &Path) -> Result<Vec<String>> {
    let absolute =
        fs::canonicalize(case_dir).with_context(|| format!("resolving {}", case_dir.display()))?;
    let context = absolute.to_string_lossy();
    Ok(flags
        .iter()
        .map(|flag| flag.replace("{context}", &context))
        .collect())
}

/// `tests/fixtures/e2e` of this workspace.
pub fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/e2e")
}

/// The names of the case directories under `root` (directories holding a `Dockerfile`), sorted.
pub fn case_names(root: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(root).with_context(|| format!("listing {}", root.display()))? {
        let entry = entry?;
        if entry.path().join("Dockerfile").is_file() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_case(dockerfile: &str, case_json: Option<&str>) -> Result<(tempfile::TempDir, Case)> {
        let root = tempfile::tempdir()?;
        let dir = root.path().join("sample");
        fs::create_dir(&dir)?;
        fs::write(dir.join("Dockerfile"), dockerfile)?;
        if let Some(json) = case_json {
            fs::write(dir.join("case.json"), json)?;
        }
        let case = Case::load(&dir)?;
        Ok((root, case))
    }

    #[test]
    fn defaults_without_case_json() {
        let loaded = write_case("FROM scratch\n", None);
        let Ok((_root, case)) = loaded else {
            panic!("{loaded:?}");
        };
        assert_eq!(case.name, "sample");
        assert_eq!(case.expect, Expectation::Equal);
        assert!(case.build_args.is_empty() && case.target.is_none() && !case.network_host);
    }

    #[test]
    fn parses_every_case_json_field() {
        let json = r#"{"build_args": {"A": "1"}, "target": "t", "network_host": true,
            "expect": {"error": {"line": 2, "contains": ["boom"]}}, "ignore_paths": ["/root/.cache"]}"#;
        let loaded = write_case("FROM scratch\nBOOM\n", Some(json));
        let Ok((_root, case)) = loaded else {
            panic!("{loaded:?}");
        };
        assert_eq!(case.build_args.get("A").map(String::as_str), Some("1"));
        assert_eq!(case.target.as_deref(), Some("t"));
        assert!(case.network_host);
        assert_eq!(
            case.expect,
            Expectation::Error(ErrorExpectation {
                line: 2,
                contains: vec!["boom".into()]
            })
        );
        assert!(case.ignore.matches("/root/.cache/pip"));
        assert_eq!(case.dockerfile_line(2), Some("BOOM"));
    }

    #[test]
    fn rejects_typos_and_bad_lines() {
        assert!(write_case("FROM scratch\n", Some(r#"{"buildargs": {}}"#)).is_err());
        assert!(write_case("FROM scratch\n", Some(r#"{"expect": "equals"}"#)).is_err());
        assert!(write_case(
            "FROM scratch\n",
            Some(r#"{"expect": {"error": {"line": 5}}}"#)
        )
        .is_err());
        assert!(write_case("FROM scratch\n", Some(r#"{"ignore_paths": ["relative"]}"#)).is_err());
    }

    #[test]
    fn reads_ssh_ids_and_base_images() {
        let root = tempfile::tempdir();
        let Ok(root) = root else {
            panic!("{root:?}");
        };
        let dir = root.path().join("sample");
        let made = fs::create_dir_all(dir.join("base"))
            .and_then(|()| fs::write(dir.join("base/Dockerfile"), "FROM scratch\n"))
            .and_then(|()| fs::write(dir.join("Dockerfile"), "ARG BASE\nFROM $BASE\n"))
            .and_then(|()| {
                fs::write(
                    dir.join("case.json"),
                    r#"{"ssh": ["default", "deploy"], "base_images": {"BASE": "base"}}"#,
                )
            });
        assert!(made.is_ok(), "{made:?}");
        let loaded = Case::load(&dir);
        let Ok(case) = loaded else {
            panic!("{loaded:?}");
        };
        assert_eq!(case.ssh_ids, ["default", "deploy"]);
        assert_eq!(case.base_images.get("BASE"), Some(&dir.join("base")));
    }

    #[test]
    fn rejects_bad_ssh_ids_and_base_images() {
        for json in [
            r#"{"ssh": [""]}"#,
            r#"{"ssh": ["a=b"]}"#,
            r#"{"ssh": ["a,b"]}"#,
            r#"{"ssh": ["default", "default"]}"#,
            r#"{"base_images": {"BASE": "missing"}}"#,
            r#"{"base_images": {"1BASE": "."}}"#,
            r#"{"base_images": {"BASE": "."}, "build_args": {"BASE": "x"}}"#,
        ] {
            let loaded = write_case("FROM scratch\n", Some(json));
            assert!(loaded.is_err(), "{json} was accepted");
        }
        // The case directory itself has a Dockerfile, so "." is a valid base directory.
        assert!(write_case("FROM scratch\n", Some(r#"{"base_images": {"BASE": "."}}"#)).is_ok());
    }

    #[test]
    fn every_fixture_case_loads() {
        let names = case_names(&fixtures_root());
        let Ok(names) = names else {
            panic!("{names:?}");
        };
        assert!(!names.is_empty());
        for name in names {
            let loaded = Case::load(&fixtures_root().join(&name));
            assert!(loaded.is_ok(), "{name}: {loaded:?}");
        }
    }
}
