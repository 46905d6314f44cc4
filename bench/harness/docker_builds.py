"""Running `docker buildx build` for one variant and reading what it took.

Input: a working copy (see scenarios.py), a Variant, and the forward proxy's loopback port.
Output: `BuildOutcome` (wall seconds, exit code, log path, the longest step and the counts of
executed and cached Dockerfile steps from BuildKit's plain progress) and helpers for the daemon:
prune the builder, remove the benchmark's own images, image sizes and versions.
Invariants: removes only images in the `cachefront-bench/` repository; the only global operation is
`docker builder prune -af` (which empties the build cache of everyone using this daemon); every build
uses `--network host` and the same proxy build args, which BuildKit keeps out of history and
of cache keys, so all variants see the same network path.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from harness.config import BUILT_IMAGE_REPOSITORY, FORWARD_PROXY_PORT, FRONTEND_IMAGE, Variant

STEP_HEADER = re.compile(r"^#(\d+) (\[.*|exporting to image)$")
STEP_DONE = re.compile(r"^#(\d+) DONE (\d+(?:\.\d+)?)s$")
STEP_CACHED = re.compile(r"^#(\d+) CACHED$")


@dataclass(frozen=True)
class BuildOutcome:
    seconds: float
    exit_code: int
    log_path: str
    longest_step: str | None
    longest_step_seconds: float | None
    executed_steps: int
    cached_steps: int

    @property
    def succeeded(self) -> bool:
        return self.exit_code == 0


def built_image_tag(scenario_name: str, variant: Variant) -> str:
    return f"{BUILT_IMAGE_REPOSITORY}/{scenario_name}:{variant.key}"


def build_command(working_copy: Path, variant: Variant, tag: str) -> list[str]:
    proxy_url = f"http://127.0.0.1:{FORWARD_PROXY_PORT}"
    command = [
        "docker",
        "buildx",
        "build",
        "--builder",
        "default",
        "--progress",
        "plain",
        "--network",
        "host",
        "--build-arg",
        f"http_proxy={proxy_url}",
        "--build-arg",
        f"https_proxy={proxy_url}",
        "--build-arg",
        "no_proxy=127.0.0.1,localhost",
        "--file",
        str(working_copy / variant.dockerfile_name),
        "--tag",
        tag,
    ]
    if variant.uses_cachefront:
        command += ["--build-arg", f"BUILDKIT_SYNTAX={FRONTEND_IMAGE}"]
    command.append(str(working_copy / "context"))
    return command


@dataclass(frozen=True)
class ProgressSummary:
    """What BuildKit's plain progress says about the Dockerfile's own steps (not `[internal]` ones);
    the longest step may also be the export ("exporting to image")."""

    longest_step: str | None
    longest_step_seconds: float | None
    executed_steps: int
    cached_steps: int


def is_own_step(name: str) -> bool:
    """A Dockerfile step that does work: not `[internal]`, not the export, not a FROM (a local base
    image reports `DONE 0.0s` even in a fully cached build)."""
    return name.startswith("[") and not name.startswith("[internal]") and "] FROM " not in name


def summarize_progress(progress_log: str) -> ProgressSummary:
    names: dict[str, str] = {}
    executed, cached = set(), set()
    best_name, best_seconds = None, None
    for line in progress_log.splitlines():
        header = STEP_HEADER.match(line)
        if header:
            names.setdefault(header.group(1), header.group(2))
            continue
        done = STEP_DONE.match(line)
        if done and done.group(1) in names:
            seconds = float(done.group(2))
            name = names[done.group(1)]
            candidate = is_own_step(name) or name == "exporting to image"
            if candidate and (best_seconds is None or seconds > best_seconds):
                best_name, best_seconds = names[done.group(1)], seconds
            executed.add(done.group(1))
            continue
        was_cached = STEP_CACHED.match(line)
        if was_cached:
            cached.add(was_cached.group(1))
    own_steps = {number for number, name in names.items() if is_own_step(name)}
    if best_name is not None and len(best_name) > 90:
        best_name = best_name[:87] + "..."
    return ProgressSummary(
        best_name, best_seconds, len(own_steps & (executed - cached)), len(own_steps & cached)
    )


def run_build(working_copy: Path, variant: Variant, tag: str, log_path: Path) -> BuildOutcome:
    return run_build_command(build_command(working_copy, variant, tag), log_path)


def run_build_command(command: list[str], log_path: Path) -> BuildOutcome:
    """Runs one `docker buildx build` command line, timed, its output kept in `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    completed = subprocess.run(
        command, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace"
    )
    seconds = time.monotonic() - started
    output = completed.stdout + completed.stderr
    log_path.write_text("$ " + " ".join(command) + "\n" + output)
    progress = summarize_progress(output)
    return BuildOutcome(
        round(seconds, 3),
        completed.returncode,
        str(log_path),
        progress.longest_step,
        progress.longest_step_seconds,
        progress.executed_steps,
        progress.cached_steps,
    )


def run_quietly(command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace")


def prune_builder() -> float:
    """`docker builder prune -af`; returns the seconds it took. Empties everyone's build cache."""
    started = time.monotonic()
    completed = run_quietly(["docker", "builder", "prune", "-af"])
    if completed.returncode != 0:
        raise RuntimeError(f"docker builder prune failed: {completed.stderr.strip()}")
    return time.monotonic() - started


def remove_built_image(tag: str) -> None:
    if not tag.startswith(BUILT_IMAGE_REPOSITORY + "/"):
        raise ValueError(f"refusing to remove {tag}: not a benchmark image")
    if image_exists(tag):
        run_quietly(["docker", "image", "rm", "--force", tag])


def image_exists(reference: str) -> bool:
    return run_quietly(["docker", "image", "inspect", reference]).returncode == 0


def image_size_bytes(reference: str) -> int | None:
    completed = run_quietly(["docker", "image", "inspect", "--format", "{{.Size}}", reference])
    text = completed.stdout.strip()
    return int(text) if completed.returncode == 0 and text.isdigit() else None


def image_id(reference: str) -> str | None:
    completed = run_quietly(["docker", "image", "inspect", "--format", "{{.Id}}", reference])
    return completed.stdout.strip() or None if completed.returncode == 0 else None


def docker_versions() -> dict[str, str]:
    versions = {}
    completed = run_quietly(["docker", "version", "--format", "{{json .}}"])
    try:
        document = json.loads(completed.stdout)
        versions["client"] = document.get("Client", {}).get("Version", "?")
        versions["server"] = document.get("Server", {}).get("Version", "?")
    except json.JSONDecodeError:
        versions["server"] = "unknown"
    # "<module path> 0.13.1+ds1 <revision>": keep the version only.
    buildx_fields = run_quietly(["docker", "buildx", "version"]).stdout.split()
    versions["buildx"] = f"buildx {buildx_fields[1]}" if len(buildx_fields) > 1 else "buildx unknown"
    return versions
