"""Counting and shaping the benchmark's own download traffic on the loopback interface.

Input: the loopback ports of the local index and the forward proxy (config.py); a Network condition.
Output: `LoopbackCounters` (bytes sent from each port to its clients, read from an iptables chain)
and `LoopbackShaper` (a `tc` htb root qdisc on `lo` whose one class limits the packets from those
ports to the condition's rate).
Invariants: only packets whose TCP source port is one of the benchmark's ports are counted or
shaped; every other packet on `lo` bypasses htb unclassified (htb `default 0` sends them directly);
both refuse to start over an existing qdisc or chain they did not create, and both remove what
they added on exit (context managers), including after an exception or Ctrl-C.
"""

from __future__ import annotations

import subprocess

COUNTER_CHAIN = "CACHEFRONT-BENCH"
COUNTER_COMMENT = "cachefront-bench"
QDISC_HANDLE = "cfb0:"
SHAPED_CLASS = "cfb0:1"


class TrafficControlError(Exception):
    """iptables or tc refused a change, or found state the benchmark did not create."""


def run_checked(command: list[str]) -> str:
    completed = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if completed.returncode != 0:
        raise TrafficControlError(f"{' '.join(command)}: {completed.stderr.strip()}")
    return completed.stdout


def run_ignoring_failure(command: list[str]) -> None:
    subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)


class LoopbackCounters:
    """Per-port byte counters: one iptables OUTPUT rule per port, jumping to a RETURN-only chain."""

    def __init__(self, ports: dict[str, int]) -> None:
        self.ports = ports

    def _rule(self, port: int) -> list[str]:
        return [
            "OUTPUT",
            "-o",
            "lo",
            "-p",
            "tcp",
            "--sport",
            str(port),
            "-m",
            "comment",
            "--comment",
            f"{COUNTER_COMMENT}-{port}",
            "-j",
            COUNTER_CHAIN,
        ]

    def __enter__(self) -> LoopbackCounters:
        self._remove()
        run_checked(["iptables", "-N", COUNTER_CHAIN])
        run_checked(["iptables", "-A", COUNTER_CHAIN, "-j", "RETURN"])
        for port in self.ports.values():
            run_checked(["iptables", "-I", *self._rule(port)])
        return self

    def __exit__(self, *exception) -> None:
        self._remove()

    def _remove(self) -> None:
        """Removes this module's rules and chain (left over by a killed run, or ours)."""
        for port in self.ports.values():
            run_ignoring_failure(["iptables", "-D", *self._rule(port)])
        run_ignoring_failure(["iptables", "-F", COUNTER_CHAIN])
        run_ignoring_failure(["iptables", "-X", COUNTER_CHAIN])

    def read(self) -> dict[str, int]:
        """Bytes counted so far, per port name."""
        listing = run_checked(["iptables", "-L", "OUTPUT", "-v", "-x", "-n"])
        by_port = {}
        for line in listing.splitlines():
            fields = line.split()
            for port in self.ports.values():
                if f"/* {COUNTER_COMMENT}-{port} */" in line and len(fields) > 1 and fields[1].isdigit():
                    by_port[port] = int(fields[1])
        return {name: by_port.get(port, 0) for name, port in self.ports.items()}


class LoopbackShaper:
    """htb on `lo`: packets from the given source ports share one class limited to the given rate."""

    def __init__(self, ports: list[int], megabits_per_second: int | None) -> None:
        self.ports = ports
        self.megabits_per_second = megabits_per_second
        self.installed = False

    def __enter__(self) -> LoopbackShaper:
        if self.megabits_per_second is None:
            return self
        existing = run_checked(["tc", "qdisc", "show", "dev", "lo"])
        if f"htb {QDISC_HANDLE}" in existing:
            run_checked(["tc", "qdisc", "del", "dev", "lo", "root"])
        elif "noqueue" not in existing:
            raise TrafficControlError(f"lo already has a qdisc the benchmark did not add: {existing.strip()}")
        run_checked(["tc", "qdisc", "add", "dev", "lo", "root", "handle", QDISC_HANDLE, "htb"])
        self.installed = True
        rate = f"{self.megabits_per_second}mbit"
        run_checked(
            [
                "tc",
                "class",
                "add",
                "dev",
                "lo",
                "parent",
                QDISC_HANDLE,
                "classid",
                SHAPED_CLASS,
                "htb",
                "rate",
                rate,
                "ceil",
                rate,
            ]
        )
        for port in self.ports:
            run_checked(
                [
                    "tc",
                    "filter",
                    "add",
                    "dev",
                    "lo",
                    "parent",
                    QDISC_HANDLE,
                    "protocol",
                    "ip",
                    "prio",
                    "1",
                    "u32",
                    "match",
                    "ip",
                    "sport",
                    str(port),
                    "0xffff",
                    "flowid",
                    SHAPED_CLASS,
                ]
            )
        return self

    def __exit__(self, *exception) -> None:
        if self.installed:
            run_ignoring_failure(["tc", "qdisc", "del", "dev", "lo", "root", "handle", QDISC_HANDLE])
            self.installed = False


def remove_leftovers(ports: dict[str, int]) -> None:
    """Clears counters and a shaping qdisc left by a killed run (only the benchmark's own)."""
    LoopbackCounters(ports)._remove()
    existing = subprocess.run(["tc", "qdisc", "show", "dev", "lo"], capture_output=True, text=True).stdout
    if f"htb {QDISC_HANDLE}" in existing:
        run_ignoring_failure(["tc", "qdisc", "del", "dev", "lo", "root", "handle", QDISC_HANDLE])
