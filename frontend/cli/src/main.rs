//! The `cachefront` binary, in: BuildKit's gateway on stdin/stdout (no arguments) or a debug
//! command; out: a returned build or printed text. Invariant: stdout belongs to the gateway while
//! serving BuildKit; logs go to stderr.

mod build;
mod debug;
mod definition;
mod failure;
mod fallback;
mod named_contexts;
mod resolver;
mod timestamp;

use std::process::ExitCode;

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let words: Vec<&str> = arguments.iter().map(String::as_str).collect();
    let outcome = match words.as_slice() {
        [] => serve(),
        ["debug", "parse", path] => debug::print_parse(path),
        ["explain", path] => debug::print_explain(path),
        ["debug", "timings", path] => debug::print_timings(path),
        ["debug", "llb", path] => debug::print_llb(path),
        ["--version" | "version"] => {
            println!("cachefront {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        _ => Err(anyhow::anyhow!("usage: cachefront [explain <Dockerfile> | debug parse <Dockerfile> | debug timings <Dockerfile> | debug llb <Dockerfile> | --version]\n(with no arguments it serves BuildKit's gateway on stdin/stdout)")),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("cachefront: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Serves one build for BuildKit.
fn serve() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CACHEFRONT_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_ansi(false)
        .init();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(build::serve())
}
