//! Image-resolution and warning requests, in: what a caller knows (image name, platform, mode,
//! warning text and source lines); out: the v0.29 `ResolveImageConfigRequest` / `WarnRequest`.
//! Invariant: registry resolution leaves `store_id` empty (the OCI-layout resolver alone uses it
//! with `session_id`), and warnings carry the source info only when a location is known.

use cachefront_proto::{gateway, pb};

/// `ResolverType` value for images from a registry (or the local image store).
pub const RESOLVER_TYPE_REGISTRY: i32 = 0;

/// A request to resolve an image reference to its digest and config.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResolveImageRequest {
    /// The image reference as written, e.g. `debian:bookworm`.
    pub reference: String,
    /// The platform whose config to fetch; `None` means the daemon's default.
    pub platform: Option<pb::Platform>,
    /// `default`, `pull` or `local` (see `ImageResolveMode::as_str`).
    pub resolve_mode: String,
    /// Client session (used by BuildKit's OCI-layout resolver; harmless otherwise).
    pub session_id: String,
    /// The progress line BuildKit shows, e.g. `[internal] load metadata for docker.io/...`;
    /// empty shows nothing.
    pub log_name: String,
}

impl ResolveImageRequest {
    pub(crate) fn into_proto(self) -> gateway::ResolveImageConfigRequest {
        gateway::ResolveImageConfigRequest {
            r#ref: self.reference,
            platform: self.platform,
            resolve_mode: self.resolve_mode,
            log_name: self.log_name,
            resolver_type: RESOLVER_TYPE_REGISTRY,
            session_id: self.session_id,
            ..gateway::ResolveImageConfigRequest::default()
        }
    }
}

/// A resolved image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolvedImage {
    /// `sha256:...` of the manifest to pin; empty for an image that exists only locally.
    pub digest: String,
    /// The image config JSON (Docker's for local images; `Env` may be null).
    pub config: Vec<u8>,
    /// The reference after source policies, or the requested one when BuildKit sent none.
    pub reference: String,
}

/// A warning shown to the user as `WARN:` (and counted in "N warnings found").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Warning {
    /// Digest of a solved op the warning hangs off (e.g. the Dockerfile's local source).
    pub digest: String,
    /// Severity; BuildKit's Dockerfile frontend uses 1.
    pub level: i64,
    pub short: String,
    pub detail: Vec<Vec<u8>>,
    /// A link to documentation, if any.
    pub url: String,
    /// The file and ranges to print with the warning.
    pub source: Option<(pb::SourceInfo, Vec<pb::Range>)>,
}

impl Warning {
    pub(crate) fn into_proto(self) -> gateway::WarnRequest {
        let (info, ranges) = match self.source {
            Some((info, ranges)) => (Some(info), ranges),
            None => (None, Vec::new()),
        };
        gateway::WarnRequest {
            digest: self.digest,
            level: self.level,
            short: self.short.into_bytes(),
            detail: self.detail,
            url: self.url,
            info,
            ranges,
        }
    }
}
