//! Gateway errors, in: failed transport setup, failed RPCs (their `tonic::Status` kept whole) and
//! frontend failures located in the Dockerfile; out: `GatewayError` for callers and the
//! `google.rpc.Status` the frontend hands to BuildKit's `Return`.
//! Invariant: a returned status never has code 0 (BuildKit rejects it), a frontend error located
//! in a file carries the `errdefs.Source` detail, and a failed call's details are passed on
//! unchanged so the user sees BuildKit's own error (with its snippet), not "exit code: 1".

use cachefront_proto::errdefs::{source_detail, LineRange};
use cachefront_proto::rpc;
use prost::Message as _;

/// gRPC's `Unknown`, the code BuildKit expects for a frontend error.
pub const UNKNOWN_CODE: i32 = 2;

/// A failure talking to BuildKit.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("cannot open the gateway pipes on stdin/stdout: {0}")]
    Stdio(#[source] std::io::Error),
    #[error("cannot start the gateway connection: {0}")]
    Connect(#[source] tonic::transport::Error),
    #[error("BuildKit did not answer Ping within {seconds} seconds")]
    PingTimeout { seconds: u64 },
    /// An RPC failed; the status is BuildKit's, details and all.
    #[error("{}", describe_status(.status))]
    Call {
        call: &'static str,
        status: Box<tonic::Status>,
    },
    #[error("BuildKit does not support {capability:?}, needed to {purpose}")]
    MissingCapability { capability: String, purpose: String },
    #[error("unexpected answer to {call}: {reason}")]
    UnexpectedAnswer { call: &'static str, reason: String },
}

impl GatewayError {
    pub(crate) fn call(call: &'static str, status: tonic::Status) -> GatewayError {
        GatewayError::Call {
            call,
            status: Box::new(status),
        }
    }

    /// The failed call's status, if this error is one.
    pub fn status(&self) -> Option<&tonic::Status> {
        match self {
            GatewayError::Call { status, .. } => Some(status),
            _ => None,
        }
    }

    /// This error as a `google.rpc.Status`: a failed call's full status (code, message and
    /// every detail BuildKit attached), anything else as code 2 with its message.
    pub fn to_rpc_status(&self) -> rpc::Status {
        match self {
            GatewayError::Call { status, .. } => status_to_rpc(status),
            other => rpc::Status {
                code: UNKNOWN_CODE,
                message: other.to_string(),
                details: Vec::new(),
            },
        }
    }
}

/// Mirrors BuildKit's rendering: the bare message for `Unknown`, else `Code: message`.
fn describe_status(status: &tonic::Status) -> String {
    match status.code() {
        tonic::Code::Ok | tonic::Code::Unknown => status.message().to_owned(),
        code => format!("{}: {}", code.description(), status.message()),
    }
}

/// Decodes the `grpc-status-details-bin` payload when present, so no detail is lost.
pub fn status_to_rpc(status: &tonic::Status) -> rpc::Status {
    let from_details = (!status.details().is_empty())
        .then(|| rpc::Status::decode(status.details()).ok())
        .flatten();
    match from_details {
        Some(decoded) => rpc::Status {
            code: if decoded.code == 0 {
                status.code() as i32
            } else {
                decoded.code
            },
            message: if decoded.message.is_empty() {
                status.message().to_owned()
            } else {
                decoded.message
            },
            details: decoded.details,
        },
        None => rpc::Status {
            code: status.code() as i32,
            message: status.message().to_owned(),
            details: Vec::new(),
        },
    }
}

/// Where in a source file an error is: BuildKit prints these lines under the error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLocation {
    /// The file's name as the user knows it (e.g. `Dockerfile`).
    pub filename: String,
    /// The file's full content; BuildKit cuts the snippet from it.
    pub data: Vec<u8>,
    /// The language tag, `Dockerfile` for Dockerfiles.
    pub language: String,
    /// 1-based inclusive line ranges to mark with `>>>`.
    pub ranges: Vec<LineRange>,
}

impl SourceLocation {
    /// A location in a Dockerfile.
    pub fn dockerfile(
        filename: impl Into<String>,
        data: impl Into<Vec<u8>>,
        ranges: Vec<LineRange>,
    ) -> Self {
        SourceLocation {
            filename: filename.into(),
            data: data.into(),
            language: "Dockerfile".to_owned(),
            ranges,
        }
    }
}

/// The error a frontend returns to BuildKit instead of a result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct FrontendError {
    /// gRPC code; 2 (`Unknown`) unless passed on from a failed call. Never 0 on the wire.
    pub code: i32,
    pub message: String,
    /// The Dockerfile lines at fault, shown by the client as a `>>>` snippet.
    pub location: Option<SourceLocation>,
    /// Details passed on unchanged (e.g. from a failed `Solve`: vertex, source, exit code).
    pub details: Vec<rpc::Any>,
}

impl FrontendError {
    /// A plain error with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        FrontendError {
            code: UNKNOWN_CODE,
            message: message.into(),
            location: None,
            details: Vec::new(),
        }
    }

    /// A plain error pointing at `location`.
    pub fn located(message: impl Into<String>, location: SourceLocation) -> Self {
        FrontendError {
            location: Some(location),
            ..FrontendError::new(message)
        }
    }

    /// Prefixes the message with `context: ` (details and code kept).
    pub fn with_context(mut self, context: &str) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// The `google.rpc.Status` for `ReturnRequest.error`: passed-on details first, then the
    /// source detail for `location`.
    pub fn to_rpc_status(&self) -> rpc::Status {
        let mut details = self.details.clone();
        if let Some(location) = &self.location {
            details.push(source_detail(
                &location.filename,
                &location.data,
                &location.language,
                &location.ranges,
            ));
        }
        rpc::Status {
            code: if self.code == 0 {
                UNKNOWN_CODE
            } else {
                self.code
            },
            message: self.message.clone(),
            details,
        }
    }
}

impl From<&GatewayError> for FrontendError {
    fn from(error: &GatewayError) -> Self {
        let status = error.to_rpc_status();
        FrontendError {
            code: if status.code == 0 {
                UNKNOWN_CODE
            } else {
                status.code
            },
            message: status.message,
            location: None,
            details: status.details,
        }
    }
}

impl From<GatewayError> for FrontendError {
    fn from(error: GatewayError) -> Self {
        FrontendError::from(&error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cachefront_proto::errdefs::SOURCE_TYPE_URL;

    fn vertex_detail() -> rpc::Any {
        rpc::Any {
            type_url: "github.com/moby/buildkit/errdefs.Vertex+json".to_owned(),
            value: br#"{"digest":"sha256:abc"}"#.to_vec(),
        }
    }

    fn failed_solve() -> GatewayError {
        let full = rpc::Status {
            code: 2,
            message: "process \"/bin/sh -c false\" did not complete successfully: exit code: 1"
                .to_owned(),
            details: vec![vertex_detail()],
        };
        let status = tonic::Status::with_details(
            tonic::Code::Unknown,
            full.message.clone(),
            full.encode_to_vec().into(),
        );
        GatewayError::call("Solve", status)
    }

    #[test]
    fn failed_call_keeps_status_details() {
        let error = failed_solve();
        assert_eq!(
            error.to_string(),
            "process \"/bin/sh -c false\" did not complete successfully: exit code: 1"
        );
        let returned = FrontendError::from(&error).to_rpc_status();
        assert_eq!(returned.code, 2);
        assert_eq!(returned.message, error.to_string());
        assert_eq!(returned.details, vec![vertex_detail()]);
    }

    #[test]
    fn non_unknown_codes_are_named_and_kept() {
        let error = GatewayError::call("ReadFile", tonic::Status::not_found("no such file"));
        assert_eq!(
            error.to_string(),
            "Some requested entity was not found: no such file"
        );
        let returned = FrontendError::from(error).to_rpc_status();
        assert_eq!(returned.code, tonic::Code::NotFound as i32);
        assert_eq!(returned.message, "no such file");
        assert!(returned.details.is_empty());
    }

    #[test]
    fn located_error_carries_source_detail_with_code_two() {
        let location = SourceLocation::dockerfile(
            "Dockerfile",
            "FROM x\nBOGUS y\n",
            vec![LineRange { start: 2, end: 2 }],
        );
        let status = FrontendError::located("unknown instruction: BOGUS", location).to_rpc_status();
        assert_eq!(status.code, 2);
        assert_eq!(status.message, "unknown instruction: BOGUS");
        assert_eq!(status.details.len(), 1);
        assert_eq!(status.details[0].type_url, SOURCE_TYPE_URL);
        let json: serde_json::Value =
            serde_json::from_slice(&status.details[0].value).expect("json");
        assert_eq!(json["info"]["filename"], "Dockerfile");
        assert_eq!(json["info"]["data"], "RlJPTSB4CkJPR1VTIHkK");
        assert_eq!(json["ranges"][0]["start"]["line"], 2);
    }

    #[test]
    fn code_zero_never_reaches_the_wire() {
        let error = FrontendError {
            code: 0,
            ..FrontendError::new("boom")
        };
        assert_eq!(error.to_rpc_status().code, 2);
        let ok_status = GatewayError::call("Solve", tonic::Status::new(tonic::Code::Ok, "odd"));
        assert_eq!(FrontendError::from(ok_status).to_rpc_status().code, 2);
    }

    #[test]
    fn non_call_errors_become_code_two_with_their_message() {
        let error = GatewayError::PingTimeout { seconds: 15 };
        let status = FrontendError::from(error)
            .with_context("connecting")
            .to_rpc_status();
        assert_eq!(status.code, 2);
        assert_eq!(
            status.message,
            "connecting: BuildKit did not answer Ping within 15 seconds"
        );
    }
}
