//! LLB caps of a lowered Dockerfile, in: a Dockerfile with cache mounts, a secret, `COPY --link`
//! and `COPY --parents`; out: the caps each op's metadata declares (by its progress name).
//! Invariant: every op names the caps its features need, and none that BuildKit v0.13 (Docker 26)
//! lacks: `--link` lowers to a plain copy, as stock does where `mergeop` is disabled, and
//! `--parents` sends its required paths without their cap (an old daemon ignores them, as it
//! does under the newest upstream frontend); only a git source's checksum, submodule and
//! fetch-by-commit options declare their newer caps, as upstream does.

use std::collections::BTreeSet;
use std::sync::Arc;

use cachefront_convert::{convert, ConvertOptions, StaticResolver};
use cachefront_llb::{Platform, SourceFile};
use cachefront_proto::pb;

/// Answers every image with a Debian-like config, and `/etc/os-release` of Debian 12.
fn fixed_resolver() -> StaticResolver {
    StaticResolver {
        runtime_config: serde_json::json!({
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        }),
        history: None,
        diff_id: format!("sha256:{}", "1".repeat(64)),
        files: [(
            "/etc/os-release".to_owned(),
            b"ID=debian\nVERSION_ID=\"12\"\n".to_vec(),
        )]
        .into(),
    }
}

fn lower(dockerfile: &str) -> Result<pb::Definition, String> {
    let data = dockerfile.as_bytes().to_vec();
    let (ast, typed) =
        cachefront_dockerfile::parse_and_type(&data).map_err(|error| error.to_string())?;
    let platform = Platform::parse("linux/amd64").ok_or("platform")?;
    let mut options = ConvertOptions::for_platform(platform);
    options.session_id = "session".to_owned();
    let source = Arc::new(SourceFile {
        filename: "Dockerfile".to_owned(),
        data,
        language: "Dockerfile".to_owned(),
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|error| error.to_string())?;
    let converted = runtime
        .block_on(convert(
            &typed,
            source,
            ast.directives.escape,
            &options,
            &mut fixed_resolver(),
        ))
        .map_err(|error| error.message)?;
    Ok(cachefront_llb::marshal(&converted.state))
}

/// The caps of the op whose progress name starts with `name`.
fn caps_of(definition: &pb::Definition, name: &str) -> BTreeSet<String> {
    let matching: Vec<&pb::OpMetadata> = definition
        .metadata
        .values()
        .filter(|metadata| {
            metadata
                .description
                .get("llb.customname")
                .is_some_and(|custom| custom.contains(name))
        })
        .collect();
    assert_eq!(matching.len(), 1, "one op named {name}");
    matching
        .into_iter()
        .flat_map(|metadata| metadata.caps.keys().cloned())
        .collect()
}

fn set(caps: &[&str]) -> BTreeSet<String> {
    caps.iter().map(|cap| (*cap).to_owned()).collect()
}

const DOCKERFILE: &str = "\
FROM debian:bookworm
RUN --mount=type=cache,target=/var/cache/build,sharing=locked make
RUN --mount=type=secret,id=token,required=true cat /run/secrets/token
RUN --network=none --mount=type=tmpfs,target=/scratch true
COPY --link app.txt /app/
";

#[test]
fn lowered_ops_declare_their_caps() {
    let definition = lower(DOCKERFILE).unwrap();
    let exec = [
        "exec.meta.base",
        "exec.meta.setsdefaultpath",
        "exec.mount.bind",
    ];
    let cache = [&exec[..], &["exec.mount.cache", "exec.mount.cache.sharing"]].concat();
    assert_eq!(caps_of(&definition, "RUN --mount=type=cache"), set(&cache));
    let secret = [&exec[..], &["exec.mount.secret"]].concat();
    assert_eq!(
        caps_of(&definition, "RUN --mount=type=secret"),
        set(&secret)
    );
    let offline = [&exec[..], &["exec.meta.network", "exec.mount.tmpfs"]].concat();
    assert_eq!(caps_of(&definition, "RUN --network=none"), set(&offline));
    assert_eq!(caps_of(&definition, "COPY --link"), set(&["file.base"]));
    let image = caps_of(&definition, "FROM docker.io/library/debian:bookworm");
    assert_eq!(image, set(&["source.image"]));
    let context = caps_of(&definition, "load build context");
    assert!(
        context.is_superset(&set(&[
            "source.local",
            "source.local.sessionid",
            "source.local.sharedkeyhint"
        ])),
        "{context:?}"
    );
}

#[test]
fn link_needs_no_merge_op_and_the_result_declares_the_definition_caps() {
    let definition = lower(DOCKERFILE).unwrap();
    let all: BTreeSet<&String> = definition
        .metadata
        .values()
        .flat_map(|metadata| metadata.caps.keys())
        .collect();
    assert!(!all.iter().any(|cap| *cap == "mergeop" || *cap == "diffop"));
    let terminal = cachefront_llb::digest_of(definition.def.last().unwrap());
    let terminal_caps: BTreeSet<String> = definition.metadata[&terminal]
        .caps
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        terminal_caps,
        set(&["constraints", "meta.description", "platform"])
    );
    assert!(definition
        .metadata
        .values()
        .all(|metadata| !metadata.caps.is_empty()));
}

#[test]
fn parents_declares_no_newer_cap() {
    let definition = lower("FROM debian:bookworm\nCOPY --parents ./a/./b.txt /out/\n").unwrap();
    assert_eq!(
        caps_of(&definition, "COPY --parents"),
        set(&["file.base", "file.copy.includeexcludepatterns"])
    );
}

#[test]
fn git_checksum_and_submodules_declare_their_caps() {
    let checksum = "a".repeat(40);
    let dockerfile = format!(
        "FROM debian:bookworm\nADD --checksum={checksum} https://h/r.git?submodules=false /src\n"
    );
    let definition = lower(&dockerfile).unwrap();
    let git: Vec<BTreeSet<String>> = definition
        .metadata
        .values()
        .map(|metadata| metadata.caps.keys().cloned().collect::<BTreeSet<String>>())
        .filter(|caps| caps.contains("source.git"))
        .collect();
    assert_eq!(
        git,
        vec![set(&[
            "source.git",
            "source.git.checksum",
            "source.git.fullurl",
            "source.git.skipsubmodules"
        ])]
    );
}
