"""The fresh-CI-runner rows for results.md and the README: medians per cell, the 3x target.

Input: a run document whose "ci_runner" key ci_runner.py wrote. Output: `rows` (per scenario and
network: stock's build; cachefront's restore, build, export and their total; the ratio; the bytes
each downloaded), `table`, `targets` and `section` (markdown; empty strings when nothing was measured).
Invariants: a pure function of the document; cachefront's total is the median of per-repetition sums
of its three steps, over repetitions whose three steps all succeeded; a cell without a successful
build reads "n/a", never a made-up number.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from harness.config import NETWORKS

TARGET_SPEEDUP = 3.0
TARGET_SCENARIOS = ("apt-add-package", "pip-add-package")
TARGET_NETWORK = "10mbit"
PHASES = ("restore", "build", "export")


@dataclass(frozen=True)
class Row:
    scenario: str
    title: str
    network: str
    stock: float | None
    phases: dict[str, float | None]
    total: float | None
    stock_bytes: float | None
    cachefront_bytes: float | None
    repetitions: tuple[int, int]
    failures: int

    @property
    def speedup(self) -> float | None:
        return self.stock / self.total if self.stock is not None and self.total else None


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def record_bytes(record: dict) -> int | None:
    counted = record.get("bytes")
    return sum(counted.values()) if counted is not None else None


def cell_row(scenario: str, title: str, network: str, records: list[dict]) -> Row:
    stock = [r for r in records if r["variant"] == "stock" and r["exit_code"] == 0]
    by_repetition: dict[int, dict[str, dict]] = {}
    for record in records:
        if record["variant"] == "cachefront" and record["exit_code"] == 0:
            by_repetition.setdefault(record["repetition"], {})[record["phase"]] = record
    complete = [steps for steps in by_repetition.values() if all(phase in steps for phase in PHASES)]
    cachefront_bytes = [
        sum(record_bytes(steps[phase]) or 0 for phase in ("build", "export"))
        for steps in complete
        if all(record_bytes(steps[phase]) is not None for phase in ("build", "export"))
    ]
    return Row(
        scenario=scenario,
        title=title,
        network=network,
        stock=median([r["seconds"] for r in stock]),
        phases={phase: median([steps[phase]["seconds"] for steps in complete]) for phase in PHASES},
        total=median([sum(steps[phase]["seconds"] for phase in PHASES) for steps in complete]),
        stock_bytes=median([b for b in (record_bytes(r) for r in stock) if b is not None]),
        cachefront_bytes=median(cachefront_bytes),
        repetitions=(len(stock), len(complete)),
        failures=sum(1 for record in records if record["exit_code"] != 0),
    )


def rows(document: dict) -> list[Row]:
    """One row per measured (scenario, network), networks in config order, scenarios as measured."""
    section = document.get("ci_runner", {})
    seeds = section.get("seeds", {})
    records = section.get("records", [])
    scenario_order = list(dict.fromkeys(r["scenario"] for r in records))
    result = []
    for network in NETWORKS:
        for scenario in scenario_order:
            cell = [r for r in records if r["scenario"] == scenario and r["network"] == network.key]
            if cell:
                title = seeds.get(scenario, {}).get("title", scenario)
                result.append(cell_row(scenario, title, network.label, cell))
    return result


def seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} s"


def size(value: float | None) -> str:
    if value is None:
        return "n/a"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if value >= scale:
            return f"{value / scale:.1f} {unit}"
    return f"{value:.0f} B"


def table(document: dict) -> str:
    lines = [
        "| Scenario | Network | (1) stock | cachefront restore | build | export | cachefront total | "
        "(1) / cachefront | downloaded: (1) / cachefront | repetitions |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows(document):
        speedup = "n/a" if row.speedup is None else f"{row.speedup:.2f}x"
        failed = f", {row.failures} failed" if row.failures else ""
        lines.append(
            f"| {row.title} | {row.network} | {seconds(row.stock)} | "
            + " | ".join(seconds(row.phases[phase]) for phase in PHASES)
            + f" | {seconds(row.total)} | {speedup} | {size(row.stock_bytes)} / {size(row.cachefront_bytes)} | "
            f"{row.repetitions[0]} / {row.repetitions[1]}{failed} |"
        )
    return "\n".join(lines) if len(lines) > 2 else ""


def targets(document: dict) -> str:
    """The issue's target for these rows, met or missed per scenario (empty when never measured)."""
    if not document.get("ci_runner", {}).get("records"):
        return ""
    label = next(n.label for n in NETWORKS if n.key == TARGET_NETWORK)
    measured = {row.scenario: row for row in rows(document) if row.network == label}
    lines = [
        f"- Fresh CI runner: cachefront (restore + build + export) at least {TARGET_SPEEDUP:g}x faster than (1) "
        f"at {label} for apt and pip:"
    ]
    for scenario in TARGET_SCENARIOS:
        row = measured.get(scenario)
        if row is None or row.speedup is None:
            lines.append(f"  - {scenario}: not measured at {label}.")
            continue
        verdict = "met" if row.speedup >= TARGET_SPEEDUP else "missed"
        lines.append(
            f"  - {row.title}: (1) {row.stock:.1f} s / cachefront {row.total:.1f} s = {row.speedup:.2f}x, {verdict}."
        )
    return "\n".join(lines)


def section(document: dict, heading: str) -> str:
    body = table(document)
    if not body:
        return ""
    ci = document.get("ci_runner", {})
    runs = ci.get("runs", [])
    last = runs[-1] if runs else {}
    seeds = ", ".join(
        f"{name} {size(seed.get('size_bytes'))} in {seed.get('files', '?')} files"
        for name, seed in sorted(ci.get("seeds", {}).items())
    )
    loads = sorted(r["load_average"] for r in ci.get("records", []) if "load_average" in r)
    load_text = f" Load average (1 min) when steps started: {loads[0]:.1f} to {loads[-1]:.1f}." if loads else ""
    return (
        f"{heading}\n\n`bench/run --ci-runner` (`harness/ci_runner.py`): every build on a fresh runner "
        "(`docker builder prune -af`) after adding one dependency. (1) stock: its build. cachefront: "
        "restore (copy the saved cache directory into place), the build with `--build-context "
        "cachefront-cache=<dir>`, and the export with `CACHEFRONT_EXPORT_CACHES=1 --output "
        "type=local,dest=<dir>`; all three count. The saved caches come from a previous build and export of "
        f"the unchanged project (not counted; {seeds or 'none'}). Restore and save are local copies here: a CI "
        "cache service's own transfer is not included. Medians; repetitions (1) / cachefront. Last run "
        f"{last.get('started_at', '?')} on Docker {last.get('engine', '?')} with `{last.get('frontend_image', '?')}`"
        f" ({(last.get('frontend_image_id') or '?')[:19]}).{load_text}\n\n" + body
    )
