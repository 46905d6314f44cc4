//! A minimal frontend, in: BuildKit's gateway on fd 0/1 and the frontend options in the
//! environment; out: a `Return` whose result carries the Dockerfile's bytes as metadata.
//! Invariant: writes nothing to stdout itself and exits 0 once `Return` succeeded; it is the
//! process the `stdio_process` test runs to prove the stdio transport exits cleanly.

use std::process::ExitCode;

use cachefront_gateway::{BuildResult, FrontendError, FrontendOptions, Gateway, SolveOptions};
use cachefront_proto::pb;

async fn build(gateway: &mut Gateway) -> Result<BuildResult, FrontendError> {
    let options =
        FrontendOptions::from_env().map_err(|error| FrontendError::new(error.to_string()))?;
    let reference = gateway
        .solve(pb::Definition::default(), SolveOptions::default())
        .await?;
    let dockerfile = gateway
        .read_file(&reference, &options.filename, None)
        .await?;
    Ok(BuildResult::single(reference).with_metadata("example.dockerfile", dockerfile))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut gateway = match Gateway::connect_stdio().await {
        Ok(gateway) => gateway,
        Err(error) => {
            eprintln!("cannot connect to BuildKit: {error}");
            return ExitCode::FAILURE;
        }
    };
    let returned = match build(&mut gateway).await {
        Ok(result) => gateway.return_result(result).await,
        Err(error) => gateway.return_error(error).await,
    };
    match returned {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("cannot return to BuildKit: {error}");
            ExitCode::FAILURE
        }
    }
}
