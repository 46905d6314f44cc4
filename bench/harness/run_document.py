"""The benchmark's raw results: `bench/results/measurements.json`, written as the run goes.

Input: measurement records (one per build) and facts about the machine, Docker and the frontend.
Output: a JSON document (schema below) saved atomically after every record, so an interrupted run
still reports what it measured; `summarize` turns its records into medians per cell.
Invariants: records are appended, never edited; a cell's median uses successful builds only, says
how many failed, and leaves out (and counts) builds whose cache was emptied mid-repetition.

Schema (version 1): {"schema": 1, "mode", "started_at", "finished_at", "repetitions", "networks",
"variants", "scenarios": [{name, title, description, local_registry, downloads}], "environment",
"frontend", "prunes": [{"at", "seconds"}], "skipped": [{"scenario", "network", "variant", "reason"}],
"records": [{"scenario", "network", "variant", "repetition", "phase" (cold | rebuild | cached),
"seconds", "exit_code", "log", "longest_step", "longest_step_seconds", "executed_steps",
"cached_steps", "bytes": {"local_index", "forward_proxy", "npm_registry"} (null when a counter was
reset), "started_at", "load_average" (1-minute, at the start), "frontend_image_id" (variant 3
only)}]}; a merged document also has "runs", and `bench/run --frontend-only` adds
"frontend"."measured_at". Kept by every run, written by its own mode: "cached_rebuild"
(cached_rebuild.py) and "ci_runner" (ci_runner.py: "seeds", "runs", "records").
"""

from __future__ import annotations

import json
import os
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SCHEMA_VERSION = 1


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def save(document: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.partial")
    temporary.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n")
    os.replace(temporary, path)


def merge_into(previous: dict, current: dict) -> dict:
    """`current` (a run about to start) carrying `previous`'s records for the cells it does not measure.

    The merged document lists every run in "runs" (the last is `current`; finish it with
    `finish`), the union of scenarios, networks and variants, and all prunes; `current`'s
    environment and frontend facts win.
    """
    measured = {
        (s["name"], n, v)
        for s in current["scenarios"]
        for n in current["networks"]
        for v in current["variants"]
    }
    kept = [
        r for r in previous.get("records", []) if (r["scenario"], r["network"], r["variant"]) not in measured
    ]
    scenario_names = {s["name"] for s in current["scenarios"]}
    merged = dict(current)
    merged["mode"] = "merged"
    merged["runs"] = (previous.get("runs") or [run_summary(previous)]) + [run_summary(current)]
    scenarios = [s for s in previous.get("scenarios", []) if s["name"] not in scenario_names] + current[
        "scenarios"
    ]
    merged["scenarios"] = sorted(scenarios, key=lambda s: (s.get("order", 100), s["name"]))
    merged["networks"] = sorted(set(previous.get("networks", [])) | set(current["networks"]))
    merged["variants"] = sorted(set(previous.get("variants", [])) | set(current["variants"]))
    merged["repetitions"] = max(previous.get("repetitions", 1), current["repetitions"])
    merged["prunes"] = previous.get("prunes", []) + current["prunes"]
    merged["skipped"] = previous.get("skipped", []) + current["skipped"]
    merged["records"] = kept + current["records"]
    return merged


def run_summary(document: dict) -> dict:
    return {
        key: document.get(key)
        for key in ("mode", "started_at", "finished_at", "repetitions", "networks", "variants", "environment")
    } | {"scenarios": [s["name"] for s in document.get("scenarios", [])]}


def finish(document: dict) -> None:
    document["finished_at"] = utc_now()
    if document.get("runs"):
        document["runs"][-1]["finished_at"] = document["finished_at"]


def load(path: Path) -> dict:
    document = json.loads(path.read_text())
    if document.get("schema") != SCHEMA_VERSION:
        raise ValueError(f"{path}: schema {document.get('schema')!r}, expected {SCHEMA_VERSION}")
    return document


@dataclass(frozen=True)
class Cell:
    """The median of one (scenario, network, variant, phase) over its repetitions."""

    seconds: float | None
    downloaded_bytes: float | None
    successes: int
    failures: int
    longest_step: str | None
    longest_step_seconds: float | None
    discarded: int = 0
    # The fastest and slowest repetition kept, in seconds (how much the median can be trusted).
    spread: tuple[float, float] | None = None


def record_bytes(record: dict) -> int | None:
    counted = record.get("bytes")
    if counted is None or any(value < 0 for value in counted.values()):
        return None
    return sum(counted.values())


def summarize(document: dict) -> dict[tuple[str, str, str, str], Cell]:
    groups: dict[tuple[str, str, str, str], list[dict]] = {}
    for record in document.get("records", []):
        key = (record["scenario"], record["network"], record["variant"], record["phase"])
        groups.setdefault(key, []).append(record)
    cells = {}
    for key, records in groups.items():
        exited_zero = [record for record in records if record["exit_code"] == 0]
        succeeded, discarded = discard_lost_cache(exited_zero, key[3])
        median_seconds = statistics.median(r["seconds"] for r in succeeded) if succeeded else None
        counted_bytes = [record_bytes(r) for r in succeeded if record_bytes(r) is not None]
        median_bytes = statistics.median(counted_bytes) if counted_bytes else None
        typical = min(succeeded, key=lambda r: abs(r["seconds"] - median_seconds)) if succeeded else None
        cells[key] = Cell(
            seconds=median_seconds,
            downloaded_bytes=median_bytes,
            successes=len(succeeded),
            failures=len(records) - len(exited_zero),
            longest_step=typical.get("longest_step") if typical else None,
            longest_step_seconds=typical.get("longest_step_seconds") if typical else None,
            discarded=discarded,
            spread=(min(r["seconds"] for r in succeeded), max(r["seconds"] for r in succeeded))
            if succeeded
            else None,
        )
    return cells


def discard_lost_cache(records: list[dict], phase: str) -> tuple[list[dict], int]:
    """Drops builds that found their cache emptied by someone else between two builds of a repetition.

    A rebuild (or cached build) executes the same steps in every repetition, so one that executed
    more steps than the cell's fewest lost its cache (seen here when another user of the daemon
    pruned it). Needs two repetitions to tell; cold builds are never dropped.
    """
    counted = [record for record in records if "executed_steps" in record]
    if phase == "cold" or len(counted) < 2:
        return records, 0
    expected = min(record["executed_steps"] for record in counted)
    kept = [record for record in records if record.get("executed_steps", expected) <= expected]
    return kept, len(records) - len(kept)
