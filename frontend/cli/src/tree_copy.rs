//! Copying directory trees for the cache tool, in: a source directory and a destination; out: the
//! destination holding the same names, contents, modes, modification times, symlinks and (unless
//! told otherwise) owners, and what was copied. Invariants: never follows a symlink; other special
//! files (devices, sockets, fifos) are skipped; works without recursion on deep trees.

use std::fmt;
use std::fs;
use std::io;
use std::os::unix::fs::{lchown, symlink, MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

/// Files and bytes of a tree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TreeSize {
    pub files: u64,
    pub bytes: u64,
}

impl TreeSize {
    pub fn add(&mut self, other: TreeSize) {
        self.files += other.files;
        self.bytes = self.bytes.saturating_add(other.bytes);
    }

    /// `12.3 MB`, in powers of 1000 as Docker prints sizes.
    pub fn format_bytes(bytes: u64) -> String {
        const UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
        if bytes < 1000 {
            return format!("{bytes} B");
        }
        let mut value = bytes as f64 / 1000.0;
        let mut unit = 0;
        while value >= 1000.0 && unit + 1 < UNITS.len() {
            value /= 1000.0;
            unit += 1;
        }
        format!("{value:.1} {}", UNITS.get(unit).copied().unwrap_or("PB"))
    }
}

impl fmt::Display for TreeSize {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.files == 1 { "" } else { "s" };
        write!(
            formatter,
            "{} in {} file{plural}",
            TreeSize::format_bytes(self.bytes),
            self.files
        )
    }
}

/// Who owns what a copy makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The source's owners.
    AsIs,
    /// One user and group for everything.
    Fixed(u32, u32),
}

impl Owner {
    /// The owner a cache's content takes: the cache root's when that is not root, else the
    /// source's.
    pub fn of_cache_root(root: &Path) -> io::Result<Owner> {
        let metadata = fs::metadata(root)?;
        Ok(if metadata.uid() == 0 && metadata.gid() == 0 {
            Owner::AsIs
        } else {
            Owner::Fixed(metadata.uid(), metadata.gid())
        })
    }

    fn apply(self, path: &Path, source: &fs::Metadata) -> io::Result<()> {
        let (uid, gid) = match self {
            Owner::AsIs => (source.uid(), source.gid()),
            Owner::Fixed(uid, gid) => (uid, gid),
        };
        lchown(path, Some(uid), Some(gid))
    }
}

/// Whether `path` is a directory with nothing in it (a missing one counts as empty).
pub fn is_empty_directory(path: &Path) -> io::Result<bool> {
    match fs::read_dir(path) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(true),
        Err(error) => Err(error),
    }
}

/// What `root` holds: regular files and their bytes.
pub fn tree_size(root: &Path) -> io::Result<TreeSize> {
    let mut size = TreeSize::default();
    let mut pending = vec![root.to_path_buf()];
    while let Some(directory) = pending.pop() {
        for entry in fs::read_dir(&directory)? {
            let entry = entry?;
            let metadata = entry.metadata()?;
            if metadata.is_dir() {
                pending.push(entry.path());
            } else if metadata.is_file() {
                size.add(TreeSize {
                    files: 1,
                    bytes: metadata.len(),
                });
            }
        }
    }
    Ok(size)
}

/// Copies what is in `source` into `destination` (made when missing; an existing one keeps its
/// own mode and owner).
pub fn copy_tree(source: &Path, destination: &Path, owner: Owner) -> io::Result<TreeSize> {
    let mut size = TreeSize::default();
    if !destination.exists() {
        let metadata = fs::metadata(source)?;
        fs::create_dir_all(destination)?;
        fs::set_permissions(destination, metadata.permissions())?;
        owner.apply(destination, &metadata)?;
    }
    let mut pending: Vec<(PathBuf, PathBuf)> = vec![(source.to_path_buf(), destination.into())];
    while let Some((from, to)) = pending.pop() {
        for entry in fs::read_dir(&from)? {
            let entry = entry?;
            let (from_path, to_path) = (entry.path(), to.join(entry.file_name()));
            let metadata = fs::symlink_metadata(&from_path)?;
            let kind = metadata.file_type();
            if kind.is_dir() {
                fs::create_dir(&to_path)?;
                fs::set_permissions(&to_path, fs::Permissions::from_mode(metadata.mode()))?;
                owner.apply(&to_path, &metadata)?;
                pending.push((from_path, to_path));
            } else if kind.is_file() {
                fs::copy(&from_path, &to_path)?;
                let file = fs::OpenOptions::new().write(true).open(&to_path)?;
                file.set_modified(metadata.modified()?)?;
                owner.apply(&to_path, &metadata)?;
                // A chown clears set-id bits: put the mode back.
                fs::set_permissions(&to_path, fs::Permissions::from_mode(metadata.mode()))?;
                size.add(TreeSize {
                    files: 1,
                    bytes: metadata.len(),
                });
            } else if kind.is_symlink() {
                symlink(fs::read_link(&from_path)?, &to_path)?;
                owner.apply(&to_path, &metadata)?;
            }
        }
    }
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_files_links_and_modes() {
        let source = tempfile::tempdir().unwrap();
        let root = source.path();
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::write(root.join("a/b/file"), b"12345").unwrap();
        fs::set_permissions(root.join("a/b/file"), fs::Permissions::from_mode(0o640)).unwrap();
        fs::write(root.join("top"), b"x").unwrap();
        symlink("a/b/file", root.join("link")).unwrap();
        let target = tempfile::tempdir().unwrap();
        let destination = target.path().join("out");
        let copied = copy_tree(root, &destination, Owner::AsIs).unwrap();
        assert_eq!(copied, TreeSize { files: 2, bytes: 6 });
        assert_eq!(fs::read(destination.join("a/b/file")).unwrap(), b"12345");
        let mode = fs::metadata(destination.join("a/b/file")).unwrap().mode();
        assert_eq!(mode & 0o777, 0o640);
        assert_eq!(
            fs::read_link(destination.join("link")).unwrap(),
            Path::new("a/b/file")
        );
        assert_eq!(tree_size(&destination).unwrap(), copied);
        assert!(!is_empty_directory(&destination).unwrap());
        assert!(is_empty_directory(&target.path().join("missing")).unwrap());
        assert_eq!(copied.to_string(), "6 B in 2 files");
        assert_eq!(TreeSize::format_bytes(12_345_678), "12.3 MB");
    }
}
