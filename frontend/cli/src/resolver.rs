//! Base-image resolution for lowering, in: references and platforms; out: configs from BuildKit's
//! `ResolveImageConfig`. Invariant: each (reference, platform) is asked once per build.

use std::collections::HashMap;

use cachefront_convert::{ConvertError, ResolvedImage, Resolver};
use cachefront_gateway::{Gateway, SolveOptions};
use cachefront_llb::{marshal, Platform, State};

/// Resolves images through the gateway, remembering answers.
pub struct GatewayResolver<'a> {
    pub gateway: &'a mut Gateway,
    pub resolve_mode: &'static str,
    pub session_id: String,
    pub answers: HashMap<(String, String), ResolvedImage>,
}

impl Resolver for GatewayResolver<'_> {
    async fn resolve_image_config(
        &mut self,
        reference: &str,
        platform: &Platform,
    ) -> Result<ResolvedImage, ConvertError> {
        let key = (reference.to_owned(), platform.to_string());
        if let Some(answer) = self.answers.get(&key) {
            return Ok(answer.clone());
        }
        let resolved = self
            .gateway
            .resolve_image_config(
                reference,
                Some(platform.to_proto()),
                self.resolve_mode,
                &self.session_id,
            )
            .await
            .map_err(|error| ConvertError::new(error.to_string()))?;
        let answer = ResolvedImage {
            digest: resolved.digest,
            config: resolved.config,
        };
        self.answers.insert(key, answer.clone());
        Ok(answer)
    }

    async fn read_file(&mut self, state: &State, path: &str) -> Option<Vec<u8>> {
        if state.is_scratch() {
            return None;
        }
        let reference = self
            .gateway
            .solve(marshal(state), SolveOptions::default())
            .await
            .ok()?;
        self.gateway.read_file(&reference, path, None).await.ok()
    }
}
