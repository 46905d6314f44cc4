"""Unit tests of the benchmark harness's pure parts (no Docker, no network, no root).

Input: synthetic progress logs, run documents and the scenario directories in the repository.
Output: `python3 -m unittest discover -s bench/tests` passes or names what broke.
Invariants: tests never start builds, servers, `tc` or `iptables`, and never assert a timing.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ElementTree
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import run_document  # noqa: E402
from harness.cached_rebuild import build_command, ratio_table, with_entry  # noqa: E402
from harness.chart import render_chart  # noqa: E402
from harness.config import LOCAL_INDEX_PORT, NPM_REGISTRY_PORT, SCENARIOS_DIRECTORY, VARIANTS  # noqa: E402
from harness.docker_builds import summarize_progress  # noqa: E402
from harness.forward_proxy import ProxyRequestError, parse_head, split_host_port  # noqa: E402
from harness.frontend_overhead import generated_dockerfile  # noqa: E402
from harness.npm_registry import locked_packages, tarball_file_name  # noqa: E402
from harness.report import Report  # noqa: E402
from harness.scenarios import apply_change, load_scenarios  # noqa: E402

PROGRESS_LOG = """#1 [internal] load build definition from Dockerfile
#1 DONE 0.1s
#4 [1/4] FROM docker.io/library/debian:bookworm
#4 DONE 0.0s
#5 [2/4] WORKDIR /app
#5 CACHED
#6 [3/4] RUN apt-get update && apt-get install -y curl
#6 DONE 12.5s
#7 [4/4] COPY . .
#7 DONE 0.2s
#8 exporting to image
#8 DONE 3.0s
"""


def record(
    variant: str, phase: str, seconds: float, executed: int, repetition: int = 1, network: str = "unthrottled"
) -> dict:
    return {
        "scenario": "pip-add-package",
        "network": network,
        "variant": variant,
        "repetition": repetition,
        "phase": phase,
        "seconds": seconds,
        "exit_code": 0,
        "log": "x",
        "longest_step": "[2/3] RUN pip install",
        "longest_step_seconds": seconds - 1,
        "executed_steps": executed,
        "cached_steps": 1,
        "bytes": {"local_index": 1000, "forward_proxy": 0, "npm_registry": 0},
        "started_at": "t",
        "load_average": 1.0,
    }


def document(records: list[dict]) -> dict:
    return {
        "schema": 1,
        "mode": "full",
        "started_at": "2026-01-01T00:00:00Z",
        "finished_at": "2026-01-01T01:00:00Z",
        "repetitions": 3,
        "networks": ["unthrottled", "10mbit"],
        "variants": [v.key for v in VARIANTS],
        "scenarios": [
            {
                "name": "pip-add-package",
                "title": "pip: add one package",
                "description": "d",
                "order": 1,
                "local_registry": "local pip index",
                "downloads": True,
            }
        ],
        "environment": {"docker_server": "26.1.5", "cores": "2"},
        "frontend": {"image": "cachefront:dev", "available": False},
        "prunes": [],
        "skipped": [],
        "records": records,
    }


class ProgressTests(unittest.TestCase):
    def test_counts_own_steps_and_finds_the_longest(self) -> None:
        summary = summarize_progress(PROGRESS_LOG)
        self.assertEqual(summary.longest_step, "[3/4] RUN apt-get update && apt-get install -y curl")
        self.assertEqual(summary.longest_step_seconds, 12.5)
        self.assertEqual(summary.executed_steps, 2)
        self.assertEqual(summary.cached_steps, 1)

    def test_empty_log(self) -> None:
        summary = summarize_progress("")
        self.assertIsNone(summary.longest_step)
        self.assertEqual(summary.executed_steps, 0)


class RunDocumentTests(unittest.TestCase):
    def test_median_leaves_out_rebuilds_that_lost_their_cache(self) -> None:
        records = [
            record("stock", "rebuild", 10.0, 3, 1),
            record("stock", "rebuild", 11.0, 3, 2),
            record("stock", "rebuild", 70.0, 5, 3),
        ]
        cell = run_document.summarize(document(records))[
            ("pip-add-package", "unthrottled", "stock", "rebuild")
        ]
        self.assertEqual(cell.seconds, 10.5)
        self.assertEqual(cell.discarded, 1)
        self.assertEqual(cell.failures, 0)

    def test_a_single_repetition_is_never_left_out(self) -> None:
        cells = run_document.summarize(document([record("stock", "cached", 9.0, 2)]))
        self.assertEqual(cells[("pip-add-package", "unthrottled", "stock", "cached")].seconds, 9.0)

    def test_reset_counter_gives_unknown_bytes(self) -> None:
        broken = record("stock", "cold", 5.0, 4)
        broken["bytes"] = {"local_index": -5}
        cell = run_document.summarize(document([broken]))[("pip-add-package", "unthrottled", "stock", "cold")]
        self.assertIsNone(cell.downloaded_bytes)

    def test_merge_replaces_only_measured_cells(self) -> None:
        previous = document([record("stock", "cold", 5.0, 4), record("cachefront", "cold", 4.0, 4)])
        current = document([])
        current["variants"] = ["stock"]
        merged = run_document.merge_into(previous, current)
        self.assertEqual([r["variant"] for r in merged["records"]], ["cachefront"])
        self.assertEqual(len(merged["runs"]), 2)


class ReportTests(unittest.TestCase):
    def test_tables_ratios_and_chart(self) -> None:
        records = []
        for variant, seconds in (("stock", 40.0), ("hand-mounts", 20.0), ("cachefront", 21.0)):
            records += [
                record(variant, "cold", seconds + 5, 4, network="10mbit"),
                record(variant, "rebuild", seconds, 3, network="10mbit"),
            ]
        report = Report(document(records))
        table = report.rebuild_table()
        self.assertIn(
            "| pip: add one package (local pip index) | 10 Mbit/s | 40.0 s | 20.0 s | 21.0 s | 0.53 | 1.05 |",
            table,
        )
        self.assertIn("met in 1 of 1", report.targets_section())
        self.assertIn("(1)/(3) = 1.90x, missed", report.targets_section())
        ElementTree.fromstring(report.chart())

    def test_compile_speedup_target(self) -> None:
        records = []
        for variant, seconds in (("stock", 30.0), ("hand-mounts", 6.0), ("cachefront", 9.0)):
            for phase, phase_seconds in (("cold", seconds + 5), ("rebuild", seconds)):
                records.append(record(variant, phase, phase_seconds, 3) | {"scenario": "cargo-multistage-change-source"})
        cargo_document = document(records)
        cargo_document["scenarios"] = [
            {"name": "cargo-multistage-change-source", "title": "Cargo, multi-stage: change one source file", "order": 9}
        ]
        targets = Report(cargo_document).targets_section()
        self.assertIn("Cargo, multi-stage: change one source file: (1)/(3) = 3.33x, met.", targets)
        records = [r | {"seconds": 12.0} if r["variant"] == "cachefront" else r for r in records]
        cargo_document["records"] = records
        self.assertIn("(1)/(3) = 2.50x, missed. Dominated by", Report(cargo_document).targets_section())

    def test_chart_without_data_is_valid_svg(self) -> None:
        ElementTree.fromstring(render_chart([("a <b>", "x", {"stock": None})], list(VARIANTS), "t", "s"))


class ForwardProxyParsingTests(unittest.TestCase):
    def test_host_and_port(self) -> None:
        self.assertEqual(split_host_port("example.test:443", 80), ("example.test", 443))
        self.assertEqual(split_host_port("example.test", 80), ("example.test", 80))
        self.assertEqual(split_host_port("[::1]:8080", 80), ("::1", 8080))
        with self.assertRaises(ProxyRequestError):
            split_host_port("example.test:http", 80)

    def test_head(self) -> None:
        first, headers = parse_head(b"GET http://h/p HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n")
        self.assertEqual(first, "GET http://h/p HTTP/1.1")
        self.assertEqual(headers, [("Host", "h"), ("Accept", "*/*")])
        with self.assertRaises(ProxyRequestError):
            parse_head(b"GET / HTTP/1.1\r\nno colon\r\n\r\n")


class ScenarioTests(unittest.TestCase):
    def test_every_scenario_loads_and_names_its_ports(self) -> None:
        scenarios = load_scenarios()
        self.assertEqual(len(scenarios), 10)
        for scenario in scenarios:
            self.assertTrue(any(scenario.change_directory.rglob("*")), scenario.name)
            self.assertTrue((scenario.context_directory).is_dir(), scenario.name)
            if scenario.uses_pip_index:
                self.assertIn(
                    f"127.0.0.1:{LOCAL_INDEX_PORT}/simple",
                    (scenario.files_directory / "Dockerfile").read_text(),
                )
            if scenario.uses_npm_registry:
                self.assertIn(
                    f"127.0.0.1:{NPM_REGISTRY_PORT}",
                    (scenario.files_directory / "context" / ".npmrc").read_text(),
                )

    def test_a_change_is_written_now(self) -> None:
        (scenario,) = load_scenarios(["cargo-multistage-change-source"])
        with tempfile.TemporaryDirectory() as directory:
            destination = Path(directory)
            (destination / "context" / "src").mkdir(parents=True)
            old_file = destination / "context" / "src" / "main.rs"
            old_file.write_text("old")
            os.utime(old_file, (1_000_000_000, 1_000_000_000))
            self.assertEqual(apply_change(scenario, destination), ["context/src/main.rs"])
            self.assertGreater(old_file.stat().st_mtime, time.time() - 600)
            self.assertEqual(
                old_file.read_text(), (scenario.change_directory / "context" / "src" / "main.rs").read_text()
            )

    def test_npm_lockfiles(self) -> None:
        lockfile = SCENARIOS_DIRECTORY / "npm-add-dependency" / "change" / "context" / "package-lock.json"
        packages = locked_packages([lockfile])
        self.assertIn(("zod", "3.22.4"), packages)
        self.assertTrue(all(integrity.startswith("sha512-") for integrity in packages.values()))
        self.assertEqual(tarball_file_name("@hapi/hoek", "9.3.0"), "hapi-hoek-9.3.0.tgz")

    def test_generated_dockerfile_has_the_requested_instruction_count(self) -> None:
        text = generated_dockerfile(1000)
        self.assertEqual(len(text.splitlines()), 1000)
        self.assertTrue(text.startswith("FROM "))


class CachedRebuildTests(unittest.TestCase):
    @staticmethod
    def entry(engine: str, stock: float, cachefront: float, ratio: float) -> dict:
        return {
            "engine": engine,
            "measured_at": "2026-12-02T17:00:00Z",
            "pairs": 15,
            "median_seconds": {"stock": stock, "cachefront": cachefront},
            "median_pair_ratio": ratio,
            "load_average": {"min": 1.0, "median": 2.5, "max": 4.0},
        }

    def test_one_row_per_engine_oldest_first_and_replaced_on_remeasure(self) -> None:
        document = with_entry({"schema": 1}, self.entry("28.5.2", 0.24, 0.39, 1.64))
        document = with_entry(document, self.entry("26.1.5", 0.20, 0.36, 1.79))
        document = with_entry(document, self.entry("26.1.5", 0.20, 0.26, 1.31))
        rows = ratio_table(document).splitlines()[2:]
        self.assertEqual(len(rows), 2)
        self.assertTrue(rows[0].startswith("| Docker 26.1.5 | 0.20 s | 0.26 s | 1.31x |"), rows[0])
        self.assertTrue(rows[1].startswith("| Docker 28.5.2 | 0.24 s | 0.39 s | 1.64x |"), rows[1])

    def test_nothing_measured_gives_no_table(self) -> None:
        self.assertEqual(ratio_table({"schema": 1}), "")

    def test_only_cachefront_names_the_frontend(self) -> None:
        directory = Path("/tmp/project")
        stock = build_command(directory, "stock", quiet=True)
        cachefront = build_command(directory, "cachefront", quiet=True)
        self.assertIn("-q", stock)
        self.assertFalse(any(argument.startswith("BUILDKIT_SYNTAX=") for argument in stock))
        self.assertTrue(any(argument.startswith("BUILDKIT_SYNTAX=") for argument in cachefront))


if __name__ == "__main__":
    unittest.main()
