//! A Maven repository on loopback for the Maven example (Maven Central is unreachable here):
//! input = nothing, output = a running container on the host network serving Debian's packaged
//! artifacts (`/usr/share/maven-repo`: the default plugins, commons-lang3, jsoup) over HTTP on a
//! free port, its access log, and a `settings.xml` mirroring everything to it. Invariants: the
//! server image is built once from `debian:bookworm` and reused; the container is ours and is
//! removed by its id when the value is dropped.

use std::net::{TcpListener, TcpStream};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::docker::{run_docker, COMMAND_TIMEOUT};

/// The server image: Debian's Maven plugins and libraries, and Python for `http.server`.
pub const REPOSITORY_IMAGE: &str = "cachefront-e2e/maven-repository:bookworm-1";

const REPOSITORY_DOCKERFILE: &str = "\
FROM debian:bookworm
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 libmaven-compiler-plugin-java \\
    libmaven-jar-plugin-java libmaven-resources-plugin-java libsurefire-java \\
    libmaven-install-plugin-java libcommons-lang3-java libjsoup-java \\
 && rm -rf /var/lib/apt/lists/*
";

/// Limit for building the server image (apt downloads the packages).
const IMAGE_BUILD_TIMEOUT: Duration = Duration::from_secs(600);

/// How long the server may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(30);

static IMAGE_LOCK: Mutex<()> = Mutex::new(());

/// A running repository server; its container is removed on drop.
#[derive(Debug)]
pub struct MavenRepository {
    port: u16,
    container: String,
}

impl MavenRepository {
    /// Builds the server image if missing and starts a server on a free loopback port.
    pub fn start() -> Result<MavenRepository> {
        ensure_image()?;
        let listener = TcpListener::bind(("127.0.0.1", 0)).context("finding a free port")?;
        let port = listener.local_addr()?.port();
        drop(listener);
        let port_text = port.to_string();
        let output = run_docker(
            &[
                "run",
                "--detach",
                "--rm",
                "--network",
                "host",
                REPOSITORY_IMAGE,
                "python3",
                "-m",
                "http.server",
                &port_text,
                "--bind",
                "127.0.0.1",
                "--directory",
                "/usr/share/maven-repo",
            ],
            COMMAND_TIMEOUT,
        )?;
        if !output.succeeded {
            bail!("starting the Maven repository failed:\n{}", output.log);
        }
        let repository = MavenRepository {
            port,
            container: output.log.trim().to_string(),
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > START_TIMEOUT {
                bail!("the Maven repository did not listen on 127.0.0.1:{port}");
            }
            thread::sleep(Duration::from_millis(100));
        }
        Ok(repository)
    }

    /// The repository's URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A `settings.xml` that mirrors every repository to this one.
    pub fn settings_xml(&self) -> String {
        format!(
            "<settings>\n  <mirrors>\n    <mirror>\n      <id>local-debian</id>\n      \
             <mirrorOf>*</mirrorOf>\n      <url>{}</url>\n    </mirror>\n  </mirrors>\n\
             </settings>\n",
            self.url()
        )
    }
}

impl Drop for MavenRepository {
    fn drop(&mut self) {
        // Only our own container, by its id.
        let _ = run_docker(&["rm", "--force", &self.container], COMMAND_TIMEOUT);
    }
}

fn ensure_image() -> Result<()> {
    let _guard = IMAGE_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let present = run_docker(&["image", "inspect", REPOSITORY_IMAGE], COMMAND_TIMEOUT)?;
    if present.succeeded {
        return Ok(());
    }
    let directory = tempfile::Builder::new()
        .prefix("cachefront-e2e-maven-repository-")
        .tempdir()?;
    std::fs::write(directory.path().join("Dockerfile"), REPOSITORY_DOCKERFILE)?;
    let context = directory.path().to_string_lossy().into_owned();
    let built = run_docker(
        &[
            "buildx",
            "build",
            "--builder",
            "default",
            "--load",
            "--tag",
            REPOSITORY_IMAGE,
            &context,
        ],
        IMAGE_BUILD_TIMEOUT,
    )?;
    if !built.succeeded {
        bail!("building {REPOSITORY_IMAGE} failed:\n{}", built.log);
    }
    Ok(())
}
