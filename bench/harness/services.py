"""The loopback services one benchmark run needs, and the lock that keeps runs one at a time.

Input: the scenarios a run measures (which registries they download from). Output: inside an
ExitStack, the forward proxy, the local pip index and the local npm registry when a scenario uses
them, and the loopback byte counters (returned); `hold_run_lock` for the whole run.
Invariants: every service and counter is stopped or removed when the stack closes, also on Ctrl-C;
a second run on the same machine is refused (it would remove the first one's counters and shaping).
"""

from __future__ import annotations

import fcntl
import sys
from contextlib import ExitStack

from harness.child_service import ChildService
from harness.config import FORWARD_PROXY_PORT, LOCAL_INDEX_PORT, NPM_REGISTRY_PORT, WORK_DIRECTORY
from harness.local_index import ensure_packages, local_index_service
from harness.npm_registry import build_registry
from harness.scenarios import Scenario
from harness.traffic import LoopbackCounters

COUNTED_PORTS = {
    "local_index": LOCAL_INDEX_PORT,
    "forward_proxy": FORWARD_PROXY_PORT,
    "npm_registry": NPM_REGISTRY_PORT,
}


def hold_run_lock():
    """One bench/run at a time: a second one would remove the first one's counters and shaping."""
    WORK_DIRECTORY.mkdir(parents=True, exist_ok=True)
    lock_file = (WORK_DIRECTORY / "run.lock").open("w")
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock_file.close()
        raise RuntimeError("another bench/run is running on this machine") from None
    return lock_file


def start_services(stack: ExitStack, scenarios: list[Scenario]) -> LoopbackCounters:
    """Starts what the scenarios download from, on `stack`; returns the counters of their ports."""
    logs = WORK_DIRECTORY / "logs"
    stack.enter_context(
        ChildService(
            "forward proxy",
            [sys.executable, "-m", "harness.forward_proxy", str(FORWARD_PROXY_PORT)],
            FORWARD_PROXY_PORT,
            logs / "forward-proxy.log",
        )
    )
    if any(scenario.uses_pip_index for scenario in scenarios):
        ensure_packages(scenarios)
        stack.enter_context(local_index_service(logs / "local-index.log"))
    lockfiles = [path for scenario in scenarios for path in scenario.npm_registry_lockfiles]
    if lockfiles:
        build_registry(lockfiles)
        stack.enter_context(
            ChildService(
                "npm registry",
                [sys.executable, "-m", "harness.npm_registry", str(NPM_REGISTRY_PORT)],
                NPM_REGISTRY_PORT,
                logs / "npm-registry.log",
            )
        )
    return stack.enter_context(LoopbackCounters(COUNTED_PORTS))
