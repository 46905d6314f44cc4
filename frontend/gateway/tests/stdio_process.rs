//! The real stdio transport, in: the `stdio_frontend` example run as a child process whose fd 0/1
//! are OS pipes to an in-process mock BuildKit; out: the child's `Return` and its exit.
//! Invariant: after `Return` the child exits by itself, with status 0, within seconds (the hang
//! seen with `tokio::io::stdin()` must not come back).

// Test code may fail loudly: the workspace lints against panics are for the frontend itself.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{MockBridge, ObservedStream, DOCKERFILE};
use tokio::net::unix::pipe;

/// `cargo test` builds examples next to the test binaries' `deps` directory.
fn example_path() -> PathBuf {
    let test_binary = std::env::current_exe().expect("current exe");
    let profile_directory = test_binary
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    profile_directory.join("examples").join("stdio_frontend")
}

#[tokio::test]
async fn child_frontend_returns_and_exits_cleanly() {
    let example = example_path();
    assert!(
        example.exists(),
        "{} is missing; run `cargo test -p cachefront-gateway`",
        example.display()
    );
    let mut child = Command::new(&example)
        .env("BUILDKIT_FRONTEND_OPT_0", "filename=Dockerfile")
        .env("BUILDKIT_SESSION_ID", "session")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn the example frontend");
    let to_child = pipe::Sender::from_owned_fd(OwnedFd::from(child.stdin.take().expect("stdin")))
        .expect("sender");
    let from_child =
        pipe::Receiver::from_owned_fd(OwnedFd::from(child.stdout.take().expect("stdout")))
            .expect("receiver");
    let (observed, closed) = ObservedStream::new(tokio::io::join(from_child, to_child));
    let mock = MockBridge::new();
    let recorded = mock.recorded.clone();
    mock.serve(observed);

    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("the frontend did not exit within 20 s after starting");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "frontend exited with {status}");
    let closed = tokio::time::timeout(Duration::from_secs(5), closed).await;
    assert!(
        matches!(closed, Ok(Ok(()))),
        "the server side never saw the connection close"
    );

    let recorded = recorded.lock().expect("lock");
    assert_eq!(recorded.pings, 1);
    let result = recorded.returns[0].result.as_ref().expect("a result");
    assert_eq!(
        result.metadata.get("example.dockerfile").map(Vec::as_slice),
        Some(DOCKERFILE)
    );
}
