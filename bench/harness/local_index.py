"""The pip scenarios' package index: pypiserver 2.4 on loopback with real Cache-Control headers.

Input: the requirement and constraint files named by scenarios (scenario.toml `pip_index_*`).
Output: `bench/work/venv` (pypiserver), `bench/work/packages` (every wheel the scenarios install,
downloaded once with the python test image's own pip so the files fit its interpreter), and a
running server on 127.0.0.1:LOCAL_INDEX_PORT while the `with` block of `local_index_service` lasts.
Invariants: listens on 127.0.0.1 only; `--disable-fallback`, so a missing package fails the build
instead of redirecting pip to a remote index; downloads happen only when the inputs changed.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from harness.child_service import ChildService
from harness.config import LOCAL_INDEX_CACHE_CONTROL_SECONDS, LOCAL_INDEX_PORT, WORK_DIRECTORY
from harness.scenarios import Scenario

PYPISERVER_REQUIREMENT = "pypiserver==2.4.2"
PYTHON_TEST_IMAGE = "cachefront-test/python"
VENV_DIRECTORY = WORK_DIRECTORY / "venv"
PACKAGES_DIRECTORY = WORK_DIRECTORY / "packages"
DOWNLOAD_MARKER = PACKAGES_DIRECTORY / ".downloaded-for"


class LocalIndexError(Exception):
    """The local index could not be set up or did not come up."""


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def ensure_server_installed() -> Path:
    executable = VENV_DIRECTORY / "bin" / "pypi-server"
    if executable.exists():
        return executable
    log(f"installing {PYPISERVER_REQUIREMENT} into {VENV_DIRECTORY}")
    commands = [
        [sys.executable, "-m", "venv", str(VENV_DIRECTORY)],
        [str(VENV_DIRECTORY / "bin" / "pip"), "install", "--quiet", PYPISERVER_REQUIREMENT],
    ]
    for command in commands:
        if subprocess.run(command, stdin=subprocess.DEVNULL).returncode != 0:
            raise LocalIndexError(f"failed: {' '.join(command)}")
    return executable


def download_key(scenarios: list[Scenario]) -> str:
    """Names the inputs of the last download, so an edited requirements file triggers a new one."""
    parts = []
    for scenario in scenarios:
        for path in (scenario.pip_index_constraints, *scenario.pip_index_requirements):
            if path is not None and path.exists():
                parts.append(f"{path.name}:{hashlib.sha256(path.read_bytes()).hexdigest()}")
    return "\n".join(sorted(set(parts)))


def ensure_packages(scenarios: list[Scenario]) -> None:
    """Downloads every wheel the scenarios need, inside the python test image (its pip, its tags)."""
    index_scenarios = [scenario for scenario in scenarios if scenario.uses_pip_index]
    if not index_scenarios:
        return
    PACKAGES_DIRECTORY.mkdir(parents=True, exist_ok=True)
    key = download_key(index_scenarios)
    if DOWNLOAD_MARKER.exists() and DOWNLOAD_MARKER.read_text() == key:
        return
    for scenario in index_scenarios:
        mounts = [
            "--volume",
            f"{PACKAGES_DIRECTORY}:/packages",
            "--volume",
            f"{scenario.files_directory}:/scenario:ro",
        ]
        arguments = ["--only-binary=:all:", "--dest", "/packages", "--quiet"]
        if scenario.pip_index_constraints is not None:
            arguments += [
                "--constraint",
                "/scenario/" + str(scenario.pip_index_constraints.relative_to(scenario.files_directory)),
            ]
        for requirements in scenario.pip_index_requirements:
            arguments += [
                "--requirement",
                "/scenario/" + str(requirements.relative_to(scenario.files_directory)),
            ]
        log(f"downloading the wheels of {scenario.name} into {PACKAGES_DIRECTORY} (once)")
        command = [
            "docker",
            "run",
            "--rm",
            "--network",
            "host",
            *mounts,
            PYTHON_TEST_IMAGE,
            "python3",
            "-m",
            "pip",
            "download",
            *arguments,
        ]
        if subprocess.run(command, stdin=subprocess.DEVNULL).returncode != 0:
            raise LocalIndexError(f"wheel download failed: {' '.join(command)}")
    DOWNLOAD_MARKER.write_text(key)


def local_index_service(log_path: Path) -> ChildService:
    """pypiserver over PACKAGES_DIRECTORY, as a ChildService (running while its `with` block lasts)."""
    executable = ensure_server_installed()
    command = [
        str(executable),
        "run",
        "--host",
        "127.0.0.1",
        "--port",
        str(LOCAL_INDEX_PORT),
        "--server",
        "wsgiref",
        "--disable-fallback",
        "--cache-control",
        str(LOCAL_INDEX_CACHE_CONTROL_SECONDS),
        str(PACKAGES_DIRECTORY),
    ]
    return ChildService("pypiserver", command, LOCAL_INDEX_PORT, log_path)
