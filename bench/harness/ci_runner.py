"""Fresh CI runner, one dependency added: stock against cachefront seeded from a saved cache directory.

Input: scenarios (their unedited project and `change/`), networks, a repetition count, the loopback
counters and shaped ports (services.py), and the frontend image (config.FRONTEND_IMAGE).
Output: measurements.json's "ci_runner" key: "seeds" (per scenario: how the saved caches were made,
their size), "runs", and "records" (one per timed step: scenario, network, variant, repetition,
phase restore | build | export, seconds, downloaded bytes, exit code, log); build logs under
bench/work/logs/ci-runner/, directories under bench/work/ci-runner/<scenario>/.
Steps: per scenario, once and not counted, the previous CI job: prune, build the unchanged project
with an empty seed, export its caches into `saved/`. Then per network and repetition, each variant
on a fresh runner (`docker builder prune -af`, its image removed) with the change applied: stock
builds, and its time is that build; cachefront restores (copies `saved/` to `restored/`), builds
with `--build-context cachefront-cache=<restored>`, and exports with `CACHEFRONT_EXPORT_CACHES=1
--output type=local,dest=<export>`; all three count.
Invariants: `saved/` is never overwritten by a repetition, so every repetition restores the same
caches; a run replaces only the (scenario, network) cells it measures; nothing asserts a timing.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

from harness import docker_builds, run_document
from harness import scenarios as scenario_files
from harness.config import FRONTEND_IMAGE, MEASUREMENTS_PATH, VARIANTS, WORK_DIRECTORY, Network
from harness.measurements import log
from harness.scenarios import Scenario
from harness.traffic import LoopbackCounters, LoopbackShaper

DEFAULT_SCENARIOS = ("apt-add-package", "pip-add-package")
DEFAULT_NETWORKS = ("unthrottled", "10mbit")
SEED_CONTEXT = "cachefront-cache"
STOCK = next(variant for variant in VARIANTS if variant.key == "stock")
CACHEFRONT = next(variant for variant in VARIANTS if variant.key == "cachefront")
# cachefront's seed and export steps end with "seeded <size> in <n> files in all" / "exported ...".
CACHE_TOTAL = re.compile(r"^#\d+ [\d.]+ ((?:seeded|exported) .* in all)$")


def runner_directory(scenario: Scenario) -> Path:
    return WORK_DIRECTORY / "ci-runner" / scenario.name


def ci_command(working_copy: Path, tag: str, seed: Path | None, export: Path | None) -> list[str]:
    """The benchmark's build command (docker_builds) for stock (no seed) or cachefront with the recipe's
    flags: the seed context, and for the export its build arg and local output instead of the tag."""
    variant = STOCK if seed is None else CACHEFRONT
    command = docker_builds.build_command(working_copy, variant, tag)
    context = command.pop()
    if seed is not None:
        command += ["--build-context", f"{SEED_CONTEXT}={seed}"]
    if export is not None:
        tag_at = command.index("--tag")
        del command[tag_at : tag_at + 2]
        command += ["--build-arg", "CACHEFRONT_EXPORT_CACHES=1", "--output", f"type=local,dest={export}"]
    return command + [context]


def tree_size(root: Path) -> tuple[int, int]:
    """(bytes, files) of the regular files under `root` (0, 0 when it does not exist)."""
    total, files = 0, 0
    for directory, _, names in os.walk(root):
        for name in names:
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                total += path.stat().st_size
                files += 1
    return total, files


def cache_total(log_text: str) -> str | None:
    """The last "seeded/exported <size> in <n> files in all" line cachefront printed, if any."""
    found = None
    for line in log_text.splitlines():
        match = CACHE_TOTAL.match(line)
        if match:
            found = match.group(1)
    return found


def replace_directory(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)


class CiRunner:
    """Runs and records the steps; the document is saved after every step."""

    def __init__(self, document: dict, counters: LoopbackCounters) -> None:
        self.document = document
        self.section = document["ci_runner"]
        self.counters = counters
        self.prunes = 0

    def save(self) -> None:
        run_document.save(self.document, MEASUREMENTS_PATH)

    def fresh_runner(self, tag: str) -> None:
        docker_builds.remove_built_image(tag)
        docker_builds.prune_builder()
        self.prunes += 1

    def build(self, command: list[str], log_path: Path) -> tuple[docker_builds.BuildOutcome, dict | None]:
        before = self.counters.read()
        outcome = docker_builds.run_build_command(command, log_path)
        after = self.counters.read()
        downloaded = {name: after[name] - before[name] for name in after if after[name] >= before.get(name, 0)}
        return outcome, (downloaded if len(downloaded) == len(after) else None)

    def make_seed(self, scenario: Scenario) -> None:
        """The previous CI job (not counted): cachefront builds the unchanged project on a fresh runner
        with an empty seed and exports its caches into `saved/`."""
        directory = runner_directory(scenario)
        empty, saved = directory / "empty-seed", directory / "saved"
        replace_directory(empty)
        empty.mkdir()
        replace_directory(saved)
        working_copy = scenario_files.prepare_working_copy(scenario)
        tag = docker_builds.built_image_tag(f"ci-runner-{scenario.name}", CACHEFRONT)
        self.fresh_runner(tag)
        logs = WORK_DIRECTORY / "logs" / "ci-runner" / scenario.name
        log(f"ci-runner {scenario.name}: making the saved caches (previous CI job, not counted)")
        first, _ = self.build(ci_command(working_copy, tag, empty, None), logs / "seed-build.log")
        export, _ = self.build(ci_command(working_copy, tag, empty, saved), logs / "seed-export.log")
        docker_builds.remove_built_image(tag)
        size, files = tree_size(saved)
        self.section["seeds"][scenario.name] = {
            "title": scenario.title,
            "made_at": run_document.utc_now(),
            "build_seconds": first.seconds,
            "export_seconds": export.seconds,
            "exit_codes": [first.exit_code, export.exit_code],
            "caches": sorted(path.name for path in saved.iterdir()) if saved.is_dir() else [],
            "size_bytes": size,
            "files": files,
            "export_total": cache_total(Path(export.log_path).read_text()),
        }
        self.save()
        if not (first.succeeded and export.succeeded):
            raise RuntimeError(f"{scenario.name}: making the saved caches failed, see {logs}")
        log(f"ci-runner {scenario.name}: saved caches {size / 1e6:.1f} MB in {files} files")

    def record(self, scenario: Scenario, network: Network, variant: str, repetition: int, phase: str,
               fields: dict) -> None:
        self.section["records"].append(
            {
                "scenario": scenario.name,
                "network": network.key,
                "variant": variant,
                "repetition": repetition,
                "phase": phase,
                "started_at": run_document.utc_now(),
                "load_average": round(os.getloadavg()[0], 2),
            }
            | fields
        )
        self.save()
        log(
            f"ci-runner {network.key} {scenario.name} {variant} #{repetition} {phase}: "
            f"{fields['seconds']:.1f}s, exit {fields['exit_code']}"
        )

    def timed_build(self, scenario: Scenario, network: Network, variant: str, repetition: int, phase: str,
                    command: list[str]) -> bool:
        log_path = WORK_DIRECTORY / "logs" / "ci-runner" / network.key / scenario.name / (
            f"{variant}-{repetition}-{phase}.log"
        )
        outcome, downloaded = self.build(command, log_path)
        self.record(
            scenario,
            network,
            variant,
            repetition,
            phase,
            {
                "seconds": outcome.seconds,
                "exit_code": outcome.exit_code,
                "bytes": downloaded,
                "executed_steps": outcome.executed_steps,
                "cached_steps": outcome.cached_steps,
                "longest_step": outcome.longest_step,
                "longest_step_seconds": outcome.longest_step_seconds,
                "caches": cache_total(log_path.read_text()),
                "log": str(log_path.relative_to(WORK_DIRECTORY.parent)),
            },
        )
        return outcome.succeeded

    def stock(self, scenario: Scenario, network: Network, repetition: int) -> None:
        tag = docker_builds.built_image_tag(f"ci-runner-{scenario.name}", STOCK)
        working_copy = scenario_files.prepare_working_copy(scenario)
        scenario_files.apply_change(scenario, working_copy)
        self.fresh_runner(tag)
        self.timed_build(scenario, network, "stock", repetition, "build", ci_command(working_copy, tag, None, None))
        docker_builds.remove_built_image(tag)

    def cachefront(self, scenario: Scenario, network: Network, repetition: int) -> None:
        directory = runner_directory(scenario)
        restored, export = directory / "restored", directory / "export"
        tag = docker_builds.built_image_tag(f"ci-runner-{scenario.name}", CACHEFRONT)
        working_copy = scenario_files.prepare_working_copy(scenario)
        scenario_files.apply_change(scenario, working_copy)
        replace_directory(restored)
        replace_directory(export)
        self.fresh_runner(tag)
        started = time.monotonic()
        shutil.copytree(directory / "saved", restored, symlinks=True)
        seconds = round(time.monotonic() - started, 3)
        size, files = tree_size(restored)
        self.record(
            scenario,
            network,
            "cachefront",
            repetition,
            "restore",
            {"seconds": seconds, "exit_code": 0, "bytes": None, "size_bytes": size, "files": files},
        )
        build = ci_command(working_copy, tag, restored, None)
        if self.timed_build(scenario, network, "cachefront", repetition, "build", build):
            self.timed_build(
                scenario, network, "cachefront", repetition, "export", ci_command(working_copy, tag, restored, export)
            )
        docker_builds.remove_built_image(tag)


def run(
    scenarios: list[Scenario],
    networks: list[Network],
    repetitions: int,
    counters: LoopbackCounters,
    shaped_ports: list[int],
) -> None:
    """Measures every (scenario, network) cell `repetitions` times into measurements.json."""
    if not docker_builds.image_exists(FRONTEND_IMAGE):
        raise RuntimeError(f"{FRONTEND_IMAGE} is not on this daemon (build or `docker load` it first)")
    document = run_document.load(MEASUREMENTS_PATH) if MEASUREMENTS_PATH.exists() else {"schema": 1}
    section = document.setdefault("ci_runner", {"seeds": {}, "runs": [], "records": []})
    measured = {(scenario.name, network.key) for scenario in scenarios for network in networks}
    section["records"] = [r for r in section["records"] if (r["scenario"], r["network"]) not in measured]
    versions = docker_builds.docker_versions()
    entry = {
        "started_at": run_document.utc_now(),
        "finished_at": None,
        "scenarios": [scenario.name for scenario in scenarios],
        "networks": [network.key for network in networks],
        "repetitions": repetitions,
        "engine": versions.get("server", "unknown"),
        "buildx": versions.get("buildx", "unknown"),
        "frontend_image": FRONTEND_IMAGE,
        "frontend_image_id": docker_builds.image_id(FRONTEND_IMAGE),
    }
    section["runs"].append(entry)
    log("--ci-runner: every step starts with `docker builder prune -af` (everyone's build cache on this daemon)")
    runner = CiRunner(document, counters)
    for scenario in scenarios:
        runner.make_seed(scenario)
    for network in networks:
        log(f"ci-runner network: {network.label}")
        with LoopbackShaper(shaped_ports, network.megabits_per_second):
            for scenario in scenarios:
                for repetition in range(1, repetitions + 1):
                    runner.stock(scenario, network, repetition)
                    runner.cachefront(scenario, network, repetition)
    entry["finished_at"] = run_document.utc_now()
    entry["prunes"] = runner.prunes
    runner.save()
