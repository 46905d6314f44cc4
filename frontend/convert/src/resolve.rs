//! What lowering asks of the outside world, in: image references; out: their configs. The gateway
//! implements it against BuildKit; tests implement it with fixtures.

use cachefront_llb::{Platform, State};

use crate::error::ConvertResult;

/// A base image's resolved config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedImage {
    /// The digest to pin the image to; empty for images known only locally.
    pub digest: String,
    /// The image config JSON.
    pub config: Vec<u8>,
}

/// Resolves base images for lowering.
#[allow(async_fn_in_trait)]
pub trait Resolver {
    /// Resolves `reference` (fully qualified, e.g. `docker.io/library/debian:bookworm`) for `platform`;
    /// the error's message is shown to the user after the image name.
    async fn resolve_image_config(
        &mut self,
        reference: &str,
        platform: &Platform,
    ) -> ConvertResult<ResolvedImage>;

    /// Reads a file from a state built so far (e.g. `/etc/passwd` to find a user's ids and home);
    /// `None` when it cannot be read.
    async fn read_file(&mut self, state: &State, path: &str) -> Option<Vec<u8>>;
}
