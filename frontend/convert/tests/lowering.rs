//! Golden tests of lowering: each `tests/fixtures/lowering/<case>/Dockerfile` is lowered with base
//! images resolved from a fixed config, and the LLB dump plus the image config are snapshotted.

use std::sync::Arc;

use cachefront_convert::{convert, ConvertOptions, StaticResolver};
use cachefront_llb::{Platform, SourceFile};

/// Answers every image with a Debian-like config (one layer, PATH set, history), and
/// `/etc/os-release` of Debian 12.
fn fixed_resolver() -> StaticResolver {
    StaticResolver {
        runtime_config: serde_json::json!({
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": ["bash"],
        }),
        history: Some(serde_json::json!([{"created_by": "debootstrap", "comment": "base"}])),
        diff_id: format!("sha256:{}", "1".repeat(64)),
        files: [(
            "/etc/os-release".to_owned(),
            b"ID=debian\nVERSION_ID=\"12\"\n".to_vec(),
        )]
        .into(),
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
            &mut fixed_resolver(),
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
