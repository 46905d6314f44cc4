"""Turning the run document into `results/results.md`, `results/chart.svg` and the README's table.

Input: a run document (run_document.py). Output: the markdown report (header with date, Docker
version and machine; rebuild, cold and cached tables; where the time goes; frontend overhead;
the issue's targets, met or missed with the step that dominates), the SVG chart, and the block
between the README's `bench:results` markers replaced with the headline table and the chart.
Invariants: a pure function of the document (re-running on the same document gives the same files);
cells without a successful build read "n/a" or "failed", never a made-up number.
"""

from __future__ import annotations

from harness.chart import render_chart
from harness.config import NETWORKS, VARIANTS, Network, Variant
from harness.run_document import Cell, summarize

README_START = "<!-- bench:results:start -->"
README_END = "<!-- bench:results:end -->"
TARGET_BY_HAND_RATIO = 1.05
TARGET_SPEEDUP = 4.0
TARGET_SPEEDUP_SCENARIOS = ("pip-add-package", "npm-add-dependency", "apt-add-package")
TARGET_SPEEDUP_NETWORK = "10mbit"
# Issue 13: a compile-only change, with the compiler cache cachefront ships, on the machine's own link.
TARGET_COMPILE_SPEEDUP = 3.0
TARGET_COMPILE_SPEEDUP_SCENARIOS = ("cargo-multistage-change-source", "cmake-multistage-change-source")
TARGET_COMPILE_SPEEDUP_NETWORK = "unthrottled"


def format_seconds(cell: Cell | None) -> str:
    if cell is None:
        return "n/a"
    if cell.seconds is None:
        return f"failed ({cell.failures})" if cell.failures else f"cache lost ({cell.discarded})"
    text = f"{cell.seconds:.1f} s"
    notes = ([f"{cell.failures} failed"] if cell.failures else []) + (
        [f"{cell.discarded} cache lost"] if cell.discarded else []
    )
    return text + (f" ({', '.join(notes)})" if notes else "")


def format_bytes(value: float | None) -> str:
    if value is None:
        return "n/a"
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f} B"


def ratio(numerator: Cell | None, denominator: Cell | None) -> float | None:
    if numerator is None or denominator is None or numerator.seconds is None or not denominator.seconds:
        return None
    return numerator.seconds / denominator.seconds


def format_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def run_machine(environment: dict | None) -> str:
    """'; on <cpu>, kernel <k>, Docker <v> at <socket>' for one merged run, when it was recorded."""
    if not environment:
        return ""
    return (
        f"; on {environment.get('cpu', '?')}, kernel {environment.get('kernel', '?')}, "
        f"Docker {environment.get('docker_server', '?')} at `{environment.get('docker_host', 'default socket')}`"
    )


def table_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class Report:
    def __init__(self, document: dict) -> None:
        self.document = document
        self.cells = summarize(document)
        variant_keys = document.get("variants", [])
        self.variants: list[Variant] = [v for v in VARIANTS if v.key in variant_keys]
        network_keys = document.get("networks", [])
        self.networks: list[Network] = [n for n in NETWORKS if n.key in network_keys]
        self.scenarios: list[dict] = document.get("scenarios", [])

    def cell(self, scenario: str, network: str, variant: str, phase: str) -> Cell | None:
        return self.cells.get((scenario, network, variant, phase))

    def rows(self, phase: str) -> list[tuple[dict, Network]]:
        """(scenario, network) pairs that have at least one record of this phase."""
        return [
            (scenario, network)
            for network in self.networks
            for scenario in self.scenarios
            if any(self.cell(scenario["name"], network.key, v.key, phase) for v in self.variants)
        ]

    def header(self) -> str:
        environment = self.document.get("environment", {})
        mode = self.document.get("mode", "?")
        repetitions = self.document.get("repetitions", "?")
        loads = sorted(r["load_average"] for r in self.document.get("records", []) if "load_average" in r)
        load_text = (
            f" Load average (1 min) when builds started: {loads[0]:.1f} to {loads[-1]:.1f}, "
            f"median {loads[len(loads) // 2]:.1f}."
            if loads
            else ""
        )
        runs = self.document.get("runs")
        if runs:
            run_text = (
                "Merged from runs "
                + "; ".join(
                    f"{run.get('started_at')} to {run.get('finished_at') or 'unfinished'} ({run.get('mode')}, "
                    f"{run.get('repetitions')} repetition(s): {', '.join(run.get('scenarios') or [])} on "
                    f"{', '.join(run.get('networks') or [])}, variants {', '.join(run.get('variants') or [])}"
                    f"{run_machine(run.get('environment'))})"
                    for run in runs
                )
                + ". "
            )
        else:
            run_text = (
                f"Run {self.document.get('started_at', '?')} to {self.document.get('finished_at') or 'unfinished'} "
                f"(mode: {mode}, median of {repetitions} repetition(s)). "
            )
        return (
            run_text
            + ("Latest run: " if runs else "")
            + f"Docker Engine {environment.get('docker_server', '?')}, {environment.get('buildx', 'buildx ?')}; "
            f"{environment.get('cpu', '?')}, {environment.get('cores', '?')} cores, {environment.get('memory', '?')}, "
            f"{environment.get('os', '?')}, kernel {environment.get('kernel', '?')}.{load_text}"
        )

    def rebuild_table(self) -> str:
        labels = " | ".join(f"({v.number}) {v.key}" for v in self.variants)
        downloaded = " / ".join(f"({v.number})" for v in self.variants)
        lines = [
            f"| Scenario | Network | {labels} | (3)/(1) | (3)/(2) | downloaded in rebuild {downloaded} |",
            "|" + "---|" * (len(self.variants) + 5),
        ]
        for scenario, network in self.rows("rebuild"):
            cells = {v.key: self.cell(scenario["name"], network.key, v.key, "rebuild") for v in self.variants}
            index_mark = f" ({scenario['local_registry']})" if scenario.get("local_registry") else ""
            lines.append(
                f"| {table_cell(scenario['title'])}{index_mark} | {network.label} | "
                + " | ".join(format_seconds(cells[v.key]) for v in self.variants)
                + f" | {format_ratio(ratio(cells.get('cachefront'), cells.get('stock')))}"
                + f" | {format_ratio(ratio(cells.get('cachefront'), cells.get('hand-mounts')))}"
                + " | "
                + " / ".join(
                    format_bytes(cells[v.key].downloaded_bytes if cells[v.key] else None)
                    for v in self.variants
                )
                + " |"
            )
        return "\n".join(lines)

    def phase_table(self, phase: str) -> str:
        labels = " | ".join(f"({v.number}) {v.key}" for v in self.variants)
        lines = [f"| Scenario | Network | {labels} |", "|" + "---|" * (len(self.variants) + 2)]
        for scenario, network in self.rows(phase):
            lines.append(
                f"| {table_cell(scenario['title'])} | {network.label} | "
                + " | ".join(
                    format_seconds(self.cell(scenario["name"], network.key, v.key, phase))
                    for v in self.variants
                )
                + " |"
            )
        return "\n".join(lines)

    def longest_step_table(self) -> str:
        lines = [
            "| Scenario | Network | Variant | rebuild | longest step | its time |",
            "|---|---|---|---|---|---|",
        ]
        for scenario, network in self.rows("rebuild"):
            for variant in self.variants:
                cell = self.cell(scenario["name"], network.key, variant.key, "rebuild")
                if cell is None or cell.seconds is None:
                    continue
                step = f"`{table_cell(cell.longest_step)}`" if cell.longest_step else "n/a"
                step_time = (
                    f"{cell.longest_step_seconds:.1f} s" if cell.longest_step_seconds is not None else "n/a"
                )
                lines.append(
                    f"| {table_cell(scenario['title'])} | {network.label} | ({variant.number}) | "
                    f"{cell.seconds:.1f} s | {step} | {step_time} |"
                )
        return "\n".join(lines)

    def frontend_section(self) -> str:
        frontend = self.document.get("frontend", {})
        lines = [
            f"- Frontend image `{frontend.get('image', '?')}`: "
            + (
                f"{format_bytes(frontend.get('size_bytes'))} "
                f"(`docker image inspect`, {frontend.get('image_id', '?')[:19]})"
                if frontend.get("available")
                else "not present on this daemon, so variant (3) was not measured"
            )
        ]
        used_ids = sorted(
            {r["frontend_image_id"] for r in self.document.get("records", []) if r.get("frontend_image_id")}
        )
        if len(used_ids) > 1:
            lines.append(
                f"- The frontend image changed during the measurements: variant (3) builds used {len(used_ids)} "
                "image ids ("
                + ", ".join(image[:19] for image in used_ids)
                + "); see `frontend_image_id` per record."
            )
        if frontend.get("measured_at"):
            at_start = frontend.get("at_run_start") or {}
            lines.append(
                f"- Image size and lowering measured at {frontend['measured_at']} (`bench/run --frontend-only`), "
                f"after the builds; the last build run started with image {(at_start.get('image_id') or '?')[:19]} "
                f"({format_bytes(at_start.get('size_bytes'))})."
            )
        lowering = frontend.get("lowering", {})
        if lowering.get("status") == "measured":
            lines.append(
                f"- Lowering a {lowering['instructions']}-instruction Dockerfile (`{lowering['command']}`): "
                f"median {lowering['median_seconds'] * 1000:.1f} ms over {lowering['runs']} runs ({lowering['tool']}), "
                "process start and exit included."
            )
            in_process = lowering.get("in_process")
            if in_process:
                phases = ", ".join(
                    f"{key.removesuffix('_ms')} {value:.1f} ms"
                    for key, value in in_process.items()
                    if key.endswith("_ms")
                )
                counts = ", ".join(
                    f"{value:.0f} {key}" for key, value in in_process.items() if not key.endswith("_ms")
                )
                lines.append(f"- In-process (`cachefront debug timings`, medians): {phases} ({counts}).")
        else:
            lines.append(
                f"- Lowering a 1,000-instruction Dockerfile: {lowering.get('status', 'pending')} "
                f"({lowering.get('reason', 'not measured in this run')})."
            )
        parsing = frontend.get("parsing", {})
        if parsing.get("status") == "measured":
            phases = ", ".join(
                f"{key.removesuffix('_ms')} {value:.1f} ms" for key, value in parsing["timings"].items() if key.endswith("_ms")
            )
            lines.append(
                f"- A {parsing['instructions']}-instruction Dockerfile (`cachefront debug timings`, best of "
                f"{parsing['runs']} in-process runs): {phases}."
            )
        return "\n".join(lines)

    def targets_section(self) -> str:
        lines = []
        missed, met = [], 0
        for scenario, network in self.rows("rebuild"):
            cachefront = self.cell(scenario["name"], network.key, "cachefront", "rebuild")
            by_hand = self.cell(scenario["name"], network.key, "hand-mounts", "rebuild")
            value = ratio(cachefront, by_hand)
            if value is None:
                continue
            if value <= TARGET_BY_HAND_RATIO:
                met += 1
            else:
                missed.append(
                    f"  - {scenario['title']}, {network.label}: {value:.2f}. {self.dominant(cachefront)}"
                    f"{self.spreads(by_hand, cachefront)}"
                    + (f" {scenario['hand_mounts_note']}" if scenario.get("hand_mounts_note") else "")
                )
        lines.append(
            f"- (3)/(2) <= {TARGET_BY_HAND_RATIO} on every scenario: "
            f"met in {met} of {met + len(missed)} measured cells."
        )
        lines += missed
        speed_lines = []
        for scenario in self.scenarios:
            if scenario["name"] not in TARGET_SPEEDUP_SCENARIOS:
                continue
            cachefront = self.cell(scenario["name"], TARGET_SPEEDUP_NETWORK, "cachefront", "rebuild")
            stock = self.cell(scenario["name"], TARGET_SPEEDUP_NETWORK, "stock", "rebuild")
            value = ratio(stock, cachefront)
            if value is None:
                speed_lines.append(f"  - {scenario['title']}: not measured at 10 Mbit/s in this run.")
                continue
            verdict = "met" if value >= TARGET_SPEEDUP else "missed"
            detail = "" if verdict == "met" else " " + self.dominant(cachefront)
            by_hand = self.cell(scenario["name"], TARGET_SPEEDUP_NETWORK, "hand-mounts", "rebuild")
            by_hand_speedup = ratio(stock, by_hand)
            if verdict == "missed" and by_hand_speedup is not None:
                detail += (
                    f" Hand-written mounts reach (1)/(2) = {by_hand_speedup:.2f}x: what is left once the "
                    "download is cached is installing, which no download cache removes."
                )
            speed_lines.append(f"  - {scenario['title']}: (1)/(3) = {value:.2f}x, {verdict}.{detail}")
        lines.append(f"- (3) at least {TARGET_SPEEDUP:g}x faster than (1) at 10 Mbit/s for pip, npm and apt:")
        lines += speed_lines
        lines.append(
            f"- (3) at least {TARGET_COMPILE_SPEEDUP:g}x faster than (1) when one source file changes in a "
            "multi-stage build, through the compiler caches cachefront ships (Cargo: its target directory kept in a cache; CMake with no ccache in the image: sccache):"
        )
        lines += self.compile_speedup_lines()
        return "\n".join(lines)

    def compile_speedup_lines(self) -> list[str]:
        lines = []
        for scenario in self.scenarios:
            if scenario["name"] not in TARGET_COMPILE_SPEEDUP_SCENARIOS:
                continue
            cachefront = self.cell(scenario["name"], TARGET_COMPILE_SPEEDUP_NETWORK, "cachefront", "rebuild")
            stock = self.cell(scenario["name"], TARGET_COMPILE_SPEEDUP_NETWORK, "stock", "rebuild")
            value = ratio(stock, cachefront)
            if value is None:
                lines.append(f"  - {scenario['title']}: not measured unthrottled in this run.")
                continue
            verdict = "met" if value >= TARGET_COMPILE_SPEEDUP else "missed"
            detail = ""
            if verdict == "missed":
                detail = f" {self.dominant(cachefront)} (1): {self.dominant(stock)}"
                if scenario.get("target_note"):
                    detail += f" {scenario['target_note']}"
            lines.append(f"  - {scenario['title']}: (1)/(3) = {value:.2f}x, {verdict}.{detail}")
        return lines

    @staticmethod
    def spreads(by_hand: Cell | None, cachefront: Cell | None) -> str:
        """' Repetitions: (2) a-b s, (3) c-d s.' when both cells have them."""
        if by_hand is None or cachefront is None or by_hand.spread is None or cachefront.spread is None:
            return ""
        return (
            f" Repetitions: (2) {by_hand.spread[0]:.1f}-{by_hand.spread[1]:.1f} s, "
            f"(3) {cachefront.spread[0]:.1f}-{cachefront.spread[1]:.1f} s."
        )

    @staticmethod
    def dominant(cell: Cell | None) -> str:
        if (
            cell is None
            or cell.seconds is None
            or cell.longest_step is None
            or cell.longest_step_seconds is None
        ):
            return ""
        return (
            f"Dominated by `{cell.longest_step}`: {cell.longest_step_seconds:.1f} s of {cell.seconds:.1f} s."
        )

    def chart(self) -> str:
        rows = []
        for scenario, network in self.rows("rebuild"):
            seconds = {}
            for variant in self.variants:
                cell = self.cell(scenario["name"], network.key, variant.key, "rebuild")
                seconds[variant.key] = cell.seconds if cell else None
            rows.append((scenario["title"], network.label, seconds))
        environment = self.document.get("environment", {})
        subtitle = (
            f"{(self.document.get('started_at') or '?')[:10]} · Docker {environment.get('docker_server', '?')} · "
            f"{environment.get('cores', '?')} cores · median of {self.document.get('repetitions', '?')} · "
            f"mode {self.document.get('mode', '?')}"
        )
        return render_chart(rows, self.variants, "cachefront benchmark: rebuild after one change", subtitle)
