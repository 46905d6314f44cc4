//! Reads one image layer and applies it to a `FileTree`: input = a layer blob (plain tar or
//! gzip-compressed tar), output = the layer's changes (`LayerChanges`), applied on top of the
//! lower layers with overlay semantics. Invariants: whiteouts (`.wh.<name>`) and opaque markers
//! (`.wh..wh..opq`) only affect lower layers, never entries of the same layer; hard links are
//! resolved to the content and metadata of their target; other `.wh..wh.*` members are skipped.

use std::io::{self, BufRead, BufReader, Read};

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use tar::EntryType;

use crate::tree::{join_path, normalize_path, parent_path, FileEntry, FileKind, FileTree};

const WHITEOUT_PREFIX: &str = ".wh.";
const OPAQUE_MARKER: &str = ".wh..wh..opq";
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// One addition of a layer, in tar order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Addition {
    Entry(FileEntry),
    /// A hard link to `target` (a normalized path), resolved when the layer is applied.
    HardLink {
        target: String,
    },
}

/// Everything one layer changes, independent of the layers below it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerChanges {
    /// Paths deleted from the lower layers (with everything below them).
    whiteouts: Vec<String>,
    /// Directories whose lower-layer children are all hidden.
    opaque_directories: Vec<String>,
    /// Entries this layer adds or replaces, in tar order.
    additions: Vec<(String, Addition)>,
}

impl LayerChanges {
    /// Reads a layer blob; gzip is detected from its magic bytes, zstd is refused.
    pub fn read(blob: impl Read) -> Result<LayerChanges> {
        let mut buffered = BufReader::new(blob);
        let head = buffered.fill_buf().context("reading layer header")?;
        if head.starts_with(&GZIP_MAGIC) {
            return LayerChanges::read_tar(flate2::read::GzDecoder::new(buffered));
        }
        if head.starts_with(&ZSTD_MAGIC) {
            bail!("zstd-compressed layers are not supported by the e2e harness");
        }
        LayerChanges::read_tar(buffered)
    }

    fn read_tar(tar_stream: impl Read) -> Result<LayerChanges> {
        let mut changes = LayerChanges::default();
        let mut archive = tar::Archive::new(tar_stream);
        for member in archive.entries().context("reading layer tar")? {
            let mut member = member.context("reading layer tar member")?;
            let raw_path = member.path().context("decoding member path")?;
            let path = normalize_path(&raw_path.to_string_lossy())?;
            let name = path.rsplit('/').next().unwrap_or_default().to_string();
            if name == OPAQUE_MARKER {
                changes
                    .opaque_directories
                    .push(parent_path(&path).to_string());
                continue;
            }
            if name.starts_with(&format!("{WHITEOUT_PREFIX}{WHITEOUT_PREFIX}")) {
                continue;
            }
            if let Some(hidden) = name.strip_prefix(WHITEOUT_PREFIX) {
                changes
                    .whiteouts
                    .push(join_path(parent_path(&path), hidden));
                continue;
            }
            if let Some(addition) = read_addition(&mut member, &path)? {
                changes.additions.push((path, addition));
            }
        }
        Ok(changes)
    }

    /// Applies these changes on top of `tree` (the flattened lower layers).
    pub fn apply_to(&self, tree: &mut FileTree) -> Result<()> {
        for directory in &self.opaque_directories {
            tree.remove_below(directory);
        }
        for hidden in &self.whiteouts {
            tree.remove_subtree(hidden);
        }
        for (path, addition) in &self.additions {
            let entry = match addition {
                Addition::Entry(entry) => entry.clone(),
                Addition::HardLink { target } => tree
                    .get(target)
                    .cloned()
                    .with_context(|| format!("hard link {path} points to missing {target}"))?,
            };
            tree.insert(path.clone(), entry);
        }
        Ok(())
    }
}

/// Turns one tar member into an addition; `None` for member types that are not files
/// (global PAX headers and the like).
fn read_addition<R: Read>(member: &mut tar::Entry<'_, R>, path: &str) -> Result<Option<Addition>> {
    let header = member.header().clone();
    let entry_type = header.entry_type();
    let kind = match entry_type {
        EntryType::Regular | EntryType::Continuous => FileKind::File,
        EntryType::Directory => FileKind::Directory,
        EntryType::Symlink => FileKind::Symlink,
        EntryType::Char => FileKind::CharDevice,
        EntryType::Block => FileKind::BlockDevice,
        EntryType::Fifo => FileKind::Fifo,
        EntryType::Link => {
            let target = link_name(member, path)?;
            return Ok(Some(Addition::HardLink {
                target: normalize_path(&target)?,
            }));
        }
        _ => return Ok(None),
    };
    let mode = header.mode().with_context(|| format!("mode of {path}"))? & 0o7777;
    let (uid, gid) = owner(member, path)?;
    let device = match kind {
        FileKind::CharDevice | FileKind::BlockDevice => Some((
            header.device_major()?.unwrap_or_default(),
            header.device_minor()?.unwrap_or_default(),
        )),
        _ => None,
    };
    let link_target = match kind {
        FileKind::Symlink => Some(link_name(member, path)?),
        _ => None,
    };
    let (size, sha256) = match kind {
        FileKind::File => {
            let mut hasher = Sha256::new();
            let size = io::copy(member, &mut hasher).with_context(|| format!("reading {path}"))?;
            (size, Some(hex::encode(hasher.finalize())))
        }
        _ => (0, None),
    };
    Ok(Some(Addition::Entry(FileEntry {
        kind,
        mode,
        uid,
        gid,
        size,
        sha256,
        link_target,
        device,
    })))
}

fn link_name<R: Read>(member: &tar::Entry<'_, R>, path: &str) -> Result<String> {
    let target = member
        .link_name()
        .with_context(|| format!("decoding link target of {path}"))?
        .with_context(|| format!("link {path} has no target"))?;
    Ok(target.to_string_lossy().into_owned())
}

/// Owner from the header, overridden by PAX `uid`/`gid` records when present.
fn owner<R: Read>(member: &mut tar::Entry<'_, R>, path: &str) -> Result<(u64, u64)> {
    let header = member.header();
    let mut uid = header.uid().with_context(|| format!("uid of {path}"))?;
    let mut gid = header.gid().with_context(|| format!("gid of {path}"))?;
    if let Some(extensions) = member.pax_extensions()? {
        for extension in extensions {
            let extension = extension?;
            let value = extension.value().ok().and_then(|text| text.parse().ok());
            match (extension.key().ok(), value) {
                (Some("uid"), Some(parsed)) => uid = parsed,
                (Some("gid"), Some(parsed)) => gid = parsed,
                _ => {}
            }
        }
    }
    Ok((uid, gid))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_tar::{gzip, LayerBuilder};

    fn flatten(layers: &[Vec<u8>]) -> FileTree {
        let mut tree = FileTree::new();
        for layer in layers {
            let changes = LayerChanges::read(layer.as_slice());
            assert!(changes.is_ok(), "{changes:?}");
            if let Ok(changes) = changes {
                assert!(changes.apply_to(&mut tree).is_ok());
            }
        }
        tree
    }

    fn paths(tree: &FileTree) -> Vec<&str> {
        tree.entries().keys().map(String::as_str).collect()
    }

    #[test]
    fn reads_files_directories_symlinks_and_owners() {
        let layer = LayerBuilder::new()
            .directory("./", 0o755, 0, 0)
            .directory("etc/", 0o755, 0, 0)
            .file("etc/passwd", 0o644, 0, 0, b"root\n")
            .file("etc/secret", 0o4750, 1000, 50, b"")
            .symlink("etc/link", "passwd")
            .finish();
        let tree = flatten(&[layer]);
        assert_eq!(
            paths(&tree),
            ["/", "/etc", "/etc/link", "/etc/passwd", "/etc/secret"]
        );
        let secret = tree.get("/etc/secret");
        assert_eq!(
            secret.map(|entry| (entry.mode, entry.uid, entry.gid)),
            Some((0o4750, 1000, 50))
        );
        assert_eq!(
            tree.get("/etc/link")
                .and_then(|entry| entry.link_target.clone())
                .as_deref(),
            Some("passwd")
        );
        assert_eq!(
            tree.get("/etc/passwd"),
            Some(&FileEntry::file(0o644, 0, 0, b"root\n"))
        );
    }

    #[test]
    fn whiteout_removes_lower_subtree_only() {
        let lower = LayerBuilder::new()
            .directory("a/", 0o755, 0, 0)
            .file("a/x", 0o644, 0, 0, b"x")
            .file("b", 0o644, 0, 0, b"b")
            .finish();
        let upper = LayerBuilder::new()
            .file(".wh.a", 0o644, 0, 0, b"")
            .file("c", 0o644, 0, 0, b"c")
            .finish();
        assert_eq!(paths(&flatten(&[lower, upper])), ["/b", "/c"]);
    }

    #[test]
    fn opaque_directory_hides_lower_children_but_keeps_own() {
        let lower = LayerBuilder::new()
            .directory("d/", 0o755, 0, 0)
            .file("d/old", 0o644, 0, 0, b"old")
            .finish();
        let upper = LayerBuilder::new()
            .directory("d/", 0o700, 0, 0)
            .file("d/new", 0o644, 0, 0, b"new")
            .file("d/.wh..wh..opq", 0o644, 0, 0, b"")
            .finish();
        let tree = flatten(&[lower, upper]);
        assert_eq!(paths(&tree), ["/d", "/d/new"]);
        assert_eq!(tree.get("/d").map(|entry| entry.mode), Some(0o700));
    }

    #[test]
    fn hard_links_resolve_within_layer_and_to_lower_layers() {
        let lower = LayerBuilder::new()
            .file("base", 0o755, 0, 0, b"base")
            .finish();
        let upper = LayerBuilder::new()
            .file("own", 0o600, 2, 2, b"own")
            .hard_link("own-link", "own")
            .hard_link("base-link", "base")
            .finish();
        let tree = flatten(&[lower, upper]);
        assert_eq!(tree.get("/own-link"), tree.get("/own"));
        assert_eq!(tree.get("/base-link"), tree.get("/base"));
    }

    #[test]
    fn gzip_layers_are_decompressed() {
        let layer = LayerBuilder::new()
            .file("z", 0o644, 0, 0, b"zipped")
            .finish();
        let tree = flatten(&[gzip(&layer)]);
        assert_eq!(
            tree.get("/z"),
            Some(&FileEntry::file(0o644, 0, 0, b"zipped"))
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let garbage = vec![0x42_u8; 1024];
        assert!(LayerChanges::read(garbage.as_slice()).is_err());
        let zstd = [0x28_u8, 0xb5, 0x2f, 0xfd, 0, 0];
        assert!(LayerChanges::read(zstd.as_slice()).is_err());
    }
}
