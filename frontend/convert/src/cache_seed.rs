//! Seeding caches (`docs/ci-caches.md`), in: the lowered build, the `cachefront-cache` named
//! context's value and the cache tool; out: the state of one exec, solved before the build, that
//! fills each empty cache the build mounts from the context's directory of that cache. Invariants:
//! the build's own ops are unchanged (the seed is never a mount's `from`, so no RUN's cache key
//! moves); a cache that has content, or has no directory in the seed, is left as it is.

use cachefront_llb::{Mount, OpMetadata, OpOptions, Platform, Source, State};

use crate::ci_cache::{cache_arguments, carried_caches, CacheTool, CarriedCache, SEED_CONTEXT};
use crate::error::{ConvertError, ConvertResult};

/// Where the seed is mounted in the tool's exec.
const SEED_MOUNT: &str = "/seed";

/// The seed as a state, from the named context's value: a client directory (`local:<name>`), an
/// image (`docker-image://<ref>`) or an OCI layout (`oci-layout://<store>@<digest>`).
pub fn seed_source(value: &str, session_id: &str, platform: &Platform) -> ConvertResult<State> {
    let metadata = OpMetadata::named(format!("[context {SEED_CONTEXT}] load the cache seed"));
    let options = OpOptions {
        platform: Some(platform.clone()),
        metadata,
        location: None,
    };
    if let Some(local) = value.strip_prefix("local:") {
        return Ok(Source::local(local)
            .with_attribute("local.session", session_id)
            .with_attribute("local.sharedkeyhint", format!("context:{SEED_CONTEXT}"))
            .build(options));
    }
    if let Some(reference) = value.strip_prefix("docker-image://") {
        return Ok(Source::image(reference).build(options));
    }
    if let Some(layout) = value.strip_prefix("oci-layout://") {
        let layout = layout.trim_start_matches('/');
        let Some((store, digest)) = layout.split_once('@') else {
            return Err(ConvertError::new(format!(
                "the {SEED_CONTEXT} OCI layout {value} has no digest"
            )));
        };
        let store = store.split_once(':').map_or(store, |(name, _)| name);
        let identifier = format!(
            "oci-layout://{}",
            cachefront_llb::normalize_image_reference(&format!("{SEED_CONTEXT}@{digest}"))
        );
        return Ok(Source::new(identifier)
            .with_attribute("oci.session", session_id)
            .with_attribute("oci.store", store)
            .build(options));
    }
    Err(ConvertError::new(format!(
        "the {SEED_CONTEXT} build context must be a directory, an image or an OCI layout, not {value}"
    )))
}

/// The exec that fills the build's empty caches from `seed`; `None` when the build mounts no
/// cache that can be seeded.
pub fn seed_state(build: &State, seed: State, tool: &CacheTool) -> Option<State> {
    let caches = carried_caches(build);
    if caches.is_empty() {
        return None;
    }
    let caches: Vec<&CarriedCache> = caches.iter().collect();
    let mut arguments = vec![
        "seed".to_owned(),
        "--from".to_owned(),
        SEED_MOUNT.to_owned(),
    ];
    arguments.extend(cache_arguments(&caches));
    let name = format!(
        "[cachefront] seed {} from the {SEED_CONTEXT} context",
        count(caches.len())
    );
    let seed_mount = Mount::bind(SEED_MOUNT, seed, "");
    Some(tool.run(arguments, &caches, vec![seed_mount], name).root())
}

/// `1 cache`, `3 caches`.
pub(crate) fn count(caches: usize) -> String {
    match caches {
        1 => "1 cache".to_owned(),
        other => format!("{other} caches"),
    }
}
