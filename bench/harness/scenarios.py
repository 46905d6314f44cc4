"""Benchmark scenarios: loading `scenarios/<name>/scenario.toml` and laying out working copies.

Input: a scenario directory holding `scenario.toml`, `Dockerfile` (what a team writes),
`Dockerfile.cache-mounts` (the same, hand-edited with cache mounts as Docker's documentation
recommends), `context/` (the build context) and `change/` (files that replace their namesakes for the
rebuild: the same layout, so `change/context/requirements.txt` replaces `context/requirements.txt`).
A scenario with `base = "<other>"` takes the other's Dockerfiles, context and registry settings
(`pip_index_*`: served by the local pip index; `npm_registry_lockfiles`: by the local npm registry),
and only its own change. `context_from = "<other>"` takes only the other's `context/` (the same
project built by other Dockerfiles); `change_from = "<other>"` takes the other's `change/` instead
of an own one.
Output: `Scenario` values and working copies under `bench/work/builds/<name>/`.
Invariants: a working copy is rebuilt from scratch for every repetition, so a change never leaks
into the next cold build; the source tree under `scenarios/` is never written; changed files get
the current modification time (as an edit), the project's others keep theirs.
"""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

from harness.config import SCENARIOS_DIRECTORY, WORK_DIRECTORY


class ScenarioError(Exception):
    """A scenario directory that cannot be used as written."""


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    description: str
    order: int
    downloads: bool
    # Whether the scenario is also measured on the 50 and 10 Mbit/s links (default: when it downloads).
    limited_links: bool
    # Why (3)/(2) may exceed 1 by design, when it does (shown next to that target in the results).
    hand_mounts_note: str
    # Why a speed-up target is missed when it is (shown next to that target in the results).
    target_note: str
    directory: Path
    # Where the Dockerfiles come from (the scenario's own directory, or its base's).
    files_directory: Path
    # The project copied as the build context, and the files copied over it for the rebuild.
    context_directory: Path
    change_directory: Path
    pip_index_constraints: Path | None
    pip_index_requirements: tuple[Path, ...]
    npm_registry_lockfiles: tuple[Path, ...]

    @property
    def uses_pip_index(self) -> bool:
        return self.pip_index_constraints is not None

    @property
    def uses_npm_registry(self) -> bool:
        return bool(self.npm_registry_lockfiles)

    @property
    def local_registry(self) -> str | None:
        """Which loopback registry serves the scenario's downloads, if not the forward proxy."""
        if self.uses_pip_index:
            return "local pip index"
        if self.uses_npm_registry:
            return "local npm registry"
        return None


def load_scenario(directory: Path) -> Scenario:
    settings_path = directory / "scenario.toml"
    try:
        settings = tomllib.loads(settings_path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ScenarioError(f"{settings_path}: {error}") from error
    files_directory = directory
    index_settings = settings
    base_name = settings.get("base")
    if base_name is not None:
        files_directory = SCENARIOS_DIRECTORY / base_name
        try:
            index_settings = tomllib.loads((files_directory / "scenario.toml").read_text())
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ScenarioError(f"{settings_path}: base {base_name!r}: {error}") from error
    context_from = index_settings.get("context_from")
    context_directory = (SCENARIOS_DIRECTORY / context_from if context_from else files_directory) / "context"
    change_from = settings.get("change_from")
    change_directory = (SCENARIOS_DIRECTORY / change_from if change_from else directory) / "change"
    constraints = index_settings.get("pip_index_constraints")
    requirements = index_settings.get("pip_index_requirements", [])
    lockfiles = index_settings.get("npm_registry_lockfiles", [])
    for required in ("Dockerfile", "Dockerfile.cache-mounts"):
        if not (files_directory / required).exists():
            raise ScenarioError(f"{files_directory}: missing {required}")
    if not context_directory.is_dir():
        raise ScenarioError(f"{settings_path}: missing {context_directory}")
    if not change_directory.is_dir():
        raise ScenarioError(f"{settings_path}: missing {change_directory}")
    return Scenario(
        name=directory.name,
        title=str(settings.get("title", directory.name)),
        description=str(settings.get("description", "")),
        order=int(settings.get("order", 100)),
        downloads=bool(settings.get("downloads", True)),
        limited_links=bool(settings.get("limited_links", settings.get("downloads", True))),
        hand_mounts_note=str(settings.get("hand_mounts_note", "")),
        target_note=str(settings.get("target_note", "")),
        directory=directory,
        files_directory=files_directory,
        context_directory=context_directory,
        change_directory=change_directory,
        pip_index_constraints=files_directory / constraints if constraints else None,
        pip_index_requirements=tuple(files_directory / path for path in requirements),
        npm_registry_lockfiles=tuple(files_directory / path for path in lockfiles),
    )


def load_scenarios(selected_names: list[str] | None = None) -> list[Scenario]:
    """Every scenario (or the selected ones, by directory name), in presentation order."""
    scenarios = [
        load_scenario(path)
        for path in sorted(SCENARIOS_DIRECTORY.iterdir())
        if (path / "scenario.toml").is_file()
    ]
    if selected_names:
        known = {scenario.name for scenario in scenarios}
        unknown = [name for name in selected_names if name not in known]
        if unknown:
            raise ScenarioError(
                f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        scenarios = [scenario for scenario in scenarios if scenario.name in selected_names]
    return sorted(scenarios, key=lambda scenario: (scenario.order, scenario.name))


def working_copy_directory(scenario: Scenario) -> Path:
    return WORK_DIRECTORY / "builds" / scenario.name


def prepare_working_copy(scenario: Scenario) -> Path:
    """A fresh copy of the scenario's Dockerfiles and context, as before the change."""
    destination = working_copy_directory(scenario)
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    for name in ("Dockerfile", "Dockerfile.cache-mounts"):
        shutil.copy2(scenario.files_directory / name, destination / name)
    shutil.copytree(scenario.context_directory, destination / "context")
    return destination


def apply_change(scenario: Scenario, destination: Path) -> list[str]:
    """Copies `change/` over the working copy, each file modified now; returns the replaced paths, relative."""
    change_directory = scenario.change_directory
    changed = []
    for source in sorted(change_directory.rglob("*")):
        if source.is_dir():
            continue
        relative = source.relative_to(change_directory)
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written now, as an edit would be: make and cargo compare modification times against
        # their outputs in a mounted build directory, so a copied older time would hide the change.
        shutil.copyfile(source, target)
        changed.append(str(relative))
    if not changed:
        raise ScenarioError(f"{change_directory}: no files to change")
    return changed
