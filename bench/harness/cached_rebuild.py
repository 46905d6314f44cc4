"""Fully cached rebuilds, stock frontend against cachefront: the frontend's own overhead, per engine.

Input: the apt scenario's Dockerfile and context, the Docker daemon the environment names
(`DOCKER_HOST`/`DOCKER_CONFIG`, so one command measures either engine), the frontend image
(config.FRONTEND_IMAGE) and a number of pairs. Output: a dict (engine, seconds of every build, the
medians, the median of the per-pair ratios, the load average) stored under the run document's
"cached_rebuild" key, one entry per engine version, and `ratio_rows` for the reports.
Invariants: never prunes and removes nothing but its own `cachefront-bench/cached-rebuild:*` tags
before warming up; each variant is built once (warm-up, untimed) before timing, then N pairs run
back to back with the order alternating (stock first in even pairs, cachefront first in odd ones),
so a burst of load from other users of the machine hits both sides alike; a failed or uncached
build stops the measurement with an error instead of skewing the median.
"""

from __future__ import annotations

import os
import shutil
import statistics
import time
from pathlib import Path

from harness import run_document
from harness.config import BUILT_IMAGE_REPOSITORY, FRONTEND_IMAGE, SCENARIOS_DIRECTORY, WORK_DIRECTORY
from harness.docker_builds import docker_versions, image_exists, run_quietly
from harness.measurements import log

SCENARIO = "apt-add-package"
DEFAULT_PAIRS = 15
VARIANT_KEYS = ("stock", "cachefront")


def working_copy() -> Path:
    """bench/work/cached-rebuild: the scenario's unedited Dockerfile and its context."""
    source = SCENARIOS_DIRECTORY / SCENARIO
    target = WORK_DIRECTORY / "cached-rebuild"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source / "context", target / "context")
    shutil.copy(source / "Dockerfile", target / "Dockerfile")
    return target


def build_command(directory: Path, variant: str, quiet: bool) -> list[str]:
    command = ["docker", "buildx", "build", "--builder", "default"]
    command += ["-q"] if quiet else ["--progress", "plain"]
    command += ["--file", str(directory / "Dockerfile")]
    command += ["--tag", f"{BUILT_IMAGE_REPOSITORY}/cached-rebuild:{variant}"]
    if variant == "cachefront":
        command += ["--build-arg", f"BUILDKIT_SYNTAX={FRONTEND_IMAGE}"]
    return command + [str(directory / "context")]


def timed_build(directory: Path, variant: str) -> tuple[float, str]:
    """Seconds of one `docker buildx build -q` (as a user sees it) and the image id it printed."""
    command = build_command(directory, variant, quiet=True)
    started = time.monotonic()
    completed = run_quietly(command)
    seconds = time.monotonic() - started
    if completed.returncode != 0:
        raise RuntimeError(f"{variant} build failed: {completed.stderr.strip()[-400:]}")
    return seconds, completed.stdout.strip()


def warm_up(directory: Path, variant: str) -> str:
    """Builds once with progress (downloads on a cold daemon) and checks the next build is cached."""
    log(f"cached rebuild: warming up {variant} (a cold daemon downloads the apt packages once)")
    completed = run_quietly(build_command(directory, variant, quiet=False))
    if completed.returncode != 0:
        raise RuntimeError(f"{variant} warm-up build failed: {completed.stderr.strip()[-400:]}")
    check = run_quietly(build_command(directory, variant, quiet=False))
    if check.returncode != 0 or "CACHED" not in check.stderr:
        raise RuntimeError(f"{variant}: the build after the warm-up was not cached")
    _, image = timed_build(directory, variant)
    return image


def one_minute_load() -> float:
    return os.getloadavg()[0]


def measure(pairs: int = DEFAULT_PAIRS) -> dict:
    """`pairs` alternating stock/cachefront fully cached rebuilds on the daemon the environment names."""
    if not image_exists(FRONTEND_IMAGE):
        raise RuntimeError(f"{FRONTEND_IMAGE} is not on this daemon (build or `docker load` it first)")
    directory = working_copy()
    for variant in VARIANT_KEYS:
        run_quietly(["docker", "image", "rm", f"{BUILT_IMAGE_REPOSITORY}/cached-rebuild:{variant}"])
    images = {variant: warm_up(directory, variant) for variant in VARIANT_KEYS}
    seconds: dict[str, list[float]] = {variant: [] for variant in VARIANT_KEYS}
    loads = []
    stable = True
    for pair in range(pairs):
        order = VARIANT_KEYS if pair % 2 == 0 else tuple(reversed(VARIANT_KEYS))
        loads.append(one_minute_load())
        for variant in order:
            elapsed, image = timed_build(directory, variant)
            seconds[variant].append(round(elapsed, 4))
            stable = stable and image == images[variant]
        log(
            f"cached rebuild pair {pair + 1}/{pairs}: stock {seconds['stock'][-1]:.3f} s, "
            f"cachefront {seconds['cachefront'][-1]:.3f} s"
        )
    ratios = [c / s for s, c in zip(seconds["stock"], seconds["cachefront"]) if s > 0]
    versions = docker_versions()
    return {
        "measured_at": run_document.utc_now(),
        "engine": versions.get("server", "unknown"),
        "buildx": versions.get("buildx", "unknown"),
        "frontend_image": FRONTEND_IMAGE,
        "scenario": SCENARIO,
        "pairs": pairs,
        "seconds": seconds,
        "median_seconds": {variant: round(statistics.median(values), 4) for variant, values in seconds.items()},
        "median_pair_ratio": round(statistics.median(ratios), 3),
        "image_id_stable": stable,
        "load_average": {"min": round(min(loads), 2), "median": round(statistics.median(loads), 2),
                         "max": round(max(loads), 2)},
    }


def ratio_rows(document: dict) -> list[tuple[str, str, str, str, str, str]]:
    """(engine, stock, cachefront, ratio, pairs and load, when) per engine, oldest engine first."""
    entries = document.get("cached_rebuild", {})
    rows = []
    for engine in sorted(entries, key=lambda text: [int(p) if p.isdigit() else 0 for p in text.split(".")]):
        entry = entries[engine]
        medians = entry.get("median_seconds", {})
        load = entry.get("load_average", {})
        rows.append(
            (
                f"Docker {engine}",
                f"{medians.get('stock', 0):.2f} s",
                f"{medians.get('cachefront', 0):.2f} s",
                f"{entry.get('median_pair_ratio', 0):.2f}x",
                f"{entry.get('pairs', '?')} pairs, load {load.get('median', '?')}",
                entry.get("measured_at", "?"),
            )
        )
    return rows


def ratio_table(document: dict) -> str:
    """The markdown table of `ratio_rows` (empty when nothing was measured)."""
    rows = ratio_rows(document)
    if not rows:
        return ""
    lines = [
        "| engine | stock | cachefront | cachefront / stock (median of pairs) | runs (1-min load, median) | measured |",
        "|---|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def with_entry(document: dict, entry: dict) -> dict:
    """The document with `entry` stored as its engine's cached-rebuild measurement."""
    updated = dict(document)
    updated["cached_rebuild"] = {**document.get("cached_rebuild", {}), entry["engine"]: entry}
    return updated


def run_cached_rebuild(pairs: int, measurements_path: Path) -> dict:
    """Measures, stores the entry in measurements.json (other engines' entries kept), returns it."""
    entry = measure(pairs)
    document = run_document.load(measurements_path) if measurements_path.exists() else {}
    run_document.save(with_entry(document, entry), measurements_path)
    log(
        f"cached rebuild on Docker {entry['engine']}: stock {entry['median_seconds']['stock']:.3f} s, "
        f"cachefront {entry['median_seconds']['cachefront']:.3f} s, ratio {entry['median_pair_ratio']:.2f} "
        f"(load {entry['load_average']['median']})"
    )
    return entry

