"""Frontend overhead that is not a build: the image's size and the time to lower a large Dockerfile.

Input: the frontend image reference (config.FRONTEND_IMAGE) and the release binary
(config.FRONTEND_BINARY), if they exist. Output: a dict for the run document's "frontend" key:
image presence, id and size; for lowering, the median wall time of `cachefront explain` on a
generated Dockerfile of LOWERING_INSTRUCTION_COUNT instructions, or why it is pending.
Invariants: the generated Dockerfile is deterministic; hyperfine is used when installed, else a
plain loop; when the binary has `debug timings`, its in-process parse/lower/marshal times are kept
too (medians); a missing binary or a failing `explain` is reported, never raised.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from harness import docker_builds
from harness.config import (
    FRONTEND_BINARY,
    FRONTEND_IMAGE,
    LOWERING_INSTRUCTION_COUNT,
    LOWERING_RUNS,
    PARSING_INSTRUCTION_COUNT,
    WORK_DIRECTORY,
)

PACKAGE_NAMES = ("curl", "git", "jq", "make", "zip", "unzip", "rsync", "less", "vim-tiny", "file")


def generated_dockerfile(instruction_count: int) -> str:
    """A single-stage Dockerfile mixing every common instruction, package-manager RUNs included."""
    lines = ["FROM debian:bookworm AS base"]
    templates = (
        "ARG VERSION_{index}=1.{index}",
        "ENV SETTING_{index}=value-{index} PATH_{index}=/opt/tool-{index}/bin",
        "RUN apt-get update && apt-get install -y --no-install-recommends {package}",
        "WORKDIR /srv/app-{index}",
        "COPY config-{index}.json /etc/app/config-{index}.json",
        "RUN pip install --no-deps package-{index}==1.0.{index}",
        'LABEL org.example.step-{index}="{index}"',
        "RUN npm install --omit=dev module-{index}@1.{index}.0",
        'RUN echo "$SETTING_{index}" > /tmp/setting-{index} && test -s /tmp/setting-{index}',
        "RUN cargo install --locked tool-{index} || true",
    )
    index = 0
    while len(lines) < instruction_count - 2:
        template = templates[index % len(templates)]
        lines.append(template.format(index=index, package=PACKAGE_NAMES[index % len(PACKAGE_NAMES)]))
        index += 1
    lines += ["USER nobody", 'CMD ["sh"]']
    return "\n".join(lines[:instruction_count]) + "\n"


def median_with_hyperfine(command: list[str], output_path: Path) -> float | None:
    hyperfine = shutil.which("hyperfine")
    if hyperfine is None:
        return None
    completed = subprocess.run(
        [
            hyperfine,
            "--warmup",
            "3",
            "--runs",
            str(LOWERING_RUNS),
            "--style",
            "none",
            "--export-json",
            str(output_path),
            " ".join(command),
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        return None
    results = json.loads(output_path.read_text()).get("results", [])
    return results[0]["median"] if results else None


def median_with_loop(command: list[str]) -> float:
    durations = []
    for _ in range(LOWERING_RUNS + 3):
        started = time.perf_counter()
        subprocess.run(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        durations.append(time.perf_counter() - started)
    return statistics.median(durations[3:])


# `debug timings` invocations for the 1,000-instruction Dockerfile (each is the best of 5 runs).
IN_PROCESS_INVOCATIONS = 3


def in_process_timings(dockerfile: Path, invocations: int) -> dict | None:
    """Medians over `invocations` runs of `cachefront debug timings` (each prints "key value" lines:
    parse_ms, lower_ms, ..., the best of its own 5 in-process runs), if the binary has it."""
    samples: dict[str, list[float]] = {}
    for _ in range(invocations):
        completed = subprocess.run(
            [str(FRONTEND_BINARY), "debug", "timings", str(dockerfile)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
        )
        if completed.returncode != 0:
            return None
        for line in completed.stdout.splitlines():
            key, _, value = line.partition(" ")
            try:
                samples.setdefault(key, []).append(float(value))
            except ValueError:
                continue
    return {key: statistics.median(values) for key, values in samples.items()} or None


def lowering_time() -> dict:
    if not FRONTEND_BINARY.exists():
        return {
            "status": "pending",
            "reason": f"{FRONTEND_BINARY.relative_to(FRONTEND_BINARY.parents[3])} not built",
        }
    directory = WORK_DIRECTORY / "lowering"
    directory.mkdir(parents=True, exist_ok=True)
    dockerfile = directory / "Dockerfile"
    dockerfile.write_text(generated_dockerfile(LOWERING_INSTRUCTION_COUNT))
    command = [str(FRONTEND_BINARY), "explain", str(dockerfile)]
    probe = subprocess.run(
        command, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace"
    )
    if probe.returncode != 0:
        first_line = (probe.stderr.strip().splitlines() or ["no output"])[0]
        return {
            "status": "failed",
            "reason": f"`cachefront explain` exited {probe.returncode}: {first_line[:160]}",
        }
    median = median_with_hyperfine(command, directory / "hyperfine.json")
    tool = "hyperfine"
    if median is None:
        median, tool = median_with_loop(command), "loop"
    return {
        "status": "measured",
        "instructions": LOWERING_INSTRUCTION_COUNT,
        "median_seconds": round(median, 6),
        "runs": LOWERING_RUNS,
        "tool": tool,
        "command": "cachefront explain <generated Dockerfile>",
        "injections_printed": probe.stdout.count("\n"),
        "in_process": in_process_timings(dockerfile, IN_PROCESS_INVOCATIONS),
    }


def parsing_time() -> dict:
    """Parse, lower and marshal times of a PARSING_INSTRUCTION_COUNT-instruction Dockerfile."""
    if not FRONTEND_BINARY.exists():
        return {"status": "pending", "reason": "the cachefront binary is not built"}
    directory = WORK_DIRECTORY / "parsing"
    directory.mkdir(parents=True, exist_ok=True)
    dockerfile = directory / "Dockerfile"
    dockerfile.write_text(generated_dockerfile(PARSING_INSTRUCTION_COUNT))
    # One invocation: it is already the best of 5 in-process runs, and one run lowers 5,000 RUNs
    # that each carry the stage's 4,000 environment variables (seconds, not milliseconds).
    timings = in_process_timings(dockerfile, 1)
    if not timings:
        return {"status": "failed", "reason": "`cachefront debug timings` failed"}
    return {"status": "measured", "instructions": PARSING_INSTRUCTION_COUNT, "runs": 5, "timings": timings}


def frontend_facts(include_lowering: bool = True) -> dict:
    facts = {"image": FRONTEND_IMAGE, "available": docker_builds.image_exists(FRONTEND_IMAGE)}
    if facts["available"]:
        facts["image_id"] = docker_builds.image_id(FRONTEND_IMAGE)
        facts["size_bytes"] = docker_builds.image_size_bytes(FRONTEND_IMAGE)
    if include_lowering:
        facts["lowering"] = lowering_time()
        facts["parsing"] = parsing_time()
    return facts
