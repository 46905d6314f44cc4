//! A static file server on loopback for cases that ADD URLs or git repositories: input = a
//! directory (and git repositories to create from case subdirectories), output = a running
//! server whose base URL the case gets as the build arg `SERVER`. Invariants: serves only files
//! below its root (no `..`), answers GET and HEAD with HTTP/1.0 and closes every connection; git
//! repositories are served as "dumb HTTP" (bare repositories after `git update-server-info`) with
//! fixed commit dates, so every build of a case sees the same commit.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::thread;

use anyhow::{bail, Context, Result};
use tempfile::TempDir;

/// A running server; it stops serving when the test process ends.
#[derive(Debug)]
pub struct StaticServer {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    _root: TempDir,
}

impl StaticServer {
    /// Serves a copy of `files` (when given) plus one bare git repository per entry of
    /// `repositories` (served name, e.g. `repo.git` -> source directory).
    pub fn start(files: Option<&Path>, repositories: &BTreeMap<String, PathBuf>) -> Result<Self> {
        let root = tempfile::Builder::new()
            .prefix("cachefront-e2e-served-")
            .tempdir()?;
        if let Some(files) = files {
            copy_tree(files, root.path())?;
        }
        for (name, source) in repositories {
            create_repository(source, &root.path().join(name))?;
        }
        let listener = TcpListener::bind("127.0.0.1:0").context("binding a loopback port")?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let served = root.path().to_path_buf();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let served = served.clone();
                thread::spawn(move || {
                    let _ = answer(stream, &served);
                });
            }
        });
        Ok(StaticServer {
            base_url,
            _root: root,
        })
    }
}

fn answer(mut stream: TcpStream, root: &Path) -> Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let mut words = request_line.split_whitespace();
    let method = words.next().unwrap_or_default();
    let target = words.next().unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let file = safe_join(root, path);
    match file.and_then(|file| fs::read(file).ok()) {
        Some(body) if method == "GET" || method == "HEAD" => {
            write!(
                stream,
                "HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            if method == "GET" {
                stream.write_all(&body)?;
            }
        }
        _ => stream.write_all(
            b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?,
    }
    Ok(())
}

/// `root` joined with the URL path, unless the path leaves `root`.
fn safe_join(root: &Path, url_path: &str) -> Option<PathBuf> {
    let relative = Path::new(url_path.trim_start_matches('/'));
    if relative
        .components()
        .any(|component| !matches!(component, Component::Normal(_)))
    {
        return None;
    }
    Some(root.join(relative))
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from).with_context(|| format!("listing {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Commits `source` into a fresh repository (branch `main`, fixed dates) and serves a bare clone.
fn create_repository(source: &Path, bare: &Path) -> Result<()> {
    let work = tempfile::tempdir()?;
    copy_tree(source, work.path())?;
    let work_dir = work.path().to_string_lossy().into_owned();
    let bare_dir = bare.to_string_lossy().into_owned();
    git(&["init", "-q", "-b", "main", &work_dir])?;
    git(&["-C", &work_dir, "add", "-A"])?;
    git(&[
        "-C",
        &work_dir,
        "-c",
        "user.name=cachefront-e2e",
        "-c",
        "user.email=e2e@cachefront.invalid",
        "commit",
        "-q",
        "-m",
        "fixture",
    ])?;
    git(&["clone", "-q", "--bare", &work_dir, &bare_dir])?;
    git(&["-C", &bare_dir, "update-server-info"])?;
    Ok(())
}

fn git(arguments: &[&str]) -> Result<()> {
    let status = Command::new("git")
        .args(arguments)
        .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
        .status()
        .context("running git")?;
    if !status.success() {
        bail!("git {} failed: {status}", arguments.join(" "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_outside_the_root() {
        let root = Path::new("/srv");
        assert_eq!(
            safe_join(root, "/a/b.txt"),
            Some(PathBuf::from("/srv/a/b.txt"))
        );
        assert_eq!(safe_join(root, "/../etc/passwd"), None);
    }
}
