//! A mock BuildKit gateway, in: scripted answers; out: an in-process tonic `LlbBridge` server
//! served over any byte stream, recording every request it received.
//! Invariant: only the RPCs this crate uses are implemented; the rest answer `Unimplemented`.
#![allow(dead_code)]

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use cachefront_proto::apicaps::ApiCap;
use cachefront_proto::gateway::llb_bridge_server::{LlbBridge, LlbBridgeServer};
use cachefront_proto::{fsutil, gateway, pb, rpc, types};
use prost::Message as _;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::oneshot;
use tonic::codegen::tokio_stream;
use tonic::transport::server::Connected;
use tonic::{Request, Response, Status};

/// The file the mock serves from `ref-dockerfile`.
pub const DOCKERFILE: &[u8] = b"FROM debian:bookworm\nRUN apt-get update\n";
/// A `Definition.def` entry that makes the mock's Solve fail like a RUN would.
pub const FAILING_OP: &[u8] = b"failing-op";
/// The message of that failure.
pub const FAILURE_MESSAGE: &str =
    "process \"/bin/sh -c false\" did not complete successfully: exit code: 1";

/// What the mock received.
#[derive(Debug, Default)]
pub struct Recorded {
    pub pings: usize,
    pub solves: Vec<gateway::SolveRequest>,
    pub reads: Vec<gateway::ReadFileRequest>,
    pub resolves: Vec<gateway::ResolveImageConfigRequest>,
    pub warnings: Vec<gateway::WarnRequest>,
    pub returns: Vec<gateway::ReturnRequest>,
}

#[derive(Debug, Clone)]
pub struct MockBridge {
    pub recorded: Arc<Mutex<Recorded>>,
    pub frontend_caps: Vec<String>,
}

pub fn vertex_detail() -> rpc::Any {
    rpc::Any {
        type_url: "github.com/moby/buildkit/errdefs.Vertex+json".to_owned(),
        value: br#"{"digest":"sha256:feed"}"#.to_vec(),
    }
}

fn enabled(ids: &[&str]) -> Vec<ApiCap> {
    ids.iter()
        .map(|id| ApiCap {
            id: (*id).to_owned(),
            enabled: true,
            ..ApiCap::default()
        })
        .collect()
}

impl MockBridge {
    /// A mock advertising the frontend caps a current BuildKit has.
    pub fn new() -> Self {
        let caps = [
            "solve.base",
            "readfile",
            "return",
            "proto.refarray",
            "statfile",
            "gateway.warnings",
            "frontend.inputs",
        ];
        MockBridge {
            recorded: Arc::default(),
            frontend_caps: caps.iter().map(|cap| (*cap).to_owned()).collect(),
        }
    }

    fn record(&self) -> std::sync::MutexGuard<'_, Recorded> {
        match self.recorded.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Serves this mock on `stream` in a background task.
    pub fn serve<Stream>(self, stream: Stream) -> tokio::task::JoinHandle<()>
    where
        Stream: AsyncRead + AsyncWrite + Connected + Unpin + Send + 'static,
    {
        let service = LlbBridgeServer::new(self).max_decoding_message_size(16 << 20);
        let incoming = tokio_stream::iter(vec![Ok::<_, std::io::Error>(stream)]);
        tokio::spawn(async move {
            let served = tonic::transport::Server::builder()
                .serve_with_incoming(service, incoming)
                .await;
            assert!(served.is_ok(), "mock server failed: {served:?}");
        })
    }
}

fn ok<T>(message: T) -> Result<Response<T>, Status> {
    Ok(Response::new(message))
}

type ExecStream =
    Pin<Box<dyn tokio_stream::Stream<Item = Result<gateway::ExecMessage, Status>> + Send>>;

#[tonic::async_trait]
impl LlbBridge for MockBridge {
    async fn ping(
        &self,
        _request: Request<gateway::PingRequest>,
    ) -> Result<Response<gateway::PongResponse>, Status> {
        self.record().pings += 1;
        let frontend_caps: Vec<&str> = self.frontend_caps.iter().map(String::as_str).collect();
        let platform = pb::Platform {
            architecture: "x86_64".to_owned(),
            os: "linux".to_owned(),
            ..pb::Platform::default()
        };
        ok(gateway::PongResponse {
            frontend_api_caps: enabled(&frontend_caps),
            llb_caps: enabled(&["source.local", "exec.mount.cache"]),
            workers: vec![types::WorkerRecord {
                id: "worker".to_owned(),
                platforms: vec![platform],
                ..Default::default()
            }],
        })
    }

    async fn solve(
        &self,
        request: Request<gateway::SolveRequest>,
    ) -> Result<Response<gateway::SolveResponse>, Status> {
        let request = request.into_inner();
        self.record().solves.push(request.clone());
        let failing = request
            .definition
            .as_ref()
            .is_some_and(|definition| definition.def.iter().any(|op| op == FAILING_OP));
        if failing {
            let full = rpc::Status {
                code: 2,
                message: FAILURE_MESSAGE.to_owned(),
                details: vec![vertex_detail()],
            };
            return Err(Status::with_details(
                tonic::Code::Unknown,
                FAILURE_MESSAGE,
                full.encode_to_vec().into(),
            ));
        }
        let result = if request.frontend.is_empty() {
            gateway::result::Result::Ref(gateway::Ref {
                id: "ref-dockerfile".to_owned(),
                def: None,
            })
        } else {
            let refs = [("linux/amd64", "ref-amd64"), ("linux/arm64", "ref-arm64")]
                .into_iter()
                .map(|(key, id)| {
                    (
                        key.to_owned(),
                        gateway::Ref {
                            id: id.to_owned(),
                            def: None,
                        },
                    )
                })
                .collect();
            gateway::result::Result::Refs(gateway::RefMap { refs })
        };
        let metadata = [("refs.platforms".to_owned(), b"{}".to_vec())]
            .into_iter()
            .collect();
        ok(gateway::SolveResponse {
            r#ref: String::new(),
            result: Some(gateway::Result {
                metadata,
                attestations: Default::default(),
                result: Some(result),
            }),
        })
    }

    async fn read_file(
        &self,
        request: Request<gateway::ReadFileRequest>,
    ) -> Result<Response<gateway::ReadFileResponse>, Status> {
        let request = request.into_inner();
        self.record().reads.push(request.clone());
        if request.r#ref != "ref-dockerfile" || request.file_path != "Dockerfile" {
            return Err(Status::not_found(format!(
                "{} not found",
                request.file_path
            )));
        }
        let data = match request.range {
            Some(range) => {
                let start = usize::try_from(range.offset)
                    .unwrap_or(0)
                    .min(DOCKERFILE.len());
                let end = start
                    .saturating_add(usize::try_from(range.length).unwrap_or(0))
                    .min(DOCKERFILE.len());
                DOCKERFILE[start..end].to_vec()
            }
            None => DOCKERFILE.to_vec(),
        };
        ok(gateway::ReadFileResponse { data })
    }

    async fn stat_file(
        &self,
        request: Request<gateway::StatFileRequest>,
    ) -> Result<Response<gateway::StatFileResponse>, Status> {
        let path = request.into_inner().path;
        ok(gateway::StatFileResponse {
            stat: Some(fsutil::Stat {
                path,
                mode: 0o40755,
                ..Default::default()
            }),
        })
    }

    async fn resolve_image_config(
        &self,
        request: Request<gateway::ResolveImageConfigRequest>,
    ) -> Result<Response<gateway::ResolveImageConfigResponse>, Status> {
        self.record().resolves.push(request.into_inner());
        ok(gateway::ResolveImageConfigResponse {
            digest: String::new(),
            config: br#"{"config":{"Env":null}}"#.to_vec(),
            r#ref: String::new(),
        })
    }

    async fn warn(
        &self,
        request: Request<gateway::WarnRequest>,
    ) -> Result<Response<gateway::WarnResponse>, Status> {
        self.record().warnings.push(request.into_inner());
        ok(gateway::WarnResponse {})
    }

    async fn inputs(
        &self,
        _request: Request<gateway::InputsRequest>,
    ) -> Result<Response<gateway::InputsResponse>, Status> {
        ok(gateway::InputsResponse::default())
    }

    async fn r#return(
        &self,
        request: Request<gateway::ReturnRequest>,
    ) -> Result<Response<gateway::ReturnResponse>, Status> {
        self.record().returns.push(request.into_inner());
        ok(gateway::ReturnResponse {})
    }

    async fn resolve_source_meta(
        &self,
        _request: Request<gateway::ResolveSourceMetaRequest>,
    ) -> Result<Response<gateway::ResolveSourceMetaResponse>, Status> {
        Err(Status::unimplemented("ResolveSourceMeta"))
    }

    async fn read_dir(
        &self,
        _request: Request<gateway::ReadDirRequest>,
    ) -> Result<Response<gateway::ReadDirResponse>, Status> {
        Err(Status::unimplemented("ReadDir"))
    }

    async fn evaluate(
        &self,
        _request: Request<gateway::EvaluateRequest>,
    ) -> Result<Response<gateway::EvaluateResponse>, Status> {
        Err(Status::unimplemented("Evaluate"))
    }

    async fn new_container(
        &self,
        _request: Request<gateway::NewContainerRequest>,
    ) -> Result<Response<gateway::NewContainerResponse>, Status> {
        Err(Status::unimplemented("NewContainer"))
    }

    async fn release_container(
        &self,
        _request: Request<gateway::ReleaseContainerRequest>,
    ) -> Result<Response<gateway::ReleaseContainerResponse>, Status> {
        Err(Status::unimplemented("ReleaseContainer"))
    }

    type ExecProcessStream = ExecStream;

    async fn exec_process(
        &self,
        _request: Request<tonic::Streaming<gateway::ExecMessage>>,
    ) -> Result<Response<Self::ExecProcessStream>, Status> {
        Err(Status::unimplemented("ExecProcess"))
    }

    async fn read_file_container(
        &self,
        _request: Request<gateway::ReadFileRequest>,
    ) -> Result<Response<gateway::ReadFileResponse>, Status> {
        Err(Status::unimplemented("ReadFileContainer"))
    }

    async fn read_dir_container(
        &self,
        _request: Request<gateway::ReadDirRequest>,
    ) -> Result<Response<gateway::ReadDirResponse>, Status> {
        Err(Status::unimplemented("ReadDirContainer"))
    }

    async fn stat_file_container(
        &self,
        _request: Request<gateway::StatFileRequest>,
    ) -> Result<Response<gateway::StatFileResponse>, Status> {
        Err(Status::unimplemented("StatFileContainer"))
    }
}

/// A stream that reports, through a oneshot, when the server dropped it (connection closed).
pub struct ObservedStream<Stream> {
    inner: Stream,
    closed: Option<oneshot::Sender<()>>,
}

impl<Stream> ObservedStream<Stream> {
    pub fn new(inner: Stream) -> (Self, oneshot::Receiver<()>) {
        let (sender, receiver) = oneshot::channel();
        (
            ObservedStream {
                inner,
                closed: Some(sender),
            },
            receiver,
        )
    }
}

impl<Stream> Drop for ObservedStream<Stream> {
    fn drop(&mut self) {
        if let Some(sender) = self.closed.take() {
            let _ = sender.send(());
        }
    }
}

impl<Stream> Connected for ObservedStream<Stream> {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl<Stream: AsyncRead + Unpin> AsyncRead for ObservedStream<Stream> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(context, buffer)
    }
}

impl<Stream: AsyncWrite + Unpin> AsyncWrite for ObservedStream<Stream> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(context, data)
    }

    fn poll_flush(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(context)
    }

    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(context)
    }
}
