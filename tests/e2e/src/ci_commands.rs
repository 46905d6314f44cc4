//! The CI recipe's docker commands, one definition for the e2e proof and the examples
//! (`examples/ci/`, `docs/ci-caches.md`): input = a step (build or export) and where the seed, the
//! export and the frontend image are; output = the `docker buildx build` flags that step passes,
//! and the same read back from the example workflows. Invariant: what the e2e test runs and what
//! the example workflows run are compared flag by flag (`workflow_steps`, `gitlab_commands`), so
//! neither can drift alone. Image delivery (`--tag`, `--push`, `--load`) is not part of a step.

use std::path::Path;

use anyhow::{bail, Context, Result};

/// The named context cachefront seeds caches from.
pub const SEED_CONTEXT: &str = "cachefront-cache";

/// Placeholders a step is written with before it runs somewhere.
pub const SEED_PLACEHOLDER: &str = "<seed>";
pub const EXPORT_PLACEHOLDER: &str = "<export>";
pub const FRONTEND_PLACEHOLDER: &str = "<frontend>";

/// One `docker buildx build` of the recipe, as build-push-action spells its inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiStep {
    /// `build-args`: `NAME=value` lines.
    pub build_args: Vec<String>,
    /// `build-contexts`: `name=value` lines.
    pub build_contexts: Vec<String>,
    /// `outputs`: exporter lines; empty for the image build.
    pub outputs: Vec<String>,
}

/// The real build: cachefront as the frontend, caches seeded from the restored directory.
pub fn build_step() -> CiStep {
    CiStep {
        build_args: vec![format!("BUILDKIT_SYNTAX={FRONTEND_PLACEHOLDER}")],
        build_contexts: vec![format!("{SEED_CONTEXT}={SEED_PLACEHOLDER}")],
        outputs: Vec::new(),
    }
}

/// The export after it: the same build, its result the caches' contents, written to a directory.
pub fn export_step() -> CiStep {
    let mut step = build_step();
    step.build_args
        .push("CACHEFRONT_EXPORT_CACHES=1".to_owned());
    step.outputs
        .push(format!("type=local,dest={EXPORT_PLACEHOLDER}"));
    step
}

impl CiStep {
    /// The step with its placeholders filled in.
    pub fn resolved(&self, seed: &Path, export: &Path, frontend: &str) -> CiStep {
        let fill = |lines: &[String]| -> Vec<String> {
            lines
                .iter()
                .map(|line| {
                    line.replace(SEED_PLACEHOLDER, &seed.to_string_lossy())
                        .replace(EXPORT_PLACEHOLDER, &export.to_string_lossy())
                        .replace(FRONTEND_PLACEHOLDER, frontend)
                })
                .collect()
        };
        CiStep {
            build_args: fill(&self.build_args),
            build_contexts: fill(&self.build_contexts),
            outputs: fill(&self.outputs),
        }
    }

    /// The `docker buildx build` flags of the step.
    pub fn flags(&self) -> Vec<String> {
        let mut flags = Vec::new();
        for (flag, values) in [
            ("--build-arg", &self.build_args),
            ("--build-context", &self.build_contexts),
            ("--output", &self.outputs),
        ] {
            for value in values {
                flags.push(flag.to_owned());
                flags.push(value.clone());
            }
        }
        flags
    }

    /// Reads a step back from `docker buildx build` flags (other flags are ignored).
    pub fn from_flags(words: &[&str]) -> CiStep {
        let mut step = CiStep {
            build_args: Vec::new(),
            build_contexts: Vec::new(),
            outputs: Vec::new(),
        };
        for pair in words.windows(2) {
            let [flag, value] = pair else { continue };
            let value = (*value).to_owned();
            match *flag {
                "--build-arg" => step.build_args.push(value),
                "--build-context" => step.build_contexts.push(value),
                "--output" | "-o" => step.outputs.push(value),
                _ => {}
            }
        }
        step
    }

    /// The step with `text` replaced by `placeholder` everywhere.
    fn with_placeholder(&self, text: &str, placeholder: &str) -> CiStep {
        let swap = |lines: &[String]| -> Vec<String> {
            lines
                .iter()
                .map(|line| line.replace(text, placeholder))
                .collect()
        };
        CiStep {
            build_args: swap(&self.build_args),
            build_contexts: swap(&self.build_contexts),
            outputs: swap(&self.outputs),
        }
    }
}

/// The build-push-action steps of a GitHub Actions workflow, in order, with its seed directory,
/// export directory and frontend image (as the workflow spells them) put back as placeholders.
pub fn workflow_steps(workflow: &str, seed: &str, export: &str, frontend: &str) -> Vec<CiStep> {
    let mut steps = Vec::new();
    let mut current: Option<CiStep> = None;
    let mut list: Option<&'static str> = None;
    let mut list_indent = 0;
    for line in workflow.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with("uses: docker/build-push-action") {
            if let Some(step) = current.take() {
                steps.push(step);
            }
            current = Some(CiStep::from_flags(&[]));
            continue;
        }
        if trimmed.starts_with("- name:") || trimmed.starts_with("- uses:") {
            if let Some(step) = current.take() {
                steps.push(step);
            }
            list = None;
            continue;
        }
        let Some(step) = current.as_mut() else {
            continue;
        };
        if let Some(name) = list {
            if indent > list_indent && !trimmed.is_empty() {
                let target = match name {
                    "build-args" => &mut step.build_args,
                    "build-contexts" => &mut step.build_contexts,
                    _ => &mut step.outputs,
                };
                target.push(trimmed.to_owned());
                continue;
            }
            list = None;
        }
        for name in ["build-args", "build-contexts", "outputs"] {
            if trimmed.starts_with(&format!("{name}:")) {
                list = Some(name);
                list_indent = indent;
            }
        }
    }
    if let Some(step) = current {
        steps.push(step);
    }
    steps
        .into_iter()
        .map(|step| {
            // The longer directory first: the export directory's name extends the seed's.
            step.with_placeholder(export, EXPORT_PLACEHOLDER)
                .with_placeholder(seed, SEED_PLACEHOLDER)
                .with_placeholder(frontend, FRONTEND_PLACEHOLDER)
        })
        .collect()
}

/// The `docker buildx build` commands of a CI job's script, as steps with placeholders put back.
/// A command goes on over `\`-continued lines and over the more indented lines of a YAML
/// folded (`- >`) item.
pub fn script_steps(script: &str, seed: &str, export: &str, frontend: &str) -> Vec<CiStep> {
    let lines: Vec<&str> = script.lines().collect();
    let mut steps = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(at) = line.find("docker buildx build") else {
            continue;
        };
        let indent = line.len() - line.trim_start().len();
        let mut command = line.get(at..).unwrap_or_default().to_owned();
        for next in lines.iter().skip(index + 1) {
            let trimmed = next.trim_start();
            let continued = command.ends_with('\\')
                || (next.len() - trimmed.len() >= indent
                    && !trimmed.is_empty()
                    && !trimmed.starts_with("- ")
                    && !trimmed.contains("docker buildx build"));
            if !continued {
                break;
            }
            command = format!("{} {trimmed}", command.trim_end_matches('\\'));
        }
        let words: Vec<&str> = command.split_whitespace().collect();
        steps.push(
            CiStep::from_flags(&words)
                .with_placeholder(export, EXPORT_PLACEHOLDER)
                .with_placeholder(seed, SEED_PLACEHOLDER)
                .with_placeholder(frontend, FRONTEND_PLACEHOLDER),
        );
    }
    steps
}

/// `examples/ci/<name>` of this workspace.
pub fn example_file(name: &str) -> Result<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/ci")
        .join(name);
    std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
}

/// Fails unless `found` is the recipe: a build step, then an export step.
pub fn check_recipe(source: &str, found: &[CiStep]) -> Result<()> {
    let expected = [build_step(), export_step()];
    if found != expected {
        bail!("{source} runs\n{found:#?}\nbut the e2e test runs\n{expected:#?}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The GitHub Actions example runs exactly what the e2e test runs.
    #[test]
    fn github_workflow_runs_the_e2e_commands() {
        let workflow = example_file("github-workflow.yml").unwrap();
        let steps = workflow_steps(
            &workflow,
            "${{ runner.temp }}/cachefront-cache",
            "${{ runner.temp }}/cachefront-cache-new",
            "${{ env.CACHEFRONT_IMAGE }}",
        );
        check_recipe("examples/ci/github-workflow.yml", &steps).unwrap();
        for needed in [
            "actions/cache/restore@",
            "actions/cache/save@",
            "docker/setup-buildx-action@",
        ] {
            assert!(workflow.contains(needed), "no {needed} in the workflow");
        }
    }

    /// The GitLab CI example runs exactly what the e2e test runs.
    #[test]
    fn gitlab_job_runs_the_e2e_commands() {
        let job = example_file("gitlab-ci.yml").unwrap();
        let steps = script_steps(
            &job,
            ".cachefront-cache",
            ".cachefront-cache-new",
            "$CACHEFRONT_IMAGE",
        );
        check_recipe("examples/ci/gitlab-ci.yml", &steps).unwrap();
    }

    #[test]
    fn flags_round_trip() {
        let step = export_step().resolved(Path::new("/s"), Path::new("/e"), "cf:dev");
        let flags = step.flags();
        let words: Vec<&str> = flags.iter().map(String::as_str).collect();
        assert_eq!(CiStep::from_flags(&words), step);
        assert_eq!(
            words,
            [
                "--build-arg",
                "BUILDKIT_SYNTAX=cf:dev",
                "--build-arg",
                "CACHEFRONT_EXPORT_CACHES=1",
                "--build-context",
                "cachefront-cache=/s",
                "--output",
                "type=local,dest=/e"
            ]
        );
    }
}
