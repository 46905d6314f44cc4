//! Commands for people, in: a Dockerfile path; out: the parse tree (`debug parse`) or the cache
//! plan (`explain`) on stdout, without BuildKit.

use std::io::Write as _;
use std::sync::Arc;

use anyhow::Context as _;
use cachefront_convert::{convert, ConvertOptions, StaticResolver};
use cachefront_llb::{Platform, SourceFile};

/// Writes to stdout; a closed pipe (`cachefront debug llb Dockerfile | head`) ends output quietly.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(error.into()),
        _ => Ok(()),
    }
}

macro_rules! output {
    ($($argument:tt)*) => { write_stdout(&format!($($argument)*))? };
}

macro_rules! outputln {
    ($($argument:tt)*) => { write_stdout(&format!("{}\n", format!($($argument)*)))? };
}

/// `cachefront debug parse <Dockerfile>`: BuildKit's parser dump format, one line per instruction.
pub fn print_parse(path: &str) -> anyhow::Result<()> {
    let data = std::fs::read(path).with_context(|| format!("cannot read {path}"))?;
    match cachefront_dockerfile::parse::parse(&data) {
        Ok(ast) => {
            output!("{}", cachefront_dockerfile::parse::dump(&ast));
            Ok(())
        }
        Err(error) => {
            let rendered = cachefront_dockerfile::render_error(path, &data, &error.into());
            anyhow::bail!("{rendered}")
        }
    }
}

/// `cachefront explain <Dockerfile>`: the cache mounts each RUN would get. Base images are taken
/// as plain Linux images with only a default `PATH` (no registry is asked).
pub fn print_explain(path: &str) -> anyhow::Result<()> {
    let converted = lower_offline(path)?;
    if converted.injections.is_empty() {
        outputln!("no cache mounts to add");
    }
    for injection in &converted.injections {
        outputln!(
            "{path}:{} {}\n{}",
            injection.line,
            injection.step,
            injection.text
        );
    }
    Ok(())
}

/// `cachefront debug llb <Dockerfile>`: the LLB and image config cachefront would solve, with base
/// images resolved offline.
pub fn print_llb(path: &str) -> anyhow::Result<()> {
    let converted = lower_offline(path)?;
    output!(
        "{}",
        cachefront_llb::dump(&cachefront_llb::marshal(&converted.state))
    );
    outputln!("{}", serde_json::to_string_pretty(&converted.image)?);
    Ok(())
}

/// `cachefront debug timings <Dockerfile>`: how long parsing, lowering (with the cache pass) and
/// marshalling take, best of several runs, in milliseconds. Base images are resolved offline.
pub fn print_timings(path: &str) -> anyhow::Result<()> {
    let data = std::fs::read(path).with_context(|| format!("cannot read {path}"))?;
    let platform = Platform::parse("linux/amd64").context("default platform")?;
    let options = ConvertOptions::for_platform(platform);
    let source = Arc::new(SourceFile {
        filename: path.to_owned(),
        data: data.clone(),
        language: "Dockerfile".to_owned(),
    });
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let mut best = [f64::MAX; 3];
    let mut counts = (0, 0);
    for _ in 0..5 {
        let started = std::time::Instant::now();
        let (ast, dockerfile) = cachefront_dockerfile::parse_and_type(&data).map_err(|error| {
            anyhow::anyhow!(
                "{}",
                cachefront_dockerfile::render_error(path, &data, &error)
            )
        })?;
        let parsed = started.elapsed();
        let converted = runtime
            .block_on(convert(
                &dockerfile,
                Arc::clone(&source),
                ast.directives.escape,
                &options,
                &mut offline_resolver(),
            ))
            .map_err(|error| anyhow::anyhow!("{error}"))?;
        let lowered = started.elapsed();
        let definition = cachefront_llb::marshal(&converted.state);
        let marshalled = started.elapsed();
        counts = (ast.nodes.len(), definition.def.len());
        let seconds = [
            parsed.as_secs_f64(),
            (lowered - parsed).as_secs_f64(),
            (marshalled - lowered).as_secs_f64(),
        ];
        for (slot, value) in best.iter_mut().zip(seconds) {
            *slot = slot.min(value);
        }
    }
    outputln!("instructions {}\nops {}", counts.0, counts.1);
    outputln!(
        "parse_ms {:.3}\nlower_ms {:.3}\nmarshal_ms {:.3}",
        best[0] * 1e3,
        best[1] * 1e3,
        best[2] * 1e3
    );
    Ok(())
}

/// Reads, parses and lowers a Dockerfile for linux/amd64 with base images resolved offline.
fn lower_offline(path: &str) -> anyhow::Result<cachefront_convert::Converted> {
    let data = std::fs::read(path).with_context(|| format!("cannot read {path}"))?;
    let (ast, dockerfile) = cachefront_dockerfile::parse_and_type(&data).map_err(|error| {
        anyhow::anyhow!(
            "{}",
            cachefront_dockerfile::render_error(path, &data, &error)
        )
    })?;
    let mut options =
        ConvertOptions::for_platform(Platform::parse("linux/amd64").context("default platform")?);
    // Plan as a build with `# syntax=<cachefront's image>` would, shipped tools included.
    options.tool_image = Some("cachefront".to_owned());
    let source = Arc::new(SourceFile {
        filename: path.to_owned(),
        data,
        language: "Dockerfile".to_owned(),
    });
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    runtime
        .block_on(convert(
            &dockerfile,
            source,
            ast.directives.escape,
            &options,
            &mut offline_resolver(),
        ))
        .map_err(|error| anyhow::anyhow!("{error}"))
}

/// Answers every image with an empty Linux config (one layer) and no files.
fn offline_resolver() -> StaticResolver {
    StaticResolver {
        diff_id: format!("sha256:{}", "0".repeat(64)),
        ..StaticResolver::default()
    }
}
