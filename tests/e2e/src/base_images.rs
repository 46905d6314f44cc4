//! Base images a case builds `FROM`: input = a case's `base_images` (build arg name to the case
//! subdirectory holding the base's Dockerfile and context), output = each base built with the
//! stock frontend and loaded under a unique tag, the build args that name those tags, and a guard
//! that removes the images when dropped. Invariants: only images this guard built are removed
//! (by their unique tags); a failed base build is an error that shows its log, and the bases
//! built before it are still removed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{bail, Result};

use crate::docker::{self, unique_tag, BuildRequest};

/// Built base images; dropping this removes them.
#[derive(Debug, Default)]
pub struct BaseImages {
    tags: Vec<String>,
}

impl BaseImages {
    /// Builds every base of case `case_name` and returns the guard plus, for each build arg
    /// name, the tag of its base image.
    pub fn build(
        case_name: &str,
        bases: &BTreeMap<String, PathBuf>,
    ) -> Result<(BaseImages, BTreeMap<String, String>)> {
        docker::require_daemon()?;
        let mut built = BaseImages::default();
        let mut arguments = BTreeMap::new();
        for (argument, directory) in bases {
            let request = BuildRequest {
                context_dir: directory.clone(),
                dockerfile: directory.join("Dockerfile"),
                tag: unique_tag(&format!("{case_name}-base-{argument}")),
                ..BuildRequest::default()
            };
            let output = docker::build(&request)?;
            if !output.succeeded {
                bail!(
                    "building base image {argument} of case {case_name} from {} failed\n  \
                     command: {}\n{}",
                    directory.display(),
                    output.command,
                    output.log.trim_end()
                );
            }
            built.tags.push(request.tag.clone());
            arguments.insert(argument.clone(), request.tag);
        }
        Ok((built, arguments))
    }
}

impl Drop for BaseImages {
    fn drop(&mut self) {
        for tag in &self.tags {
            if let Err(error) = docker::remove_image(tag) {
                eprintln!("cachefront-e2e: could not remove base image {tag}: {error:#}");
            }
        }
    }
}
