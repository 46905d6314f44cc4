"""The measurement loop: every network condition x scenario x repetition x variant.

Input: the selected scenarios, variants and networks, a repetition count, and a run document
(run_document.py) to append to. Output: records appended to the document (saved after each build)
and build logs under bench/work/logs/.
One repetition of one variant: prune the builder and remove the variant's image, lay out the
scenario before its change, build (cold), apply the change, build again (rebuild), and, on the
unthrottled network only, build once more unchanged (cached: the frontend's own overhead).
Invariants: download bytes are the loopback counters' growth during that one build; variants are
interleaved inside each repetition, so slow drift on a shared daemon spreads over all of them;
a failed cold build skips that repetition's rebuild; nothing here asserts a timing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from harness import docker_builds, run_document
from harness import scenarios as scenario_files
from harness.config import FRONTEND_IMAGE, MEASUREMENTS_PATH, WORK_DIRECTORY, Network, Variant
from harness.scenarios import Scenario
from harness.traffic import LoopbackCounters, LoopbackShaper


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


class MeasurementLoop:
    def __init__(self, document: dict, counters: LoopbackCounters, shaped_ports: list[int]) -> None:
        self.document = document
        self.counters = counters
        self.shaped_ports = shaped_ports

    def save(self) -> None:
        run_document.save(self.document, MEASUREMENTS_PATH)

    def prune(self) -> None:
        started_at = run_document.utc_now()
        seconds = docker_builds.prune_builder()
        self.document["prunes"].append({"at": started_at, "seconds": round(seconds, 3)})

    def measured_build(
        self,
        scenario: Scenario,
        network: Network,
        variant: Variant,
        repetition: int,
        phase: str,
        working_copy: Path,
    ) -> bool:
        tag = docker_builds.built_image_tag(scenario.name, variant)
        log_path = (
            WORK_DIRECTORY / "logs" / network.key / scenario.name / f"{variant.key}-{repetition}-{phase}.log"
        )
        before = self.counters.read()
        load_average = round(os.getloadavg()[0], 2)
        started_at = run_document.utc_now()
        frontend_image_id = docker_builds.image_id(FRONTEND_IMAGE) if variant.uses_cachefront else None
        outcome = docker_builds.run_build(working_copy, variant, tag, log_path)
        after = self.counters.read()
        # A counter that went down was reset under us: say "unknown" rather than a wrong number.
        downloaded = {
            name: after[name] - before[name]
            for name in after
            if name in before and after[name] >= before[name]
        }
        if len(downloaded) != len(after):
            downloaded = None
        self.document["records"].append(
            {
                "scenario": scenario.name,
                "network": network.key,
                "variant": variant.key,
                "repetition": repetition,
                "phase": phase,
                "seconds": outcome.seconds,
                "exit_code": outcome.exit_code,
                "log": str(log_path.relative_to(WORK_DIRECTORY.parent)),
                "longest_step": outcome.longest_step,
                "longest_step_seconds": outcome.longest_step_seconds,
                "executed_steps": outcome.executed_steps,
                "cached_steps": outcome.cached_steps,
                "bytes": downloaded,
                "started_at": started_at,
                "load_average": load_average,
                "frontend_image_id": frontend_image_id,
            }
        )
        self.save()
        status = "ok" if outcome.succeeded else f"FAILED (exit {outcome.exit_code}, see {log_path})"
        log(
            f"{network.key} {scenario.name} {variant.key} #{repetition} {phase}: "
            f"{outcome.seconds:.1f}s, {sum(downloaded.values()) if downloaded is not None else '?'} B, {status}"
        )
        return outcome.succeeded

    def repetition(self, scenario: Scenario, network: Network, variant: Variant, repetition: int) -> None:
        docker_builds.remove_built_image(docker_builds.built_image_tag(scenario.name, variant))
        self.prune()
        working_copy = scenario_files.prepare_working_copy(scenario)
        if not self.measured_build(scenario, network, variant, repetition, "cold", working_copy):
            return
        scenario_files.apply_change(scenario, working_copy)
        if not self.measured_build(scenario, network, variant, repetition, "rebuild", working_copy):
            return
        if network.megabits_per_second is None:
            self.measured_build(scenario, network, variant, repetition, "cached", working_copy)

    def run(
        self, scenarios: list[Scenario], variants: list[Variant], networks: list[Network], repetitions: int
    ) -> None:
        for network in networks:
            network_scenarios = [s for s in scenarios if s.limited_links or network.megabits_per_second is None]
            if not network_scenarios:
                continue
            log(f"network: {network.label}")
            with LoopbackShaper(self.shaped_ports, network.megabits_per_second):
                for scenario in network_scenarios:
                    for repetition in range(1, repetitions + 1):
                        for variant in variants:
                            self.repetition(scenario, network, variant, repetition)
                    for variant in variants:
                        docker_builds.remove_built_image(
                            docker_builds.built_image_tag(scenario.name, variant)
                        )
