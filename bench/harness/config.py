"""Fixed settings of the benchmark: paths, loopback ports, the build variants and network conditions.

Input: the environment variable CACHEFRONT_BENCH_FRONTEND_IMAGE (optional, default `cachefront:dev`).
Output: constants and small immutable descriptions used by every other harness module.
Invariants: all ports are on 127.0.0.1; the local index's and the npm registry's must match the
literal URLs in the pip scenario's Dockerfiles and the npm scenario's .npmrc; variant and network
keys are stable (they name rows in measurements.json).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

BENCH_DIRECTORY = Path(__file__).resolve().parent.parent
REPOSITORY_ROOT = BENCH_DIRECTORY.parent
SCENARIOS_DIRECTORY = BENCH_DIRECTORY / "scenarios"
RESULTS_DIRECTORY = BENCH_DIRECTORY / "results"
WORK_DIRECTORY = BENCH_DIRECTORY / "work"
README_PATH = BENCH_DIRECTORY.parent / "README.md"
MEASUREMENTS_PATH = RESULTS_DIRECTORY / "measurements.json"
RESULTS_MARKDOWN_PATH = RESULTS_DIRECTORY / "results.md"
CHART_PATH = RESULTS_DIRECTORY / "chart.svg"

# pypiserver on loopback: the pip scenarios' Dockerfiles name this port literally.
LOCAL_INDEX_PORT = 47631
# harness.forward_proxy on loopback: apt, npm and cargo reach their registries through it.
FORWARD_PROXY_PORT = 47632
# harness.npm_registry on loopback: the npm scenario's .npmrc names this port literally.
NPM_REGISTRY_PORT = 47633
# pypiserver's --cache-control max-age for package files, in seconds (as real indexes send).
LOCAL_INDEX_CACHE_CONTROL_SECONDS = 31536000

FRONTEND_IMAGE = os.environ.get("CACHEFRONT_BENCH_FRONTEND_IMAGE", "cachefront:dev")
FRONTEND_BINARY = REPOSITORY_ROOT / "target" / "x86_64-unknown-linux-gnu" / "release" / "cachefront"
BUILT_IMAGE_REPOSITORY = "cachefront-bench"


@dataclass(frozen=True)
class Variant:
    """One way of building a scenario's Dockerfile."""

    key: str
    number: int
    label: str
    dockerfile_name: str
    uses_cachefront: bool


VARIANTS = (
    Variant("stock", 1, "(1) stock frontend, unedited Dockerfile", "Dockerfile", False),
    Variant("hand-mounts", 2, "(2) stock frontend, cache mounts by hand", "Dockerfile.cache-mounts", False),
    Variant("cachefront", 3, "(3) cachefront, unedited Dockerfile", "Dockerfile", True),
)


@dataclass(frozen=True)
class Network:
    """A network condition: None means the machine's own link, unshaped."""

    key: str
    label: str
    megabits_per_second: int | None


NETWORKS = (
    Network("unthrottled", "unthrottled", None),
    # 10 Mbit/s before 50: the "4x faster" target is set on the slower link.
    Network("10mbit", "10 Mbit/s", 10),
    Network("50mbit", "50 Mbit/s", 50),
)

DEFAULT_REPETITIONS = 3
LOWERING_INSTRUCTION_COUNT = 1000
LOWERING_RUNS = 20
# Issue 3: parsing performance on a long Dockerfile, measured in process.
PARSING_INSTRUCTION_COUNT = 10000
