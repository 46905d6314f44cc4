//! Reads an OCI image layout archive (what `--output type=oci,dest=<tar>` writes): input = the
//! tar, output = one `ImageSnapshot` per platform, keyed `os/architecture[/variant]`.
//! Invariants: indexes are followed from `index.json` down to the image manifests (nested at most
//! `MAX_INDEX_DEPTH` deep); attestation manifests are skipped; a platform present twice, a missing
//! blob, a digest that is not `sha256:<64 hex>` or an unknown media type is an error; images are
//! assembled exactly as `docker save` archives are (`image::snapshot_from_members`), so the
//! differential comparison applies unchanged.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use serde_json::Value;

use crate::image::{index_members, read_member, snapshot_from_members, ImageSnapshot, Member};

const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// The annotation BuildKit puts on the manifests of provenance and SBOM attestations.
const REFERENCE_TYPE_ANNOTATION: &str = "vnd.docker.reference.type";
const ATTESTATION_MANIFEST: &str = "attestation-manifest";
const MAX_INDEX_DEPTH: usize = 4;

/// A content descriptor: what a blob is and where it is.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    #[serde(default)]
    media_type: String,
    digest: String,
    #[serde(default)]
    platform: Option<PlatformDescriptor>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
struct PlatformDescriptor {
    os: String,
    architecture: String,
    #[serde(default)]
    variant: Option<String>,
}

/// `index.json` and image indexes (manifest lists).
#[derive(Debug, Deserialize)]
struct ImageIndex {
    #[serde(default)]
    manifests: Vec<Descriptor>,
}

/// One image manifest: its config and layers.
#[derive(Debug, Deserialize)]
struct ImageManifest {
    config: Descriptor,
    #[serde(default)]
    layers: Vec<Descriptor>,
}

/// Reads an OCI layout tar file into one snapshot per platform.
pub fn read_oci_archive_file(path: &Path) -> Result<BTreeMap<String, ImageSnapshot>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    read_oci_archive(BufReader::new(file))
        .with_context(|| format!("reading OCI layout {}", path.display()))
}

/// Reads an OCI layout tar into one snapshot per platform.
pub fn read_oci_archive<R: Read + Seek>(mut archive: R) -> Result<BTreeMap<String, ImageSnapshot>> {
    let members = index_members(&mut archive)?;
    let index_bytes = read_member(&mut archive, &members, "index.json")?;
    let index: ImageIndex = serde_json::from_slice(&index_bytes).context("parsing index.json")?;
    let mut reader = LayoutReader {
        archive: &mut archive,
        members: &members,
        images: BTreeMap::new(),
    };
    reader.visit_index(&index, 0)?;
    if reader.images.is_empty() {
        bail!("the OCI layout holds no image manifest");
    }
    Ok(reader.images)
}

/// Walks the indexes of one archive, collecting the images it finds.
struct LayoutReader<'a, R> {
    archive: &'a mut R,
    members: &'a HashMap<String, Member>,
    images: BTreeMap<String, ImageSnapshot>,
}

impl<R: Read + Seek> LayoutReader<'_, R> {
    fn visit_index(&mut self, index: &ImageIndex, depth: usize) -> Result<()> {
        if depth > MAX_INDEX_DEPTH {
            bail!("image indexes nest deeper than {MAX_INDEX_DEPTH}");
        }
        for descriptor in &index.manifests {
            match descriptor.media_type.as_str() {
                OCI_INDEX | DOCKER_MANIFEST_LIST => {
                    let bytes = self.blob(&descriptor.digest)?;
                    let nested: ImageIndex = serde_json::from_slice(&bytes)
                        .with_context(|| format!("parsing image index {}", descriptor.digest))?;
                    self.visit_index(&nested, depth + 1)?;
                }
                OCI_MANIFEST | DOCKER_MANIFEST => {
                    let is_attestation = descriptor
                        .annotations
                        .get(REFERENCE_TYPE_ANNOTATION)
                        .is_some_and(|kind| kind == ATTESTATION_MANIFEST);
                    if !is_attestation {
                        self.visit_manifest(descriptor)?;
                    }
                }
                other => bail!(
                    "descriptor {} has media type {other:?}, neither an index nor a manifest",
                    descriptor.digest
                ),
            }
        }
        Ok(())
    }

    fn visit_manifest(&mut self, descriptor: &Descriptor) -> Result<()> {
        let bytes = self.blob(&descriptor.digest)?;
        let manifest: ImageManifest = serde_json::from_slice(&bytes)
            .with_context(|| format!("parsing image manifest {}", descriptor.digest))?;
        let config_path = blob_path(&manifest.config.digest)?;
        let layer_paths = manifest
            .layers
            .iter()
            .map(|layer| blob_path(&layer.digest))
            .collect::<Result<Vec<_>>>()?;
        let snapshot =
            snapshot_from_members(self.archive, self.members, &config_path, &layer_paths)
                .with_context(|| format!("reading the image of manifest {}", descriptor.digest))?;
        let platform = match &descriptor.platform {
            Some(platform) => platform_key(
                &platform.os,
                &platform.architecture,
                platform.variant.as_deref(),
            ),
            None => platform_of_config(&snapshot)?,
        };
        if self.images.insert(platform.clone(), snapshot).is_some() {
            bail!("the OCI layout holds two images for platform {platform}");
        }
        Ok(())
    }

    fn blob(&mut self, digest: &str) -> Result<Vec<u8>> {
        read_member(self.archive, self.members, &blob_path(digest)?)
    }
}

/// `sha256:<hex>` to the layout path `blobs/sha256/<hex>`.
fn blob_path(digest: &str) -> Result<String> {
    let Some(hex) = digest.strip_prefix("sha256:") else {
        bail!("digest {digest:?} is not a sha256 digest");
    };
    let is_hex = hex.len() == 64 && hex.bytes().all(|byte| byte.is_ascii_hexdigit());
    if !is_hex {
        bail!("digest {digest:?} does not hold 64 hex digits");
    }
    Ok(format!("blobs/sha256/{hex}"))
}

/// `linux/386`, `linux/arm/v7`: the platform as `--platform` spells it.
fn platform_key(os: &str, architecture: &str, variant: Option<&str>) -> String {
    match variant.filter(|variant| !variant.is_empty()) {
        Some(variant) => format!("{os}/{architecture}/{variant}"),
        None => format!("{os}/{architecture}"),
    }
}

/// The platform an image config names, for a manifest whose descriptor names none.
fn platform_of_config(snapshot: &ImageSnapshot) -> Result<String> {
    let field =
        |name: &str| -> Option<&str> { snapshot.config.fields.get(name).and_then(Value::as_str) };
    match (field("os"), field("architecture")) {
        (Some(os), Some(architecture)) => Ok(platform_key(os, architecture, field("variant"))),
        _ => bail!("an image config names no os and architecture"),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use serde_json::json;
    use sha2::{Digest, Sha256};

    use super::*;
    use crate::test_tar::{gzip, LayerBuilder};
    use crate::tree::FileEntry;

    /// Builds an OCI layout tar: blobs are added by content, `index.json` last.
    struct LayoutBuilder {
        blobs: Vec<(String, Vec<u8>)>,
    }

    impl LayoutBuilder {
        fn new() -> LayoutBuilder {
            LayoutBuilder { blobs: Vec::new() }
        }

        /// Adds a blob and returns its digest.
        fn blob(&mut self, content: Vec<u8>) -> String {
            let digest = format!("sha256:{}", hex::encode(Sha256::digest(&content)));
            self.blobs.push((digest.clone(), content));
            digest
        }

        fn json_blob(&mut self, value: &Value) -> String {
            self.blob(value.to_string().into_bytes())
        }

        /// Adds a config and a manifest of the given layers; returns the manifest's digest.
        fn image(&mut self, architecture: &str, layers: Vec<Vec<u8>>) -> String {
            let config = self.json_blob(&json!({
                "os": "linux",
                "architecture": architecture,
                "config": {"Env": [format!("ARCH={architecture}")]},
                "history": [{"created_by": "COPY x /"}]
            }));
            let layer_descriptors: Vec<Value> = layers
                .into_iter()
                .map(|layer| {
                    let digest = self.blob(layer);
                    json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest})
                })
                .collect();
            self.json_blob(&json!({
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config},
                "layers": layer_descriptors
            }))
        }

        fn finish(self, index: &Value) -> Vec<u8> {
            let mut archive = LayerBuilder::new().file(
                "oci-layout",
                0o444,
                0,
                0,
                br#"{"imageLayoutVersion":"1.0.0"}"#,
            );
            for (digest, content) in &self.blobs {
                let hex = digest.trim_start_matches("sha256:");
                archive = archive.file(&format!("blobs/sha256/{hex}"), 0o444, 0, 0, content);
            }
            archive
                .file("index.json", 0o444, 0, 0, index.to_string().as_bytes())
                .finish()
        }
    }

    fn layer(name: &str, content: &[u8]) -> Vec<u8> {
        gzip(
            &LayerBuilder::new()
                .file(name, 0o644, 0, 0, content)
                .finish(),
        )
    }

    #[test]
    fn reads_every_platform_of_a_nested_index_and_skips_attestations() {
        let mut layout = LayoutBuilder::new();
        let amd64 = layout.image("amd64", vec![layer("arch", b"amd64")]);
        let i386 = layout.image("386", vec![layer("arch", b"386")]);
        let attestation = layout.json_blob(&json!({"config": {"digest": "sha256:0"}}));
        let platform_index = layout.json_blob(&json!({
            "schemaVersion": 2,
            "manifests": [
                {"mediaType": OCI_MANIFEST, "digest": amd64, "platform": {"os": "linux", "architecture": "amd64"}},
                {"mediaType": OCI_MANIFEST, "digest": i386, "platform": {"os": "linux", "architecture": "386"}},
                {"mediaType": OCI_MANIFEST, "digest": attestation,
                 "platform": {"os": "unknown", "architecture": "unknown"},
                 "annotations": {REFERENCE_TYPE_ANNOTATION: ATTESTATION_MANIFEST}}
            ]
        }));
        let archive = layout.finish(&json!({
            "schemaVersion": 2,
            "manifests": [{"mediaType": OCI_INDEX, "digest": platform_index}]
        }));
        let images = read_oci_archive(Cursor::new(archive));
        let Ok(images) = images else {
            panic!("{images:?}");
        };
        let platforms: Vec<&String> = images.keys().collect();
        assert_eq!(platforms, ["linux/386", "linux/amd64"]);
        assert_eq!(
            images["linux/386"].files.get("/arch"),
            Some(&FileEntry::file(0o644, 0, 0, b"386"))
        );
        assert_eq!(
            images["linux/amd64"].config.fields.get("Env"),
            Some(&json!(["ARCH=amd64"]))
        );
        assert_eq!(images["linux/amd64"].history.len(), 1);
    }

    #[test]
    fn a_manifest_without_platform_is_keyed_by_its_config() {
        let mut layout = LayoutBuilder::new();
        let manifest = layout.image("arm64", vec![layer("x", b"x")]);
        let archive = layout.finish(&json!({
            "schemaVersion": 2,
            "manifests": [{"mediaType": OCI_MANIFEST, "digest": manifest}]
        }));
        let images = read_oci_archive(Cursor::new(archive));
        let platforms: Option<Vec<String>> = images.ok().map(|images| images.into_keys().collect());
        assert_eq!(platforms, Some(vec!["linux/arm64".to_string()]));
    }

    #[test]
    fn duplicate_platforms_missing_blobs_and_unknown_types_are_errors() {
        let mut layout = LayoutBuilder::new();
        let first = layout.image("amd64", vec![layer("a", b"1")]);
        let second = layout.image("amd64", vec![layer("a", b"2")]);
        let duplicate = layout.finish(&json!({"manifests": [
            {"mediaType": OCI_MANIFEST, "digest": first},
            {"mediaType": OCI_MANIFEST, "digest": second}
        ]}));
        let error = read_oci_archive(Cursor::new(duplicate)).err();
        assert!(error.is_some_and(
            |error| format!("{error:#}").contains("two images for platform linux/amd64")
        ));

        let missing = LayoutBuilder::new().finish(&json!({"manifests": [
            {"mediaType": OCI_MANIFEST, "digest": format!("sha256:{}", "a".repeat(64))}
        ]}));
        assert!(read_oci_archive(Cursor::new(missing)).is_err());

        let unknown = LayoutBuilder::new().finish(&json!({"manifests": [
            {"mediaType": "text/plain", "digest": format!("sha256:{}", "a".repeat(64))}
        ]}));
        assert!(read_oci_archive(Cursor::new(unknown)).is_err());

        let empty = LayoutBuilder::new().finish(&json!({"manifests": []}));
        assert!(read_oci_archive(Cursor::new(empty)).is_err());
    }

    #[test]
    fn blob_paths_need_sha256_digests() {
        let hex = "0123456789abcdef".repeat(4);
        assert_eq!(
            blob_path(&format!("sha256:{hex}")).ok(),
            Some(format!("blobs/sha256/{hex}"))
        );
        assert!(blob_path("sha512:00").is_err());
        assert!(blob_path("sha256:../../etc/passwd").is_err());
    }
}
