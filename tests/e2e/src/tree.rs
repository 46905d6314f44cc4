//! The flattened file tree of an image: input = entries added by the layer reader, output = a map
//! from absolute normalized path ("/", "/etc/passwd") to what a user of the image sees at that
//! path (kind, mode, owner, size, content hash, link target). Invariants: paths are absolute,
//! have no "." / ".." / empty components and no trailing slash; mtimes are never recorded.

use std::collections::BTreeMap;
use std::fmt;

use anyhow::{bail, Result};

/// What kind of filesystem object an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    File,
    Directory,
    Symlink,
    CharDevice,
    BlockDevice,
    Fifo,
}

impl FileKind {
    /// Short lowercase name used in diffs.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::File => "file",
            FileKind::Directory => "dir",
            FileKind::Symlink => "symlink",
            FileKind::CharDevice => "chardev",
            FileKind::BlockDevice => "blockdev",
            FileKind::Fifo => "fifo",
        }
    }
}

/// One path of the flattened image, without its modification time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    pub kind: FileKind,
    /// Permission bits including setuid/setgid/sticky (`mode & 0o7777`).
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Content size in bytes; 0 for everything but regular files.
    pub size: u64,
    /// Lowercase hex sha256 of the content, for regular files only.
    pub sha256: Option<String>,
    /// Target of a symlink.
    pub link_target: Option<String>,
    /// (major, minor) of a device node.
    pub device: Option<(u32, u32)>,
}

impl FileEntry {
    /// A regular file entry; convenient for tests.
    pub fn file(mode: u32, uid: u64, gid: u64, content: &[u8]) -> FileEntry {
        use sha2::{Digest, Sha256};
        FileEntry {
            kind: FileKind::File,
            mode,
            uid,
            gid,
            size: content.len() as u64,
            sha256: Some(hex::encode(Sha256::digest(content))),
            link_target: None,
            device: None,
        }
    }

    /// A directory entry; convenient for tests.
    pub fn directory(mode: u32, uid: u64, gid: u64) -> FileEntry {
        FileEntry {
            kind: FileKind::Directory,
            mode,
            uid,
            gid,
            size: 0,
            sha256: None,
            link_target: None,
            device: None,
        }
    }

    /// A symlink entry; convenient for tests.
    pub fn symlink(target: &str) -> FileEntry {
        FileEntry {
            kind: FileKind::Symlink,
            mode: 0o777,
            uid: 0,
            gid: 0,
            size: 0,
            sha256: None,
            link_target: Some(target.to_string()),
            device: None,
        }
    }
}

impl fmt::Display for FileEntry {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{} {:04o} {}:{}",
            self.kind.name(),
            self.mode,
            self.uid,
            self.gid
        )?;
        if self.kind == FileKind::File {
            write!(formatter, " {} bytes", self.size)?;
        }
        if let Some(sha256) = &self.sha256 {
            let short = sha256.get(..16).unwrap_or(sha256);
            write!(formatter, " sha256:{short}")?;
        }
        if let Some(target) = &self.link_target {
            write!(formatter, " -> {target}")?;
        }
        if let Some((major, minor)) = self.device {
            write!(formatter, " device {major},{minor}")?;
        }
        Ok(())
    }
}

/// The flattened file tree: absolute path to entry, sorted by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileTree {
    entries: BTreeMap<String, FileEntry>,
}

impl FileTree {
    pub fn new() -> FileTree {
        FileTree::default()
    }

    pub fn entries(&self) -> &BTreeMap<String, FileEntry> {
        &self.entries
    }

    pub fn get(&self, path: &str) -> Option<&FileEntry> {
        self.entries.get(path)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Puts `entry` at `path` with overlay semantics: a non-directory replacing a directory also
    /// removes everything below it; a directory over a directory keeps the children.
    pub fn insert(&mut self, path: String, entry: FileEntry) {
        let replaces_directory = self
            .entries
            .get(&path)
            .is_some_and(|existing| existing.kind == FileKind::Directory);
        if replaces_directory && entry.kind != FileKind::Directory {
            self.remove_below(&path);
        }
        self.entries.insert(path, entry);
    }

    /// Removes `path` and everything below it.
    pub fn remove_subtree(&mut self, path: &str) {
        self.entries.remove(path);
        self.remove_below(path);
    }

    /// Removes everything strictly below `path`, keeping `path` itself.
    pub fn remove_below(&mut self, path: &str) {
        let prefix = if path == "/" {
            "/".to_string()
        } else {
            format!("{path}/")
        };
        let below: Vec<String> = self
            .entries
            .range(prefix.clone()..)
            .take_while(|(candidate, _)| candidate.starts_with(&prefix))
            .map(|(candidate, _)| candidate.clone())
            .collect();
        for candidate in below {
            if candidate != path {
                self.entries.remove(&candidate);
            }
        }
    }
}

/// Normalizes a tar member name ("./etc/", "etc/passwd", "/x//y") to an absolute path
/// ("/etc", "/etc/passwd", "/x/y"). Rejects ".." components, which no image layer may contain.
pub fn normalize_path(raw: &str) -> Result<String> {
    let mut normalized = String::new();
    for component in raw.split('/') {
        match component {
            "" | "." => {}
            ".." => bail!("layer member {raw:?} contains a \"..\" component"),
            name => {
                normalized.push('/');
                normalized.push_str(name);
            }
        }
    }
    if normalized.is_empty() {
        normalized.push('/');
    }
    Ok(normalized)
}

/// The parent directory of a normalized path ("/" for top-level entries and for "/").
pub fn parent_path(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(index) => &path[..index],
    }
}

/// Joins a normalized directory path and a single name.
pub fn join_path(directory: &str, name: &str) -> String {
    if directory == "/" {
        format!("/{name}")
    } else {
        format!("{directory}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_tar_member_names() {
        assert_eq!(normalize_path("./").ok().as_deref(), Some("/"));
        assert_eq!(normalize_path("etc/").ok().as_deref(), Some("/etc"));
        assert_eq!(
            normalize_path("./etc//passwd").ok().as_deref(),
            Some("/etc/passwd")
        );
        assert!(normalize_path("a/../b").is_err());
    }

    #[test]
    fn parent_and_join() {
        assert_eq!(parent_path("/etc/passwd"), "/etc");
        assert_eq!(parent_path("/etc"), "/");
        assert_eq!(parent_path("/"), "/");
        assert_eq!(join_path("/", "etc"), "/etc");
        assert_eq!(join_path("/etc", "passwd"), "/etc/passwd");
    }

    #[test]
    fn file_replacing_directory_drops_children() {
        let mut tree = FileTree::new();
        tree.insert("/a".into(), FileEntry::directory(0o755, 0, 0));
        tree.insert("/a/b".into(), FileEntry::file(0o644, 0, 0, b"x"));
        tree.insert("/ab".into(), FileEntry::file(0o644, 0, 0, b"y"));
        tree.insert("/a".into(), FileEntry::file(0o644, 0, 0, b"z"));
        let paths: Vec<&String> = tree.entries().keys().collect();
        assert_eq!(paths, ["/a", "/ab"]);
    }

    #[test]
    fn directory_over_directory_keeps_children() {
        let mut tree = FileTree::new();
        tree.insert("/a".into(), FileEntry::directory(0o755, 0, 0));
        tree.insert("/a/b".into(), FileEntry::file(0o644, 0, 0, b"x"));
        tree.insert("/a".into(), FileEntry::directory(0o700, 1, 1));
        assert_eq!(tree.len(), 2);
        assert_eq!(tree.get("/a").map(|entry| entry.mode), Some(0o700));
    }

    #[test]
    fn displays_entries() {
        let entry = FileEntry::file(0o644, 0, 0, b"hello\n");
        assert_eq!(
            entry.to_string(),
            "file 0644 0:0 6 bytes sha256:5891b5b522d5df08"
        );
        assert_eq!(
            FileEntry::symlink("/x").to_string(),
            "symlink 0777 0:0 -> /x"
        );
    }
}
