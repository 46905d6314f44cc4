"""The npm scenario's registry: a static copy of exactly the locked packages, served on loopback.

Why: npm sends every request through a proxy on a new TLS tunnel (measured here: 15 s direct vs
109 s through the benchmark's proxy for the same `npm ci`), so npm cannot share the forward proxy;
like the pip scenario it gets a local registry with real HTTP caching headers instead.
Input: package-lock.json files (lockfile v3, no `resolved` URLs); `npm pack` (the ordinary client)
downloads each locked name@version once. Output: `bench/work/npm-registry/` with `tarballs/` and one
packument per package name (only the locked versions; manifests from each tarball's package.json,
integrity from the lockfile), and `python3 -m harness.npm_registry PORT` serving them on 127.0.0.1:
GET /<name> (also /@scope%2fname) and GET /-/tarballs/<file>.
Invariants: a tarball whose sha512 differs from the lockfile is rejected; packuments say
`Cache-Control: public, max-age=300`, tarballs `public, max-age=31536000, immutable`; HTTP/1.1
keep-alive; anything else is a 404 (including npm's audit endpoint).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.server
import json
import subprocess
import sys
import tarfile
import urllib.parse
from pathlib import Path

from harness.config import NPM_REGISTRY_PORT, WORK_DIRECTORY

REGISTRY_DIRECTORY = WORK_DIRECTORY / "npm-registry"
TARBALLS_DIRECTORY = REGISTRY_DIRECTORY / "tarballs"
PACKUMENTS_DIRECTORY = REGISTRY_DIRECTORY / "packuments"
MANIFEST_FIELDS = (
    "name",
    "version",
    "dependencies",
    "optionalDependencies",
    "peerDependencies",
    "peerDependenciesMeta",
    "bundleDependencies",
    "bin",
    "directories",
    "engines",
    "os",
    "cpu",
    "deprecated",
    "license",
)


class NpmRegistryError(Exception):
    """A locked package could not be fetched, or did not match its lockfile integrity."""


def locked_packages(lockfiles: list[Path]) -> dict[tuple[str, str], str]:
    """(name, version) -> integrity for every registry package in the lockfiles."""
    packages = {}
    for lockfile in lockfiles:
        document = json.loads(lockfile.read_text())
        for location, entry in document.get("packages", {}).items():
            if not location or entry.get("link") or "integrity" not in entry:
                continue
            name = entry.get("name") or location.rsplit("node_modules/", 1)[-1]
            packages[(name, entry["version"])] = entry["integrity"]
    return packages


def tarball_file_name(name: str, version: str) -> str:
    return f"{name.replace('@', '').replace('/', '-')}-{version}.tgz"


def sha512_integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def download_missing(packages: dict[tuple[str, str], str]) -> None:
    TARBALLS_DIRECTORY.mkdir(parents=True, exist_ok=True)
    missing = [
        (name, version)
        for name, version in packages
        if not (TARBALLS_DIRECTORY / tarball_file_name(name, version)).exists()
    ]
    if not missing:
        return
    print(
        f"bench: downloading {len(missing)} npm tarballs with `npm pack` (once)", file=sys.stderr, flush=True
    )
    scratch = REGISTRY_DIRECTORY / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(missing), 40):
        batch = missing[start : start + 40]
        command = [
            "npm",
            "pack",
            "--json",
            "--ignore-scripts",
            "--pack-destination",
            str(scratch),
            *(f"{name}@{version}" for name, version in batch),
        ]
        completed = subprocess.run(
            command, cwd=scratch, stdin=subprocess.DEVNULL, capture_output=True, text=True
        )
        if completed.returncode != 0:
            raise NpmRegistryError(f"npm pack failed: {completed.stderr.strip()[:400]}")
        for packed in json.loads(completed.stdout):
            source = scratch / packed["filename"]
            source.rename(TARBALLS_DIRECTORY / tarball_file_name(packed["name"], packed["version"]))


def manifest_from_tarball(path: Path) -> dict:
    with tarfile.open(path, "r:gz") as archive:
        for member in archive.getmembers():
            parts = member.name.split("/")
            if len(parts) == 2 and parts[1] == "package.json" and member.isfile():
                extracted = archive.extractfile(member)
                if extracted is not None:
                    return json.loads(extracted.read().decode("utf-8"))
    raise NpmRegistryError(f"{path.name}: no package/package.json")


def build_registry(lockfiles: list[Path], port: int = NPM_REGISTRY_PORT) -> None:
    """Downloads what is missing and (re)writes every packument."""
    packages = locked_packages(lockfiles)
    download_missing(packages)
    documents: dict[str, dict] = {}
    for (name, version), integrity in sorted(packages.items()):
        tarball = TARBALLS_DIRECTORY / tarball_file_name(name, version)
        if sha512_integrity(tarball) != integrity:
            raise NpmRegistryError(f"{name}@{version}: tarball does not match the lockfile's integrity")
        package_json = manifest_from_tarball(tarball)
        manifest = {field: package_json[field] for field in MANIFEST_FIELDS if field in package_json}
        manifest.update(name=name, version=version)
        if any(
            script in package_json.get("scripts", {}) for script in ("preinstall", "install", "postinstall")
        ):
            manifest["hasInstallScript"] = True
        manifest["dist"] = {
            "tarball": f"http://127.0.0.1:{port}/-/tarballs/{tarball.name}",
            "integrity": integrity,
            "shasum": hashlib.sha1(tarball.read_bytes()).hexdigest(),
        }
        document = documents.setdefault(name, {"name": name, "dist-tags": {}, "versions": {}})
        document["versions"][version] = manifest
        document["dist-tags"]["latest"] = version
    PACKUMENTS_DIRECTORY.mkdir(parents=True, exist_ok=True)
    for name, document in documents.items():
        (PACKUMENTS_DIRECTORY / (urllib.parse.quote(name, safe="") + ".json")).write_text(
            json.dumps(document)
        )


class RegistryRequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        if path.startswith("/-/tarballs/") and "/" not in path[len("/-/tarballs/") :]:
            self.send_file(
                TARBALLS_DIRECTORY / path[len("/-/tarballs/") :],
                "application/octet-stream",
                "public, max-age=31536000, immutable",
            )
            return
        name = path.lstrip("/")
        self.send_file(
            PACKUMENTS_DIRECTORY / (urllib.parse.quote(name, safe="") + ".json"),
            "application/json",
            "public, max-age=300",
        )

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.send_empty(404)

    def send_file(self, path: Path, content_type: str, cache_control: str) -> None:
        if not path.is_file() or path.parent not in (TARBALLS_DIRECTORY, PACKUMENTS_DIRECTORY):
            self.send_empty(404)
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache_control)
        self.send_header("ETag", '"' + hashlib.sha1(body).hexdigest() + '"')
        self.end_headers()
        self.wfile.write(body)

    def send_empty(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *arguments) -> None:  # noqa: A002 (the http.server API)
        print(f"npm-registry: {self.address_string()} {format % arguments}", file=sys.stderr, flush=True)


def main(arguments: list[str]) -> int:
    if len(arguments) != 1 or not arguments[0].isdigit():
        print("usage: python3 -m harness.npm_registry PORT", file=sys.stderr)
        return 2
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(arguments[0])), RegistryRequestHandler)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
