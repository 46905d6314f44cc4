//! The gateway client against an in-process mock BuildKit, in: a `tokio::io::duplex` pair (the
//! same connector path as stdio); out: checks on what the client sent and what it returned.
//! Invariant: every scenario ends with `Return`, after which the connection must close.

// Test code may fail loudly: the workspace lints against panics are for the frontend itself.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use cachefront_gateway::{
    BuildResult, FrontendError, Gateway, GatewayError, LineRange, Reference, ResultRefs,
    SolveOptions, SourceLocation,
};
use cachefront_proto::{gateway, pb};
use support::{MockBridge, ObservedStream, DOCKERFILE, FAILING_OP, FAILURE_MESSAGE};
use tokio::sync::oneshot;

async fn start(mock: MockBridge) -> (Gateway, oneshot::Receiver<()>) {
    let (client_side, server_side) = tokio::io::duplex(1 << 16);
    let (observed, closed) = ObservedStream::new(server_side);
    mock.serve(observed);
    let gateway = Gateway::connect(client_side)
        .await
        .expect("connect and ping");
    (gateway, closed)
}

async fn assert_closes(closed: oneshot::Receiver<()>) {
    let outcome = tokio::time::timeout(Duration::from_secs(5), closed).await;
    assert!(
        matches!(outcome, Ok(Ok(()))),
        "the connection did not close after Return"
    );
}

#[tokio::test]
async fn ping_solve_read_file_return() {
    let mock = MockBridge::new();
    let recorded = mock.recorded.clone();
    let (gateway, closed) = start(mock).await;

    assert!(gateway.has_frontend_cap("proto.refarray"));
    assert!(gateway.has_llb_cap("exec.mount.cache"));
    assert!(!gateway.has_llb_cap("mergeop"));
    assert_eq!(gateway.worker_platforms()[0].architecture, "amd64");

    let reference = gateway
        .solve(pb::Definition::default(), SolveOptions::default())
        .await
        .expect("solve");
    assert_eq!(reference, Reference::new("ref-dockerfile"));
    let whole = gateway
        .read_file(&reference, "Dockerfile", None)
        .await
        .expect("read");
    assert_eq!(whole, DOCKERFILE);
    let part = gateway
        .read_file(&reference, "Dockerfile", Some((5, 6)))
        .await
        .expect("read range");
    assert_eq!(part, b"debian");
    let missing = gateway
        .read_file(&reference, "Dockerfile.dockerignore", None)
        .await;
    let status = missing
        .as_ref()
        .err()
        .and_then(GatewayError::status)
        .map(tonic::Status::code);
    assert_eq!(status, Some(tonic::Code::NotFound));

    let config = b"{\"architecture\":\"amd64\"}".to_vec();
    let result =
        BuildResult::single(reference).with_metadata("containerimage.config", config.clone());
    gateway.return_result(result).await.expect("return");
    assert_closes(closed).await;

    let recorded = recorded.lock().expect("lock");
    assert_eq!(recorded.pings, 1);
    assert!(recorded.solves[0].allow_result_return && recorded.solves[0].allow_result_array_ref);
    assert_eq!(
        recorded.reads[1].range,
        Some(gateway::FileRange {
            offset: 5,
            length: 6
        })
    );
    let returned = &recorded.returns[0];
    assert!(returned.error.is_none());
    let result = returned.result.as_ref().expect("result");
    assert_eq!(result.metadata.get("containerimage.config"), Some(&config));
    assert_eq!(
        result.result,
        Some(gateway::result::Result::Ref(gateway::Ref {
            id: "ref-dockerfile".to_owned(),
            def: None
        }))
    );
}

#[tokio::test]
async fn failed_solve_is_returned_with_its_details() {
    let mock = MockBridge::new();
    let recorded = mock.recorded.clone();
    let (gateway, closed) = start(mock).await;

    let definition = pb::Definition {
        def: vec![FAILING_OP.to_vec()],
        ..pb::Definition::default()
    };
    let error = gateway
        .solve(definition, SolveOptions::default())
        .await
        .expect_err("the RUN fails");
    assert_eq!(error.to_string(), FAILURE_MESSAGE);
    gateway
        .return_error(FrontendError::from(error))
        .await
        .expect("return");
    assert_closes(closed).await;

    let recorded = recorded.lock().expect("lock");
    let status = recorded.returns[0].error.as_ref().expect("error status");
    assert_eq!(status.code, 2);
    assert_eq!(status.message, FAILURE_MESSAGE);
    assert_eq!(status.details, vec![support::vertex_detail()]);
}

#[tokio::test]
async fn located_error_and_warning_and_image_resolution() {
    let mock = MockBridge::new();
    let recorded = mock.recorded.clone();
    let (gateway, closed) = start(mock).await;

    let platform = pb::Platform {
        os: "linux".to_owned(),
        architecture: "arm64".to_owned(),
        ..pb::Platform::default()
    };
    let image = gateway
        .resolve_image_config(
            "debian:bookworm",
            Some(platform.clone()),
            "default",
            "session-1",
        )
        .await
        .expect("resolve");
    assert_eq!(image.digest, "");
    assert_eq!(image.reference, "debian:bookworm");
    gateway
        .warn(
            "sha256:abc",
            1,
            "FromAsCasing",
            vec![b"detail".to_vec()],
            None,
        )
        .await
        .expect("warn");
    assert!(gateway.inputs().await.expect("inputs").is_empty());

    let location = SourceLocation::dockerfile(
        "Dockerfile",
        DOCKERFILE,
        vec![LineRange { start: 2, end: 2 }],
    );
    gateway
        .return_error(FrontendError::located("unknown flag: --bogus", location))
        .await
        .expect("return");
    assert_closes(closed).await;

    let recorded = recorded.lock().expect("lock");
    let resolve = &recorded.resolves[0];
    assert_eq!(
        (resolve.r#ref.as_str(), resolve.resolve_mode.as_str()),
        ("debian:bookworm", "default")
    );
    assert_eq!(resolve.platform, Some(platform));
    assert_eq!(
        resolve.log_name,
        "[internal] load metadata for debian:bookworm"
    );
    assert_eq!(recorded.warnings[0].short, b"FromAsCasing");
    let status = recorded.returns[0].error.as_ref().expect("error status");
    assert_eq!(status.code, 2);
    assert_eq!(
        status.details[0].type_url,
        "github.com/moby/buildkit/errdefs.Source+json"
    );
}

#[tokio::test]
async fn forwarded_frontend_result_is_returned_whole() {
    let mock = MockBridge::new();
    let recorded = mock.recorded.clone();
    let (gateway, closed) = start(mock).await;

    let options = BTreeMap::from([("platform".to_owned(), "linux/amd64,linux/arm64".to_owned())]);
    let result = gateway
        .solve_frontend(SolveOptions::forward_to("dockerfile.v0", options))
        .await
        .expect("solve");
    let ResultRefs::PerPlatform(refs) = &result.refs else {
        panic!("expected per-platform refs")
    };
    assert_eq!(refs.get("linux/arm64"), Some(&Reference::new("ref-arm64")));
    gateway.return_result(result).await.expect("return");
    assert_closes(closed).await;

    let recorded = recorded.lock().expect("lock");
    assert_eq!(recorded.solves[0].frontend, "dockerfile.v0");
    assert!(recorded.solves[0].definition.is_none());
    let returned = recorded.returns[0].result.as_ref().expect("result");
    assert!(
        matches!(&returned.result, Some(gateway::result::Result::Refs(map)) if map.refs.len() == 2)
    );
    assert_eq!(
        returned.metadata.get("refs.platforms").map(Vec::as_slice),
        Some(&b"{}"[..])
    );
}

#[tokio::test]
async fn definition_with_an_unknown_cap_is_refused_before_solving() {
    let mock = MockBridge::new();
    let recorded = mock.recorded.clone();
    let (gateway, closed) = start(mock).await;

    let mut metadata = pb::OpMetadata::default();
    metadata.caps.insert("mergeop".to_owned(), true);
    let definition = pb::Definition {
        metadata: BTreeMap::from([("sha256:x".to_owned(), metadata)]),
        ..pb::Definition::default()
    };
    let error = gateway
        .solve(definition, SolveOptions::default())
        .await
        .expect_err("refused");
    assert!(
        matches!(error, GatewayError::MissingCapability { ref capability, .. } if capability == "mergeop")
    );
    gateway.return_error(error.into()).await.expect("return");
    assert_closes(closed).await;
    assert!(recorded.lock().expect("lock").solves.is_empty());
}

#[tokio::test]
async fn old_daemon_without_ref_arrays_gets_deprecated_refs() {
    let mut mock = MockBridge::new();
    mock.frontend_caps.retain(|cap| cap != "proto.refarray");
    let recorded = mock.recorded.clone();
    let (gateway, closed) = start(mock).await;

    gateway
        .return_result(BuildResult::single(Reference::new("r")))
        .await
        .expect("return");
    assert_closes(closed).await;
    let recorded = recorded.lock().expect("lock");
    let returned = recorded.returns[0].result.as_ref().expect("result");
    assert_eq!(
        returned.result,
        Some(gateway::result::Result::RefDeprecated("r".to_owned()))
    );
}
