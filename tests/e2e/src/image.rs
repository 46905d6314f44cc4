//! Snapshot of a built image: input = a `docker save` archive (one image), output =
//! `ImageSnapshot` (flattened file tree, compared config fields, history). Invariants: layers are
//! applied in manifest order with whiteouts honoured; nothing time-dependent (mtimes, `created`)
//! is kept; layer blobs named by content digest are parsed once per process and then reused.
//! The same assembly (`snapshot_from_members`) serves the per-platform images of OCI layouts.
//!
//! Why `docker save` and not `docker create` + `docker export`: `save` yields exactly the image's
//! layers and config blob, works for images without Cmd/Entrypoint (scratch images cannot be
//! `docker create`d) and adds nothing, while `export` flattens a container's rootfs that the
//! runtime has touched (/.dockerenv, /etc/hosts, /etc/hostname, /etc/resolv.conf, /dev, /proc,
//! /sys mount points) and carries no config or history.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;

use crate::config::{parse_image_config, ConfigSnapshot, HistoryEntry};
use crate::layers::LayerChanges;
use crate::tree::{normalize_path, parent_path, FileTree};

/// Everything the differential check compares about one image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageSnapshot {
    pub files: FileTree,
    pub config: ConfigSnapshot,
    pub history: Vec<HistoryEntry>,
}

/// One image of `manifest.json` in a `docker save` archive.
#[derive(Debug, Deserialize)]
struct SavedManifest {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
}

/// Where a member of the outer archive is: its data, or a symlink to another member.
#[derive(Debug, Clone)]
pub(crate) enum Member {
    Data { offset: u64, size: u64 },
    Symlink { target: String },
}

const MAX_SYMLINK_HOPS: usize = 8;

impl ImageSnapshot {
    /// Reads a `docker save` archive file holding exactly one image.
    pub fn from_saved_archive_file(path: &Path) -> Result<ImageSnapshot> {
        let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
        ImageSnapshot::from_saved_archive(BufReader::new(file))
            .with_context(|| format!("reading image archive {}", path.display()))
    }

    /// Reads a `docker save` archive holding exactly one image.
    pub fn from_saved_archive<R: Read + Seek>(mut archive: R) -> Result<ImageSnapshot> {
        let members = index_members(&mut archive)?;
        let manifest_bytes = read_member(&mut archive, &members, "manifest.json")?;
        let manifests: Vec<SavedManifest> =
            serde_json::from_slice(&manifest_bytes).context("parsing manifest.json")?;
        let [manifest] = manifests.as_slice() else {
            bail!(
                "expected one image in the archive, found {}",
                manifests.len()
            );
        };
        snapshot_from_members(&mut archive, &members, &manifest.config, &manifest.layers)
    }
}

/// Assembles the snapshot of one image whose config and layers (in order) are members of the
/// archive: shared by `docker save` archives and OCI layouts (`oci_layout`).
pub(crate) fn snapshot_from_members<R: Read + Seek>(
    archive: &mut R,
    members: &HashMap<String, Member>,
    config_path: &str,
    layer_paths: &[String],
) -> Result<ImageSnapshot> {
    let config_blob = read_member(archive, members, config_path)?;
    let (config, history) = parse_image_config(&config_blob)?;
    let mut files = FileTree::new();
    for layer_path in layer_paths {
        let changes = layer_changes(archive, members, layer_path)?;
        changes
            .apply_to(&mut files)
            .with_context(|| format!("applying layer {layer_path}"))?;
    }
    Ok(ImageSnapshot {
        files,
        config,
        history,
    })
}

/// Lists the members of the outer archive with the position of their data.
pub(crate) fn index_members<R: Read + Seek>(archive: &mut R) -> Result<HashMap<String, Member>> {
    archive.seek(SeekFrom::Start(0))?;
    let mut members = HashMap::new();
    let mut outer = tar::Archive::new(&mut *archive);
    for member in outer.entries().context("reading image archive")? {
        let member = member.context("reading image archive member")?;
        let path = normalize_path(&member.path()?.to_string_lossy())?;
        let entry = match member.header().entry_type() {
            tar::EntryType::Symlink | tar::EntryType::Link => {
                let target = member
                    .link_name()?
                    .with_context(|| format!("archive link {path} has no target"))?
                    .to_string_lossy()
                    .into_owned();
                Member::Symlink { target }
            }
            _ => Member::Data {
                offset: member.raw_file_position(),
                size: member.size(),
            },
        };
        members.insert(path, entry);
    }
    Ok(members)
}

/// Finds the data of `name`, following symlinks between members (legacy `docker save` layout).
fn locate(members: &HashMap<String, Member>, name: &str) -> Result<(u64, u64)> {
    let mut path = normalize_path(name)?;
    for _ in 0..MAX_SYMLINK_HOPS {
        match members.get(&path) {
            Some(Member::Data { offset, size }) => return Ok((*offset, *size)),
            Some(Member::Symlink { target }) => {
                path = if target.starts_with('/') {
                    normalize_path(target)?
                } else {
                    resolve_relative(parent_path(&path), target)?
                };
            }
            None => bail!("image archive has no member {name:?}"),
        }
    }
    bail!("image archive member {name:?} is a symlink loop")
}

/// Resolves a relative symlink target (which may use "..") against a normalized directory.
fn resolve_relative(directory: &str, target: &str) -> Result<String> {
    let mut components: Vec<&str> = directory
        .split('/')
        .filter(|part| !part.is_empty())
        .collect();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if components.pop().is_none() {
                    bail!("archive symlink target {target:?} leaves the archive");
                }
            }
            name => components.push(name),
        }
    }
    Ok(format!("/{}", components.join("/")))
}

fn member_reader<'a, R: Read + Seek>(
    archive: &'a mut R,
    members: &HashMap<String, Member>,
    name: &str,
) -> Result<std::io::Take<&'a mut R>> {
    let (offset, size) = locate(members, name)?;
    archive.seek(SeekFrom::Start(offset))?;
    Ok(archive.take(size))
}

pub(crate) fn read_member<R: Read + Seek>(
    archive: &mut R,
    members: &HashMap<String, Member>,
    name: &str,
) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    member_reader(archive, members, name)?
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading archive member {name}"))?;
    Ok(bytes)
}

/// A layer parsed once; threads asking for the same digest wait for the first parse.
type CachedLayer = Arc<OnceLock<Result<Arc<LayerChanges>, String>>>;
type LayerCache = Mutex<HashMap<String, CachedLayer>>;

/// Process-wide cache of parsed layers, keyed by blob digest: every test image shares the base
/// image's layers, which are large.
fn layer_cache() -> &'static LayerCache {
    static CACHE: OnceLock<LayerCache> = OnceLock::new();
    CACHE.get_or_init(LayerCache::default)
}

/// The digest in a content-addressed blob path (`blobs/sha256/<hex>`), if it is one.
fn content_digest(layer_path: &str) -> Option<String> {
    let hex = layer_path.strip_prefix("blobs/sha256/")?;
    let is_digest = hex.len() == 64 && hex.bytes().all(|byte| byte.is_ascii_hexdigit());
    is_digest.then(|| format!("sha256:{hex}"))
}

fn parse_layer<R: Read + Seek>(
    archive: &mut R,
    members: &HashMap<String, Member>,
    layer_path: &str,
) -> Result<Arc<LayerChanges>> {
    let reader = member_reader(archive, members, layer_path)?;
    let changes =
        LayerChanges::read(reader).with_context(|| format!("reading layer {layer_path}"))?;
    Ok(Arc::new(changes))
}

fn layer_changes<R: Read + Seek>(
    archive: &mut R,
    members: &HashMap<String, Member>,
    layer_path: &str,
) -> Result<Arc<LayerChanges>> {
    let Some(digest) = content_digest(layer_path) else {
        return parse_layer(archive, members, layer_path);
    };
    let slot: CachedLayer = {
        let mut cache = layer_cache()
            .lock()
            .map_err(|_| anyhow!("layer cache poisoned"))?;
        Arc::clone(cache.entry(digest.clone()).or_default())
    };
    let parsed = slot.get_or_init(|| {
        parse_layer(archive, members, layer_path).map_err(|error| format!("{error:#}"))
    });
    match parsed {
        Ok(changes) => Ok(Arc::clone(changes)),
        Err(message) => {
            // Do not keep the failure: the next archive may hold an intact copy.
            if let Ok(mut cache) = layer_cache().lock() {
                cache.remove(&digest);
            }
            Err(anyhow!("{message}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use serde_json::json;

    use super::*;
    use crate::test_tar::{gzip, saved_image, LayerBuilder};
    use crate::tree::FileEntry;

    #[test]
    fn reads_saved_archive_with_plain_and_gzip_layers() {
        let config = json!({
            "os": "linux",
            "config": {"Env": ["A=1"]},
            "history": [{"created_by": "ADD base"}, {"created_by": "RUN x"}]
        });
        let base = LayerBuilder::new()
            .directory("etc/", 0o755, 0, 0)
            .file("etc/gone", 0o644, 0, 0, b"gone")
            .finish();
        let upper = LayerBuilder::new()
            .file("etc/.wh.gone", 0o644, 0, 0, b"")
            .file("etc/new", 0o600, 5, 6, b"new")
            .finish();
        let archive = saved_image(&config, &[base, gzip(&upper)]);
        let snapshot = ImageSnapshot::from_saved_archive(Cursor::new(archive));
        let Ok(snapshot) = snapshot else {
            panic!("{snapshot:?}");
        };
        let paths: Vec<&String> = snapshot.files.entries().keys().collect();
        assert_eq!(paths, ["/etc", "/etc/new"]);
        assert_eq!(
            snapshot.files.get("/etc/new"),
            Some(&FileEntry::file(0o600, 5, 6, b"new"))
        );
        assert_eq!(snapshot.config.fields.get("Env"), Some(&json!(["A=1"])));
        assert_eq!(snapshot.history.len(), 2);
    }

    #[test]
    fn follows_symlinked_layers_of_the_legacy_layout() {
        let layer = LayerBuilder::new().file("x", 0o644, 0, 0, b"x").finish();
        let manifest = json!([{"Config": "c.json", "Layers": ["b/layer.tar"]}]);
        let archive = LayerBuilder::new()
            .file(
                "manifest.json",
                0o644,
                0,
                0,
                manifest.to_string().as_bytes(),
            )
            .file("c.json", 0o644, 0, 0, b"{}")
            .file("a/layer.tar", 0o644, 0, 0, &layer)
            .symlink("b/layer.tar", "../a/layer.tar")
            .finish();
        let snapshot = ImageSnapshot::from_saved_archive(Cursor::new(archive));
        assert_eq!(snapshot.ok().map(|image| image.files.len()), Some(1));
    }

    #[test]
    fn missing_members_and_bad_manifests_are_errors() {
        let no_manifest = LayerBuilder::new().file("x", 0o644, 0, 0, b"x").finish();
        assert!(ImageSnapshot::from_saved_archive(Cursor::new(no_manifest)).is_err());
        let two_images = LayerBuilder::new()
            .file(
                "manifest.json",
                0o644,
                0,
                0,
                br#"[{"Config":"c"},{"Config":"c"}]"#,
            )
            .finish();
        assert!(ImageSnapshot::from_saved_archive(Cursor::new(two_images)).is_err());
        let loop_archive = LayerBuilder::new()
            .file("manifest.json", 0o644, 0, 0, br#"[{"Config":"a"}]"#)
            .symlink("a", "b")
            .symlink("b", "a")
            .finish();
        assert!(ImageSnapshot::from_saved_archive(Cursor::new(loop_archive)).is_err());
    }

    #[test]
    fn recognizes_content_addressed_blob_paths() {
        let hex = "a".repeat(64);
        assert_eq!(
            content_digest(&format!("blobs/sha256/{hex}")),
            Some(format!("sha256:{hex}"))
        );
        assert_eq!(content_digest("abc/layer.tar"), None);
    }
}
