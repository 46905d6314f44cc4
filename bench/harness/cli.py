"""`bench/run`: the whole benchmark in one command, or a quick smoke run, or only the report.

Input: command-line flags (see `bench/run --help`); root, a Docker daemon with the local base images,
`tc` and `iptables`. Output: bench/results/{measurements.json, results.md, chart.svg} and the README's
results block; progress on stderr; exit 0 when the run completed (failed builds are recorded and
reported, not fatal), 1 when the benchmark could not run or a flag names an unknown scenario,
network or variant, 2 for malformed flags, 130 when interrupted (what was measured is kept).
Invariants: loopback counters, shaping, the forward proxy and the local registries are removed or stopped
on every exit path; images it did not build are never removed; prunes are logged with times.
"""

from __future__ import annotations

import argparse
import signal
from contextlib import ExitStack

from harness import cached_rebuild, ci_runner, frontend_overhead, publish, run_document
from harness.child_service import ChildServiceError
from harness.config import (
    DEFAULT_REPETITIONS,
    FRONTEND_IMAGE,
    MEASUREMENTS_PATH,
    NETWORKS,
    VARIANTS,
)
from harness.environment import machine_facts
from harness.local_index import LocalIndexError
from harness.measurements import MeasurementLoop, log
from harness.npm_registry import NpmRegistryError
from harness.scenarios import Scenario, ScenarioError, load_scenarios
from harness.services import COUNTED_PORTS, hold_run_lock, start_services
from harness.traffic import TrafficControlError, remove_leftovers


def comma_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def parse_arguments(arguments: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run",
        description="Builds every scenario with the stock frontend, hand-written cache mounts and cachefront, "
        "cold and after one change, on each network condition, and writes bench/results/. "
        "WARNING: runs `docker builder prune -af` before every build pair, emptying the build cache "
        "of everyone using this Docker daemon.",
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 repetition, unthrottled only")
    parser.add_argument(
        "--repetitions", type=int, help=f"repetitions per cell (default {DEFAULT_REPETITIONS})"
    )
    parser.add_argument("--scenarios", type=comma_list, help="comma-separated scenario directory names")
    parser.add_argument(
        "--networks",
        type=comma_list,
        help="comma-separated: " + ", ".join(n.key for n in NETWORKS) + " (default: all)",
    )
    parser.add_argument(
        "--variants",
        type=comma_list,
        help="comma-separated: " + ", ".join(v.key for v in VARIANTS) + " (default: all available)",
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep measurements.json's other cells: replace only the scenario/network/variant "
        "cells this run measures",
    )
    parser.add_argument(
        "--frontend-only",
        action="store_true",
        help="measure only the frontend image's size and the lowering time (no builds, no prune) "
        "and update measurements.json and the reports",
    )
    parser.add_argument(
        "--cached-rebuild",
        action="store_true",
        help="measure only fully cached rebuilds of the apt scenario, stock vs cachefront, in alternating "
        "pairs on the daemon DOCKER_HOST names (no prune, no root), store them per engine in "
        "measurements.json and update the reports",
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=cached_rebuild.DEFAULT_PAIRS,
        help=f"pairs of builds for --cached-rebuild (default {cached_rebuild.DEFAULT_PAIRS})",
    )
    parser.add_argument(
        "--ci-runner",
        action="store_true",
        help="measure only the fresh-CI-runner rows (harness/ci_runner.py): stock vs cachefront seeded "
        "from a saved cache directory, restore and export counted; default scenarios "
        + ",".join(ci_runner.DEFAULT_SCENARIOS)
        + ", networks "
        + ",".join(ci_runner.DEFAULT_NETWORKS),
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="regenerate results.md, chart.svg and the README block from measurements.json "
        "(scenario titles, descriptions and notes are refreshed from scenarios/)",
    )
    return parser.parse_args(arguments)


def select(keys: list[str] | None, choices: tuple, kind: str) -> list:
    if not keys:
        return list(choices)
    known = {choice.key: choice for choice in choices}
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise SystemExit(f"bench/run: unknown {kind} {', '.join(unknown)}; choose from {', '.join(known)}")
    return [choice for choice in choices if choice.key in keys]


def scenario_facts(scenario: Scenario) -> dict:
    """What the run document keeps about a scenario: its texts and how it was measured."""
    return {
        "name": scenario.name,
        "title": scenario.title,
        "description": scenario.description,
        "order": scenario.order,
        "local_registry": scenario.local_registry,
        "downloads": scenario.downloads,
        "limited_links": scenario.limited_links,
        "hand_mounts_note": scenario.hand_mounts_note,
        "target_note": scenario.target_note,
    }


def refresh_scenario_texts(document: dict) -> None:
    """`--report-only`: titles, descriptions and notes from scenarios/ (measurements untouched)."""
    current = {scenario.name: scenario_facts(scenario) for scenario in load_scenarios()}
    for entry in document.get("scenarios", []):
        facts = current.get(entry["name"])
        if facts is not None:
            entry.update({key: facts[key] for key in ("title", "description", "hand_mounts_note", "target_note")})


def raise_on_termination(signal_number, frame) -> None:
    raise KeyboardInterrupt(f"signal {signal_number}")


def run(options: argparse.Namespace) -> int:
    lock_file = hold_run_lock()
    scenarios = load_scenarios(options.scenarios)
    networks = select(options.networks, NETWORKS, "network")
    if options.quick:
        networks = [network for network in networks if network.megabits_per_second is None] or [NETWORKS[0]]
    repetitions = options.repetitions or (1 if options.quick else DEFAULT_REPETITIONS)
    variants = select(options.variants, VARIANTS, "variant")
    document = {
        "schema": run_document.SCHEMA_VERSION,
        "mode": "quick"
        if options.quick
        else ("full" if not (options.scenarios or options.networks or options.variants) else "partial"),
        "started_at": run_document.utc_now(),
        "finished_at": None,
        "repetitions": repetitions,
        "networks": [network.key for network in networks],
        "variants": [variant.key for variant in variants],
        "scenarios": [scenario_facts(s) for s in scenarios],
        "environment": machine_facts(),
        "frontend": frontend_overhead.frontend_facts(),
        "prunes": [],
        "skipped": [],
        "records": [],
    }
    if any(v.uses_cachefront for v in variants) and not document["frontend"]["available"]:
        variants = [variant for variant in variants if not variant.uses_cachefront]
        document["skipped"].append(
            {
                "scenario": "all",
                "network": "all",
                "variant": "cachefront",
                "reason": f"{FRONTEND_IMAGE} is not on this daemon (build it with scripts/build-frontend)",
            }
        )
        log(f"{FRONTEND_IMAGE} not found: measuring without variant (3)")
    if MEASUREMENTS_PATH.exists():
        previous = run_document.load(MEASUREMENTS_PATH)
        # Measured separately (`--cached-rebuild`, per engine): kept by every run.
        document["cached_rebuild"] = previous.get("cached_rebuild", {})
        # Measured separately (`--ci-runner`): kept by every run.
        if "ci_runner" in previous:
            document["ci_runner"] = previous["ci_runner"]
        if options.merge:
            document = run_document.merge_into(previous, document)
    log(
        "every repetition runs `docker builder prune -af`: the build cache of everyone on this daemon is emptied"
    )
    signal.signal(signal.SIGTERM, raise_on_termination)
    remove_leftovers(COUNTED_PORTS)
    try:
        with ExitStack() as stack:
            counters = start_services(stack, scenarios)
            loop = MeasurementLoop(document, counters, list(COUNTED_PORTS.values()))
            loop.run(scenarios, variants, networks, repetitions)
    except KeyboardInterrupt:
        log("interrupted: writing what was measured so far")
        document["finished_at"] = None
        run_document.save(document, MEASUREMENTS_PATH)
        publish.write_outputs(document)
        return 130
    finally:
        lock_file.close()
    run_document.finish(document)
    run_document.save(document, MEASUREMENTS_PATH)
    publish.write_outputs(document)
    log(f"done: {MEASUREMENTS_PATH.parent}/results.md")
    return 0


def refresh_frontend_facts() -> int:
    """`--frontend-only`: new image size and lowering time; the last build run's image is kept."""
    document = run_document.load(MEASUREMENTS_PATH)
    previous = document.get("frontend", {})
    document["frontend"] = frontend_overhead.frontend_facts()
    document["frontend"]["measured_at"] = run_document.utc_now()
    document["frontend"]["at_run_start"] = previous.get("at_run_start") or {
        key: previous.get(key) for key in ("image_id", "size_bytes")
    }
    run_document.save(document, MEASUREMENTS_PATH)
    publish.write_outputs(document)
    return 0


def run_ci_runner(options: argparse.Namespace) -> int:
    """`--ci-runner`: the fresh-CI-runner rows only, merged into measurements.json by cell."""
    lock_file = hold_run_lock()
    scenarios = load_scenarios(options.scenarios or list(ci_runner.DEFAULT_SCENARIOS))
    networks = select(options.networks or list(ci_runner.DEFAULT_NETWORKS), NETWORKS, "network")
    if options.quick:
        networks = [network for network in networks if network.megabits_per_second is None] or [NETWORKS[0]]
    repetitions = options.repetitions or (1 if options.quick else DEFAULT_REPETITIONS)
    signal.signal(signal.SIGTERM, raise_on_termination)
    remove_leftovers(COUNTED_PORTS)
    status = 0
    try:
        with ExitStack() as stack:
            counters = start_services(stack, scenarios)
            ci_runner.run(scenarios, networks, repetitions, counters, list(COUNTED_PORTS.values()))
    except KeyboardInterrupt:
        log("interrupted: reporting what was measured so far")
        status = 130
    finally:
        lock_file.close()
    publish.write_outputs(run_document.load(MEASUREMENTS_PATH))
    return status


def main(arguments: list[str]) -> int:
    options = parse_arguments(arguments)
    try:
        if options.report_only:
            document = run_document.load(MEASUREMENTS_PATH)
            refresh_scenario_texts(document)
            run_document.save(document, MEASUREMENTS_PATH)
            publish.write_outputs(document)
            return 0
        if options.frontend_only:
            return refresh_frontend_facts()
        if options.cached_rebuild:
            cached_rebuild.run_cached_rebuild(options.pairs, MEASUREMENTS_PATH)
            publish.write_outputs(run_document.load(MEASUREMENTS_PATH))
            return 0
        if options.ci_runner:
            return run_ci_runner(options)
        return run(options)
    except (
        OSError,
        RuntimeError,
        ValueError,
        ScenarioError,
        LocalIndexError,
        ChildServiceError,
        NpmRegistryError,
        TrafficControlError,
    ) as error:
        log(f"cannot run the benchmark: {error}")
        return 1
