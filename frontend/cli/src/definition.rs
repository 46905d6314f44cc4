//! The build definition, in: the client's `dockerfile` and `context` locals; out: the Dockerfile's
//! bytes and the `.dockerignore` patterns (`<Dockerfile>.dockerignore` first, as upstream).
//! Invariant: the context's `.dockerignore` is loaded while the Dockerfile is (two round trips to
//! the client at once instead of one after the other); its answer, and any error loading it, is
//! used only when there is no `<Dockerfile>.dockerignore`, as upstream reads it only then.

use cachefront_gateway::{FrontendOptions, Gateway, GatewayError, Reference, SolveOptions};
use cachefront_llb::{marshal, OpMetadata, OpOptions, Source};
use cachefront_proto::pb;

use crate::failure::DockerfileSource;

/// Reads the Dockerfile and the ignore patterns for the build context.
pub async fn read_definition(
    gateway: &Gateway,
    options: &FrontendOptions,
) -> Result<(DockerfileSource, Vec<String>), GatewayError> {
    let filename = options.filename.clone();
    let ignore_name = format!("{filename}.dockerignore");
    let (dockerfile, context_ignore) = tokio::join!(
        read_dockerfile(gateway, options, &filename, &ignore_name),
        read_context_dockerignore(gateway, options),
    );
    let (data, dockerfile_ignore, definition) = dockerfile?;
    let ignore = match dockerfile_ignore {
        Some(bytes) => Some(bytes),
        None => context_ignore?,
    };
    let patterns = ignore
        .map(|bytes| parse_dockerignore(&String::from_utf8_lossy(&bytes)))
        .unwrap_or_default();
    let source = DockerfileSource {
        filename,
        data,
        definition,
    };
    Ok((source, patterns))
}

/// The Dockerfile's bytes, `<Dockerfile>.dockerignore`'s when it exists, and the definition
/// that loaded them.
async fn read_dockerfile(
    gateway: &Gateway,
    options: &FrontendOptions,
    filename: &str,
    ignore_name: &str,
) -> Result<(Vec<u8>, Option<Vec<u8>>, pb::Definition), GatewayError> {
    let follow = serde_json::to_string(&[filename, ignore_name]).unwrap_or_default();
    let (dockerfile, definition) = read_local(
        gateway,
        options,
        "dockerfile",
        "dockerfile",
        &follow,
        &format!("[internal] load build definition from {filename}"),
    )
    .await?;
    let (data, ignore) = tokio::join!(
        gateway.read_file(&dockerfile, filename, None),
        gateway.read_file(&dockerfile, ignore_name, None),
    );
    Ok((data?, ignore.ok(), definition))
}

/// The context's `.dockerignore`, if it has one.
async fn read_context_dockerignore(
    gateway: &Gateway,
    options: &FrontendOptions,
) -> Result<Option<Vec<u8>>, GatewayError> {
    let follow = serde_json::to_string(&[".dockerignore"]).unwrap_or_default();
    let (context, _) = read_local(
        gateway,
        options,
        "context",
        "context-dockerignore",
        &follow,
        "[internal] load .dockerignore",
    )
    .await?;
    Ok(gateway
        .read_file(&context, ".dockerignore", None)
        .await
        .ok())
}

async fn read_local(
    gateway: &Gateway,
    options: &FrontendOptions,
    name: &str,
    key_hint: &str,
    follow_paths: &str,
    progress_name: &str,
) -> Result<(Reference, pb::Definition), GatewayError> {
    let state = Source::local(name)
        .with_attribute("local.session", options.session_id.clone())
        .with_attribute("local.sharedkeyhint", key_hint)
        .with_attribute("local.followpaths", follow_paths)
        .with_attribute("local.differ", "none")
        .build(OpOptions {
            metadata: OpMetadata::named(progress_name),
            ..OpOptions::default()
        });
    let definition = marshal(&state);
    let reference = gateway
        .solve(definition.clone(), SolveOptions::default())
        .await?;
    Ok((reference, definition))
}

/// `.dockerignore` lines: comments and blanks dropped, each pattern cleaned, a leading `/` removed,
/// `!` exceptions kept.
pub fn parse_dockerignore(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let (exception, pattern) = match line.strip_prefix('!') {
                Some(rest) => ("!", rest.trim()),
                None => ("", line),
            };
            let cleaned = clean_relative(pattern);
            (!cleaned.is_empty()).then(|| format!("{exception}{cleaned}"))
        })
        .collect()
}

/// Go's `filepath.Clean` of a pattern, without a leading `/` (as BuildKit's dockerignore reader).
fn clean_relative(pattern: &str) -> String {
    let cleaned = cachefront_cache::paths::clean_path(pattern);
    match cleaned.strip_prefix('/') {
        Some(relative) if !relative.is_empty() => relative.to_owned(),
        _ => cleaned,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_dockerignore;

    #[test]
    fn dockerignore_patterns() {
        let text = "# comment\n\n/target\n node_modules/ \n!keep.txt\n./a/../b\n";
        assert_eq!(
            parse_dockerignore(text),
            vec!["target", "node_modules", "!keep.txt", "b"]
        );
    }
}
