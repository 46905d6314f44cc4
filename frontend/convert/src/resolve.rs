//! What lowering asks of the outside world, in: image references; out: their configs. The gateway
//! implements it against BuildKit; `StaticResolver` answers from fixed data (offline `explain`,
//! golden tests).

use std::collections::BTreeMap;

use cachefront_llb::{Platform, State};

use crate::error::{ConvertError, ConvertResult};

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

/// Answers every image with one fixed config (given the asked platform) and reads files from a
/// fixed map: lowering with no BuildKit, for `cachefront explain` and golden tests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StaticResolver {
    /// The config's runtime part (`Env`, `Cmd`, ...); `null` gives `{}`.
    pub runtime_config: serde_json::Value,
    /// The config's `history`, if any.
    pub history: Option<serde_json::Value>,
    /// The one layer's diff id.
    pub diff_id: String,
    /// What `read_file` answers, by absolute path (the same for every state).
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Resolver for StaticResolver {
    async fn resolve_image_config(
        &mut self,
        _reference: &str,
        platform: &Platform,
    ) -> ConvertResult<ResolvedImage> {
        let runtime_config = match &self.runtime_config {
            serde_json::Value::Null => serde_json::json!({}),
            value => value.clone(),
        };
        let mut config = serde_json::json!({
            "architecture": platform.architecture,
            "os": platform.os,
            "config": runtime_config,
            "rootfs": {"type": "layers", "diff_ids": [self.diff_id]},
        });
        if let (Some(history), Some(object)) = (&self.history, config.as_object_mut()) {
            object.insert("history".to_owned(), history.clone());
        }
        Ok(ResolvedImage {
            digest: String::new(),
            config: serde_json::to_vec(&config)
                .map_err(|error| ConvertError::new(error.to_string()))?,
        })
    }

    async fn read_file(&mut self, _state: &State, path: &str) -> Option<Vec<u8>> {
        self.files.get(path).cloned()
    }
}
