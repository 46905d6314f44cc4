"""Facts about the machine the benchmark ran on, for the results header.

Input: /proc/cpuinfo, /proc/meminfo, /etc/os-release, uname, and the Docker CLI.
Output: a flat dict of strings (CPU model, cores, memory, kernel, OS, Docker and buildx versions,
and the daemon's socket when DOCKER_HOST names one).
Invariants: never fails; an unreadable fact reads "unknown".
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

from harness.docker_builds import docker_versions


def read_text(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def cpu_model() -> str:
    for line in read_text("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gibibytes() -> str:
    for line in read_text("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            kibibytes = int(line.split()[1])
            return f"{kibibytes / 1024 / 1024:.1f} GiB"
    return "unknown"


def operating_system() -> str:
    for line in read_text("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip('"')
    return "unknown"


def machine_facts() -> dict[str, str]:
    versions = docker_versions()
    return {
        "cpu": cpu_model(),
        "cores": str(os.cpu_count() or "unknown"),
        "memory": memory_gibibytes(),
        "kernel": platform.release(),
        "os": operating_system(),
        "docker_server": versions.get("server", "unknown"),
        "docker_client": versions.get("client", "unknown"),
        "buildx": versions.get("buildx", "unknown"),
        "docker_host": os.environ.get("DOCKER_HOST", "default socket"),
    }
