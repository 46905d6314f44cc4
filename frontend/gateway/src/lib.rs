//! The BuildKit gateway client, in: the frontend process's environment and its fd 0/1 connected to
//! BuildKit's LLBBridge gRPC service; out: typed options, typed gateway calls and the final
//! `Return` of a result or an error.
//! Invariant: nothing here writes to stdout (it is the transport); logs go through `tracing`.
//!
//! How `main` should finish: build a `BuildResult` or a `FrontendError`, call
//! `Gateway::return_result` / `Gateway::return_error` (both consume the gateway and drop the
//! channel), then return from `main` with exit code 0 whenever `Return` itself succeeded, even
//! when it carried an error; BuildKit treats a non-zero exit after a successful `Return` as a
//! failure that replaces the returned result. Exit non-zero only if connecting or `Return`
//! failed. Returning from a `#[tokio::main(flavor = "current_thread")]` `main` drops the runtime
//! and with it the connection task; do not call `std::process::exit` before `Return` completes.

mod capabilities;
mod client;
mod error;
pub mod options;
/// Platform specifiers: one home, in the llb crate, shared with lowering.
pub use cachefront_llb::platform_spec as platform;
mod requests;
mod result;
mod solve;
pub mod transport;

pub use capabilities::{frontend_caps, Capabilities};
pub use client::{Gateway, MAX_MESSAGE_BYTES, PING_TIMEOUT};
pub use error::{status_to_rpc, FrontendError, GatewayError, SourceLocation, UNKNOWN_CODE};
pub use options::{
    CacheImport, FrontendOptions, ImageResolveMode, NetworkMode, OptionsError, WorkerInfo,
};
pub use requests::{ResolveImageRequest, ResolvedImage, Warning, RESOLVER_TYPE_REGISTRY};
pub use result::{
    BuildResult, PlatformImage, Reference, ResultRefs, EPOCH_KEY, IMAGE_CONFIG_KEY, PLATFORMS_KEY,
};
pub use solve::SolveOptions;

/// Line ranges for `SourceLocation` (re-exported from `cachefront_proto::errdefs`).
pub use cachefront_proto::errdefs::LineRange;
