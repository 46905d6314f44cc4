//! The `cachefront` binary, in: BuildKit's gateway on stdin/stdout (no arguments) or a debug
//! command; out: a returned build or printed text. Invariant: stdout belongs to the gateway while
//! serving BuildKit; logs go to stderr.

mod build;
mod cache_tool;
mod check_request;
mod checks;
mod ci_cache;
mod debug;
mod definition;
mod failure;
mod fallback;
mod lint;
mod named_contexts;
mod resolver;
mod tree_copy;

use std::process::ExitCode;

/// Stack of the thread that does the work. Parsing and planning recurse on the nesting of a
/// RUN's shell text (the shell parser's tokenizer does), and BuildKit builds lines nested far
/// deeper than the main thread's 8 MiB holds; untouched stack pages cost nothing.
const WORKER_STACK_BYTES: usize = 512 << 20;

fn main() -> ExitCode {
    let worker = std::thread::Builder::new()
        .name("cachefront".to_owned())
        .stack_size(WORKER_STACK_BYTES)
        .spawn(run);
    match worker.map(std::thread::JoinHandle::join) {
        Ok(Ok(code)) => code,
        Ok(Err(_)) => ExitCode::FAILURE,
        // No thread could be made (a tight memory limit): do the work here instead.
        Err(_) => run(),
    }
}

fn run() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let words: Vec<&str> = arguments.iter().map(String::as_str).collect();
    let outcome = match words.as_slice() {
        [] => serve(),
        ["debug", "parse", path] => debug::print_parse(path),
        ["explain", path] => debug::print_explain(path),
        ["debug", "timings", path] => debug::print_timings(path),
        ["debug", "llb", path] => debug::print_llb(path),
        ["cache", rest @ ..] => cache_tool::run(rest),
        ["--version" | "version"] => {
            println!("cachefront {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        _ => Err(anyhow::anyhow!("usage: cachefront [explain <Dockerfile> | debug parse <Dockerfile> | debug timings <Dockerfile> | debug llb <Dockerfile> | cache seed|export ... | --version]\n(with no arguments it serves BuildKit's gateway on stdin/stdout)")),
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
    let started = std::time::Instant::now();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(log_filter())
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .init();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(build::serve());
    tracing::debug!(
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "served one build"
    );
    outcome
}

/// The log filter: `CACHEFRONT_LOG` from the environment, else the build arg of that name (BuildKit
/// gives a frontend no other way to receive one), else `info`. With `debug`, every gateway call
/// and build phase logs its duration (span close events) to the daemon's log.
fn log_filter() -> tracing_subscriber::EnvFilter {
    const VARIABLE: &str = "CACHEFRONT_LOG";
    let from_build_arg = || {
        std::env::vars().find_map(|(name, value)| {
            let option = name.strip_prefix(cachefront_gateway::options::OPTION_VARIABLE_PREFIX)?;
            option.parse::<u32>().ok()?;
            value
                .strip_prefix("build-arg:CACHEFRONT_LOG=")
                .map(str::to_owned)
        })
    };
    std::env::var(VARIABLE)
        .ok()
        .or_else(from_build_arg)
        .and_then(|directives| tracing_subscriber::EnvFilter::try_new(directives).ok())
        .unwrap_or_else(|| "info".into())
}
