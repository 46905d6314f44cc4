//! Errors for the user, in: parse, lowering and gateway errors; out: the `FrontendError` BuildKit
//! prints, with a `>>>` snippet at the Dockerfile lines at fault.

use cachefront_dockerfile::parse::Span;
use cachefront_gateway::{status_to_rpc, FrontendError, GatewayError, LineRange, SourceLocation};

/// The Dockerfile being built, for locating errors and warnings.
pub struct DockerfileSource {
    pub filename: String,
    pub data: Vec<u8>,
    /// The definition of the op that loaded it (warnings hang off its digest).
    pub definition: cachefront_proto::pb::Definition,
}

impl DockerfileSource {
    /// An error pointing at `span` (or at nothing when there is none).
    pub fn error_at(&self, message: impl Into<String>, span: Option<Span>) -> FrontendError {
        match span {
            Some(span) if span.start > 0 => {
                let to_line = |line: usize| u32::try_from(line).unwrap_or(u32::MAX);
                let range = LineRange {
                    start: to_line(span.start),
                    end: to_line(span.end.max(span.start)),
                };
                FrontendError::located(
                    message,
                    SourceLocation::dockerfile(&self.filename, self.data.clone(), vec![range]),
                )
            }
            _ => FrontendError::new(message),
        }
    }
}

/// A gateway failure as a frontend error, keeping BuildKit's own details (a failed RUN's vertex,
/// source location and exit code) so the client shows them.
pub fn from_gateway(error: &GatewayError) -> FrontendError {
    match error.status() {
        Some(status) => {
            let rpc = status_to_rpc(status);
            FrontendError {
                code: if rpc.code == 0 { 2 } else { rpc.code },
                message: rpc.message,
                location: None,
                details: rpc.details,
            }
        }
        None => FrontendError::new(error.to_string()),
    }
}
