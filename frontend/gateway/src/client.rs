//! The gateway client, in: a stream to BuildKit's LLBBridge service; out: typed calls (Ping,
//! Solve, ReadFile, ReadDir, StatFile, ResolveImageConfig, Warn, Inputs) and the final Return.
//! Invariant: Ping runs before anything else and its caps gate optional features; calls take
//! `&self` and may run concurrently (HTTP/2 multiplexes them over the one stream); `Return`
//! consumes the client, so after it the channel is dropped and the process may simply exit.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use cachefront_proto::gateway::llb_bridge_client::LlbBridgeClient;
use cachefront_proto::{fsutil, gateway, pb, types};
use tokio::io::{AsyncRead, AsyncWrite};
use tonic::transport::Channel;

use crate::capabilities::{frontend_caps, Capabilities};
use crate::error::{FrontendError, GatewayError};
use crate::platform::normalize_platform;
use crate::requests::{ResolveImageRequest, ResolvedImage, Warning};
use crate::result::{BuildResult, Reference, ResultRefs};
use crate::solve::{build_solve_request, missing_llb_cap, SolveOptions};
use crate::transport::{channel_over, stdio_stream};

/// Largest message either side may send; a 5 MB Dockerfile needs more than gRPC's 4 MiB.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;
/// How long to wait for BuildKit's first answer (upstream's client waits as long).
pub const PING_TIMEOUT: Duration = Duration::from_secs(15);

/// A connected gateway session. Not `Clone`: one owner calls `return_result`/`return_error`.
#[derive(Debug)]
pub struct Gateway {
    client: LlbBridgeClient<Channel>,
    capabilities: Capabilities,
    workers: Vec<types::WorkerRecord>,
}

impl Gateway {
    /// Connects over this process's fd 0/1, as BuildKit runs a frontend image, and pings.
    pub async fn connect_stdio() -> Result<Gateway, GatewayError> {
        let stream = stdio_stream().map_err(GatewayError::Stdio)?;
        Gateway::connect(stream).await
    }

    /// Connects over any byte stream (the same path `connect_stdio` takes) and pings.
    #[tracing::instrument(level = "debug", name = "gateway.connect", skip_all)]
    pub async fn connect<Stream>(stream: Stream) -> Result<Gateway, GatewayError>
    where
        Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static,
    {
        let channel = channel_over(stream).await?;
        let mut client = LlbBridgeClient::new(channel)
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES);
        let pong = tokio::time::timeout(PING_TIMEOUT, client.ping(gateway::PingRequest {}))
            .await
            .map_err(|_| GatewayError::PingTimeout {
                seconds: PING_TIMEOUT.as_secs(),
            })?
            .map_err(|status| GatewayError::call("Ping", status))?
            .into_inner();
        let capabilities = Capabilities::from_ping(&pong.frontend_api_caps, &pong.llb_caps);
        tracing::debug!(
            frontend_caps = capabilities.frontend_caps().len(),
            llb_caps = capabilities.llb_caps().len(),
            workers = pong.workers.len(),
            "connected to the BuildKit gateway"
        );
        Ok(Gateway {
            client,
            capabilities,
            workers: pong.workers,
        })
    }

    pub fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    pub fn has_llb_cap(&self, id: &str) -> bool {
        self.capabilities.has_llb_cap(id)
    }

    pub fn has_frontend_cap(&self, id: &str) -> bool {
        self.capabilities.has_frontend_cap(id)
    }

    /// The LLB caps an op's metadata may name.
    pub fn llb_caps(&self) -> &BTreeSet<String> {
        self.capabilities.llb_caps()
    }

    /// The workers `Ping` reported.
    pub fn workers(&self) -> &[types::WorkerRecord] {
        &self.workers
    }

    /// Every worker platform, normalized, first worker's native platform first, no duplicates.
    pub fn worker_platforms(&self) -> Vec<pb::Platform> {
        let mut platforms: Vec<pb::Platform> = Vec::new();
        for platform in self
            .workers
            .iter()
            .flat_map(|worker| worker.platforms.iter())
        {
            let normalized = normalize_platform(platform.clone());
            if !platforms.contains(&normalized) {
                platforms.push(normalized);
            }
        }
        platforms
    }

    /// Solves `definition` and returns its single ref (empty for an empty result).
    pub async fn solve(
        &self,
        definition: pb::Definition,
        options: SolveOptions,
    ) -> Result<Reference, GatewayError> {
        let result = self.solve_request(Some(definition), options).await?;
        match result.refs {
            ResultRefs::Single(reference) => Ok(reference),
            ResultRefs::PerPlatform(refs) => Err(GatewayError::UnexpectedAnswer {
                call: "Solve",
                reason: format!("expected one ref, got {} per-platform refs", refs.len()),
            }),
        }
    }

    /// Runs `options.frontend` (e.g. `dockerfile.v0`) and returns its whole result, ready to
    /// hand to `return_result`.
    pub async fn solve_frontend(&self, options: SolveOptions) -> Result<BuildResult, GatewayError> {
        self.solve_request(None, options).await
    }

    /// The general `Solve`: a Definition, a frontend, or both. A failure keeps BuildKit's
    /// status whole (`GatewayError::Call`), to pass on with `FrontendError::from`.
    #[tracing::instrument(level = "debug", name = "gateway.solve", skip_all, fields(frontend = options.frontend.as_deref().unwrap_or("")))]
    pub async fn solve_request(
        &self,
        definition: Option<pb::Definition>,
        options: SolveOptions,
    ) -> Result<BuildResult, GatewayError> {
        if let Some(cap) = definition
            .as_ref()
            .and_then(|definition| missing_llb_cap(definition, &self.capabilities))
        {
            return Err(GatewayError::MissingCapability {
                capability: cap,
                purpose: "load this build".to_owned(),
            });
        }
        let evaluate_remotely =
            options.evaluate && self.has_frontend_cap(frontend_caps::EVALUATE_SOLVE);
        let evaluate_by_stat = options.evaluate && !evaluate_remotely;
        let request = build_solve_request(definition, options, evaluate_remotely);
        let response = self
            .client
            .clone()
            .solve(request)
            .await
            .map_err(|status| GatewayError::call("Solve", status))?
            .into_inner();
        let result = match response.result {
            Some(result) => {
                BuildResult::from_proto(result).ok_or_else(|| GatewayError::UnexpectedAnswer {
                    call: "Solve",
                    reason: "the result has no refs".to_owned(),
                })?
            }
            None => BuildResult::single(Reference::new(response.r#ref)),
        };
        if evaluate_by_stat {
            // Older daemons: stat the root of each ref to force the build, as upstream does.
            let references: Vec<Reference> = match &result.refs {
                ResultRefs::Single(reference) => vec![reference.clone()],
                ResultRefs::PerPlatform(refs) => refs.values().cloned().collect(),
            };
            for reference in references.iter().filter(|reference| !reference.is_empty()) {
                self.stat_file(reference, ".").await?;
            }
        }
        Ok(result)
    }

    /// Reads a file (or `(offset, length)` of it) from a solved ref.
    #[tracing::instrument(
        level = "debug",
        name = "gateway.read_file",
        skip(self, reference, range)
    )]
    pub async fn read_file(
        &self,
        reference: &Reference,
        path: &str,
        range: Option<(i64, i64)>,
    ) -> Result<Vec<u8>, GatewayError> {
        let request = gateway::ReadFileRequest {
            r#ref: reference.id().to_owned(),
            file_path: path.to_owned(),
            range: range.map(|(offset, length)| gateway::FileRange { offset, length }),
            mount_index: 0,
        };
        let response = self
            .client
            .clone()
            .read_file(request)
            .await
            .map_err(|status| GatewayError::call("ReadFile", status))?;
        Ok(response.into_inner().data)
    }

    /// Lists a directory of a solved ref, optionally filtered by a glob.
    #[tracing::instrument(
        level = "debug",
        name = "gateway.read_dir",
        skip(self, reference, include_pattern)
    )]
    pub async fn read_dir(
        &self,
        reference: &Reference,
        path: &str,
        include_pattern: Option<&str>,
    ) -> Result<Vec<fsutil::Stat>, GatewayError> {
        self.require_frontend_cap(frontend_caps::READ_DIR, "list a directory")?;
        let request = gateway::ReadDirRequest {
            r#ref: reference.id().to_owned(),
            dir_path: path.to_owned(),
            include_pattern: include_pattern.unwrap_or_default().to_owned(),
            mount_index: 0,
        };
        let response = self
            .client
            .clone()
            .read_dir(request)
            .await
            .map_err(|status| GatewayError::call("ReadDir", status))?;
        Ok(response.into_inner().entries)
    }

    /// Stats one path of a solved ref.
    #[tracing::instrument(level = "debug", name = "gateway.stat_file", skip(self, reference))]
    pub async fn stat_file(
        &self,
        reference: &Reference,
        path: &str,
    ) -> Result<fsutil::Stat, GatewayError> {
        self.require_frontend_cap(frontend_caps::STAT_FILE, "stat a file")?;
        let request = gateway::StatFileRequest {
            r#ref: reference.id().to_owned(),
            path: path.to_owned(),
            mount_index: 0,
        };
        let response = self
            .client
            .clone()
            .stat_file(request)
            .await
            .map_err(|status| GatewayError::call("StatFile", status))?;
        response
            .into_inner()
            .stat
            .ok_or_else(|| GatewayError::UnexpectedAnswer {
                call: "StatFile",
                reason: format!("no stat for {path:?}"),
            })
    }

    /// Resolves an image's digest and config, logging `[internal] load metadata for <reference>`.
    pub async fn resolve_image_config(
        &self,
        reference: &str,
        platform: Option<pb::Platform>,
        resolve_mode: &str,
        session_id: &str,
    ) -> Result<ResolvedImage, GatewayError> {
        self.resolve_image(ResolveImageRequest {
            reference: reference.to_owned(),
            platform,
            resolve_mode: resolve_mode.to_owned(),
            session_id: session_id.to_owned(),
            log_name: format!("[internal] load metadata for {reference}"),
        })
        .await
    }

    /// Resolves an image with every request field under the caller's control.
    #[tracing::instrument(level = "debug", name = "gateway.resolve_image_config", skip_all, fields(reference = %request.reference))]
    pub async fn resolve_image(
        &self,
        request: ResolveImageRequest,
    ) -> Result<ResolvedImage, GatewayError> {
        let requested = request.reference.clone();
        let response = self
            .client
            .clone()
            .resolve_image_config(request.into_proto())
            .await
            .map_err(|status| GatewayError::call("ResolveImageConfig", status))?
            .into_inner();
        let reference = if response.r#ref.is_empty() {
            requested
        } else {
            response.r#ref
        };
        Ok(ResolvedImage {
            digest: response.digest,
            config: response.config,
            reference,
        })
    }

    /// Shows a warning to the user (skipped, with a log line, if the daemon cannot).
    pub async fn warn(
        &self,
        digest: &str,
        level: i64,
        short: &str,
        detail: Vec<Vec<u8>>,
        source: Option<(pb::SourceInfo, Vec<pb::Range>)>,
    ) -> Result<(), GatewayError> {
        let warning = Warning {
            digest: digest.to_owned(),
            level,
            short: short.to_owned(),
            detail,
            url: String::new(),
            source,
        };
        self.send_warning(warning).await
    }

    /// `warn` with every field (including the documentation URL).
    #[tracing::instrument(level = "debug", name = "gateway.warn", skip_all)]
    pub async fn send_warning(&self, warning: Warning) -> Result<(), GatewayError> {
        if !self.has_frontend_cap(frontend_caps::WARNINGS) {
            tracing::warn!(short = %warning.short, "BuildKit cannot show warnings; dropping one");
            return Ok(());
        }
        self.client
            .clone()
            .warn(warning.into_proto())
            .await
            .map_err(|status| GatewayError::call("Warn", status))?;
        Ok(())
    }

    /// The Definitions passed as frontend inputs (empty for a plain build or an old daemon).
    #[tracing::instrument(level = "debug", name = "gateway.inputs", skip_all)]
    pub async fn inputs(&self) -> Result<BTreeMap<String, pb::Definition>, GatewayError> {
        if !self.has_frontend_cap(frontend_caps::FRONTEND_INPUTS) {
            return Ok(BTreeMap::new());
        }
        let response = self
            .client
            .clone()
            .inputs(gateway::InputsRequest {})
            .await
            .map_err(|status| GatewayError::call("Inputs", status))?;
        Ok(response.into_inner().definitions.into_iter().collect())
    }

    /// Returns the build's result and closes the session.
    pub async fn return_result(self, result: BuildResult) -> Result<(), GatewayError> {
        let ref_arrays = self.has_frontend_cap(frontend_caps::PROTO_REF_ARRAY);
        let request = gateway::ReturnRequest {
            result: Some(result.into_proto(ref_arrays)),
            error: None,
        };
        self.send_return(request).await
    }

    /// Returns the build's error (code 2 unless passed on, with its source snippet and details)
    /// and closes the session.
    pub async fn return_error(self, error: FrontendError) -> Result<(), GatewayError> {
        let request = gateway::ReturnRequest {
            result: None,
            error: Some(error.to_rpc_status()),
        };
        self.send_return(request).await
    }

    #[tracing::instrument(level = "debug", name = "gateway.return", skip_all)]
    async fn send_return(mut self, request: gateway::ReturnRequest) -> Result<(), GatewayError> {
        self.client
            .r#return(request)
            .await
            .map_err(|status| GatewayError::call("Return", status))?;
        tracing::debug!("returned to BuildKit; closing the gateway channel");
        drop(self);
        Ok(())
    }

    fn require_frontend_cap(&self, capability: &str, purpose: &str) -> Result<(), GatewayError> {
        if self.has_frontend_cap(capability) {
            Ok(())
        } else {
            Err(GatewayError::MissingCapability {
                capability: capability.to_owned(),
                purpose: purpose.to_owned(),
            })
        }
    }
}
