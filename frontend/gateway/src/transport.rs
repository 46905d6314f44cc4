//! The gateway transport, in: a byte stream to BuildKit (fd 0 read and fd 1 write for a real
//! frontend, any `AsyncRead + AsyncWrite` in tests); out: a tonic `Channel` speaking HTTP/2 over it.
//! Invariant: the stream is handed to tonic exactly once (a reconnect fails instead of dialing
//! the placeholder URI), and fd 0/1 are read through tokio's non-blocking pipe types, never
//! `tokio::io::stdin()`, whose blocking reader thread kept the process alive after `Return`.

use std::future::{ready, Ready};
use std::io;
use std::os::fd::AsFd as _;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, Join};
use tokio::net::unix::pipe;
use tonic::transport::{Channel, Endpoint, Uri};

use crate::error::GatewayError;

/// The URI tonic needs for its bookkeeping; it is never dialed.
const PLACEHOLDER_URI: &str = "http://buildkit-gateway.invalid";

/// The frontend's end of the gateway: reads from fd 0, writes to fd 1.
pub type StdioStream = Join<pipe::Receiver, pipe::Sender>;

/// Opens fd 0 and fd 1 as one non-blocking stream. The descriptors are duplicated, so the
/// process's own stdin/stdout stay open until exit; nothing else may write to stdout.
pub fn stdio_stream() -> io::Result<StdioStream> {
    let input = io::stdin().as_fd().try_clone_to_owned()?;
    let output = io::stdout().as_fd().try_clone_to_owned()?;
    let receiver = match pipe::Receiver::from_owned_fd(input.try_clone()?) {
        Ok(receiver) => receiver,
        Err(error) => {
            // Not a FIFO (e.g. a socket pair): epoll still works on it.
            tracing::debug!(%error, "fd 0 is not a pipe; using it unchecked");
            pipe::Receiver::from_owned_fd_unchecked(input)?
        }
    };
    let sender = match pipe::Sender::from_owned_fd(output.try_clone()?) {
        Ok(sender) => sender,
        Err(error) => {
            tracing::debug!(%error, "fd 1 is not a pipe; using it unchecked");
            pipe::Sender::from_owned_fd_unchecked(output)?
        }
    };
    Ok(tokio::io::join(receiver, sender))
}

/// A tonic connector that hands out one pre-opened stream, then refuses.
#[derive(Debug)]
pub struct OneShotConnector<Stream> {
    stream: Arc<Mutex<Option<Stream>>>,
}

impl<Stream> Clone for OneShotConnector<Stream> {
    fn clone(&self) -> Self {
        OneShotConnector {
            stream: Arc::clone(&self.stream),
        }
    }
}

impl<Stream> OneShotConnector<Stream> {
    pub fn new(stream: Stream) -> Self {
        OneShotConnector {
            stream: Arc::new(Mutex::new(Some(stream))),
        }
    }
}

impl<Stream> tower::Service<Uri> for OneShotConnector<Stream>
where
    Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    type Response = TokioIo<Stream>;
    type Error = io::Error;
    type Future = Ready<Result<TokioIo<Stream>, io::Error>>;

    fn poll_ready(&mut self, _context: &mut Context<'_>) -> Poll<Result<(), io::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _uri: Uri) -> Self::Future {
        let taken = match self.stream.lock() {
            Ok(mut slot) => slot.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        ready(taken.map(TokioIo::new).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotConnected,
                "the gateway stream was already used and cannot be reopened",
            )
        }))
    }
}

/// Opens an HTTP/2 channel over `stream` (must run inside a tokio runtime; current-thread is fine).
pub async fn channel_over<Stream>(stream: Stream) -> Result<Channel, GatewayError>
where
    Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    Endpoint::from_static(PLACEHOLDER_URI)
        .connect_with_connector(OneShotConnector::new(stream))
        .await
        .map_err(GatewayError::Connect)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::Service as _;

    #[tokio::test]
    async fn connector_hands_out_the_stream_once() {
        let (client, _server) = tokio::io::duplex(64);
        let mut connector = OneShotConnector::new(client);
        let uri = Uri::from_static(PLACEHOLDER_URI);
        assert!(connector.call(uri.clone()).await.is_ok());
        let second = connector.clone().call(uri).await;
        assert_eq!(
            second.map(|_| ()).map_err(|error| error.kind()),
            Err(io::ErrorKind::NotConnected)
        );
    }
}
