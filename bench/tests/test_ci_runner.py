"""Unit tests of the fresh-CI-runner rows' pure parts: the recipe's flags, log parsing, medians, target.

Input: synthetic documents and build logs. Output: `python3 -m unittest discover -s bench/tests`.
Invariants: no builds, servers, `tc` or `iptables`; timings here are made up and never measured.
"""

from __future__ import annotations

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.ci_runner import cache_total, ci_command  # noqa: E402
from harness.ci_runner_report import rows, section, targets  # noqa: E402


def step(scenario: str, network: str, variant: str, repetition: int, phase: str, seconds: float,
         exit_code: int = 0, downloaded: int | None = 1000) -> dict:
    return {
        "scenario": scenario,
        "network": network,
        "variant": variant,
        "repetition": repetition,
        "phase": phase,
        "seconds": seconds,
        "exit_code": exit_code,
        "bytes": None if downloaded is None else {"local_index": downloaded, "forward_proxy": 0},
    }


def cachefront(scenario: str, network: str, repetition: int, restore: float, build: float, export: float,
               ) -> list[dict]:
    return [
        step(scenario, network, "cachefront", repetition, "restore", restore, downloaded=None),
        step(scenario, network, "cachefront", repetition, "build", build, downloaded=2000),
        step(scenario, network, "cachefront", repetition, "export", export, downloaded=0),
    ]


def document(records: list[dict]) -> dict:
    return {
        "schema": 1,
        "ci_runner": {
            "seeds": {"pip-add-package": {"title": "pip: add one package", "size_bytes": 70e6, "files": 67}},
            "runs": [{"started_at": "t", "engine": "26.1.5", "frontend_image": "cachefront:dev"}],
            "records": records,
        },
    }


class CommandTests(unittest.TestCase):
    def test_stock_build_seeded_build_and_export(self) -> None:
        directory = Path("/tmp/project")
        stock = ci_command(directory, "cachefront-bench/x:stock", None, None)
        build = ci_command(directory, "cachefront-bench/x:cachefront", Path("/seed"), None)
        export = ci_command(directory, "cachefront-bench/x:cachefront", Path("/seed"), Path("/out"))
        self.assertFalse(any(a.startswith(("BUILDKIT_SYNTAX=", "cachefront-cache=")) for a in stock))
        self.assertEqual(stock[-1], "/tmp/project/context")
        self.assertIn("cachefront-cache=/seed", build)
        self.assertIn("--tag", build)
        self.assertEqual(build[-1], "/tmp/project/context")
        self.assertNotIn("--tag", export)
        self.assertIn("CACHEFRONT_EXPORT_CACHES=1", export)
        self.assertIn("type=local,dest=/out", export)
        self.assertEqual(export[-1], "/tmp/project/context")

    def test_cache_totals_from_the_progress_log(self) -> None:
        log = (
            "#9 [cachefront] seed 1 caches from the cachefront-cache context\n"
            "#9 0.412 //root/.cache/pip: seeded 70.1 MB in 67 files\n"
            "#9 0.413 seeded 70.1 MB in 67 files in all\n#9 DONE 0.5s\n"
        )
        self.assertEqual(cache_total(log), "seeded 70.1 MB in 67 files in all")
        self.assertIsNone(cache_total("#1 DONE 0.1s\n"))


class ReportTests(unittest.TestCase):
    def test_medians_totals_and_the_target(self) -> None:
        records = [
            step("pip-add-package", "10mbit", "stock", 1, "build", 80.0, downloaded=72_000_000),
            step("pip-add-package", "10mbit", "stock", 2, "build", 90.0, downloaded=72_000_000),
            *cachefront("pip-add-package", "10mbit", 1, 0.5, 20.0, 4.5),
            *cachefront("pip-add-package", "10mbit", 2, 0.5, 24.0, 5.5),
        ]
        (row,) = rows(document(records))
        self.assertEqual(row.stock, 85.0)
        self.assertEqual(row.total, 27.5)
        self.assertEqual(row.phases, {"restore": 0.5, "build": 22.0, "export": 5.0})
        self.assertEqual(row.cachefront_bytes, 2000)
        self.assertIn("| pip: add one package | 10 Mbit/s | 85.0 s | 0.5 s | 22.0 s | 5.0 s | 27.5 s | 3.09x |",
                      section(document(records), "## h"))
        self.assertIn("= 3.09x, met.", targets(document(records)))
        self.assertIn("apt-add-package: not measured", targets(document(records)))

    def test_a_failed_step_leaves_its_repetition_out(self) -> None:
        records = [
            step("pip-add-package", "unthrottled", "stock", 1, "build", 30.0),
            *cachefront("pip-add-package", "unthrottled", 1, 0.5, 20.0, 4.5),
            step("pip-add-package", "unthrottled", "cachefront", 2, "restore", 0.5),
            step("pip-add-package", "unthrottled", "cachefront", 2, "build", 2.0, exit_code=1),
        ]
        (row,) = rows(document(records))
        self.assertEqual(row.total, 25.0)
        self.assertEqual(row.repetitions, (1, 1))
        self.assertEqual(row.failures, 1)

    def test_nothing_measured_gives_nothing(self) -> None:
        self.assertEqual(section({"schema": 1}, "## h"), "")
        self.assertEqual(targets({"schema": 1}), "")


if __name__ == "__main__":
    unittest.main()
