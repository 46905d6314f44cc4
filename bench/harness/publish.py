"""Writing the report files: results.md, chart.svg and the README's results block.

Input: a run document (run_document.py). Output: `bench/results/results.md`, `bench/results/chart.svg`,
and `bench/README.md` with the text between its `bench:results` markers replaced.
Invariants: the README outside the markers is left byte for byte; a README without the markers is
left alone (and reported); the method notes state which scenarios used the local index, which
traffic was shaped and how bytes were counted, and that each repetition pruned the shared builder.
"""

from __future__ import annotations

import sys

from harness import ci_runner_report
from harness.cached_rebuild import ratio_table
from harness.config import (
    CHART_PATH,
    FORWARD_PROXY_PORT,
    LOCAL_INDEX_CACHE_CONTROL_SECONDS,
    LOCAL_INDEX_PORT,
    NPM_REGISTRY_PORT,
    README_PATH,
    RESULTS_MARKDOWN_PATH,
)
from harness.report import README_END, README_START, Report


def method_notes(report: Report) -> str:
    document = report.document
    pip_index = [s["title"] for s in report.scenarios if s.get("local_registry") == "local pip index"]
    npm_registry = [s["title"] for s in report.scenarios if s.get("local_registry") == "local npm registry"]
    proxied = [s["title"] for s in report.scenarios if not s.get("local_registry") and s.get("downloads")]
    offline = [s["title"] for s in report.scenarios if not s.get("downloads")]
    unshaped = [
        s["title"] for s in report.scenarios if s.get("downloads") and not s.get("limited_links", True)
    ]
    prunes = document.get("prunes", [])
    prune_text = (
        f"{len(prunes)} times, from {prunes[0]['at']} to {prunes[-1]['at']}" if prunes else "not at all"
    )
    skipped = document.get("skipped", [])
    lines = [
        "- Variants: (1) the stock Dockerfile frontend on the unedited Dockerfile; (2) the stock frontend on the "
        "Dockerfile edited by hand with cache mounts as Docker's documentation shows (apt: `docker-clean` removed, "
        "`Keep-Downloaded-Packages`, `/var/cache/apt` and `/var/lib/apt` mounted with `sharing=locked`); (3) the "
        "unedited Dockerfile with `--build-arg BUILDKIT_SYNTAX=<cachefront image>`.",
        "- Each repetition of each variant starts from `docker builder prune -af` and without its image; the "
        "variants are interleaved within a repetition. Cold = first build; rebuild = after copying the "
        "scenario's `change/` over the project; cached = the same build once more, unchanged (unthrottled only).",
        f"- Local pip index (pypiserver 2.4, `--cache-control {LOCAL_INDEX_CACHE_CONTROL_SECONDS}`, "
        f"127.0.0.1:{LOCAL_INDEX_PORT}), "
        "because the registry proxy this machine reaches strips HTTP caching headers: "
        + (", ".join(pip_index) or "none")
        + ".",
        f"- Local npm registry (`harness/npm_registry.py`: the locked packages only, packuments `max-age=300`, "
        f"tarballs `max-age=31536000, immutable`, 127.0.0.1:{NPM_REGISTRY_PORT}; the project's `.npmrc` names it), "
        "because npm opens a new TLS tunnel per request through a proxy (15 s direct vs 109 s proxied for the "
        "same `npm ci` here): " + (", ".join(npm_registry) or "none") + ".",
        f"- Through the benchmark's forward proxy on 127.0.0.1:{FORWARD_PROXY_PORT} (the registries themselves, "
        "via `http_proxy`/`https_proxy` build args, which BuildKit keeps out of history and cache keys): "
        + (", ".join(proxied) or "none")
        + ".",
        "- No downloads in the rebuild, measured unthrottled only: " + (", ".join(offline) or "none") + ".",
        "- Downloads a few MB while compiling for minutes, measured unthrottled only (a limited link would add "
        "seconds to a rebuild that compiling dominates, and each repetition costs several minutes): "
        + (", ".join(unshaped) or "none")
        + ".",
        f"- Shaping: `tc` htb root qdisc on `lo`, one class at the stated rate shared by the three ports, u32 filters "
        f"on TCP source ports {LOCAL_INDEX_PORT}, {FORWARD_PROXY_PORT} and {NPM_REGISTRY_PORT} only (all other "
        "loopback traffic unclassified, unshaped). Every build uses `--network host` so it reaches them.",
        "- Downloaded bytes: iptables counters on `lo` for packets from those three ports during the build "
        "(payload plus TCP/IP headers; proxied HTTPS counts the TLS stream).",
        f"- `docker builder prune -af` ran {prune_text}: it empties the build cache of everything using this daemon.",
        "- Other builds may share the daemon and its 2 cores during a run; the medians do not remove that noise.",
    ]
    for entry in skipped:
        lines.append(
            f"- Not measured: {entry['scenario']} / {entry['network']} / {entry['variant']}: {entry['reason']}."
        )
    return "\n".join(lines)


def scenario_list(report: Report) -> str:
    return "\n".join(
        f"- **{s['title']}** (`bench/scenarios/{s['name']}`): {s['description']}" for s in report.scenarios
    )


def caution(report: Report) -> str:
    """A warning line when the numbers are not a full benchmark run (empty for a full one)."""
    document = report.document
    if document.get("mode") == "full" and document.get("repetitions", 0) >= 3:
        return ""
    return (
        f"**Not a full run** (mode {document.get('mode')}, up to {document.get('repetitions')} repetition(s) "
        "per cell): single builds on a shared 2-core machine vary by a factor of two or more, so read "
        "ratios near 1 as ties; `bench/run` with no flags gives medians of 3 on every network."
    )


def cached_rebuild_section(document: dict, heading: str = "### Fully cached rebuild, paired") -> str:
    """The per-engine stock vs cachefront table of `bench/run --cached-rebuild` (empty if never run)."""
    table = ratio_table(document)
    if not table:
        return ""
    return (
        f"{heading}\n\n`bench/run --cached-rebuild`: the apt scenario built again unchanged with "
        "`docker buildx build -q`, stock and cachefront alternating in pairs on the same daemon; wall "
        "time as the user sees it, frontend start included; medians, with the machine's load average "
        "while they ran (other work on the machine slows both variants of a pair).\n\n" + table
    )


def results_markdown(report: Report) -> str:
    repetitions = report.document.get("repetitions", "?")
    sections = [
        "# cachefront benchmark results",
        "Generated by `bench/run`; raw data in `measurements.json`, build logs under `bench/work/logs/` "
        "(not committed). Never asserted; numbers from one machine.",
        report.header(),
        caution(report),
        f"## Rebuild after one change (median of {repetitions})",
        report.rebuild_table(),
        "![rebuild times](chart.svg)",
        f"## Cold build (median of {repetitions})",
        report.phase_table("cold"),
        "## Where the rebuild time goes (longest BuildKit step, from the repetition nearest the median)",
        report.longest_step_table(),
        "## Frontend overhead",
        f"Fully cached rebuild (nothing changed, median of {repetitions}):",
        report.phase_table("cached"),
        report.frontend_section(),
        cached_rebuild_section(report.document),
        ci_runner_report.section(report.document, "## Fresh CI runner, one dependency added"),
        "## The issue's targets",
        report.targets_section(),
        ci_runner_report.targets(report.document),
        "## Scenarios",
        scenario_list(report),
        "## How this was measured",
        method_notes(report),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def readme_block(report: Report) -> str:
    return "\n\n".join(
        part
        for part in [
            README_START,
            report.header(),
            caution(report),
            report.rebuild_table(),
            "![rebuild times](bench/results/chart.svg)",
            cached_rebuild_section(report.document, heading="**Fully cached rebuild**"),
            ci_runner_report.section(report.document, "**Fresh CI runner, one dependency added**"),
            "Full results, cold builds, frontend overhead and method: [bench/results/results.md](bench/results/results.md).",
            README_END,
        ]
        if part
    )


def write_outputs(document: dict) -> None:
    report = Report(document)
    RESULTS_MARKDOWN_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_MARKDOWN_PATH.write_text(results_markdown(report))
    CHART_PATH.write_text(report.chart())
    if not README_PATH.exists():
        return
    readme = README_PATH.read_text()
    start, end = readme.find(README_START), readme.find(README_END)
    if start < 0 or end < start:
        print(
            f"bench: {README_PATH} has no {README_START} ... {README_END} block; left unchanged",
            file=sys.stderr,
        )
        return
    README_PATH.write_text(readme[:start] + readme_block(report) + readme[end + len(README_END) :])
