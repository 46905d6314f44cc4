//! Named local contexts, in: the client's `context:<name>=local:<dir>` options; out: each local
//! context's `.dockerignore` patterns, read from the client as upstream reads them. Invariant: a
//! context without a readable `.dockerignore` gets no patterns; reading never fails the build.

use std::collections::BTreeMap;

use cachefront_gateway::{FrontendOptions, Gateway, SolveOptions};
use cachefront_llb::{marshal, OpMetadata, OpOptions, Source};

use crate::definition::parse_dockerignore;

/// The `.dockerignore` patterns of every named local context, by context name.
pub async fn local_context_excludes(
    gateway: &Gateway,
    options: &FrontendOptions,
) -> BTreeMap<String, Vec<String>> {
    let mut excludes = BTreeMap::new();
    for (name, value) in &options.contexts {
        let Some(local) = value.strip_prefix("local:") else {
            continue;
        };
        let follow = serde_json::to_string(&[".dockerignore"]).unwrap_or_default();
        let state = Source::local(local)
            .with_attribute("local.session", options.session_id.clone())
            .with_attribute("local.sharedkeyhint", format!("{local}-dockerignore"))
            .with_attribute("local.followpaths", follow)
            .with_attribute("local.differ", "none")
            .build(OpOptions {
                metadata: OpMetadata::named(format!("[context {name}] load .dockerignore")),
                ..OpOptions::default()
            });
        let Ok(reference) = gateway
            .solve(marshal(&state), SolveOptions::default())
            .await
        else {
            continue;
        };
        if let Ok(bytes) = gateway.read_file(&reference, ".dockerignore", None).await {
            let patterns = parse_dockerignore(&String::from_utf8_lossy(&bytes));
            if !patterns.is_empty() {
                excludes.insert(local.to_owned(), patterns);
            }
        }
    }
    excludes
}
