//! Golden tests of lowering: each `tests/fixtures/lowering/<case>/Dockerfile` is lowered with base
//! images resolved from a fixed config, and the LLB dump plus the image config are snapshotted.

use std::sync::Arc;

use cachefront_convert::{convert, ConvertError, ConvertOptions, ResolvedImage, Resolver};
use cachefront_llb::{Platform, SourceFile, State};

/// Answers every image with a Debian-like config (one layer, PATH set), and no files.
struct FixedResolver;

impl Resolver for FixedResolver {
    async fn resolve_image_config(
        &mut self,
        _reference: &str,
        platform: &Platform,
    ) -> Result<ResolvedImage, ConvertError> {
        let config = serde_json::json!({
            "architecture": platform.architecture,
            "os": platform.os,
            "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["bash"]},
            "rootfs": {"type": "layers", "diff_ids": ["sha256:1111111111111111111111111111111111111111111111111111111111111111"]},
            "history": [{"created_by": "debootstrap", "comment": "base"}],
        });
        Ok(ResolvedImage {
            digest: String::new(),
            config: serde_json::to_vec(&config)
                .map_err(|error| ConvertError::new(error.to_string()))?,
        })
    }

    async fn read_file(&mut self, _state: &State, path: &str) -> Option<Vec<u8>> {
        (path == "/etc/os-release").then(|| b"ID=debian\nVERSION_ID=\"12\"\n".to_vec())
    }
}

/// The snapshot text of one fixture: the LLB dump and the image config, or the lowering error.
fn lower(path: &std::path::Path) -> Result<String, Box<dyn std::error::Error>> {
    let data = std::fs::read(path)?;
    let (ast, dockerfile) = cachefront_dockerfile::parse_and_type(&data)?;
    let platform = Platform::parse("linux/amd64").ok_or("linux/amd64 does not parse")?;
    let mut options = ConvertOptions::for_platform(platform);
    options.session_id = "session".to_owned();
    let source = Arc::new(SourceFile {
        filename: "Dockerfile".to_owned(),
        data: data.clone(),
        language: "Dockerfile".to_owned(),
    });
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    Ok(
        match runtime.block_on(convert(
            &dockerfile,
            source,
            ast.directives.escape,
            &options,
            &mut FixedResolver,
        )) {
            Ok(converted) => format!(
                "{}\n{}\n",
                cachefront_llb::dump(&cachefront_llb::marshal(&converted.state)),
                serde_json::to_string_pretty(&converted.image)?
            ),
            Err(error) => format!("error at {:?}: {}\n", error.span, error.message),
        },
    )
}

#[test]
fn lowering_fixtures() {
    insta::glob!("../../../tests/fixtures/lowering", "*/Dockerfile", |path| {
        let text = lower(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        insta::assert_snapshot!(text);
    });
}
