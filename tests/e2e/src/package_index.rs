//! A local Python package index for the cache-mount e2e checks: input = pinned requirement
//! strings, output = a running pypiserver 2.4 on a free loopback port serving those wheels with
//! `Cache-Control: max-age` (the machine's registry proxy strips caching headers, so pip's HTTP
//! cache would store nothing through it), and its access log. Invariants: the tool and the wheels
//! are installed once into `target/e2e-package-index/` (a virtualenv, pip from PyPI); the server
//! process is ours and is killed by its pid when the value is dropped; setup is serialised
//! between threads.

use std::fs::{self, File};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// The pypiserver release the checks were verified with.
const PYPISERVER_REQUIREMENT: &str = "pypiserver>=2.4,<2.5";

/// Seconds in the `Cache-Control: max-age` the index sends with package files.
const CACHE_MAX_AGE_SECONDS: &str = "3600";

/// How long the server may take to answer its first request.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// The Python the image under test runs (Debian bookworm's), for `pip download`.
const TARGET_PYTHON_VERSION: &str = "3.11";

/// Serialises the one-time installation between test threads.
static SETUP_LOCK: Mutex<()> = Mutex::new(());

/// A running local index; killed on drop.
#[derive(Debug)]
pub struct PackageIndex {
    port: u16,
    log_path: PathBuf,
    server: Child,
    _log_dir: tempfile::TempDir,
}

/// `target/e2e-package-index` of this workspace: the virtualenv and the wheel directory.
pub fn package_index_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-package-index")
}

impl PackageIndex {
    /// Installs pypiserver and downloads `requirements` (with their dependencies, as wheels for
    /// the test images' Python on x86_64 Linux) if not done yet, then starts a server.
    pub fn start(requirements: &[&str]) -> Result<PackageIndex> {
        let root = package_index_root();
        let wheels = root.join("wheels");
        {
            let _guard = SETUP_LOCK
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let python = ensure_virtualenv(&root)?;
            ensure_wheels(&python, &wheels, &root.join("downloaded"), requirements)?;
        }
        let port = free_loopback_port()?;
        let log_dir = tempfile::Builder::new()
            .prefix("cachefront-e2e-index-")
            .tempdir()?;
        let log_path = log_dir.path().join("access.log");
        let server_output = File::create(log_dir.path().join("server.out"))?;
        let server = Command::new(root.join("venv/bin/pypi-server"))
            .args(["run", "--interface", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .args([
                "--cache-control",
                CACHE_MAX_AGE_SECONDS,
                "--disable-fallback",
                // Log every request (INFO): the checks read the access log.
                "-v",
            ])
            .arg("--log-file")
            .arg(&log_path)
            .arg(&wheels)
            .stdin(Stdio::null())
            .stdout(server_output.try_clone()?)
            .stderr(server_output)
            .spawn()
            .context("starting pypi-server")?;
        let index = PackageIndex {
            port,
            log_path,
            server,
            _log_dir: log_dir,
        };
        index.wait_until_ready()?;
        Ok(index)
    }

    /// `http://127.0.0.1:<port>/simple`, for `PIP_INDEX_URL` / `UV_INDEX_URL`.
    pub fn index_url(&self) -> String {
        format!("http://127.0.0.1:{}/simple", self.port)
    }

    /// The access log so far (pypiserver's request lines).
    pub fn access_log(&self) -> Result<String> {
        Ok(fs::read_to_string(&self.log_path).unwrap_or_default())
    }

    fn wait_until_ready(&self) -> Result<()> {
        let started = Instant::now();
        while started.elapsed() < START_TIMEOUT {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            thread::sleep(Duration::from_millis(100));
        }
        bail!(
            "pypi-server did not listen on 127.0.0.1:{} within {START_TIMEOUT:?}",
            self.port
        )
    }
}

impl Drop for PackageIndex {
    fn drop(&mut self) {
        // Only our own child, by its pid.
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// The package files (`/packages/<file>`) requested from the index in `access_log`, in order.
pub fn index_downloads(access_log: &str) -> Vec<String> {
    access_log
        .lines()
        .filter_map(|line| {
            let request = line.split("\"GET /packages/").nth(1)?;
            let file = request.split([' ', '#', '?']).next()?;
            (!file.is_empty()).then(|| file.to_string())
        })
        .collect()
}

/// Creates `root/venv` with pypiserver unless it is there; returns its python.
fn ensure_virtualenv(root: &Path) -> Result<PathBuf> {
    let venv = root.join("venv");
    let python = venv.join("bin/python");
    if venv.join("bin/pypi-server").is_file() {
        return Ok(python);
    }
    fs::create_dir_all(root)?;
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    run(Command::new(&python).args(["-m", "pip", "install", "--quiet", PYPISERVER_REQUIREMENT]))?;
    Ok(python)
}

/// Downloads the wheels of `requirements` into `wheels` unless a marker in `markers` says it
/// was done.
fn ensure_wheels(
    python: &Path,
    wheels: &Path,
    markers: &Path,
    requirements: &[&str],
) -> Result<()> {
    fs::create_dir_all(wheels)?;
    fs::create_dir_all(markers)?;
    let missing: Vec<&str> = requirements
        .iter()
        .copied()
        .filter(|requirement| !markers.join(marker_name(requirement)).exists())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut command = Command::new(python);
    command
        .args(["-m", "pip", "download", "--quiet", "--only-binary=:all:"])
        .args(["--python-version", TARGET_PYTHON_VERSION])
        .args(["--platform", "manylinux_2_17_x86_64", "--platform", "any"])
        .arg("--dest")
        .arg(wheels)
        .args(&missing);
    run(&mut command)?;
    for requirement in missing {
        fs::write(markers.join(marker_name(requirement)), b"")?;
    }
    Ok(())
}

/// The name of the file recording that `requirement` was downloaded.
fn marker_name(requirement: &str) -> String {
    let safe: String = requirement
        .chars()
        .map(|character| {
            if character.is_ascii_alphanumeric() || character == '.' {
                character
            } else {
                '_'
            }
        })
        .collect();
    safe
}

fn run(command: &mut Command) -> Result<()> {
    let output = command
        .output()
        .with_context(|| format!("running {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

fn free_loopback_port() -> Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).context("finding a free loopback port")?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_package_requests_from_the_access_log() {
        let log = "2026-11-22 01:42:50,009|pypiserver.main|INFO|1|127.0.0.1 - - [22/Nov/2026 01:42:50] \"GET /simple/idna/ HTTP/1.1\" 200 435\n\
                   127.0.0.1 - - [22/Nov/2026 01:42:51] \"GET /packages/idna-3.10-py3-none-any.whl HTTP/1.1\" 200 70442\n\
                   127.0.0.1 - - [22/Nov/2026 01:42:51] \"GET /packages/six-1.17.0-py2.py3-none-any.whl#sha256=ab HTTP/1.1\" 200 1\n";
        assert_eq!(
            index_downloads(log),
            [
                "idna-3.10-py3-none-any.whl",
                "six-1.17.0-py2.py3-none-any.whl"
            ]
        );
        assert!(marker_name("uv==0.4.30").eq("uv__0.4.30"));
    }
}
